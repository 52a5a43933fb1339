-- The pages across accounts (contacts, billing, the audit log) are keyset-paged: every
-- order they offer has an index ending in the row id, so a page costs the same at a
-- million rows as at a thousand.
CREATE INDEX account_contacts_name_id ON account_contacts ((lower(last_name || ' ' || first_name)), id);
CREATE INDEX account_contacts_email_id ON account_contacts (email_folded, id);
CREATE INDEX account_contacts_created_id ON account_contacts (created_at, id);

-- Contacts are found by a substring of their name or e-mail address.
CREATE INDEX account_contacts_search_trgm ON account_contacts USING gin (
    (lower(first_name || ' ' || last_name || ' ' || email)) gin_trgm_ops
);

CREATE INDEX daily_billing_records_date_id ON daily_billing_records (date, id);

-- Audit entries keep the number of their account, so a deleted account's entries are
-- found by its number. Existing entries take it from their account, or, for an account
-- deleted already, from the account number its delete entry recorded.
ALTER TABLE audit_entries ADD COLUMN account_number TEXT;
UPDATE audit_entries e SET account_number = a.account_number FROM accounts a WHERE a.id = e.account_id;
UPDATE audit_entries e
SET account_number = (
    SELECT c ->> 'old'
    FROM audit_entries d, jsonb_array_elements(d.changes::jsonb) c
    WHERE d.object_type = 'account' AND d.action = 'delete' AND d.object_id = e.account_id
      AND c ->> 'field' = 'account_number'
    LIMIT 1
)
WHERE e.account_number IS NULL AND e.account_id IS NOT NULL;
CREATE INDEX audit_entries_created_id ON audit_entries (created_at, id);
CREATE INDEX audit_entries_account_number ON audit_entries (account_number, created_at, id);
CREATE INDEX audit_entries_actor ON audit_entries (actor_username, created_at, id);
CREATE INDEX audit_entries_type_action ON audit_entries (object_type, action, created_at, id);
CREATE INDEX audit_entries_action ON audit_entries (action, created_at, id);
