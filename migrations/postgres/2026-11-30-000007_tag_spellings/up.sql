-- Tags are shared and matched ignoring case, but each object keeps the spelling it was
-- given: a page shows the spelling typed on that object, never one typed on an object
-- its viewer can't see.
ALTER TABLE tagged_items ADD COLUMN spelling TEXT NOT NULL DEFAULT '';
UPDATE tagged_items SET spelling = (SELECT tags.name FROM tags WHERE tags.id = tagged_items.tag_id);
