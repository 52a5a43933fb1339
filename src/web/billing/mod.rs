//! `/billing` and `/billing.csv` (staff): the daily billing ledger of the accounts the
//! viewer may see. The range defaults to the last 30 days and spans at most 366.

pub mod csv;
pub mod list;

use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;

use crate::db::models::User;
use crate::db::models::billing_ledger::BillingFilter;
use crate::db::models::keyset::Cursor;
use crate::domain::AccountNumber;
use crate::web::accounts::scope_of;
use crate::web::listing::{FilterField, Filters};
use crate::web::query::{cursor_param, param, parse_day};

pub const PROVIDERS: [&str; 3] = ["openai", "metaai", "googleai"];
pub const CHARGE_TYPES: [&str; 3] = ["completion", "plugin", "tool"];
/// The longest range, in days, a page or export covers.
pub const MAX_DAYS: u64 = 366;
const DEFAULT_DAYS: u64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BillingParams {
    from: String,
    to: String,
    account: String,
    provider: String,
    charge_type: String,
    cursor: String,
}

/// The checked parameters.
pub struct BillingRequest {
    pub filter: BillingFilter,
    pub cursor: Option<Cursor>,
}

fn one_of(list: &'static [&'static str]) -> impl Fn(&str) -> Result<Option<String>, String> {
    move |v| {
        list.iter().find(|p| **p == v).map(|p| Some((*p).to_owned())).ok_or_else(|| format!("use {}.", list.join(", ")))
    }
}

impl BillingParams {
    /// The filter these parameters ask for `user`; a bad parameter is left out, and a
    /// range the wrong way round or too long is mended, each with a notice.
    pub fn request(&self, user: &User, notices: &mut Vec<String>) -> BillingRequest {
        let to = param(notices, "to", &self.to, None, parse_day).unwrap_or_else(|| Utc::now().date_naive());
        let from = param(notices, "from", &self.from, None, parse_day)
            .unwrap_or_else(|| to.checked_sub_days(Days::new(DEFAULT_DAYS - 1)).unwrap_or(to));
        let (mut from, to) = if from > to {
            notices.push("The range ran backwards: its ends were swapped.".to_owned());
            (to, from)
        } else {
            (from, to)
        };
        let earliest = to.checked_sub_days(Days::new(MAX_DAYS - 1)).unwrap_or(NaiveDate::MIN);
        if from < earliest {
            notices.push(format!("A range covers at most {MAX_DAYS} days: it starts on {earliest} instead."));
            from = earliest;
        }
        let account = param(notices, "account", &self.account, None, |v| {
            AccountNumber::normalize(v)
                .map(|n| Some(n.as_str().to_owned()))
                .ok_or_else(|| "not an account number (12 digits).".to_owned())
        });
        let filter = BillingFilter {
            scope: scope_of(user),
            from,
            to,
            account,
            provider: param(notices, "provider", &self.provider, None, one_of(&PROVIDERS)),
            charge_type: param(notices, "charge_type", &self.charge_type, None, one_of(&CHARGE_TYPES)),
        };
        BillingRequest { filter, cursor: cursor_param(notices, &self.cursor) }
    }
}

/// The filter form, showing what `filter` (the checked request) covers.
pub fn filters(p: &BillingParams, filter: &BillingFilter) -> Filters {
    let choices = |list: &[&'static str]| {
        let mut options = vec![("", "Any")];
        options.extend(list.iter().map(|v| (*v, *v)));
        options
    };
    Filters {
        action: "/billing",
        label: "Filter the ledger",
        fields: vec![
            FilterField::date("from", "From", &filter.from.to_string()),
            FilterField::date("to", "To", &filter.to.to_string()),
            FilterField::search("account", "Account number", &p.account, "1234-5678-9012"),
            FilterField::select("provider", "Provider", &p.provider, &choices(&PROVIDERS)),
            FilterField::select("charge_type", "Charge type", &p.charge_type, &choices(&CHARGE_TYPES)),
        ],
    }
}
