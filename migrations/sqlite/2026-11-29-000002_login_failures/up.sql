-- Failed sign-ins, counted per username and per client address over a window, so the
-- throttle holds across every instance that shares the database.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_created_at ON login_failures (key, created_at);
CREATE INDEX login_failures_created_at ON login_failures (created_at);
CREATE INDEX login_failures_updated_at ON login_failures (updated_at);
