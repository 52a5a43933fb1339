//! Query parameters read the lenient way: a name given twice keeps its first value, and
//! a value with control characters (NUL included) is left out; each with a notice the
//! page can show, never a 4xx or a 500 for those reasons alone.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use crate::db::models::keyset::Cursor;

use crate::error::AppError;

/// The query parameters as `T`, and what was left out of them, as notices.
#[derive(Debug, Default)]
pub struct LenientQuery<T> {
    pub params: T,
    pub notices: Vec<String>,
}

/// The first value of each name, without values that hold control characters.
pub fn lenient_pairs(query: &str) -> (Vec<(String, String)>, Vec<String>) {
    let (mut pairs, mut notices) = (Vec::<(String, String)>::new(), Vec::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
        if pairs.iter().any(|(n, _)| *n == name) {
            notices.push(format!("Ignored a repeated {shown}: the first one counts."));
        } else if value.chars().any(char::is_control) || name.chars().any(char::is_control) {
            notices.push(format!("Ignored {shown}: it holds control characters."));
        } else {
            pairs.push((name.into_owned(), value.into_owned()));
        }
    }
    (pairs, notices)
}

impl<T: DeserializeOwned> LenientQuery<T> {
    /// Reads `query` (the part after `?`) the lenient way.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        let (pairs, notices) = lenient_pairs(query);
        let cleaned = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        match web::Query::<T>::from_query(&cleaned) {
            Ok(query) => Ok(Self { params: query.into_inner(), notices }),
            Err(_) => Err(AppError::BadRequest("The address has query parameters the console can't read.".to_owned())),
        }
    }
}

impl<T: DeserializeOwned> FromRequest for LenientQuery<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

/// `pairs` as a query string, leaving out the blank ones.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.append_pair(k, v);
    }
    out.finish()
}

/// One parameter: `fallback` when it is blank, its parsed value, or `fallback` and a
/// notice saying why it was ignored.
pub fn param<T>(
    notices: &mut Vec<String>,
    name: &str,
    raw: &str,
    fallback: T,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> T {
    let raw = raw.trim();
    if raw.is_empty() {
        return fallback;
    }
    parse(raw).unwrap_or_else(|why| {
        let shown: String = raw.chars().take(40).collect();
        notices.push(format!("Ignored {name}={shown:?}: {why}"));
        fallback
    })
}

/// A `yes`/`no` filter; blank (or ignored) is no filter.
pub fn yes_no(notices: &mut Vec<String>, name: &str, raw: &str) -> Option<bool> {
    param(notices, name, raw, None, |v| match v {
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err("use yes or no.".to_owned()),
    })
}

/// A list's `cursor`; one that can't be read starts from the first page.
pub fn cursor_param(notices: &mut Vec<String>, raw: &str) -> Option<Cursor> {
    param(notices, "cursor", raw, None, |v| {
        Cursor::decode(v).map(Some).ok_or_else(|| "starting from the first page.".to_owned())
    })
}

/// A whole day as `YYYY-MM-DD` (UTC).
pub fn parse_day(raw: &str) -> Result<Option<NaiveDate>, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(Some).map_err(|_| "use a date such as 2026-11-30.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::lenient_pairs;

    #[test]
    fn the_first_of_a_repeated_name_counts() {
        let (pairs, notices) = lenient_pairs("per_page=25&per_page=50&q=acme");
        assert_eq!(pairs, [("per_page".to_owned(), "25".to_owned()), ("q".to_owned(), "acme".to_owned())]);
        assert_eq!(notices, ["Ignored a repeated per_page: the first one counts."]);
    }

    #[test]
    fn control_characters_leave_a_parameter_out() {
        let (pairs, notices) = lenient_pairs("q=ab%00&country=DEU&tag=%0Ax");
        assert_eq!(pairs, [("country".to_owned(), "DEU".to_owned())]);
        assert_eq!(notices.len(), 2, "{notices:?}");
    }
}
