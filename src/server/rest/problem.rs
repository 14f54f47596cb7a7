//! Errors of the REST API as RFC 9457 problem details (`application/problem+json`): the same
//! typed [`ApiError`] the console gets, with its message for people, its field messages and,
//! for a 429, when to come back. Never an internal text.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::{ApiError, FieldError};

/// A problem: what went wrong, in words a person can act on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the HTTP status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The HTTP status's phrase ("Unprocessable Content").
    pub title: &'static str,
    pub status: u16,
    /// What happened and what to do, for a person.
    pub detail: String,
    /// A stable word for programs: `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `invalid`, `precondition_failed`, `too_many_requests`, `bad_request`, `too_large`,
    /// `unsupported_media_type`, `method_not_allowed`, `unavailable`.
    pub code: &'static str,
    /// For `invalid`: one message per wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `too_many_requests`: seconds to wait (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 412: the `If-Match` given is not the resource's current `ETag`.
    pub fn stale() -> Problem {
        Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            "someone changed this since you read it: read it again (GET), then send your change with its new ETag in If-Match",
        )
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Problem {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let code = match &e {
            ApiError::Unauthorized | ApiError::BadCredentials | ApiError::SecondFactorNeeded | ApiError::StepUpNeeded => "unauthorized",
            ApiError::EnrolmentNeeded | ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Invalid { .. } => "invalid",
            ApiError::TooManyAttempts { .. } => "too_many_requests",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::TooLarge(_) => "too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unavailable => "unavailable",
        };
        let detail = match &e {
            // A token is never "fresh": what needs a recent sign-in is done in the console.
            ApiError::StepUpNeeded => "this change needs a recent sign-in with a password; make it in the console".to_string(),
            ApiError::Unauthorized => "send a valid API token: Authorization: Bearer gh_…".to_string(),
            other => other.to_string(),
        };
        let mut p = Problem::new(status, code, detail);
        match e {
            ApiError::Invalid { fields, .. } => p.errors = fields,
            ApiError::TooManyAttempts { retry_after_secs, .. } => p.retry_after = Some(retry_after_secs),
            _ => {}
        }
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut resp = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        let h = resp.headers_mut();
        if let Some(v) = retry.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            h.insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"gatehouse\""));
        }
        resp
    }
}
