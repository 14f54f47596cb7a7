//! Types shared by the browser and the server: validated values, the API's error type and the
//! data transfer objects that cross the wire. Nothing here does IO.

mod audit;
mod error;
mod ids;
mod password;
mod values;
mod dto;
mod users;
mod records;
mod security;
mod reports;
mod reviews;
mod heads_up;
mod tokens;
mod import;

pub use audit::{AuditAction, AuditTarget};
pub use dto::*;
pub use ids::{CompanyId, DepartmentId, GroupId, LicenseId, ProfileId, RecordId, RoleId, UserId};
pub use users::*;
pub use records::*;
pub use security::*;
pub use reports::*;
pub use reviews::*;
pub use tokens::*;
pub use import::*;
pub use heads_up::{can_sentences, heads_up};
pub use error::{ApiError, FieldError};
pub use password::{check_password, check_password_for, new_password_errors, setup_errors, sign_in_errors, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use values::{Email, Mobile, PersonName};

/// "1 user", "3 users": a count with its noun in the right number.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// A browser's user agent in the words people use: "Chrome on Android", "Safari on iPhone",
/// "Firefox on Windows". Order matters: Edge and Opera also say "Chrome", Chrome also says
/// "Safari", and Android also says "Linux".
pub fn device_name(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|u| !u.trim().is_empty()) else { return "Unknown browser".into() };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| *name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => ua.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod device_tests {
    use super::device_name;

    #[test]
    fn user_agents_read_as_people_say_them() {
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("curl/8.5.0", "curl"),
        ];
        for (ua, want) in cases {
            assert_eq!(device_name(Some(ua)), want, "{ua}");
        }
        assert_eq!(device_name(None), "Unknown browser");
        assert_eq!(device_name(Some("  ")), "Unknown browser");
    }
}
