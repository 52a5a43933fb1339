DROP INDEX users_active_username;
DROP INDEX users_superuser_username;
DROP INDEX users_staff_username;
DROP INDEX users_search_trgm;
