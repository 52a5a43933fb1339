DROP INDEX audit_entries_batch;
ALTER TABLE audit_entries DROP COLUMN snapshot;
ALTER TABLE audit_entries DROP COLUMN batch_id;
