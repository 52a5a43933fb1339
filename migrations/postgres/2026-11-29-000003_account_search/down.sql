DROP TABLE form_tokens;
DROP INDEX accounts_account_number_id;
DROP INDEX accounts_country_id;
DROP INDEX accounts_city_id;
DROP INDEX accounts_company_name_id;
CREATE INDEX accounts_company_name ON accounts (company_name);
DROP INDEX accounts_search_trgm;
