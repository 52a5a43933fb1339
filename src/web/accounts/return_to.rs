//! `return_to`: pages opened from the account list (an account, its edit form, history
//! and delete page) carry the list's address as it was (filters, sort, page), so their
//! back links and post-save redirects bring the same list back. Only a local path to
//! the list is followed, like `next` at sign-in.

use serde::Deserialize;

use crate::web::page;
use crate::web::query::query_string;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReturnTo {
    return_to: String,
}

impl ReturnTo {
    /// The list at `path_and_query` (as the list page links its rows).
    pub fn list_at(path_and_query: &str) -> Self {
        Self { return_to: path_and_query.to_owned() }
    }

    /// The list to go back to, when one was given and it is a local path to the list.
    pub fn list(&self) -> Option<&str> {
        let raw = page::local_path_or(&self.return_to, "");
        let to_list = raw.strip_prefix("/accounts").is_some_and(|rest| rest.is_empty() || rest.starts_with('?'));
        to_list.then_some(raw)
    }

    /// The list to go back to, or the plain list.
    pub fn list_or_default(&self) -> &str {
        self.list().unwrap_or("/accounts")
    }

    /// `?return_to=…` to carry it to the next page, or nothing.
    pub fn carry(&self) -> String {
        match self.list() {
            Some(list) => format!("?{}", query_string(&[("return_to", list)])),
            None => String::new(),
        }
    }

    /// The value for a form's hidden `return_to` field.
    pub fn value(&self) -> &str {
        self.list().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::ReturnTo;

    #[test]
    fn only_a_local_path_to_the_list_is_followed() {
        let list = ReturnTo::list_at("/accounts?country=DEU&sort=-city");
        assert_eq!(list.list(), Some("/accounts?country=DEU&sort=-city"));
        assert_eq!(list.carry(), "?return_to=%2Faccounts%3Fcountry%3DDEU%26sort%3D-city");
        for elsewhere in
            ["https://evil.example/accounts", "//evil.example", "/users", "/accounts.csv", "/accountsx", ""]
        {
            assert_eq!(ReturnTo::list_at(elsewhere).list(), None, "{elsewhere}");
            assert_eq!(ReturnTo::list_at(elsewhere).list_or_default(), "/accounts");
            assert_eq!(ReturnTo::list_at(elsewhere).carry(), "");
        }
    }
}
