-- The ledger's totals and tokens per day over all accounts, kept in step with the
-- daily records by triggers, so a superuser's /billing sums at most a
-- row per day, provider and charge type however many accounts there are. Filters by
-- account (and staff, who see only their accounts) read the records themselves through
-- their (account_id, date) index. Timestamps here are set by the triggers (UTC).
CREATE TABLE billing_day_totals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
       strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM daily_billing_records GROUP BY date, provider, charge_type;

-- Each row added counts up, each removed counts down (an update is both).
CREATE TRIGGER billing_day_totals_insert AFTER INSERT ON daily_billing_records BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    VALUES (new.date, new.provider, new.charge_type, 1, new.prompt_tokens, new.completion_tokens,
            new.total_tokens, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = records + excluded.records,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
END;
CREATE TRIGGER billing_day_totals_delete AFTER DELETE ON daily_billing_records BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    VALUES (old.date, old.provider, old.charge_type, -1, -old.prompt_tokens, -old.completion_tokens,
            -old.total_tokens, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = records + excluded.records,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
END;
CREATE TRIGGER billing_day_totals_update AFTER UPDATE ON daily_billing_records BEGIN
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    VALUES (old.date, old.provider, old.charge_type, -1, -old.prompt_tokens, -old.completion_tokens,
            -old.total_tokens, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = records + excluded.records,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
    INSERT INTO billing_day_totals
        (date, provider, charge_type, records, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
    VALUES (new.date, new.provider, new.charge_type, 1, new.prompt_tokens, new.completion_tokens,
            new.total_tokens, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (date, provider, charge_type) DO UPDATE SET
        records = records + excluded.records,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        updated_at = excluded.updated_at;
END;
