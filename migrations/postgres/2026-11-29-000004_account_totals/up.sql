-- How many accounts there are, active and inactive, kept in step by statement-level
-- triggers (one update of this table per statement, however many rows it wrote): the
-- count of the unfiltered list (or of one filtered by `active` alone) is one row read,
-- whatever the size of the table. Timestamps here are set by the triggers (UTC).
CREATE TABLE account_totals (
    id BIGSERIAL PRIMARY KEY,
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
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
FROM (VALUES (TRUE), (FALSE)) AS v (is_active);

-- The changes are applied one total at a time, inactive before active, so two
-- transactions that both move accounts between the totals take their row locks in the
-- same order and can't deadlock on them.
CREATE FUNCTION account_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR change IN SELECT is_active, COUNT(*) AS k FROM added GROUP BY is_active ORDER BY is_active LOOP
            UPDATE account_totals SET accounts = accounts + change.k, updated_at = now() AT TIME ZONE 'UTC'
            WHERE is_active = change.is_active;
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR change IN SELECT is_active, COUNT(*) AS k FROM removed GROUP BY is_active ORDER BY is_active LOOP
            UPDATE account_totals SET accounts = accounts - change.k, updated_at = now() AT TIME ZONE 'UTC'
            WHERE is_active = change.is_active;
        END LOOP;
    ELSE
        FOR change IN
            SELECT is_active, SUM(k) AS k
            FROM (SELECT is_active, 1 AS k FROM added UNION ALL SELECT is_active, -1 AS k FROM removed) AS moved
            GROUP BY is_active HAVING SUM(k) <> 0 ORDER BY is_active
        LOOP
            UPDATE account_totals SET accounts = accounts + change.k, updated_at = now() AT TIME ZONE 'UTC'
            WHERE is_active = change.is_active;
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER account_totals_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION account_totals_apply();
CREATE TRIGGER account_totals_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION account_totals_apply();
CREATE TRIGGER account_totals_update AFTER UPDATE ON accounts
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION account_totals_apply();
