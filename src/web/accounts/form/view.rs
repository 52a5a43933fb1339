//! The views the account form's templates render: fieldsets of fields with their
//! values, hints, pick-lists and errors, and the superuser-only checkboxes.

use super::{AccountForm, FLAGS, FieldSpec, specs};
use crate::domain::{Choice, FieldErrors, country_choices, currency_choices, language_choices, time_zone_choices};

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
    /// What a `select` offers, or what a text field suggests: (value, label).
    pub options: Vec<Choice>,
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
/// `tag_suggestions` are offered for the tags field.
pub fn fieldsets(form: &AccountForm, errors: &FieldErrors, mode: Mode, tag_suggestions: &[String]) -> Vec<Fieldset> {
    let mut sets: Vec<Fieldset> = Vec::new();
    for spec in specs() {
        let mut view = field_view(spec, form, errors, mode);
        if spec.name == "tags" {
            view.options = tag_suggestions.iter().map(|t| (t.clone(), t.clone())).collect();
        }
        match sets.last_mut() {
            Some(set) if set.legend == spec.group => set.fields.push(view),
            _ => sets.push(Fieldset { legend: spec.group, fields: vec![view] }),
        }
    }
    sets
}

fn field_view(spec: FieldSpec, form: &AccountForm, errors: &FieldErrors, mode: Mode) -> FieldView {
    let name = spec.name;
    let readonly = mode == Mode::Edit && name == "account_number";
    let hint = if readonly { "The account number can't be changed." } else { spec.hint };
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
        label: spec.label,
        kind: spec.kind,
        value: form.value(name),
        hint,
        error,
        maxlength: spec.maxlength,
        required: name == "company_name",
        readonly,
        described_by: described.join(" "),
        options: if spec.kind == "select" { options(name, &form.value(name)) } else { Vec::new() },
    }
}

/// The pick-list of a code field, from the crates that check the codes; a stored value
/// the list spells otherwise (`DE`, `en-US`) is offered too, so it is kept.
fn options(name: &str, current: &str) -> Vec<Choice> {
    let (list, blank) = match name {
        "country" => (country_choices(), false),
        "currency" => (currency_choices(), false),
        "language" => (language_choices(), false),
        "timezone" => (time_zone_choices(), true),
        _ => return Vec::new(),
    };
    let mut options = Vec::with_capacity(list.len() + 2);
    if blank {
        options.push((String::new(), "— none —".to_owned()));
    }
    if !current.is_empty() && !list.iter().any(|(value, _)| value == current) {
        options.push((current.to_owned(), current.to_owned()));
    }
    options.extend(list.iter().cloned());
    options
}

/// The superuser-only flags.
pub fn checkboxes(form: &AccountForm, errors: &FieldErrors) -> Vec<Checkbox> {
    FLAGS
        .iter()
        .map(|&(name, label)| Checkbox {
            name,
            label,
            checked: form.value(name) == "yes",
            error: errors.get(name).map(str::to_owned),
        })
        .collect()
}

pub fn label_of(field: &str) -> &'static str {
    match FLAGS.iter().find(|f| f.0 == field) {
        Some(flag) => flag.1,
        None => specs().into_iter().find(|f| f.name == field).map_or("", |f| f.label),
    }
}
