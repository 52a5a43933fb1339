DROP TRIGGER accounts_search_texts_insert ON accounts;
DROP TRIGGER accounts_search_texts_update ON accounts;
DROP TRIGGER accounts_search_texts_delete ON accounts;
DROP FUNCTION accounts_search_texts_apply();
DROP TABLE accounts_search_texts;
