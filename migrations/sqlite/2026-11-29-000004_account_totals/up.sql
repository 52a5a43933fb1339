-- How many accounts there are, active and inactive, kept in step by triggers: the
-- count of the unfiltered list (or of one filtered by `active` alone) is one row read,
-- whatever the size of the table. Timestamps here are set by the triggers (UTC).
CREATE TABLE account_totals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    is_active BOOLEAN NOT NULL,
    accounts BIGINT NOT NULL CHECK (accounts >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX account_totals_is_active_key ON account_totals (is_active);
CREATE INDEX account_totals_created_at ON account_totals (created_at);
CREATE INDEX account_totals_updated_at ON account_totals (updated_at);
INSERT INTO account_totals (is_active, accounts, created_at, updated_at)
SELECT v.is_active, (SELECT COUNT(*) FROM accounts WHERE accounts.is_active = v.is_active),
       CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (SELECT 1 AS is_active UNION ALL SELECT 0) AS v;

CREATE TRIGGER account_totals_insert AFTER INSERT ON accounts BEGIN
    UPDATE account_totals SET accounts = accounts + 1, updated_at = CURRENT_TIMESTAMP
    WHERE is_active = new.is_active;
END;
CREATE TRIGGER account_totals_delete AFTER DELETE ON accounts BEGIN
    UPDATE account_totals SET accounts = accounts - 1, updated_at = CURRENT_TIMESTAMP
    WHERE is_active = old.is_active;
END;
CREATE TRIGGER account_totals_update AFTER UPDATE OF is_active ON accounts
WHEN old.is_active <> new.is_active BEGIN
    UPDATE account_totals SET accounts = accounts - 1, updated_at = CURRENT_TIMESTAMP
    WHERE is_active = old.is_active;
    UPDATE account_totals SET accounts = accounts + 1, updated_at = CURRENT_TIMESTAMP
    WHERE is_active = new.is_active;
END;
