//! The account form (SPEC 4.3): the posted fields, and the views the templates render
//! them through, with every error beside its field.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::db::models::Account;
use crate::domain::{Annotations, FieldErrors, RawAccountFields, Tags};

/// The form as posted. Unknown fields are refused (400), so a typo can't be silently
/// dropped.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountForm {
    pub company_name: String,
    pub account_number: String,
    pub phone_number: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub timezone: String,
    pub currency: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub annotations: String,
    pub tags: String,
    pub is_active: Option<String>,
    pub is_default_account: Option<String>,
    #[serde(skip_serializing)]
    pub lock_version: String,
    #[serde(skip_serializing)]
    pub original: String,
    #[serde(skip_serializing)]
    pub form_token: String,
    #[serde(skip_serializing)]
    pub csrf_token: String,
}

impl AccountForm {
    pub fn raw(&self) -> RawAccountFields {
        RawAccountFields {
            company_name: self.company_name.clone(),
            phone_number: self.phone_number.clone(),
            address1: self.address1.clone(),
            address2: self.address2.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            language: self.language.clone(),
            timezone: self.timezone.clone(),
            currency: self.currency.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            version: self.version.clone(),
            annotations: self.annotations.clone(),
            tags: self.tags.clone(),
        }
    }

    /// The form as a stored account fills it.
    pub fn from_account(a: &Account, tags: &Tags, annotations: &Annotations) -> Self {
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            company_name: a.company_name.clone(),
            account_number: a.account_number.clone(),
            phone_number: a.phone_number.clone().unwrap_or_default(),
            address1: a.address1.clone().unwrap_or_default(),
            address2: a.address2.clone().unwrap_or_default(),
            city: a.city.clone().unwrap_or_default(),
            state: a.state.clone().unwrap_or_default(),
            postal_code: a.postal_code.clone().unwrap_or_default(),
            country: a.country.clone(),
            language: a.language.clone(),
            timezone: a.timezone.clone().unwrap_or_default(),
            currency: a.currency.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            version: a.version.clone(),
            annotations: annotations.to_string(),
            tags: tags.to_string(),
            is_active: on(a.is_active),
            is_default_account: on(a.is_default_account),
            lock_version: a.lock_version.to_string(),
            ..Default::default()
        }
    }

    /// The values this form was loaded with, carried in a hidden field so a conflict
    /// page can show them.
    pub fn encode_original(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode_original(raw: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Sets a field by its form name (flags take `yes`/`no`).
    pub fn set(&mut self, field: &str, value: String) {
        let flag = |v: &str| (v == "yes").then(|| "on".to_owned());
        match field {
            "company_name" => self.company_name = value,
            "account_number" => self.account_number = value,
            "phone_number" => self.phone_number = value,
            "address1" => self.address1 = value,
            "address2" => self.address2 = value,
            "city" => self.city = value,
            "state" => self.state = value,
            "postal_code" => self.postal_code = value,
            "country" => self.country = value,
            "language" => self.language = value,
            "timezone" => self.timezone = value,
            "currency" => self.currency = value,
            "name" => self.name = value,
            "description" => self.description = value,
            "version" => self.version = value,
            "annotations" => self.annotations = value,
            "tags" => self.tags = value,
            "is_active" => self.is_active = flag(&value),
            "is_default_account" => self.is_default_account = flag(&value),
            _ => {}
        }
    }

    /// The value of a field by its form name.
    pub fn value(&self, field: &str) -> String {
        let flag = |v: &Option<String>| if v.is_some() { "yes" } else { "no" }.to_owned();
        match field {
            "company_name" => self.company_name.clone(),
            "account_number" => self.account_number.clone(),
            "phone_number" => self.phone_number.clone(),
            "address1" => self.address1.clone(),
            "address2" => self.address2.clone(),
            "city" => self.city.clone(),
            "state" => self.state.clone(),
            "postal_code" => self.postal_code.clone(),
            "country" => self.country.clone(),
            "language" => self.language.clone(),
            "timezone" => self.timezone.clone(),
            "currency" => self.currency.clone(),
            "name" => self.name.clone(),
            // Browsers send a textarea's line breaks as CRLF.
            "description" => self.description.replace("\r\n", "\n"),
            "version" => self.version.clone(),
            "annotations" => self.annotations.replace("\r\n", "\n"),
            "tags" => self.tags.clone(),
            "is_active" => flag(&self.is_active),
            "is_default_account" => flag(&self.is_default_account),
            _ => String::new(),
        }
    }
}

/// Every form field: name, label, kind, hint, length limit.
pub const FIELDS: &[(&str, &str, &str, &str, usize)] = &[
    ("company_name", "Company name", "text", "", 255),
    ("account_number", "Account number", "text", "NNNN-NNNN-NNNN; leave blank to generate one.", 14),
    ("name", "Name", "text", "camelCase, e.g. acmeCorp; blank derives it from the company name.", 255),
    ("description", "Description", "textarea", "", 10_000),
    ("phone_number", "Phone", "tel", "Digits, spaces and + - ( ) . x", 50),
    ("address1", "Address", "text", "", 255),
    ("address2", "Address (line 2)", "text", "", 255),
    ("city", "City", "text", "", 255),
    ("state", "State or region", "text", "", 255),
    ("postal_code", "Postal code", "text", "", 20),
    ("country", "Country", "text", "ISO 3166-1 code, e.g. USA, DE, GBR.", 3),
    ("language", "Language", "text", "e.g. EN, fr, en-US.", 10),
    ("timezone", "Time zone", "text", "IANA name, e.g. America/New_York.", 64),
    ("currency", "Currency", "text", "ISO 4217 code, e.g. USD, EUR.", 3),
    ("version", "Version", "text", "Semantic version, e.g. 1.0.0.", 255),
    ("tags", "Tags", "text", "Comma-separated.", 5_200),
    ("annotations", "Annotations", "textarea", "One key: value a line.", 230_000),
];

const GROUPS: &[(&str, &[&str])] = &[
    ("Company", &["company_name", "account_number", "name", "description"]),
    ("Contact and address", &["phone_number", "address1", "address2", "city", "state", "postal_code", "country"]),
    ("Locale", &["language", "timezone", "currency"]),
    ("Metadata", &["version", "tags", "annotations"]),
];

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub error: Option<String>,
    pub maxlength: usize,
    pub required: bool,
    pub readonly: bool,
    /// The ids of the hint and error, for `aria-describedby`.
    pub described_by: String,
}

