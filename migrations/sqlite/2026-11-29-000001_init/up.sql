-- Smarter Accounts schema, SQLite dialect. Keep in step with migrations/postgres.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_number TEXT NOT NULL,
    is_default_account BOOLEAN NOT NULL DEFAULT 0,
    company_name TEXT NOT NULL,
    phone_number TEXT,
    address1 TEXT,
    address2 TEXT,
    city TEXT,
    state TEXT,
    postal_code TEXT,
    country TEXT NOT NULL DEFAULT 'USA',
    language TEXT NOT NULL DEFAULT 'EN',
    timezone TEXT,
    currency TEXT NOT NULL DEFAULT 'USD',
    is_active BOOLEAN NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '1.0.0',
    lock_version BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT accounts_account_number_format CHECK (
        length(account_number) = 14 AND account_number GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'
    )
);
CREATE UNIQUE INDEX accounts_account_number_key ON accounts (account_number);
CREATE UNIQUE INDEX accounts_single_default ON accounts (is_default_account) WHERE is_default_account;
CREATE INDEX accounts_created_at ON accounts (created_at, id);
CREATE INDEX accounts_updated_at ON accounts (updated_at, id);
CREATE INDEX accounts_name ON accounts (name);
CREATE INDEX accounts_company_name ON accounts (company_name);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_name_folded_key ON tags (name_folded);
CREATE INDEX tags_created_at ON tags (created_at);
CREATE INDEX tags_updated_at ON tags (updated_at);

-- Tags and annotations hang off any entity with metadata (accounts, user profiles):
-- object_type names the table, object_id its row. Rows go with their object in the
-- same transaction that deletes it.
CREATE TABLE tagged_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tagged_items_object_tag ON tagged_items (object_type, object_id, tag_id);
CREATE INDEX tagged_items_tag ON tagged_items (tag_id, object_type, object_id);
CREATE INDEX tagged_items_created_at ON tagged_items (created_at);
CREATE INDEX tagged_items_updated_at ON tagged_items (updated_at);

CREATE TABLE annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX annotations_object_key ON annotations (object_type, object_id, key);
CREATE INDEX annotations_created_at ON annotations (created_at);
CREATE INDEX annotations_updated_at ON annotations (updated_at);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    session_stamp TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    is_staff BOOLEAN NOT NULL DEFAULT 0,
    is_superuser BOOLEAN NOT NULL DEFAULT 0,
    last_login TIMESTAMP,
    date_joined TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username_folded_key ON users (lower(username));
CREATE INDEX users_created_at ON users (created_at);
CREATE INDEX users_updated_at ON users (updated_at);

CREATE TABLE user_profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '1.0.0',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX user_profiles_user_account_key ON user_profiles (user_id, account_id);
CREATE INDEX user_profiles_account ON user_profiles (account_id);
CREATE INDEX user_profiles_created_at ON user_profiles (created_at);
CREATE INDEX user_profiles_updated_at ON user_profiles (updated_at);

CREATE TABLE account_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    is_primary BOOLEAN NOT NULL DEFAULT 0,
    welcomed BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX account_contacts_account_email_key ON account_contacts (account_id, lower(email));
CREATE UNIQUE INDEX account_contacts_single_primary ON account_contacts (account_id) WHERE is_primary;
CREATE INDEX account_contacts_created_at ON account_contacts (created_at);
CREATE INDEX account_contacts_updated_at ON account_contacts (updated_at);

CREATE TABLE charges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_profile_id BIGINT NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (provider IN ('openai', 'metaai', 'googleai')),
    charge_type TEXT NOT NULL CHECK (charge_type IN ('completion', 'plugin', 'tool')),
    prompt_tokens BIGINT NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens BIGINT NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    total_tokens BIGINT NOT NULL DEFAULT 0 CHECK (total_tokens >= 0),
    model TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX charges_user_profile ON charges (user_profile_id);
CREATE INDEX charges_created_at ON charges (created_at);
CREATE INDEX charges_updated_at ON charges (updated_at);

CREATE TABLE daily_billing_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    provider TEXT NOT NULL CHECK (provider IN ('openai', 'metaai', 'googleai')),
    charge_type TEXT NOT NULL CHECK (charge_type IN ('completion', 'plugin', 'tool')),
    date DATE NOT NULL,
    prompt_tokens BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX daily_billing_records_key ON daily_billing_records (account_id, user_id, provider, charge_type, date);
CREATE INDEX daily_billing_records_account_date ON daily_billing_records (account_id, date);
CREATE INDEX daily_billing_records_created_at ON daily_billing_records (created_at);
CREATE INDEX daily_billing_records_updated_at ON daily_billing_records (updated_at);

-- No foreign keys: the log outlives the rows it describes.
CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id BIGINT,
    actor_username TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    account_id BIGINT,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_entries_account ON audit_entries (account_id, created_at);
CREATE INDEX audit_entries_object ON audit_entries (object_type, object_id);
CREATE INDEX audit_entries_created_at ON audit_entries (created_at);
CREATE INDEX audit_entries_updated_at ON audit_entries (updated_at);

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    contact_id BIGINT REFERENCES account_contacts (id) ON DELETE SET NULL,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_unsent ON email_outbox (sent_at, id);
CREATE INDEX email_outbox_created_at ON email_outbox (created_at);
CREATE INDEX email_outbox_updated_at ON email_outbox (updated_at);

CREATE TABLE app_settings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX app_settings_key ON app_settings (key);
CREATE INDEX app_settings_created_at ON app_settings (created_at);
CREATE INDEX app_settings_updated_at ON app_settings (updated_at);
