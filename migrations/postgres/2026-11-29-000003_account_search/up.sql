-- Substring search without a table scan: a trigram index over the searched columns.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX accounts_search_trgm ON accounts USING gin (
    (lower(company_name || ' ' || name || ' ' || coalesce(city, '') || ' ' || account_number)) gin_trgm_ops
);

-- Keyset paging for every sort order of the list.
DROP INDEX accounts_company_name;
CREATE INDEX accounts_company_name_id ON accounts (company_name, id);
CREATE INDEX accounts_city_id ON accounts (COALESCE(city, ''), id);
CREATE INDEX accounts_country_id ON accounts (country, id);
CREATE INDEX accounts_account_number_id ON accounts (account_number, id);

-- One account per create form, however often it is submitted.
CREATE TABLE form_tokens (
    id BIGSERIAL PRIMARY KEY,
    token TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX form_tokens_token_key ON form_tokens (token);
CREATE INDEX form_tokens_account ON form_tokens (account_id);
CREATE INDEX form_tokens_created_at ON form_tokens (created_at);
CREATE INDEX form_tokens_updated_at ON form_tokens (updated_at);
