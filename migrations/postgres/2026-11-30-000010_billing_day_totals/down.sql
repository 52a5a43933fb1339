DROP TRIGGER billing_day_totals_update ON daily_billing_records;
DROP TRIGGER billing_day_totals_delete ON daily_billing_records;
DROP TRIGGER billing_day_totals_insert ON daily_billing_records;
DROP FUNCTION billing_day_totals_move();
DROP FUNCTION billing_day_totals_remove();
DROP FUNCTION billing_day_totals_add();
DROP TABLE billing_day_totals;
