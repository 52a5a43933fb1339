-- Substring search without a table scan: an FTS5 trigram index over the searched
-- columns, kept in step by triggers.
CREATE VIRTUAL TABLE accounts_search USING fts5(
    company_name, name, city, account_number,
    content = 'accounts', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_search (rowid, company_name, name, city, account_number)
    VALUES (new.id, new.company_name, new.name, new.city, new.account_number);
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_search (accounts_search, rowid, company_name, name, city, account_number)
    VALUES ('delete', old.id, old.company_name, old.name, old.city, old.account_number);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF company_name, name, city, account_number ON accounts BEGIN
    INSERT INTO accounts_search (accounts_search, rowid, company_name, name, city, account_number)
    VALUES ('delete', old.id, old.company_name, old.name, old.city, old.account_number);
    INSERT INTO accounts_search (rowid, company_name, name, city, account_number)
    VALUES (new.id, new.company_name, new.name, new.city, new.account_number);
END;
INSERT INTO accounts_search (accounts_search) VALUES ('rebuild');

-- Keyset paging for every sort order of the list.
DROP INDEX accounts_company_name;
CREATE INDEX accounts_company_name_id ON accounts (company_name, id);
CREATE INDEX accounts_city_id ON accounts (COALESCE(city, ''), id);
CREATE INDEX accounts_country_id ON accounts (country, id);
CREATE INDEX accounts_account_number_id ON accounts (account_number, id);

-- One account per create form, however often it is submitted.
CREATE TABLE form_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX form_tokens_token_key ON form_tokens (token);
CREATE INDEX form_tokens_account ON form_tokens (account_id);
CREATE INDEX form_tokens_created_at ON form_tokens (created_at);
CREATE INDEX form_tokens_updated_at ON form_tokens (updated_at);
