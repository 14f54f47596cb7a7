//! `/api/v1/records/{module}`: the six record modules (Leads, Customers, Opportunities, Tasks,
//! Projects, SupportActivities), with only the fields the caller may see.

use std::collections::BTreeMap;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{check_if_match, cursor, etag, with_etag, ApiCaller, Problem};
use crate::access::Module;
use crate::domain::{ApiError, RecordInput, RecordQuery, RecordRow, RecordSort};
use crate::server::http::Declared;
use crate::server::records;
use crate::server::state::AppState;

/// A records list's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words in the record's title.
    search: Option<String>,
    /// The owner's user id.
    owner: Option<String>,
    /// A company's id.
    company: Option<String>,
    /// Records per page, 1 to 200 (25 by default).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    cursor: Option<String>,
}

/// A page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordList {
    pub items: Vec<RecordRow>,
    /// Records matching the filters within the caller's reach.
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A new record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// Field name to value (the module's title field is required).
    values: BTreeMap<String, String>,
    /// The company's id.
    company: String,
    /// The owner's user id (the caller by default).
    owner: Option<String>,
}

/// Fields to change; an empty value clears the field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPatch {
    values: BTreeMap<String, String>,
}

/// A record just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRecord {
    /// Absent when the caller made it for someone out of their own reach.
    pub record: Option<RecordRow>,
}

fn record_module(module: Module) -> Result<Module, Problem> {
    if module.is_record_module() {
        Ok(module)
    } else {
        Err(ApiError::NotFound(format!("{module:?} is not a record module; use Leads, Customers, Opportunities, Tasks, Projects or SupportActivities")).into())
    }
}

/// One module's records within the caller's reach.
#[utoipa::path(get, path = "/api/v1/records/{module}", tag = "records", operation_id = "listRecords",
    params(("module" = Module, Path, description = "A record module"), ListParams),
    responses(
        (status = 200, description = "A page of records", body = RecordList),
        (status = 400, description = "A filter or cursor that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's owner may not open this module", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a record module", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(module): Path<Module>,
    Query(p): Query<ListParams>,
) -> Result<Json<RecordList>, Problem> {
    let module = record_module(module)?;
    let limit = super::limit(p.limit)?;
    let key = cursor::key(&format!("{module:?}|{:?}|{:?}|{:?}|{limit}", p.search, p.owner, p.company));
    let page = cursor::page(p.cursor.as_deref(), &key)?;
    let query = RecordQuery { module: Some(module), search: p.search.unwrap_or_default(), owner: p.owner, company: p.company, page, per_page: limit, sort: RecordSort::Newest };
    let found = records::list(&caller.ctx(&state, Declared::Read), &query).await?;
    let next_cursor = cursor::next(page, limit, found.page.total, &key);
    Ok(Json(RecordList { items: found.page.items, total: found.page.total, next_cursor }))
}

/// One record, with an `ETag` to send back in `If-Match` when changing it.
#[utoipa::path(get, path = "/api/v1/records/{module}/{id}", tag = "records", operation_id = "getRecord",
    params(("module" = Module, Path, description = "A record module"), ("id" = String, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The record", body = RecordRow, headers(("ETag" = String))),
        (status = 404, description = "No such record within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path((module, id)): Path<(Module, String)>,
) -> Result<Response, Problem> {
    let module = record_module(module)?;
    let detail = records::get(&caller.ctx(&state, Declared::Read), module, &id).await?;
    Ok(with_etag(detail.record, StatusCode::OK))
}

/// Makes a record (checked and audited like the console's form).
#[utoipa::path(post, path = "/api/v1/records/{module}", tag = "records", operation_id = "createRecord",
    params(("module" = Module, Path, description = "A record module")),
    request_body = NewRecord,
    responses(
        (status = 201, description = "Made", body = CreatedRecord),
        (status = 404, description = "Not a record module", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(module): Path<Module>,
    Json(input): Json<NewRecord>,
) -> Result<Response, Problem> {
    let module = record_module(module)?;
    let input = RecordInput { values: input.values, owner: input.owner, company: Some(input.company) };
    let made = records::create(&caller.ctx(&state, Declared::Write), module, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedRecord { record: made.map(|d| d.record) })).into_response())
}

/// Changes fields of a record. With `If-Match`, refused (412) when it changed since it was read.
#[utoipa::path(patch, path = "/api/v1/records/{module}/{id}", tag = "records", operation_id = "updateRecord",
    params(
        ("module" = Module, Path, description = "A record module"),
        ("id" = String, Path, description = "The record's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the record as last read"),
    ),
    request_body = RecordPatch,
    responses(
        (status = 200, description = "Changed", body = RecordRow, headers(("ETag" = String))),
        (status = 403, description = "Not allowed (a hidden or read-only field among them)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path((module, id)): Path<(Module, String)>,
    headers: HeaderMap,
    Json(patch): Json<RecordPatch>,
) -> Result<Response, Problem> {
    let module = record_module(module)?;
    let ctx = caller.ctx(&state, Declared::Write);
    if let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        let current = records::get(&ctx, module, &id).await?;
        check_if_match(wanted, &etag(&current.record))?;
    }
    let input = RecordInput { values: patch.values, owner: None, company: None };
    let detail = records::update(&ctx, module, &id, &input).await?;
    Ok(with_etag(detail.record, StatusCode::OK))
}

/// Deletes a record.
#[utoipa::path(delete, path = "/api/v1/records/{module}/{id}", tag = "records", operation_id = "deleteRecord",
    params(("module" = Module, Path, description = "A record module"), ("id" = String, Path, description = "The record's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such record within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path((module, id)): Path<(Module, String)>,
) -> Result<StatusCode, Problem> {
    let module = record_module(module)?;
    records::delete(&caller.ctx(&state, Declared::Write), module, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
