//! The rows `seed-demo` writes, one insert form per table.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    account_contacts, accounts, annotations, audit_entries, charges, daily_billing_records, email_outbox, tagged_items,
    user_profiles, users,
};

#[derive(Insertable)]
#[diesel(table_name = accounts)]
pub(super) struct NewAccountRow {
    pub(super) account_number: String,
    pub(super) is_default_account: bool,
    pub(super) company_name: String,
    pub(super) phone_number: Option<String>,
    pub(super) address1: Option<String>,
    pub(super) city: Option<String>,
    pub(super) state: Option<String>,
    pub(super) postal_code: Option<String>,
    pub(super) country: String,
    pub(super) language: String,
    pub(super) timezone: Option<String>,
    pub(super) currency: String,
    pub(super) is_active: bool,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) version: String,
    pub(super) lock_version: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(super) struct NewUserRow {
    pub(super) username: String,
    pub(super) username_folded: String,
    pub(super) email: String,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) password_hash: String,
    pub(super) is_active: bool,
    pub(super) is_staff: bool,
    pub(super) is_superuser: bool,
    pub(super) date_joined: NaiveDateTime,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = account_contacts)]
pub(super) struct NewContactRow {
    pub(super) account_id: i64,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) email_folded: String,
    pub(super) phone: Option<String>,
    pub(super) is_primary: bool,
    pub(super) welcomed: bool,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = email_outbox)]
pub(super) struct NewOutboxRow {
    pub(super) to_address: String,
    pub(super) subject: String,
    pub(super) body: String,
    pub(super) sent_at: Option<NaiveDateTime>,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = tagged_items)]
pub(super) struct NewTaggedRow {
    pub(super) tag_id: i64,
    pub(super) spelling: &'static str,
    pub(super) object_type: &'static str,
    pub(super) object_id: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = annotations)]
pub(super) struct NewAnnotationRow {
    pub(super) object_type: &'static str,
    pub(super) object_id: i64,
    pub(super) position: i32,
    pub(super) key: String,
    pub(super) value: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = user_profiles)]
pub(super) struct NewProfileRow {
    pub(super) user_id: i64,
    pub(super) account_id: i64,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) version: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = charges)]
pub(super) struct NewChargeRow {
    pub(super) user_profile_id: i64,
    pub(super) provider: String,
    pub(super) charge_type: String,
    pub(super) prompt_tokens: i64,
    pub(super) completion_tokens: i64,
    pub(super) total_tokens: i64,
    pub(super) model: String,
    pub(super) reference: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = daily_billing_records)]
pub(super) struct NewBillingRow {
    pub(super) account_id: i64,
    pub(super) user_id: i64,
    pub(super) provider: String,
    pub(super) charge_type: String,
    pub(super) date: NaiveDate,
    pub(super) prompt_tokens: i64,
    pub(super) completion_tokens: i64,
    pub(super) total_tokens: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = audit_entries)]
pub(super) struct NewAuditRow {
    pub(super) actor_id: Option<i64>,
    pub(super) actor_username: &'static str,
    pub(super) action: &'static str,
    pub(super) object_type: &'static str,
    pub(super) object_id: i64,
    pub(super) account_id: Option<i64>,
    pub(super) account_number: Option<String>,
    pub(super) summary: String,
    pub(super) changes: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}
