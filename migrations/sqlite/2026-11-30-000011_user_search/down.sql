DROP INDEX users_active_username;
DROP INDEX users_superuser_username;
DROP INDEX users_staff_username;
DROP TRIGGER users_search_update;
DROP TRIGGER users_search_delete;
DROP TRIGGER users_search_insert;
DROP TABLE users_search;
