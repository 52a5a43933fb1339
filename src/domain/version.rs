use std::fmt;

/// A Semantic Versioning 2.0.0 version (`1.0.0`, `1.0.0-alpha.1+build.5`), parsed by the
/// `semver` crate. Blank means `1.0.0`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub struct SemVersion(semver::Version);

impl SemVersion {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(Self::default());
        }
        if value.len() > 255 {
            return Err("Use at most 255 characters.".to_owned());
        }
        semver::Version::parse(value)
            .map(Self)
            .map_err(|_| "Use a semantic version such as 1.0.0 or 2.1.0-beta.1.".to_owned())
    }
}

impl Default for SemVersion {
    fn default() -> Self {
        Self(semver::Version::new(1, 0, 0))
    }
}

impl fmt::Display for SemVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<SemVersion> for String {
    fn from(value: SemVersion) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_semver() {
        for ok in ["1.0.0", "0.0.1", "10.20.30", "1.0.0-alpha.1+build.5", "1.0.0-rc.1", "1.0.0+20130313144700"] {
            assert_eq!(SemVersion::parse(ok).unwrap().to_string(), ok);
        }
        assert_eq!(SemVersion::parse("").unwrap().to_string(), "1.0.0");
        assert_eq!(SemVersion::parse(" 2.0.0 ").unwrap().to_string(), "2.0.0");
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "1.0",
            "1",
            "01.0.0",
            "1.01.0",
            "v1.0.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0\n2",
            "1.0.0\u{0}",
            "1.0.0 beta",
            "١.0.0",
            "<1.0.0>",
        ] {
            assert!(SemVersion::parse(bad).is_err(), "{bad:?}");
        }
        assert!(SemVersion::parse(&format!("1.0.0-{}", "a".repeat(300))).is_err());
    }
}
