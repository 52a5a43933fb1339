-- The user list at scale: users are found by a substring of username, e-mail or name
-- through a trigram index (kept in step by triggers), and each role or status filter
-- has an index in the list's order.
CREATE VIRTUAL TABLE users_search USING fts5(
    username, email, first_name, last_name,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, username, email, first_name, last_name)
    VALUES (new.id, new.username, new.email, new.first_name, new.last_name);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, email, first_name, last_name)
    VALUES ('delete', old.id, old.username, old.email, old.first_name, old.last_name);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username, email, first_name, last_name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, email, first_name, last_name)
    VALUES ('delete', old.id, old.username, old.email, old.first_name, old.last_name);
    INSERT INTO users_search (rowid, username, email, first_name, last_name)
    VALUES (new.id, new.username, new.email, new.first_name, new.last_name);
END;
INSERT INTO users_search (users_search) VALUES ('rebuild');
CREATE INDEX users_staff_username ON users (is_staff, username_folded, id);
CREATE INDEX users_superuser_username ON users (is_superuser, username_folded, id);
CREATE INDEX users_active_username ON users (is_active, username_folded, id);
