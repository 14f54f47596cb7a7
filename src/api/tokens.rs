//! One's own API tokens (for the REST API at `/api/v1`).

use dioxus::prelude::*;

use crate::domain::{ApiError, ApiReference, ApiTokens, CreatedApiToken, CreatedServiceAccount, NewApiToken, NewServiceAccount};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, tokens};

/// The signed-in person's tokens (never their secrets).
#[get("/api/tokens")]
pub async fn api_tokens() -> Result<ApiTokens, ApiError> {
    tokens::list(&RequestCtx::read()?).await
}

/// Makes a token; its secret is in this answer only.
#[post("/api/tokens")]
pub async fn create_api_token(input: NewApiToken) -> Result<CreatedApiToken, ApiError> {
    tokens::create(&RequestCtx::write()?, &input).await
}

/// Revokes one of one's tokens.
#[post("/api/tokens/{id}/revoke")]
pub async fn revoke_api_token(id: String) -> Result<(), ApiError> {
    tokens::revoke(&RequestCtx::write()?, &id).await
}

/// The REST API's reference (from its OpenAPI document).
#[get("/api/api-reference")]
pub async fn api_reference() -> Result<ApiReference, ApiError> {
    tokens::api_reference(&RequestCtx::read()?).await
}

/// Someone's tokens, on their page (View on them; one's own always).
#[get("/api/users/{id}/tokens")]
pub async fn user_api_tokens(id: String) -> Result<Vec<crate::domain::ApiTokenInfo>, ApiError> {
    tokens::list_of(&RequestCtx::read()?, &id).await
}

/// An administrator revokes someone's token (Edit on them, and no takeover).
#[post("/api/users/{id}/tokens/{token}/revoke")]
pub async fn revoke_user_api_token(id: String, token: String) -> Result<(), ApiError> {
    tokens::revoke_of(&RequestCtx::write()?, &id, &token).await
}

/// Makes a service account (for SCIM provisioning and scripts) and its token; the secret is in
/// this answer only.
#[post("/api/service-accounts")]
pub async fn create_service_account(input: NewServiceAccount) -> Result<CreatedServiceAccount, ApiError> {
    tokens::create_service_account(&RequestCtx::write()?, &input).await
}
