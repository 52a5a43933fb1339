-- List pages show each account's tags as they were spelled on it, in the order they
-- were added. This index holds both, so the tags of a page's accounts are read from
-- the index alone, in order, instead of from each tagged item's row.
CREATE INDEX tagged_items_object_spelling ON tagged_items (object_type, object_id, id, spelling);
