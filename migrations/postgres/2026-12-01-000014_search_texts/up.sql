-- Counting a search's matches without reading the accounts' rows: the text a search
-- looks in, lower-cased, one narrow row per account, with its own trigram index. A word
-- from a company name matches thousands of accounts spread over every page of the table;
-- rechecking them here reads a third of the pages and lower-cases nothing.
CREATE TABLE accounts_search_texts (
    account_id BIGINT PRIMARY KEY,
    searched TEXT NOT NULL
);

INSERT INTO accounts_search_texts (account_id, searched)
SELECT id, lower(company_name || ' ' || name || ' ' || coalesce(city, '') || ' ' || account_number)
FROM accounts;

CREATE INDEX accounts_search_texts_trgm ON accounts_search_texts USING gin (searched gin_trgm_ops);

-- Kept by the database on every write, a statement at a time (a bulk insert or update
-- is one join, not a trigger call per row).
CREATE FUNCTION accounts_search_texts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO accounts_search_texts (account_id, searched)
        SELECT id, lower(company_name || ' ' || name || ' ' || coalesce(city, '') || ' ' || account_number)
        FROM added;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE accounts_search_texts t
        SET searched = lower(a.company_name || ' ' || a.name || ' ' || coalesce(a.city, '') || ' ' || a.account_number)
        FROM added a
        WHERE t.account_id = a.id
          AND t.searched IS DISTINCT FROM
              lower(a.company_name || ' ' || a.name || ' ' || coalesce(a.city, '') || ' ' || a.account_number);
    ELSE
        DELETE FROM accounts_search_texts WHERE account_id IN (SELECT id FROM removed);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_search_texts_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION accounts_search_texts_apply();
CREATE TRIGGER accounts_search_texts_update AFTER UPDATE ON accounts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION accounts_search_texts_apply();
CREATE TRIGGER accounts_search_texts_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION accounts_search_texts_apply();

ANALYZE accounts_search_texts;
