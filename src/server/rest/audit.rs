//! `/api/v1/audit`: the audit log, as the console's Audit page reads it (sentences included).

use axum::extract::Query;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{cursor, ApiCaller, Problem};
use crate::domain::{AuditEntry, AuditQuery};
use crate::server::account;
use crate::server::http::Declared;
use crate::server::state::AppState;

/// The audit log's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A user id, or words of the actor's name.
    actor: Option<String>,
    /// The id of what the row is about.
    target: Option<String>,
    /// An action (`user.block`) or a whole area, ending with a dot (`user.`).
    action: Option<String>,
    /// From this time on (Unix milliseconds).
    from: Option<i64>,
    /// Up to this time (Unix milliseconds).
    to: Option<i64>,
    /// The `next_cursor` of the previous page, with the same filters.
    cursor: Option<String>,
}

/// A page of audit rows, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Audit rows the caller may read, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "listAudit",
    params(ListParams),
    responses(
        (status = 200, description = "A page of audit rows", body = AuditList),
        (status = 400, description = "A cursor that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's owner may not read the audit log", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Query(p): Query<ListParams>) -> Result<Json<AuditList>, Problem> {
    let key = cursor::key(&format!("{:?}|{:?}|{:?}|{:?}|{:?}", p.actor, p.target, p.action, p.from, p.to));
    let page = cursor::page(p.cursor.as_deref(), &key)?;
    let query = AuditQuery { actor: p.actor, target: p.target, action: p.action, from: p.from, to: p.to, page };
    let found = account::list_audit(&caller.ctx(&state, Declared::Read), &query).await?;
    let next_cursor = cursor::next(page, found.per_page, found.total, &key);
    Ok(Json(AuditList { items: found.items, total: found.total, next_cursor }))
}
