-- The list narrowed by status or country, in any order, without reading rows it won't show.
--
-- Every sort index ends with is_active after the keyset (sort key, id): a walk along
-- it for active or inactive accounts tests the status in the index, and reads a row
-- only for the accounts it keeps. A country filter has an index of its own per sort
-- key, country first, so a selective country in any order is one walk too.
--
-- Written to apply over any database that recorded migration 000012: one with only
-- the country indexes (without is_active), or one where an earlier text of 000012 already
-- made everything below. So every object is dropped if it exists and made again, and the
-- totals are counted again from the rows.
DROP INDEX IF EXISTS accounts_created_at;
DROP INDEX IF EXISTS accounts_updated_at;
DROP INDEX IF EXISTS accounts_company_name_id;
DROP INDEX IF EXISTS accounts_city_id;
DROP INDEX IF EXISTS accounts_country_id;
DROP INDEX IF EXISTS accounts_account_number_id;
DROP INDEX IF EXISTS accounts_country_company_name_id;
DROP INDEX IF EXISTS accounts_country_city_id;
DROP INDEX IF EXISTS accounts_country_account_number_id;
DROP INDEX IF EXISTS accounts_country_created_at_id;
DROP INDEX IF EXISTS accounts_country_updated_at_id;
CREATE INDEX accounts_created_at ON accounts (created_at, id, is_active);
CREATE INDEX accounts_updated_at ON accounts (updated_at, id, is_active);
CREATE INDEX accounts_company_name_id ON accounts (company_name, id, is_active);
CREATE INDEX accounts_city_id ON accounts (COALESCE(city, ''), id, is_active);
CREATE INDEX accounts_country_id ON accounts (country, id, is_active);
CREATE INDEX accounts_account_number_id ON accounts (account_number, id, is_active);
CREATE INDEX accounts_country_company_name_id ON accounts (country, company_name, id, is_active);
CREATE INDEX accounts_country_city_id ON accounts (country, COALESCE(city, ''), id, is_active);
CREATE INDEX accounts_country_account_number_id ON accounts (country, account_number, id, is_active);
CREATE INDEX accounts_country_created_at_id ON accounts (country, created_at, id, is_active);
CREATE INDEX accounts_country_updated_at_id ON accounts (country, updated_at, id, is_active);

-- How many accounts each country has, active and inactive, kept in step by triggers:
-- the count of the list narrowed by country (and status) is one or two rows read.
CREATE TABLE IF NOT EXISTS account_country_totals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    country TEXT NOT NULL,
    is_active BOOLEAN NOT NULL,
    accounts BIGINT NOT NULL CHECK (accounts >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS account_country_totals_country_is_active_key ON account_country_totals (country, is_active);
CREATE INDEX IF NOT EXISTS account_country_totals_created_at ON account_country_totals (created_at);
CREATE INDEX IF NOT EXISTS account_country_totals_updated_at ON account_country_totals (updated_at);
DELETE FROM account_country_totals;
INSERT INTO account_country_totals (country, is_active, accounts, created_at, updated_at)
SELECT country, is_active, COUNT(*), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM accounts GROUP BY country, is_active;

DROP TRIGGER IF EXISTS account_country_totals_insert;
CREATE TRIGGER account_country_totals_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO account_country_totals (country, is_active, accounts, created_at, updated_at)
    VALUES (new.country, new.is_active, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (country, is_active) DO UPDATE SET accounts = accounts + 1, updated_at = CURRENT_TIMESTAMP;
END;
DROP TRIGGER IF EXISTS account_country_totals_delete;
CREATE TRIGGER account_country_totals_delete AFTER DELETE ON accounts BEGIN
    UPDATE account_country_totals SET accounts = accounts - 1, updated_at = CURRENT_TIMESTAMP
    WHERE country = old.country AND is_active = old.is_active;
END;
DROP TRIGGER IF EXISTS account_country_totals_update;
CREATE TRIGGER account_country_totals_update AFTER UPDATE OF is_active, country ON accounts
WHEN old.is_active <> new.is_active OR old.country <> new.country BEGIN
    UPDATE account_country_totals SET accounts = accounts - 1, updated_at = CURRENT_TIMESTAMP
    WHERE country = old.country AND is_active = old.is_active;
    INSERT INTO account_country_totals (country, is_active, accounts, created_at, updated_at)
    VALUES (new.country, new.is_active, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (country, is_active) DO UPDATE SET accounts = accounts + 1, updated_at = CURRENT_TIMESTAMP;
END;
