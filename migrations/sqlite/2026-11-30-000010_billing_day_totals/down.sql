DROP TRIGGER billing_day_totals_update;
DROP TRIGGER billing_day_totals_delete;
DROP TRIGGER billing_day_totals_insert;
DROP TABLE billing_day_totals;
