DROP INDEX users_active_username;
CREATE INDEX users_active_username ON users (is_active, username_folded, id);
