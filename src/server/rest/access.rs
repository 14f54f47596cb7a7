//! `/api/v1/profiles` and `/api/v1/grants`: profiles (what a role or a grant gives) and grants
//! (a profile given to a person, a department or a group, for a while or for good), read, made,
//! saved and removed through the same judged and audited save as the console's Roles & profiles
//! and Grants pages: a token never hands out more than its owner holds.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_if_match, etag, with_etag, ApiCaller, Problem};
use crate::access::{FieldRuleSpec, OrgChange, OrgGrant, OrgProfile, Permission};
use crate::domain::ApiError;
use crate::server::http::{Declared, RequestCtx};
use crate::server::state::AppState;
use crate::server::{admin, services};

/// A profile as saved: its name, permissions and field rules, all of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    name: String,
    #[serde(default)]
    permissions: Vec<Permission>,
    #[serde(default)]
    field_rules: Vec<FieldRuleSpec>,
}

/// A grant with the id the API knows it by (grants are told apart by profile and grantee).
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRow {
    pub id: String,
    #[serde(flatten)]
    pub grant: OrgGrant,
}

fn grant_id(g: &OrgGrant) -> String {
    etag(&(&g.profile, &g.to)).trim_matches('"').to_string()
}

async fn profiles_of(ctx: &RequestCtx) -> Result<Vec<OrgProfile>, ApiError> {
    Ok(admin::admin_org(ctx).await?.profiles)
}

async fn profile_of(ctx: &RequestCtx, id: &str) -> Result<OrgProfile, ApiError> {
    profiles_of(ctx).await?.into_iter().find(|p| p.id == id).ok_or_else(|| ApiError::NotFound("no such profile".into()))
}

async fn grants_of(ctx: &RequestCtx) -> Result<Vec<GrantRow>, ApiError> {
    Ok(admin::admin_org(ctx).await?.grants.into_iter().map(|grant| GrantRow { id: grant_id(&grant), grant }).collect())
}

/// The profiles.
#[utoipa::path(get, path = "/api/v1/profiles", tag = "access", operation_id = "listProfiles",
    responses(
        (status = 200, description = "Profiles", body = Vec<OrgProfile>),
    ))]
pub async fn profiles(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<OrgProfile>>, Problem> {
    Ok(Json(profiles_of(&caller.ctx(&state, Declared::Read)).await?))
}

/// Makes a profile.
#[utoipa::path(post, path = "/api/v1/profiles", tag = "access", operation_id = "createProfile",
    request_body = ProfileInput,
    responses(
        (status = 201, description = "Made", body = OrgProfile, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "A name missing or taken, or a permission that cannot be", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_profile(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Json(input): Json<ProfileInput>) -> Result<Response, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let id = services::new_id();
    let change = OrgChange::SaveProfile { id: None, name: input.name, permissions: input.permissions, field_rules: input.field_rules };
    admin::save_as(&ctx, &change, &id, false).await?;
    let mut resp = with_etag(profile_of(&ctx, &id).await?, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/profiles/{id}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// One profile, with an `ETag` to send back in `If-Match` when changing it.
#[utoipa::path(get, path = "/api/v1/profiles/{id}", tag = "access", operation_id = "getProfile",
    params(("id" = String, Path, description = "The profile's id")),
    responses(
        (status = 200, description = "The profile", body = OrgProfile, headers(("ETag" = String))),
        (status = 404, description = "No such profile", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn profile(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(with_etag(profile_of(&caller.ctx(&state, Declared::Read), &id).await?, StatusCode::OK))
}

/// Saves a profile whole; everyone holding it changes at once, judged as the console's save is
/// (no escalation, the Administrator profile only by full administrators). With `If-Match`,
/// refused (412) when it changed since it was read.
#[utoipa::path(put, path = "/api/v1/profiles/{id}", tag = "access", operation_id = "saveProfile",
    params(
        ("id" = String, Path, description = "The profile's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the profile as last read"),
    ),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "Saved", body = OrgProfile, headers(("ETag" = String))),
        (status = 404, description = "No such profile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The profile changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn save_profile(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(input): Json<ProfileInput>,
) -> Result<Response, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let current = profile_of(&ctx, &id).await?;
    if let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        check_if_match(wanted, &etag(&current))?;
    }
    let change = OrgChange::SaveProfile { id: Some(id.clone()), name: input.name, permissions: input.permissions, field_rules: input.field_rules };
    admin::save(&ctx, &change, false).await?;
    Ok(with_etag(profile_of(&ctx, &id).await?, StatusCode::OK))
}

/// Deletes a profile (refused while a role or a grant gives it).
#[utoipa::path(delete, path = "/api/v1/profiles/{id}", tag = "access", operation_id = "deleteProfile",
    params(("id" = String, Path, description = "The profile's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such profile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A role carries it or a grant gives it still", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_profile(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    profile_of(&ctx, &id).await?;
    admin::save(&ctx, &OrgChange::DeleteProfile { id }, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The grants: which profile goes to whom beyond their role, and for how long.
#[utoipa::path(get, path = "/api/v1/grants", tag = "access", operation_id = "listGrants",
    responses(
        (status = 200, description = "Grants", body = Vec<GrantRow>),
    ))]
pub async fn grants(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<GrantRow>>, Problem> {
    Ok(Json(grants_of(&caller.ctx(&state, Declared::Read)).await?))
}

/// Gives a profile to a person, a department or a group (`from` and `until` in Unix
/// milliseconds, optional); the same profile to the same grantee again replaces its window.
#[utoipa::path(post, path = "/api/v1/grants", tag = "access", operation_id = "addGrant",
    request_body = OrgGrant,
    responses(
        (status = 201, description = "Given", body = GrantRow),
        (status = 404, description = "The grantee is not one the caller can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown profile or grantee, or a window that ends before it starts", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_grant(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Json(grant): Json<OrgGrant>) -> Result<(StatusCode, Json<GrantRow>), Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    admin::save(&ctx, &OrgChange::AddGrant { grant: grant.clone() }, true).await?;
    let id = grant_id(&grant);
    let row = grants_of(&ctx).await?.into_iter().find(|g| g.id == id).ok_or_else(|| ApiError::NotFound("the grant was not kept".into()))?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Takes a grant back.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "access", operation_id = "removeGrant",
    params(("id" = String, Path, description = "The grant's id, from the list")),
    responses(
        (status = 204, description = "Taken back"),
        (status = 404, description = "No such grant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_grant(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let found = grants_of(&ctx).await?.into_iter().find(|g| g.id == id).ok_or_else(|| ApiError::NotFound("no such grant".into()))?;
    admin::save(&ctx, &OrgChange::RemoveGrant { grant: found.grant }, true).await?;
    Ok(StatusCode::NO_CONTENT)
}
