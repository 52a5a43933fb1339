//! Annotations (ordered key/value pairs) and tags (a case-insensitive set), with the
//! text forms the console's fields use: `key: value` lines, and comma-separated tags.

use std::collections::HashSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Annotation {
    pub key: String,
    pub value: String,
}

/// At most 100 pairs with unique keys `^[A-Za-z0-9._/-]+$` (≤ 255) and values ≤ 2048.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Annotations(Vec<Annotation>);

impl Annotations {
    pub const MAX_PAIRS: usize = 100;
    pub const MAX_KEY: usize = 255;
    pub const MAX_VALUE: usize = 2048;

    /// Parses one `key: value` a line; blank lines are skipped. Errors name the line.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut seen = HashSet::new();
        for (index, line) in raw.lines().enumerate() {
            let line_no = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(format!("Line {line_no}: write each annotation as key: value."));
            };
            let (key, value) = (key.trim(), value.trim());
            Self::check_pair(key, value).map_err(|e| format!("Line {line_no}: {e}"))?;
            if !seen.insert(key.to_owned()) {
                return Err(format!("Line {line_no}: the key {key} appears more than once."));
            }
            pairs.push(Annotation { key: key.to_owned(), value: value.to_owned() });
            if pairs.len() > Self::MAX_PAIRS {
                return Err(format!("Use at most {} annotations.", Self::MAX_PAIRS));
            }
        }
        Ok(Self(pairs))
    }

    fn check_pair(key: &str, value: &str) -> Result<(), String> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b)) {
            return Err("keys use letters, digits and . _ / - only.".to_owned());
        }
        if key.len() > Self::MAX_KEY {
            return Err(format!("keys have at most {} characters.", Self::MAX_KEY));
        }
        if value.chars().count() > Self::MAX_VALUE {
            return Err(format!("values have at most {} characters.", Self::MAX_VALUE));
        }
        if value.chars().any(char::is_control) {
            return Err("values can't hold control characters.".to_owned());
        }
        Ok(())
    }

    /// Rebuilds annotations read from the database, which were valid when written.
    pub fn from_stored(pairs: Vec<Annotation>) -> Self {
        Self(pairs)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Annotations {
    /// The textarea form: one `key: value` a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: {}", a.key, a.value)?;
        }
        Ok(())
    }
}

/// One tag as first spelled; equality elsewhere goes through [`Tag::folded`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Tag(String);

impl Tag {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("Tags can't be empty.".to_owned());
        }
        if value.chars().count() > Self::MAX {
            return Err(format!("Tags have at most {} characters.", Self::MAX));
        }
        if value.contains(',') || value.chars().any(char::is_control) {
            return Err("Tags can't hold commas or control characters.".to_owned());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity of a tag.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A set of at most 50 tags, in the order first given, matched case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tags(Vec<Tag>);

impl Tags {
    pub const MAX_TAGS: usize = 50;

    /// Parses comma-separated tags; empty items are skipped and later spellings of a tag
    /// already given are dropped.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut tags = Vec::new();
        let mut seen = HashSet::new();
        for item in raw.split(',').filter(|item| !item.trim().is_empty()) {
            let tag = Tag::parse(item).map_err(|e| format!("{e} ({})", item.trim()))?;
            if seen.insert(tag.folded()) {
                tags.push(tag);
            }
            if tags.len() > Self::MAX_TAGS {
                return Err(format!("Use at most {} tags.", Self::MAX_TAGS));
            }
        }
        Ok(Self(tags))
    }

    pub fn from_stored(tags: Vec<String>) -> Self {
        Self(tags.into_iter().map(Tag).collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// These tags and `tag`, unless it is one of them already (in any case).
    pub fn with(&self, tag: &Tag) -> Tags {
        let mut tags = self.clone();
        if !tags.0.iter().any(|t| t.folded() == tag.folded()) {
            tags.0.push(tag.clone());
        }
        tags
    }

    /// These tags without `tag` (in any case).
    pub fn without(&self, tag: &Tag) -> Tags {
        Tags(self.0.iter().filter(|t| t.folded() != tag.folded()).cloned().collect())
    }

    /// Whether both hold the same tags ignoring case and order: saving one over the
    /// other changes nothing.
    pub fn same_as(&self, other: &Tags) -> bool {
        let folded = |tags: &Tags| tags.iter().map(Tag::folded).collect::<HashSet<String>>();
        folded(self) == folded(other)
    }
}

impl fmt::Display for Tags {
    /// The form field's spelling: `a, b, c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(Tag::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_parse_and_round_trip() {
        let a = Annotations::parse("team: billing\r\n\n  app.kubernetes.io/name :  smarter  \nurl: https://x.test/a:b")
            .unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a.to_string(), "team: billing\napp.kubernetes.io/name: smarter\nurl: https://x.test/a:b");
        assert_eq!(Annotations::parse(&a.to_string()).unwrap(), a);
        assert!(Annotations::parse("").unwrap().is_empty());
        assert!(Annotations::parse("empty:").is_ok(), "an empty value is allowed");
    }

    #[test]
    fn annotation_rules() {
        assert!(Annotations::parse("no colon").unwrap_err().contains("Line 1"));
        assert!(Annotations::parse("a: 1\nb c: 2").unwrap_err().contains("Line 2"));
        assert!(Annotations::parse("a: 1\na: 2").unwrap_err().contains("more than once"));
        assert!(Annotations::parse(": value").is_err());
        assert!(Annotations::parse("ключ: value").is_err());
        assert!(Annotations::parse("<b>: x").is_err());
        assert!(Annotations::parse("k: a\u{1b}[31m").is_err());
        assert!(Annotations::parse(&format!("{}: v", "k".repeat(255))).is_ok());
        assert!(Annotations::parse(&format!("{}: v", "k".repeat(256))).is_err());
        assert!(Annotations::parse(&format!("k: {}", "v".repeat(2048))).is_ok());
        assert!(Annotations::parse(&format!("k: {}", "v".repeat(2049))).is_err());
        let hundred: String = (0..100).map(|i| format!("k{i}: v\n")).collect();
        assert!(Annotations::parse(&hundred).is_ok());
        let too_many: String = (0..101).map(|i| format!("k{i}: v\n")).collect();
        assert!(Annotations::parse(&too_many).is_err());
        let sql = Annotations::parse("note: '; DROP TABLE accounts; --").unwrap();
        assert_eq!(sql.iter().next().unwrap().value, "'; DROP TABLE accounts; --");
    }

    #[test]
    fn tags_are_a_case_insensitive_set() {
        let t = Tags::parse("Billing, enterprise,,billing , EU ,").unwrap();
        assert_eq!(t.to_string(), "Billing, enterprise, EU");
        assert_eq!(Tags::parse(&t.to_string()).unwrap(), t);
        assert!(Tags::parse("").unwrap().is_empty());
        assert_eq!(Tags::parse("Ärger, ärger").unwrap().len(), 1);
    }

    #[test]
    fn tag_rules() {
        assert!(Tags::parse(&"t".repeat(100)).is_ok());
        assert!(Tags::parse(&"t".repeat(101)).is_err());
        assert!(Tags::parse("a\u{0}b").is_err());
        assert!(Tags::parse("line\nbreak").is_err());
        let fifty: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse(&fifty.join(",")).is_ok());
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse(&many.join(",")).is_err());
        assert_eq!(Tags::parse("<script>x</script>").unwrap().to_string(), "<script>x</script>");
    }
}
