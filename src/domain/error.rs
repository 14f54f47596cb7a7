//! The one error type every server function returns. It carries its HTTP status and a message a
//! person can act on; internal causes are logged on the server and never put in here.

use serde::{Deserialize, Serialize};

/// A message about one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// 401: no valid session.
    #[error("sign in to continue")]
    Unauthorized,
    /// 401 from sign-in: the pair did not match (never says which half was wrong).
    #[error("the email address or password is not right")]
    BadCredentials,
    /// 401: the password was right; the second factor is still to come (finish at the code page).
    #[error("enter the code from your authenticator app (or a recovery code) to finish signing in")]
    SecondFactorNeeded,
    /// 403: the user's role (or the installation) requires a second factor they have not set up.
    #[error("set up a second factor before going on: it is required for your account")]
    EnrolmentNeeded,
    /// 401: this change needs a fresh confirmation of who is asking (password, and code if any).
    #[error("confirm it is you: enter your password again to make this change")]
    StepUpNeeded,
    /// 403: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: absent or out of reach (the two are not told apart).
    #[error("{0}")]
    NotFound(String),
    /// 409: the request clashes with the current state (duplicate, already set up...).
    #[error("{0}")]
    Conflict(String),
    /// 422: one or more fields are wrong; nothing was saved.
    #[error("{message}")]
    Invalid { message: String, fields: Vec<FieldError> },
    /// 429: too many attempts; wait before trying again.
    #[error("{message}")]
    TooManyAttempts { message: String, retry_after_secs: u64 },
    /// 400: the request itself could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// 413: the request body is larger than any this server reads.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the body is not JSON (server functions take JSON only).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503: the server could not be reached or could not do its part; the details are in its log.
    #[error("the server could not complete this request; try again in a moment")]
    Unavailable,
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthorized | ApiError::BadCredentials | ApiError::SecondFactorNeeded | ApiError::StepUpNeeded => 401,
            ApiError::EnrolmentNeeded => 403,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::TooManyAttempts { .. } => 429,
            ApiError::BadRequest(_) => 400,
            ApiError::TooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::Unavailable => 503,
        }
    }

    /// A 422 for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(field, message)])
    }

    /// A 422 listing every wrong field.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let message = if fields.len() == 1 {
            "one field needs attention; nothing was saved".to_string()
        } else {
            format!("{} fields need attention; nothing was saved", fields.len())
        };
        Self::Invalid { message, fields }
    }

    /// The message for one field, when this is a 422 naming it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            ApiError::Invalid { fields, .. } => {
                fields.iter().find(|f| f.field == field).map(|f| f.message.as_str())
            }
            _ => None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
}

impl From<dioxus::fullstack::ServerFnError> for ApiError {
    fn from(err: dioxus::fullstack::ServerFnError) -> Self {
        use dioxus::fullstack::ServerFnError as E;
        match err {
            E::ServerError { code, message, details } => {
                // A body written by our own layers carries the typed error in `details`.
                if let Some(typed) = details.and_then(|d| serde_json::from_value::<ApiError>(d).ok()) {
                    return typed;
                }
                match code {
                    400 | 415 | 422 => ApiError::BadRequest(
                        "the request could not be read; check the fields and try again".into(),
                    ),
                    401 => ApiError::Unauthorized,
                    403 => ApiError::Forbidden(message),
                    404 => ApiError::NotFound("not found".into()),
                    405 => ApiError::NotFound("no such endpoint".into()),
                    _ => ApiError::Unavailable,
                }
            }
            E::Deserialization(_) | E::Args(_) | E::MissingArg(_) => ApiError::BadRequest(
                "the request could not be read; check the fields and try again".into(),
            ),
            _ => ApiError::Unavailable,
        }
    }
}

impl dioxus::fullstack::AsStatusCode for ApiError {
    fn as_status_code(&self) -> dioxus::fullstack::StatusCode {
        dioxus::fullstack::StatusCode::from_u16(self.status())
            .unwrap_or(dioxus::fullstack::StatusCode::SERVICE_UNAVAILABLE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_found_by_name() {
        let e = ApiError::fields(vec![
            FieldError::new("email", "enter an email address"),
            FieldError::new("password", "too short"),
        ]);
        assert_eq!(e.status(), 422);
        assert_eq!(e.field_message("email"), Some("enter an email address"));
        assert_eq!(e.field_message("name"), None);
        assert!(e.to_string().contains("2 fields"));
    }

    #[test]
    fn typed_error_survives_the_wire() {
        let e = ApiError::TooManyAttempts { message: "wait".into(), retry_after_secs: 30 };
        let json = serde_json::to_value(&e).unwrap();
        let back: ApiError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
