-- Reverting from history. The entries one bulk action wrote share a batch id, so the
-- action can be reverted as a whole; an account's delete entry keeps a snapshot of the
-- account and of what went with it (JSON), so the account can be restored. Existing
-- entries keep everything they had: both columns are empty for them.
ALTER TABLE audit_entries ADD COLUMN batch_id TEXT;
ALTER TABLE audit_entries ADD COLUMN snapshot TEXT;
CREATE INDEX audit_entries_batch ON audit_entries (batch_id) WHERE batch_id IS NOT NULL;
