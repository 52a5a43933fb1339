use super::*;

#[test]
fn sorts_parse_and_print() {
    assert_eq!(Sort::parse("-created_at"), Some(Sort::default()));
    assert_eq!(Sort::parse("city").unwrap().param(), "city");
    assert_eq!(Sort::parse("-company_name").unwrap().param(), "-company_name");
    for bad in ["", "-", "name", "created_at;DROP", "--city"] {
        assert_eq!(Sort::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn searches_recognise_numbers_in_any_spacing() {
    assert!(matches!(Search::parse("1234 5678 9012"), Some(Search::Number(_))));
    assert!(matches!(Search::parse("acme"), Some(Search::Text(t)) if t == "acme"));
    assert_eq!(Search::parse("   "), None);
}

#[test]
fn cursors_round_trip_and_reject_junk() {
    let c = Cursor { value: "Acme".into(), id: 7, backwards: true };
    assert_eq!(Cursor::decode(&c.encode()), Some(c));
    assert_eq!(Cursor::decode("not a cursor"), None);
    assert_eq!(Cursor::decode(""), None);
}

#[test]
fn like_patterns_escape_wildcards() {
    assert_eq!(contains_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
}
