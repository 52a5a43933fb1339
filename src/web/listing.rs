//! What every list page shares: its filter form, described as data and drawn by
//! `_filters.html`, and its pager (`rel=prev`/`rel=next` links, `_pager.html`).

use crate::db::models::keyset::Page;
use crate::web::query::query_string;

/// One control of a filter form.
#[derive(Debug, Clone)]
pub struct FilterField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// `search`, `text`, `date` or `select`.
    pub kind: &'static str,
    pub placeholder: &'static str,
    pub maxlength: usize,
    /// For a select: (value, label), the first usually "any".
    pub options: Vec<(String, String)>,
}

impl FilterField {
    pub fn search(name: &'static str, label: &'static str, value: &str, placeholder: &'static str) -> Self {
        Self { name, label, value: value.to_owned(), kind: "search", placeholder, maxlength: 200, options: Vec::new() }
    }

    pub fn text(name: &'static str, label: &'static str, value: &str, maxlength: usize) -> Self {
        Self { kind: "text", maxlength, ..Self::search(name, label, value, "") }
    }

    pub fn date(name: &'static str, label: &'static str, value: &str) -> Self {
        Self { kind: "date", maxlength: 10, ..Self::search(name, label, value, "") }
    }

    pub fn select(name: &'static str, label: &'static str, value: &str, options: &[(&str, &str)]) -> Self {
        Self {
            kind: "select",
            options: options.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect(),
            ..Self::search(name, label, value, "")
        }
    }

    /// Any / yes / no, with the two labels given.
    pub fn yes_no(name: &'static str, label: &'static str, value: &str, yes: &str, no: &str) -> Self {
        Self::select(name, label, value, &[("", "Any"), ("yes", yes), ("no", no)])
    }
}

/// A list's filter form: it submits with GET to the list itself.
#[derive(Debug, Clone)]
pub struct Filters {
    pub action: &'static str,
    pub label: &'static str,
    pub fields: Vec<FilterField>,
}

impl Filters {
    /// The filters' current values as query pairs (blank ones left out later).
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.fields.iter().map(|f| (f.name, f.value.trim())).collect()
    }

    /// The list with these filters and `extra` pairs (a cursor, a sort).
    pub fn href(&self, extra: &[(&str, &str)]) -> String {
        let mut pairs = self.pairs();
        pairs.extend_from_slice(extra);
        let query = query_string(&pairs);
        if query.is_empty() { self.action.to_owned() } else { format!("{}?{query}", self.action) }
    }
}

/// Links to the pages before and after this one.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// For `page` of the list `filters` describe, with `extra` pairs kept on every link.
    pub fn of<T>(page: &Page<T>, filters: &Filters, extra: &[(&str, &str)]) -> Self {
        let link = |cursor: &crate::db::models::keyset::Cursor| {
            let encoded = cursor.encode();
            let mut pairs = extra.to_vec();
            pairs.push(("cursor", &encoded));
            filters.href(&pairs)
        };
        Self { prev: page.prev.as_ref().map(link), next: page.next.as_ref().map(link) }
    }
}
