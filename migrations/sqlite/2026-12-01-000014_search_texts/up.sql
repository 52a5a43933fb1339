-- PostgreSQL gains a narrow table of search texts here, to count a search's matches
-- without reading the accounts' rows. SQLite needs nothing: its FTS5 trigram index
-- (accounts_search) already counts matches from the index alone.
SELECT 1;
