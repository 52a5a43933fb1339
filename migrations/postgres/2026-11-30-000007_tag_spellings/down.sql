ALTER TABLE tagged_items DROP COLUMN spelling;
