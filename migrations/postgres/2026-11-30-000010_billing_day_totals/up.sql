-- The ledger's totals and tokens per day over all accounts, kept in step with the
-- daily records by statement-level triggers, so a superuser's /billing sums at most a
-- row per day, provider and charge type however many accounts there are. Filters by
-- account (and staff, who see only their accounts) read the records themselves through
-- their (account_id, date) index. Timestamps here are set by the triggers (UTC).
CREATE TABLE billing_day_totals (
    id BIGSERIAL PRIMARY KEY,
    date DATE NOT NULL,
    provider TEXT NOT NULL,
    charge_type TEXT NOT NULL,
    records BIGINT NOT NULL,
    prompt_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    total_tokens BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX billing_day_totals_key ON billing_day_totals (date, provider, charge_type);
CREATE INDEX billing_day_totals_created_at ON billing_day_totals (created_at);
CREATE INDEX billing_day_totals_updated_at ON billing_day_totals (updated_at);
INSERT INTO billing_day_totals
    (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
SELECT date, provider, charge_type, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(total_tokens),
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
FROM daily_billing_records GROUP BY date, provider, charge_type;

-- Rows added count up, rows removed count down (an update is both); the totals are
-- touched in key order, so concurrent writers take their row locks in the same order.
CREATE FUNCTION billing_day_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    SELECT date, provider, charge_type, SUM(k), SUM(k * prompt_tokens), SUM(k * completion_tokens),
           SUM(k * total_tokens), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM (SELECT 1 AS k, date, provider, charge_type, prompt_tokens, completion_tokens, total_tokens FROM added) AS moved
    GROUP BY date, provider, charge_type
    ORDER BY date, provider, charge_type
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = billing_day_totals.records + excluded.records,
        prompt_tokens = billing_day_totals.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = billing_day_totals.completion_tokens + excluded.completion_tokens,
        total_tokens = billing_day_totals.total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
    RETURN NULL;
END;
$$;
CREATE FUNCTION billing_day_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    SELECT date, provider, charge_type, SUM(k), SUM(k * prompt_tokens), SUM(k * completion_tokens),
           SUM(k * total_tokens), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM (SELECT -1 AS k, date, provider, charge_type, prompt_tokens, completion_tokens, total_tokens FROM removed) AS moved
    GROUP BY date, provider, charge_type
    ORDER BY date, provider, charge_type
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = billing_day_totals.records + excluded.records,
        prompt_tokens = billing_day_totals.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = billing_day_totals.completion_tokens + excluded.completion_tokens,
        total_tokens = billing_day_totals.total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
    RETURN NULL;
END;
$$;
CREATE FUNCTION billing_day_totals_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    SELECT date, provider, charge_type, SUM(k), SUM(k * prompt_tokens), SUM(k * completion_tokens),
           SUM(k * total_tokens), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM (SELECT 1 AS k, date, provider, charge_type, prompt_tokens, completion_tokens, total_tokens FROM added UNION ALL SELECT -1 AS k, date, provider, charge_type, prompt_tokens, completion_tokens, total_tokens FROM removed) AS moved
    GROUP BY date, provider, charge_type
    ORDER BY date, provider, charge_type
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = billing_day_totals.records + excluded.records,
        prompt_tokens = billing_day_totals.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = billing_day_totals.completion_tokens + excluded.completion_tokens,
        total_tokens = billing_day_totals.total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
    RETURN NULL;
END;
$$;
CREATE TRIGGER billing_day_totals_insert AFTER INSERT ON daily_billing_records
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION billing_day_totals_add();
CREATE TRIGGER billing_day_totals_delete AFTER DELETE ON daily_billing_records
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION billing_day_totals_remove();
CREATE TRIGGER billing_day_totals_update AFTER UPDATE ON daily_billing_records
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION billing_day_totals_move();
