DROP TRIGGER account_totals_update;
DROP TRIGGER account_totals_delete;
DROP TRIGGER account_totals_insert;
DROP TABLE account_totals;
