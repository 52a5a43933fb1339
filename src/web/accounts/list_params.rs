//! The account list's query parameters: each is checked, and a bad one is ignored
//! with a notice rather than failing the page. The list and its CSV share them.

use serde::Deserialize;

use crate::db::models::account_list::{AccountFilter, Cursor, DateRange, Search, Sort};
use crate::domain::{CountryCode, Tag};
use crate::web::query::{cursor_param, param, parse_day, query_string, yes_no};

pub const DEFAULT_PER_PAGE: i64 = 50;

pub const MAX_PER_PAGE: i64 = 500;

/// The list's query parameters as sent; each is checked, and a bad one is ignored with
/// a notice rather than failing the page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub q: String,
    pub active: String,
    pub country: String,
    pub tag: String,
    pub default: String,
    pub sort: String,
    pub per_page: String,
    pub cursor: String,
    pub created_from: String,
    pub created_to: String,
    pub updated_from: String,
    pub updated_to: String,
}

/// The checked parameters.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: AccountFilter,
    pub sort: Sort,
    pub per_page: i64,
    pub cursor: Option<Cursor>,
    pub notices: Vec<String>,
}

impl ListParams {
    pub fn check(&self) -> ListRequest {
        let mut n = Vec::new();
        let active = yes_no(&mut n, "active", &self.active);
        let country =
            param(&mut n, "country", &self.country, None, |v| CountryCode::parse(v).map(|c| Some(c.into_inner())));
        let tag = param(&mut n, "tag", &self.tag, None, |v| Tag::parse(v).map(|t| Some(t.as_str().to_owned())));
        let default_only = param(&mut n, "default", &self.default, false, |v| match v {
            "yes" => Ok(true),
            _ => Err("use yes.".to_owned()),
        });
        let sort = param(&mut n, "sort", &self.sort, Sort::default(), |v| {
            Sort::parse(v).ok_or_else(|| "not a column the list sorts by.".to_owned())
        });
        let per_page = param(&mut n, "per_page", &self.per_page, DEFAULT_PER_PAGE, |v| {
            v.parse()
                .ok()
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| "use a number from 1 to 500.".to_owned())
        });
        let cursor = cursor_param(&mut n, &self.cursor);
        let mut day = |name: &str, raw: &str| param(&mut n, name, raw, None, parse_day);
        let created =
            DateRange { from: day("created_from", &self.created_from), to: day("created_to", &self.created_to) };
        let updated =
            DateRange { from: day("updated_from", &self.updated_from), to: day("updated_to", &self.updated_to) };
        let search = Search::parse(&self.q);
        ListRequest {
            filter: AccountFilter { search, active, country, tag, default_only, created, updated },
            sort,
            per_page,
            cursor,
            notices: n,
        }
    }

    /// These parameters with `cursor` and `sort` replaced, as a query string.
    pub fn with(&self, sort: &str, cursor: &str) -> String {
        query_string(&[
            ("q", self.q.trim()),
            ("active", self.active.trim()),
            ("country", self.country.trim()),
            ("tag", self.tag.trim()),
            ("default", self.default.trim()),
            ("created_from", self.created_from.trim()),
            ("created_to", self.created_to.trim()),
            ("updated_from", self.updated_from.trim()),
            ("updated_to", self.updated_to.trim()),
            ("sort", sort),
            ("per_page", self.per_page.trim()),
            ("cursor", cursor),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_become_notices() {
        let params = ListParams {
            active: "maybe".into(),
            country: "XX".into(),
            sort: "password".into(),
            per_page: "100000".into(),
            cursor: "garbage".into(),
            default: "no".into(),
            ..Default::default()
        };
        let request = params.check();
        assert_eq!(request.notices.len(), 6, "{:?}", request.notices);
        assert_eq!(request.per_page, DEFAULT_PER_PAGE);
        assert_eq!(request.sort, Sort::default());
        assert_eq!(request.filter, AccountFilter::default());
    }
}
