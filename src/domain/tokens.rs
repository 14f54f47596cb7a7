//! API tokens as their owner sees them: a name, read-only or read-write, when they end and when
//! they were last used. The secret is shown once, when the token is made; only its digest is
//! kept.

use serde::{Deserialize, Serialize};

use super::{ApiError, FieldError};

/// One of a person's API tokens (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    /// Read-write; otherwise the token can only read.
    pub write: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
}

/// A person's tokens, and the longest life the installation allows a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokens {
    pub tokens: Vec<ApiTokenInfo>,
    pub max_days: u32,
}

/// The form that makes a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct NewApiToken {
    pub name: String,
    pub write: bool,
    /// Days until it stops working.
    pub days: u32,
}

/// A token just made: the only time its secret is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: ApiTokenInfo,
    pub secret: String,
}

/// The REST API's reference as the console shows it (read from its OpenAPI document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiReference {
    pub title: String,
    pub version: String,
    pub description: String,
    pub operations: Vec<ApiOperation>,
}

/// One operation of the REST API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiOperation {
    /// The group it belongs to ("users", "records").
    pub tag: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<ApiParameter>,
    /// The request body's schema name, if it takes one.
    pub body: Option<String>,
    /// (status, what it means), in order.
    pub answers: Vec<(String, String)>,
}

/// A path, query or header parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiParameter {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// What every token's secret starts with, so a leaked one is recognised (secret scanners,
/// logs) and never mistaken for a session.
pub const API_TOKEN_PREFIX: &str = "gh_";

/// The longest token name.
pub const API_TOKEN_NAME_MAX: usize = 60;

/// The field errors of the form, checked the same in the browser and on the server.
/// The form that makes a service account: a user that is not a person (it never signs in),
/// with a role of its own, for SCIM provisioning and scripts. It acts through its one token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct NewServiceAccount {
    pub name: String,
    /// Its own role: what it may see and change.
    pub role: String,
    /// The role of the people it adds (over SCIM).
    pub provision_role: String,
    /// Days until its token stops working.
    pub days: u32,
}

/// A service account just made, with its token's secret: the only time it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedServiceAccount {
    pub id: String,
    pub name: String,
    pub secret: String,
}

/// What is wrong with a new service account's form, field by field.
pub fn new_service_account_errors(input: &NewServiceAccount, max_days: u32) -> Result<(), ApiError> {
    let token = NewApiToken { name: input.name.clone(), write: true, days: input.days };
    let mut fields = match new_api_token_errors(&token, max_days) {
        Err(ApiError::Invalid { fields, .. }) => fields,
        _ => Vec::new(),
    };
    if input.role.trim().is_empty() {
        fields.push(FieldError::new("role", "choose the account's role: what it may see and change"));
    }
    if input.provision_role.trim().is_empty() {
        fields.push(FieldError::new("provision_role", "choose the role of the people it adds"));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::fields(fields))
    }
}

pub fn new_api_token_errors(input: &NewApiToken, max_days: u32) -> Result<(), ApiError> {
    let mut fields = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        fields.push(FieldError::new("name", "give the token a name that says where it is used, like \"HR sync\""));
    } else if name.chars().count() > API_TOKEN_NAME_MAX {
        fields.push(FieldError::new("name", format!("use at most {API_TOKEN_NAME_MAX} characters")));
    } else if name.chars().any(char::is_control) {
        fields.push(FieldError::new("name", "use letters, digits, spaces and punctuation only"));
    }
    if input.days == 0 || input.days > max_days {
        fields.push(FieldError::new("days", format!("choose from 1 to {max_days} days (the most this installation allows)")));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::fields(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_needs_a_name_and_a_life_within_the_installations_limit() {
        let ok = NewApiToken { name: "HR sync".into(), write: false, days: 30 };
        assert!(new_api_token_errors(&ok, 90).is_ok());
        let fields = |t: &NewApiToken, max| match new_api_token_errors(t, max) {
            Err(ApiError::Invalid { fields, .. }) => fields.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("expected field errors, got {other:?}"),
        };
        assert_eq!(fields(&NewApiToken { name: "  ".into(), ..ok.clone() }, 90), ["name"]);
        assert_eq!(fields(&NewApiToken { days: 91, ..ok.clone() }, 90), ["days"]);
        assert_eq!(fields(&NewApiToken { days: 0, name: "x".repeat(61), write: true }, 90), ["name", "days"]);
    }
}
