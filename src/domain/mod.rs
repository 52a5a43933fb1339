//! Validated values. Raw strings from forms, flags and files become these types at the
//! edge; code past the edge cannot hold an invalid value. No actix, no diesel here.

mod account;
mod account_number;
mod codes;
mod contact;
mod errors;
mod metadata;
mod name;
#[cfg(test)]
mod props;
mod text;
mod user;
mod version;

pub use account::{AccountFields, RawAccountFields, or_default};
pub use account_number::{AccountNumber, AccountNumberInput};
pub use codes::{
    Choice, CountryCode, CurrencyCode, LanguageTag, TimeZone, country_choices, currency_choices, language_choices,
    time_zone_choices,
};
pub use contact::{ContactFields, RawContactFields};
pub use errors::{FieldError, FieldErrors};
pub use metadata::{Annotation, Annotations, Tag, Tags};
pub use name::CamelName;
pub use text::{CompanyName, Description, Email, PersonName, PhoneNumber, fold_case, optional_text};
pub use user::{Password, Username};
pub use version::SemVersion;
