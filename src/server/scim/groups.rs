//! `/scim/v2/Groups`: Gatehouse's groups, their members being people; every change is the
//! console's group save, judged and audited on the one write path.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::patch::Shape;
use super::{base, body_json, created, scim, ApiCaller, ScimError, GROUP};
use crate::access::{Action, Module, OrgChange, OrgGroup};
use crate::server::http::{Declared, RequestCtx};
use crate::server::state::AppState;
use crate::server::{admin, services};

pub const SHAPE: Shape = Shape { attributes: &["displayName", "members", "externalId"], extensions: &[] };

fn present(base: &str, g: &OrgGroup, external_id: Option<&String>) -> Value {
    let mut o = Map::new();
    o.insert("schemas".into(), json!([GROUP]));
    o.insert("id".into(), json!(g.id));
    o.insert("displayName".into(), json!(g.name));
    if let Some(x) = external_id {
        o.insert("externalId".into(), json!(x));
    }
    if !g.users.is_empty() {
        let members: Vec<Value> = g.users.iter().map(|u| json!({ "value": u, "$ref": format!("{base}/Users/{u}") })).collect();
        o.insert("members".into(), Value::Array(members));
    }
    o.insert("meta".into(), json!({ "resourceType": "Group", "location": format!("{base}/Groups/{}", g.id) }));
    Value::Object(o)
}

async fn external_ids(ctx: &RequestCtx) -> Result<HashMap<String, String>, ScimError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        external_id: Option<String>,
    }
    let rows: Vec<Row> = ctx.state.db.query("SELECT record::id(id) AS id, external_id FROM scim_group;", json!({})).await?.all(0)?;
    Ok(rows.into_iter().filter_map(|r| r.external_id.map(|x| (r.id, x))).collect())
}

/// Every group, for whoever may view Departments & Groups.
pub async fn visible(ctx: &RequestCtx) -> Result<Vec<Value>, ScimError> {
    let (_, engine) = ctx.require(Module::DepartmentsGroups, Action::View).await?;
    let (base, ids) = (base(&ctx.state), external_ids(ctx).await?);
    Ok(engine.org().groups.iter().map(|g| present(&base, g, ids.get(&g.id))).collect())
}

async fn one(ctx: &RequestCtx, id: &str) -> Result<Value, ScimError> {
    let (_, engine) = ctx.require(Module::DepartmentsGroups, Action::View).await?;
    let g = engine.org().groups.iter().find(|g| g.id == id).ok_or_else(|| ScimError::not_found("group"))?;
    Ok(present(&base(&ctx.state), g, external_ids(ctx).await?.get(id)))
}

/// A group as asked: its name, its people, its externalId.
struct Desired {
    name: String,
    users: Vec<String>,
    external_id: Option<String>,
}

fn desired(v: &Value) -> Result<Desired, ScimError> {
    let name = super::filter::get_ci(v, "displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ScimError::invalid("displayName is required"))?
        .to_string();
    let mut users = Vec::new();
    match super::filter::get_ci(v, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for m in list {
                let id = super::filter::get_ci(m, "value").and_then(Value::as_str).ok_or_else(|| ScimError::invalid("members: each needs a value (a person's id)"))?;
                if !users.iter().any(|u| u == id) {
                    users.push(id.to_string());
                }
            }
        }
        Some(_) => return Err(ScimError::invalid("members must be a list")),
    }
    let external_id = match super::filter::get_ci(v, "externalId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ScimError::invalid("externalId must be text")),
    };
    Ok(Desired { name, users, external_id })
}

/// Saves the group (nested groups, managed in the console, stay) and its externalId.
async fn save(ctx: &RequestCtx, id: Option<&str>, d: Desired) -> Result<String, ScimError> {
    let engine = ctx.engine().await?;
    let nested = id.and_then(|id| engine.org().groups.iter().find(|g| g.id == id)).map(|g| g.groups.clone()).unwrap_or_default();
    let new = id.map(str::to_string).unwrap_or_else(services::new_id);
    let change = OrgChange::SaveGroup { id: id.map(str::to_string), name: d.name, users: d.users, groups: nested };
    admin::save_as(ctx, &change, &new, false).await?;
    ctx.state.db.query("UPSERT type::record('scim_group', $id) SET external_id = $x;", json!({ "id": new, "x": d.external_id })).await?;
    Ok(new)
}

resource!(Groups, "Groups, for the shared list, search and read handlers.");

pub async fn create(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        let d = desired(&body_json(&body)?)?;
        let id = save(&ctx, None, d).await?;
        Ok::<_, ScimError>(created(one(&ctx, &id).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn replace(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        one(&ctx, &id).await?;
        let d = desired(&body_json(&body)?)?;
        save(&ctx, Some(&id), d).await?;
        Ok::<_, ScimError>(scim(StatusCode::OK, one(&ctx, &id).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn modify(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        let request = body_json(&body)?;
        let current = one(&ctx, &id).await?;
        let d = desired(&super::patch::apply(&SHAPE, current, &request)?)?;
        save(&ctx, Some(&id), d).await?;
        Ok::<_, ScimError>(scim(StatusCode::OK, one(&ctx, &id).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn delete(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        one(&ctx, &id).await?;
        admin::save(&ctx, &OrgChange::DeleteGroup { id: id.clone() }, false).await?;
        ctx.state.db.query("DELETE type::record('scim_group', $id);", json!({ "id": id })).await?;
        Ok::<_, ScimError>(StatusCode::NO_CONTENT.into_response())
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}
