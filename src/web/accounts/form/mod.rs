//! The account form: the posted fields, and the views the templates render them
//! through, with every error beside its field. The fields come from the one
//! declaration of the account's fields (`crate::account_fields!`).

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::db::models::Account;
use crate::db::models::account::ColumnText;
use crate::domain::{Annotations, RawAccountFields, Tags};

/// How the form shows one field.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub hint: &'static str,
    pub maxlength: usize,
    pub group: &'static str,
}

const ACCOUNT_NUMBER: FieldSpec = FieldSpec {
    name: "account_number",
    label: "Account number",
    kind: "text",
    hint: "NNNN-NNNN-NNNN; leave blank to generate one.",
    maxlength: 14,
    group: "Company",
};

/// The metadata fields every account has after its columns.
const METADATA: [FieldSpec; 2] = [
    FieldSpec {
        name: "tags",
        label: "Tags",
        kind: "text",
        hint: "Comma-separated.",
        maxlength: 5_200,
        group: "Metadata",
    },
    FieldSpec {
        name: "annotations",
        label: "Annotations",
        kind: "textarea",
        hint: "One key: value a line.",
        maxlength: 230_000,
        group: "Metadata",
    },
];

const FLAGS: [(&str, &str); 2] = [("is_active", "Active"), ("is_default_account", "Default account")];

macro_rules! define_form {
    ($($field:ident: $ty:ty => $stored:ty = $parse:expr, $group:literal, $label:literal, $kind:literal,
       $max:literal, $export:literal, $hint:literal;)*) => {
        /// The form as posted. Unknown fields are refused (400), so a typo can't be
        /// silently dropped.
        #[derive(Debug, Clone, Default, Deserialize, Serialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct AccountForm {
            pub account_number: String,
            $(pub $field: String,)*
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
            /// The list to go back to after saving (see `return_to`).
            #[serde(skip_serializing)]
            pub return_to: String,
        }

        impl AccountForm {
            pub fn raw(&self) -> RawAccountFields {
                RawAccountFields {
                    $($field: self.$field.clone(),)*
                    annotations: self.annotations.clone(),
                    tags: self.tags.clone(),
                }
            }

            /// The form as a stored account fills it.
            pub fn from_account(a: &Account, tags: &Tags, annotations: &Annotations) -> Self {
                let on = |b: bool| b.then(|| "on".to_owned());
                Self {
                    account_number: a.account_number.clone(),
                    $($field: ColumnText::form_text(&a.$field),)*
                    annotations: annotations.to_string(),
                    tags: tags.to_string(),
                    is_active: on(a.is_active),
                    is_default_account: on(a.is_default_account),
                    lock_version: a.lock_version.to_string(),
                    ..Default::default()
                }
            }

            fn text(&self, field: &str) -> Option<&str> {
                match field {
                    "account_number" => Some(&self.account_number),
                    $(stringify!($field) => Some(&self.$field),)*
                    "annotations" => Some(&self.annotations),
                    "tags" => Some(&self.tags),
                    _ => None,
                }
            }

            fn text_mut(&mut self, field: &str) -> Option<&mut String> {
                match field {
                    "account_number" => Some(&mut self.account_number),
                    $(stringify!($field) => Some(&mut self.$field),)*
                    "annotations" => Some(&mut self.annotations),
                    "tags" => Some(&mut self.tags),
                    _ => None,
                }
            }
        }

        /// Every text field of the form, in order.
        pub fn specs() -> Vec<FieldSpec> {
            let mut specs = Vec::new();
            $(
                specs.push(FieldSpec {
                    name: stringify!($field),
                    label: $label,
                    kind: $kind,
                    hint: $hint,
                    maxlength: $max,
                    group: $group,
                });
                if stringify!($field) == "company_name" {
                    specs.push(ACCOUNT_NUMBER);
                }
            )*
            specs.extend(METADATA);
            specs
        }
    };
}

crate::account_fields!(define_form);

impl AccountForm {
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

    fn flag_mut(&mut self, field: &str) -> Option<&mut Option<String>> {
        match field {
            "is_active" => Some(&mut self.is_active),
            "is_default_account" => Some(&mut self.is_default_account),
            _ => None,
        }
    }

    /// Sets a field by its form name (flags take `yes`/`no`).
    pub fn set(&mut self, field: &str, value: String) {
        if let Some(flag) = self.flag_mut(field) {
            *flag = (value == "yes").then(|| "on".to_owned());
        } else if let Some(text) = self.text_mut(field) {
            *text = value;
        }
    }

    /// The value of a field by its form name (flags read `yes`/`no`).
    pub fn value(&self, field: &str) -> String {
        let flag = match field {
            "is_active" => &self.is_active,
            "is_default_account" => &self.is_default_account,
            // Browsers send a textarea's line breaks as CRLF.
            "description" | "annotations" => return self.text(field).unwrap_or_default().replace("\r\n", "\n"),
            _ => return self.text(field).unwrap_or_default().to_owned(),
        };
        if flag.is_some() { "yes" } else { "no" }.to_owned()
    }
}

mod view;

pub use view::{Checkbox, Fieldset, Mode, checkboxes, fieldsets, label_of};
