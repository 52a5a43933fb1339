-- The user list at scale: users are found by a substring of username, e-mail or name
-- through a trigram index, and each role or status filter has an index in the list's
-- order.
CREATE INDEX users_search_trgm ON users USING gin (
    (lower(username || ' ' || email || ' ' || first_name || ' ' || last_name)) gin_trgm_ops
);
CREATE INDEX users_staff_username ON users (is_staff, username_folded, id);
CREATE INDEX users_superuser_username ON users (is_superuser, username_folded, id);
CREATE INDEX users_active_username ON users (is_active, username_folded, id);
