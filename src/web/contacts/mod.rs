//! `/contacts` and `/contacts.csv` (staff): the contacts of every account the viewer
//! may see, searched, filtered, sorted and keyset-paged; the export takes the same
//! parameters and holds every matching row.

pub mod csv;
pub mod list;

use serde::Deserialize;

use crate::db::models::User;
use crate::db::models::contact_list::{ContactFilter, ContactQuery, ContactSort};
use crate::domain::AccountNumber;
use crate::web::accounts::scope_of;
use crate::web::listing::{FilterField, Filters};
use crate::web::query::{cursor_param, param, yes_no};

pub const PER_PAGE: i64 = 50;

const SORTS: [(&str, &str); 6] = [
    ("name", "Name, A–Z"),
    ("-name", "Name, Z–A"),
    ("email", "E-mail, A–Z"),
    ("-email", "E-mail, Z–A"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactParams {
    q: String,
    primary: String,
    account: String,
    sort: String,
    cursor: String,
}

impl ContactParams {
    /// The query these parameters ask of `user`'s contacts, `per_page` at a time; a bad
    /// parameter is left out with a notice.
    pub fn query(&self, user: &User, per_page: i64, notices: &mut Vec<String>) -> ContactQuery {
        let search = Some(self.q.trim().chars().take(200).collect::<String>()).filter(|q| !q.is_empty());
        let account = param(notices, "account", &self.account, None, |v| {
            AccountNumber::normalize(v)
                .map(|n| Some(n.as_str().to_owned()))
                .ok_or_else(|| "not an account number (12 digits).".to_owned())
        });
        let filter = ContactFilter { search, primary: yes_no(notices, "primary", &self.primary), account };
        let sort = param(notices, "sort", &self.sort, ContactSort::default(), |v| {
            ContactSort::parse(v).ok_or_else(|| "not an order the list offers.".to_owned())
        });
        ContactQuery { scope: scope_of(user), filter, sort, cursor: cursor_param(notices, &self.cursor), per_page }
    }

    pub fn filters(&self, sort: ContactSort) -> Filters {
        Filters {
            action: "/contacts",
            label: "Find contacts",
            fields: vec![
                FilterField::search("q", "Search", &self.q, "Name or e-mail"),
                FilterField::yes_no("primary", "Primary", &self.primary, "Primary only", "Not primary"),
                FilterField::search("account", "Account number", &self.account, "1234-5678-9012"),
                FilterField::select("sort", "Sort", &sort.param(), &SORTS),
            ],
        }
    }
}
