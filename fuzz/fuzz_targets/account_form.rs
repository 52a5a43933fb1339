//! Feeds arbitrary bytes, read as a urlencoded form body, through the account form's
//! parsing into domain types. Any panic is a bug; every input must parse or give
//! field errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarter_accounts::domain::{AccountFields, AccountNumberInput, RawAccountFields};

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = serde_urlencoded::from_bytes::<RawAccountFields>(data) {
        match AccountFields::parse(&raw) {
            Ok(fields) => assert!(!fields.company_name.as_str().is_empty()),
            Err(errors) => assert!(!errors.is_empty()),
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = AccountNumberInput::parse(text);
    }
});
