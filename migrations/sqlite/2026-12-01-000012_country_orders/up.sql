-- The list filtered by country, in any order, walks one index: country first, then the
-- sort key and id (the keyset). Without these a selective country combined with a sort
-- whose index lacks it read and sorted every account of that country per page.
CREATE INDEX accounts_country_company_name_id ON accounts (country, company_name, id);
CREATE INDEX accounts_country_city_id ON accounts (country, COALESCE(city, ''), id);
CREATE INDEX accounts_country_account_number_id ON accounts (country, account_number, id);
CREATE INDEX accounts_country_created_at_id ON accounts (country, created_at, id);
CREATE INDEX accounts_country_updated_at_id ON accounts (country, updated_at, id);
