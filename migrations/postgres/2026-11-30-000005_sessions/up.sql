-- A session is valid only while its record here exists: signing out deletes it, so a
-- copied cookie stops working at once, on every instance. The token itself stays in
-- the session (cookie or Redis); only its SHA-256 is kept here. This replaces the
-- users' session stamps: ending a user's sessions deletes their records.
CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seen_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_created_at ON sessions (created_at);
CREATE INDEX sessions_updated_at ON sessions (updated_at);

ALTER TABLE users DROP COLUMN session_stamp;
