DROP TRIGGER account_totals_update ON accounts;
DROP TRIGGER account_totals_delete ON accounts;
DROP TRIGGER account_totals_insert ON accounts;
DROP FUNCTION account_totals_apply();
DROP TABLE account_totals;
