//! Plain form fields for the smaller forms (contacts, users): each with its value
//! kept and its error beside it, tied by `aria-describedby`.

use crate::domain::FieldErrors;

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// An input type (`text`, `email`, `password`, `tel`) or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub hint: String,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
    pub maxlength: usize,
}

impl Field {
    pub fn text(name: &'static str, label: &'static str, value: &str, errors: &FieldErrors) -> Self {
        Self {
            name,
            label,
            kind: "text",
            value: value.to_owned(),
            checked: false,
            hint: String::new(),
            error: errors.get(name).map(str::to_owned),
            required: false,
            autocomplete: "off",
            maxlength: 255,
        }
    }

    pub fn checkbox(name: &'static str, label: &'static str, checked: bool, errors: &FieldErrors) -> Self {
        Self { kind: "checkbox", checked, ..Self::text(name, label, "", errors) }
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }

    pub fn maxlength(mut self, maxlength: usize) -> Self {
        self.maxlength = maxlength;
        self
    }

    /// The ids of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}