pub struct Fieldset {
    pub legend: &'static str,
    pub fields: Vec<FieldView>,
}

pub struct Checkbox {
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Edit,
}

/// The fieldsets of the form with `form`'s values and `errors` beside their fields.
pub fn fieldsets(form: &AccountForm, errors: &FieldErrors, mode: Mode) -> Vec<Fieldset> {
    GROUPS
        .iter()
        .map(|(legend, names)| Fieldset {
            legend,
            fields: names
                .iter()
                .filter_map(|name| FIELDS.iter().find(|f| f.0 == *name))
                .map(|&(name, label, kind, hint, maxlength)| {
                    let readonly = mode == Mode::Edit && name == "account_number";
                    let hint = if readonly { "The account number can't be changed." } else { hint };
                    let error = errors.get(name).map(str::to_owned);
                    let mut described = Vec::new();
                    if !hint.is_empty() {
                        described.push(format!("{name}-hint"));
                    }
                    if error.is_some() {
                        described.push(format!("{name}-error"));
                    }
                    FieldView {
                        name,
                        label,
                        kind,
                        value: form.value(name),
                        hint,
                        error,
                        maxlength,
                        required: name == "company_name",
                        readonly,
                        described_by: described.join(" "),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The superuser-only flags.
pub fn checkboxes(form: &AccountForm, errors: &FieldErrors) -> Vec<Checkbox> {
    vec![
        Checkbox {
            name: "is_active",
            label: "Active",
            checked: form.is_active.is_some(),
            error: errors.get("is_active").map(str::to_owned),
        },
        Checkbox {
            name: "is_default_account",
            label: "Default account",
            checked: form.is_default_account.is_some(),
            error: errors.get("is_default_account").map(str::to_owned),
        },
    ]
}

pub fn label_of(field: &str) -> &'static str {
    match field {
        "is_active" => "Active",
        "is_default_account" => "Default account",
        _ => FIELDS.iter().find(|f| f.0 == field).map_or("", |f| f.1),
    }
}
