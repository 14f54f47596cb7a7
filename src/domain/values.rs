//! Validated values ("parse, don't validate"): a raw string becomes one of these or a message
//! for the person who typed it. The serde impls parse again, so JSON reaching the server is
//! checked whatever the client did.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_value {
    ($name:ident) => {
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// An email address as typed (trimmed). Compare with [`Email::key`], which is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
string_value!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("enter an email address".into());
        }
        if s.chars().count() > 254 {
            return Err("an email address has at most 254 characters".into());
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("an email address has no spaces".into());
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(format!("`{s}` is missing the @ and the domain, as in name@example.com"));
        };
        if local.is_empty() || local.contains('@') || local.len() > 64 {
            return Err(format!("`{s}` is not an email address, as in name@example.com"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(format!("`{domain}` is not a valid email domain, as in example.com"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(format!("`{s}` is not an email address, as in name@example.com"));
        }
        Ok(Self(s.to_string()))
    }

    /// The case-insensitive identity of the address: what uniqueness and sign-in compare.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The part before the @, lower-cased (the password policy refuses passwords built on it).
    pub fn local_part(&self) -> String {
        self.0.rsplit_once('@').map(|(l, _)| l.to_lowercase()).unwrap_or_default()
    }
}

/// A person's full name: 1 to 100 characters, no control characters or angle brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);
string_value!(PersonName);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        // Collapse runs of whitespace so "Ann   Lee" and "Ann Lee" are one name.
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err("enter the full name".into());
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(format!("a name has at most {} characters", Self::MAX_CHARS));
        }
        if let Some(c) = s.chars().find(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '\\' | '"')) {
            return Err(format!("a name cannot contain `{}`", c.escape_default()));
        }
        if !s.chars().any(|c| c.is_alphabetic()) {
            return Err("a name needs at least one letter".into());
        }
        Ok(Self(s))
    }

    /// Words of three or more letters, lower-cased (the password policy refuses passwords built on them).
    pub fn words(&self) -> Vec<String> {
        self.0
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(|w| w.to_lowercase())
            .collect()
    }
}

/// A mobile number in international format: `+`, country code and number, 8 to 15 digits.
/// Spaces, dots, dashes and brackets typed for readability are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);
string_value!(Mobile);

impl Mobile {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("enter a mobile number in international format, as in +44 7700 900123".into());
        }
        let Some(rest) = s.strip_prefix('+') else {
            return Err("start with + and the country code, as in +44 7700 900123".into());
        };
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                other => return Err(format!("a mobile number cannot contain `{other}`")),
            }
        }
        if digits.starts_with('0') {
            return Err("a country code never starts with 0".into());
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(format!("a mobile number has 8 to 15 digits after the +; this one has {}", digits.len()));
        }
        Ok(Self(format!("+{digits}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_that_people_type() {
        for ok in ["ann@example.com", "  Ann.Lee+crm@Sub.Example.co.uk ", "o'neil@example.org"] {
            assert!(Email::parse(ok).is_ok(), "{ok} should be accepted");
        }
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_ref(), "Ann@Example.COM");
        assert_eq!(Email::parse("Ann@Example.COM").unwrap().key(), "ann@example.com");
    }

    #[test]
    fn emails_that_are_refused_say_why() {
        let cases = [
            ("", "enter an email"),
            ("   ", "enter an email"),
            ("ann", "missing the @"),
            ("ann@", "not a valid email domain"),
            ("@example.com", "not an email address"),
            ("ann@example", "not a valid email domain"),
            ("ann@exa mple.com", "no spaces"),
            ("ann@@example.com", "not an email address"),
            ("ann@-example.com", "not a valid email domain"),
            ("ann..lee@example.com", "not an email address"),
        ];
        for (input, expected) in cases {
            let err = Email::parse(input).unwrap_err();
            assert!(err.contains(expected), "{input:?}: got {err:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).unwrap_err().contains("254"));
    }

    #[test]
    fn email_json_is_checked_again() {
        assert!(serde_json::from_str::<Email>("\"not-an-email\"").is_err());
        let e: Email = serde_json::from_str("\"a@b.io\"").unwrap();
        assert_eq!(e.as_ref(), "a@b.io");
    }

    #[test]
    fn names() {
        assert_eq!(PersonName::parse("  Ann   Lee ").unwrap().as_ref(), "Ann Lee");
        assert!(PersonName::parse("Zoë O'Brien-Łukasz").is_ok());
        assert!(PersonName::parse("").unwrap_err().contains("enter the full name"));
        assert!(PersonName::parse("<script>").unwrap_err().contains("cannot contain"));
        assert!(PersonName::parse("12345").unwrap_err().contains("letter"));
        assert!(PersonName::parse(&"a".repeat(101)).unwrap_err().contains("100"));
        assert!(PersonName::parse("Ann\u{0}Lee").is_err());
        assert_eq!(PersonName::parse("Ann Lee-Smith").unwrap().words(), vec!["ann", "lee", "smith"]);
    }

    #[test]
    fn mobiles() {
        assert_eq!(Mobile::parse("+44 7700 900-123").unwrap().as_ref(), "+447700900123");
        assert!(Mobile::parse("07700 900123").unwrap_err().contains("start with +"));
        assert!(Mobile::parse("+0 7700 900123").unwrap_err().contains("country code"));
        assert!(Mobile::parse("+44 77").unwrap_err().contains("8 to 15"));
        assert!(Mobile::parse("+44 7700 9001x3").unwrap_err().contains("`x`"));
        assert!(Mobile::parse("").is_err());
    }
}
