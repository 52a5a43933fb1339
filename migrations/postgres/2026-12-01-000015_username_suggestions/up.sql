-- The add-member field on every account page suggests the first active usernames in
-- order. The index of that order holds the username too, so the suggestions are read
-- from the index alone instead of from 500 users' rows (0.45 -> 0.16 ms at 5 000 users).
DROP INDEX users_active_username;
CREATE INDEX users_active_username ON users (is_active, username_folded, id) INCLUDE (username);
