//! Second factors as the browser sees them: how a session was authenticated, a user's
//! second-factor state (never a secret after enrolment), and what enrolment shows once.

use serde::{Deserialize, Serialize};

/// How a session was authenticated (stored on the session; shown on the user page and in the
/// sessions list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    Password,
    PasswordTotp,
    PasswordRecovery,
    Passkey,
    /// An API token (`Authorization: Bearer gh_…`), not a browser session.
    ApiToken,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::PasswordTotp => "password_totp",
            AuthMethod::PasswordRecovery => "password_recovery",
            AuthMethod::Passkey => "passkey",
            AuthMethod::ApiToken => "api_token",
        }
    }

    /// A stored name; anything unknown reads as the weakest, a password alone.
    pub fn parse(name: &str) -> AuthMethod {
        match name {
            "password_totp" => AuthMethod::PasswordTotp,
            "password_recovery" => AuthMethod::PasswordRecovery,
            "passkey" => AuthMethod::Passkey,
            "api_token" => AuthMethod::ApiToken,
            _ => AuthMethod::Password,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Password => "password only",
            AuthMethod::PasswordTotp => "password and authenticator code",
            AuthMethod::PasswordRecovery => "password and recovery code",
            AuthMethod::Passkey => "passkey",
            AuthMethod::ApiToken => "API token",
        }
    }
}

/// A passkey ceremony's start: its id (to finish it) and the options for the browser's
/// `navigator.credentials` call, as webauthn-rs writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyChallenge {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// One of a user's passkeys, as lists show it (never its key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Recovery codes left at or below which the user is warned to make new ones.
pub const RECOVERY_WARN_AT: u32 = 2;

/// A user's second factors, as their own security page and an administrator's user page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SecondFactorStatus {
    /// An authenticator app (TOTP) is set up, since this time (ms).
    pub totp_since: Option<i64>,
    /// Unused recovery codes left.
    pub recovery_left: u32,
    /// Passkeys registered.
    #[serde(default)]
    pub passkeys: u32,
    /// A second factor is required for this user, and why ("the Administrator role", "every
    /// account in this installation"); `None` when it is the user's choice.
    pub required_by: Option<String>,
}

impl SecondFactorStatus {
    /// Any second factor: an authenticator app or a passkey.
    pub fn enrolled(&self) -> bool {
        self.totp_since.is_some() || self.passkeys > 0
    }
}

/// What starting an authenticator-app enrolment shows, once: the secret to scan or type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32, as authenticator apps take it typed in.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub uri: String,
    /// The QR code, drawn by the server as an SVG document.
    pub qr_svg: String,
}

/// The installation-wide second-factor rule and the roles that require one (Settings page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SecondFactorPolicy {
    pub everyone: bool,
    /// (role id, role name, required)
    pub roles: Vec<(String, String, bool)>,
    /// Active users who must have one and have not set it up yet.
    pub missing: u32,
}

/// A 6-digit authenticator code or a recovery code, checked before it is sent.
pub fn second_factor_code_errors(code: &str) -> Result<String, String> {
    let clean: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if clean.is_empty() {
        return Err("enter the 6-digit code from your authenticator app, or a recovery code".into());
    }
    let digits = clean.bytes().all(|b| b.is_ascii_digit());
    if digits && clean.len() != 6 {
        return Err("an authenticator code has 6 digits".into());
    }
    if !digits && clean.chars().filter(|c| c.is_ascii_alphanumeric()).count() != 12 {
        return Err("a recovery code looks like abcd-efgh-jkmn (12 letters and digits)".into());
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_for_shape_before_sending() {
        assert_eq!(second_factor_code_errors(" 123 456 "), Ok("123456".into()));
        assert!(second_factor_code_errors("12345").is_err());
        assert_eq!(second_factor_code_errors("abcd-efgh-jkmn"), Ok("abcd-efgh-jkmn".into()));
        assert!(second_factor_code_errors("abcd-efgh").is_err());
        assert!(second_factor_code_errors("").is_err());
    }

    #[test]
    fn methods_round_trip_and_unknown_is_weakest() {
        for m in [AuthMethod::Password, AuthMethod::PasswordTotp, AuthMethod::PasswordRecovery, AuthMethod::Passkey] {
            assert_eq!(AuthMethod::parse(m.as_str()), m);
        }
        assert_eq!(AuthMethod::parse("magic"), AuthMethod::Password);
    }
}
