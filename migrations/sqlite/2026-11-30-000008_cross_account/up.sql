-- The pages across accounts (contacts, billing, the audit log) are keyset-paged: every
-- order they offer has an index ending in the row id, so a page costs the same at a
-- million rows as at a thousand.
CREATE INDEX account_contacts_name_id ON account_contacts (lower(last_name || ' ' || first_name), id);
CREATE INDEX account_contacts_email_id ON account_contacts (email_folded, id);
CREATE INDEX account_contacts_created_id ON account_contacts (created_at, id);

-- Contacts are found by a substring of their name or e-mail address.
CREATE VIRTUAL TABLE account_contacts_search USING fts5(
    first_name, last_name, email,
    content = 'account_contacts', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER account_contacts_search_insert AFTER INSERT ON account_contacts BEGIN
    INSERT INTO account_contacts_search (rowid, first_name, last_name, email)
    VALUES (new.id, new.first_name, new.last_name, new.email);
END;
CREATE TRIGGER account_contacts_search_delete AFTER DELETE ON account_contacts BEGIN
    INSERT INTO account_contacts_search (account_contacts_search, rowid, first_name, last_name, email)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.email);
END;
CREATE TRIGGER account_contacts_search_update AFTER UPDATE OF first_name, last_name, email ON account_contacts BEGIN
    INSERT INTO account_contacts_search (account_contacts_search, rowid, first_name, last_name, email)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.email);
    INSERT INTO account_contacts_search (rowid, first_name, last_name, email)
    VALUES (new.id, new.first_name, new.last_name, new.email);
END;
INSERT INTO account_contacts_search (account_contacts_search) VALUES ('rebuild');

CREATE INDEX daily_billing_records_date_id ON daily_billing_records (date, id);

-- Audit entries keep the number of their account, so a deleted account's entries are
-- found by its number. Existing entries take it from their account, or, for an account
-- deleted already, from the account number its delete entry recorded.
ALTER TABLE audit_entries ADD COLUMN account_number TEXT;
UPDATE audit_entries
SET account_number = (SELECT a.account_number FROM accounts a WHERE a.id = audit_entries.account_id)
WHERE account_id IS NOT NULL;
UPDATE audit_entries
SET account_number = (
    SELECT json_extract(c.value, '$.old')
    FROM audit_entries d, json_each(d.changes) c
    WHERE d.object_type = 'account' AND d.action = 'delete' AND d.object_id = audit_entries.account_id
      AND json_extract(c.value, '$.field') = 'account_number'
    LIMIT 1
)
WHERE account_number IS NULL AND account_id IS NOT NULL;
CREATE INDEX audit_entries_created_id ON audit_entries (created_at, id);
CREATE INDEX audit_entries_account_number ON audit_entries (account_number, created_at, id);
CREATE INDEX audit_entries_actor ON audit_entries (actor_username, created_at, id);
CREATE INDEX audit_entries_type_action ON audit_entries (object_type, action, created_at, id);
CREATE INDEX audit_entries_action ON audit_entries (action, created_at, id);
