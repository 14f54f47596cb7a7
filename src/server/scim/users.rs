//! `/scim/v2/Users`: people as SCIM shows them, and their changes through the console's services.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::patch::Shape;
use super::{base, body_json, created, iso, scim, ApiCaller, ScimError, ENTERPRISE, USER};
use crate::access::{Action, Module, UserStatus};
use crate::domain::{ApiError, UserInput};
use crate::server::http::{Declared, RequestCtx};
use crate::server::state::AppState;
use crate::server::store::{Stmt, Work};
use crate::server::{offboarding, users};

pub const SHAPE: Shape = Shape {
    attributes: &["userName", "name", "displayName", "active", "emails", "externalId"],
    extensions: &[(ENTERPRISE, &["department", "manager"])],
};

/// A person as read for SCIM.
#[derive(Debug, Deserialize)]
struct Person {
    id: String,
    full_name: String,
    email: String,
    status: UserStatus,
    created_at: i64,
    updated_at: i64,
    department: Option<String>,
}

/// What the identity provider sent that Gatehouse has no field for, kept as it was sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Extras {
    user_name: String,
    external_id: Option<String>,
    display_name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    emails: Option<Value>,
    department: Option<String>,
    manager: Option<String>,
}

const PERSON: &str = "record::id(id) AS id, full_name, email, status, created_at, updated_at, record::id(department) AS department";

/// People and their kept extras: everyone not offboarded and not a service account, within
/// the caller's View.
async fn people(ctx: &RequestCtx, only: Option<&str>) -> Result<Vec<(Person, Option<Extras>)>, ScimError> {
    let (me, engine) = ctx.require(Module::Users, Action::View).await?;
    let db = &ctx.state.db;
    let (sql, vars) = match only {
        Some(id) => (
            format!(
                "SELECT {PERSON} FROM user WHERE id = type::record('user', $id) AND offboarded_at = NONE;
                 SELECT record::id(id) AS id, doc FROM scim_user WHERE id = type::record('scim_user', $id);
                 SELECT VALUE record::id(id) FROM service_account WHERE id = type::record('service_account', $id);"
            ),
            json!({ "id": id }),
        ),
        None => (
            format!(
                "SELECT {PERSON} FROM user WHERE offboarded_at = NONE ORDER BY created_at, id;
                 SELECT record::id(id) AS id, doc FROM scim_user;
                 SELECT VALUE record::id(id) FROM service_account;"
            ),
            json!({}),
        ),
    };
    let mut found = db.query(&sql, vars).await?;
    let persons: Vec<Person> = found.all(0)?;
    #[derive(Deserialize)]
    struct Kept {
        id: String,
        doc: String,
    }
    let kept: Vec<Kept> = found.all(1)?;
    let services: Vec<String> = found.all(2)?;
    let mut extras: HashMap<String, Extras> = kept.into_iter().filter_map(|k| serde_json::from_str(&k.doc).ok().map(|e| (k.id, e))).collect();
    Ok(persons
        .into_iter()
        .filter(|p| !services.contains(&p.id) && engine.decide_on_user(&me.user_id, Action::View, &p.id).allowed())
        .map(|p| {
            let e = extras.remove(&p.id);
            (p, e)
        })
        .collect())
}

fn location(base: &str, id: &str) -> String {
    format!("{base}/Users/{id}")
}

/// A person as SCIM shows them.
fn present(base: &str, departments: &HashMap<String, String>, p: &Person, e: Option<&Extras>) -> Value {
    let mut o = Map::new();
    let mut schemas = vec![json!(USER)];
    o.insert("id".into(), json!(p.id));
    let active = !matches!(p.status, UserStatus::Blocked | UserStatus::Inactive);
    let primary = json!([{ "value": p.email, "primary": true }]);
    let mut ext = Map::new();
    match e {
        None => {
            o.insert("userName".into(), json!(p.email));
            o.insert("displayName".into(), json!(p.full_name));
            o.insert("emails".into(), primary);
            if let Some(name) = p.department.as_ref().and_then(|d| departments.get(d)) {
                ext.insert("department".into(), json!(name));
            }
        }
        Some(e) => {
            o.insert("userName".into(), json!(e.user_name));
            if let Some(x) = &e.external_id {
                o.insert("externalId".into(), json!(x));
            }
            let mut name = Map::new();
            if let Some(g) = &e.given_name {
                name.insert("givenName".into(), json!(g));
            }
            if let Some(f) = &e.family_name {
                name.insert("familyName".into(), json!(f));
            }
            if !name.is_empty() {
                o.insert("name".into(), Value::Object(name));
            }
            if let Some(d) = &e.display_name {
                o.insert("displayName".into(), json!(d));
            }
            // The kept list while its primary address is still the person's; otherwise the
            // person's address (changed in the console since).
            let kept_primary = e.emails.as_ref().and_then(|v| primary_email(v).ok()).is_some_and(|m| m.eq_ignore_ascii_case(&p.email));
            o.insert("emails".into(), if kept_primary { e.emails.clone().unwrap_or(primary) } else { primary });
            if let Some(d) = &e.department {
                ext.insert("department".into(), json!(d));
            }
            if let Some(m) = &e.manager {
                ext.insert("manager".into(), json!({ "value": m, "$ref": location(base, m) }));
            }
        }
    }
    o.insert("active".into(), json!(active));
    if !ext.is_empty() {
        schemas.push(json!(ENTERPRISE));
        o.insert(ENTERPRISE.into(), Value::Object(ext));
    }
    o.insert("schemas".into(), Value::Array(schemas));
    o.insert(
        "meta".into(),
        json!({ "resourceType": "User", "created": iso(p.created_at), "lastModified": iso(p.updated_at), "location": location(base, &p.id) }),
    );
    Value::Object(o)
}

/// The address of a list of emails: the primary one, else the first.
fn primary_email(emails: &Value) -> Result<String, ScimError> {
    let list = emails.as_array().ok_or_else(|| ScimError::invalid("emails must be a list"))?;
    let pick = list.iter().find(|e| e.get("primary").and_then(Value::as_bool) == Some(true)).or_else(|| list.first());
    pick.and_then(|e| e.get("value")).and_then(Value::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).ok_or_else(|| ScimError::invalid("emails: give at least one address (value)"))
}

fn text(v: &Value, key: &str) -> Result<Option<String>, ScimError> {
    match super::filter::get_ci(v, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.trim().is_empty())),
        Some(_) => Err(ScimError::invalid(format!("{key} must be text"))),
    }
}

/// What a person should become, read from a SCIM body.
struct Desired {
    extras: Extras,
    full_name: String,
    email: String,
    active: bool,
}

fn desired(v: &Value) -> Result<Desired, ScimError> {
    let user_name = text(v, "userName")?.map(|s| s.trim().to_string()).ok_or_else(|| ScimError::invalid("userName is required"))?;
    let emails = super::filter::get_ci(v, "emails").filter(|e| !e.is_null()).cloned();
    let email = match &emails {
        Some(list) => primary_email(list)?,
        None if user_name.contains('@') => user_name.clone(),
        None => return Err(ScimError::invalid("emails: give the person an email address; invitations and sign-in use it")),
    };
    let active = match super::filter::get_ci(v, "active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        // Some providers send booleans as text.
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(ScimError::invalid("active must be true or false")),
    };
    let name = super::filter::get_ci(v, "name").cloned().unwrap_or(Value::Null);
    if !(name.is_null() || name.is_object()) {
        return Err(ScimError::invalid("name must be an object (givenName, familyName)"));
    }
    let (given_name, family_name) = (text(&name, "givenName")?, text(&name, "familyName")?);
    let display_name = text(v, "displayName")?;
    let ext = super::filter::get_ci(v, ENTERPRISE).cloned().unwrap_or(Value::Null);
    let manager = match super::filter::get_ci(&ext, "manager") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(m @ Value::Object(_)) => text(m, "value")?,
        Some(_) => return Err(ScimError::invalid("manager must be an object with the manager's id as value")),
    };
    let full_name = display_name
        .clone()
        .or_else(|| {
            let joined = [given_name.as_deref(), family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
            Some(joined).filter(|j| !j.is_empty())
        })
        .unwrap_or_else(|| user_name.clone());
    let extras = Extras {
        user_name,
        external_id: text(v, "externalId")?,
        display_name,
        given_name,
        family_name,
        emails,
        department: text(&ext, "department")?,
        manager,
    };
    Ok(Desired { extras, full_name, email, active })
}

fn keep(id: &str, e: &Extras) -> Stmt {
    Stmt::new(
        "UPSERT type::record('scim_user', $id) SET user_name_key = $key, doc = $doc;",
        json!({ "id": id, "key": e.user_name.to_lowercase(), "doc": serde_json::to_string(e).unwrap_or_default() }),
    )
}

fn user_name_taken() -> ApiError {
    ApiError::Conflict("another person already has this userName".into())
}

/// 409 when another person holds this userName (the index says so again in the transaction).
async fn check_unique(ctx: &RequestCtx, id: Option<&str>, user_name: &str) -> Result<(), ScimError> {
    let holder: Option<String> = ctx
        .state
        .db
        .query("SELECT VALUE record::id(id) FROM scim_user WHERE user_name_key = $key LIMIT 1;", json!({ "key": user_name.to_lowercase() }))
        .await?
        .first(0)?;
    match holder {
        Some(h) if Some(h.as_str()) != id => Err(user_name_taken().into()),
        _ => Ok(()),
    }
}

/// The manager must be someone the account sees (not the person themselves).
async fn check_manager(ctx: &RequestCtx, id: Option<&str>, e: &Extras) -> Result<(), ScimError> {
    let Some(m) = &e.manager else { return Ok(()) };
    if Some(m.as_str()) == id || people(ctx, Some(m)).await?.is_empty() {
        return Err(ScimError::invalid(format!("manager: no person with the id {m}")));
    }
    Ok(())
}

fn departments(engine: &crate::access::Engine) -> HashMap<String, String> {
    engine.org().departments.iter().map(|d| (d.id.clone(), d.name.clone())).collect()
}

/// The department of that name, if Gatehouse has one.
fn department_named(engine: &crate::access::Engine, name: Option<&str>) -> Option<String> {
    let name = name?.trim();
    engine.org().departments.iter().find(|d| d.name.eq_ignore_ascii_case(name)).map(|d| d.id.clone())
}

/// Everyone the account sees, as SCIM shows them (for lists and searches).
pub async fn visible(ctx: &RequestCtx) -> Result<Vec<Value>, ScimError> {
    let engine = ctx.engine().await?;
    let (base, names) = (base(&ctx.state), departments(&engine));
    Ok(people(ctx, None).await?.iter().map(|(p, e)| present(&base, &names, p, e.as_ref())).collect())
}

async fn one(ctx: &RequestCtx, id: &str) -> Result<Value, ScimError> {
    let engine = ctx.engine().await?;
    let found = people(ctx, Some(id)).await?;
    let (p, e) = found.first().ok_or_else(|| ScimError::not_found("person"))?;
    Ok(present(&base(&ctx.state), &departments(&engine), p, e.as_ref()))
}

resource!(Users, "People, for the shared list, search and read handlers.");

/// Adds a person: the Add user form's checks and write (the invitation goes out), with the
/// role the service account gives the people it adds, the department named by the enterprise
/// extension when Gatehouse has one (the account's own otherwise), and the account's companies.
pub async fn create(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        let d = desired(&body_json(&body)?)?;
        let me = ctx.require_user().await?;
        let engine = ctx.engine().await?;
        let account = users::entry_of(&engine, me.user_id.as_str())?;
        let role: Option<String> = ctx
            .state
            .db
            .query("SELECT VALUE record::id(provision_role) FROM ONLY type::record('service_account', $id);", json!({ "id": me.user_id }))
            .await?
            .first(0)?;
        let role = role
            .filter(|r| engine.org().roles.iter().any(|x| &x.id == r))
            .ok_or_else(|| ScimError::new(StatusCode::CONFLICT, None, "the role this service account gives new people no longer exists; make a new service account"))?;
        check_unique(&ctx, None, &d.extras.user_name).await?;
        check_manager(&ctx, None, &d.extras).await?;
        let input = UserInput {
            full_name: d.full_name.clone(),
            email: d.email.clone(),
            mobile: String::new(),
            department: department_named(&engine, d.extras.department.as_deref()).unwrap_or(account.department.clone()),
            role,
            companies: account.companies.clone(),
            is_approver: false,
        };
        let new = users::prepare_create(&ctx, &input).await?;
        let mut work = Work::new(&ctx);
        new.write(&mut work);
        work.on_unique("scim_user_name", user_name_taken()).run(keep(&new.id, &d.extras));
        work.commit(&ctx.state).await?;
        new.log_link(&ctx);
        if !d.active {
            users::set_status(&ctx, &new.id, "blocked").await?;
        }
        Ok::<_, ScimError>(created(one(&ctx, &new.id).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Makes the person what `d` says, through the console's services: details (name, email,
/// department) as the edit form, `active` as block and unblock, then the kept extras.
async fn save(ctx: &RequestCtx, id: &str, d: Desired) -> Result<Value, ScimError> {
    // Within reach, not offboarded, not a service account.
    one(ctx, id).await?;
    check_unique(ctx, Some(id), &d.extras.user_name).await?;
    check_manager(ctx, Some(id), &d.extras).await?;
    let engine = ctx.engine().await?;
    let row = users::get_user(ctx, id).await?;
    let department = department_named(&engine, d.extras.department.as_deref()).or(row.department.as_ref().map(|x| x.id.clone())).unwrap_or_default();
    let moved = row.department.as_ref().map(|x| x.id.as_str()) != Some(department.as_str());
    if d.full_name != row.full_name || !d.email.eq_ignore_ascii_case(&row.email) || moved {
        let input = UserInput {
            full_name: d.full_name.clone(),
            email: d.email.clone(),
            mobile: row.mobile.clone().unwrap_or_default(),
            department,
            role: row.role.id.clone(),
            companies: row.companies.iter().map(|c| c.id.clone()).collect(),
            is_approver: row.is_approver,
        };
        users::update_user(ctx, id, &input).await?;
    }
    let active = !matches!(row.status, UserStatus::Blocked | UserStatus::Inactive);
    if d.active != active {
        users::set_status(ctx, id, if d.active { "active" } else { "blocked" }).await?;
    }
    let mut work = Work::new(ctx);
    work.on_unique("scim_user_name", user_name_taken()).run(keep(id, &d.extras));
    work.commit(&ctx.state).await?;
    one(ctx, id).await
}

pub async fn replace(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        let d = desired(&body_json(&body)?)?;
        Ok::<_, ScimError>(scim(StatusCode::OK, save(&ctx, &id, d).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn modify(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>, body: Bytes) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        let request = body_json(&body)?;
        let current = one(&ctx, &id).await?;
        let changed = super::patch::apply(&SHAPE, current, &request)?;
        let d = desired(&changed)?;
        Ok::<_, ScimError>(scim(StatusCode::OK, save(&ctx, &id, d).await?))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Offboards the person now (blocked, signed out, tokens ended, access given back; records and
/// history kept); they are no longer a SCIM resource.
pub async fn delete(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Response {
    let run = async {
        let ctx = caller.ctx(&state, Declared::Write);
        one(&ctx, &id).await?;
        offboarding::offboard_now(&ctx, &id, None, &[]).await?;
        ctx.state.db.query("DELETE type::record('scim_user', $id);", json!({ "id": id })).await?;
        Ok::<_, ScimError>(StatusCode::NO_CONTENT.into_response())
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scim_user_reads_into_the_persons_name_address_and_state() {
        let d = desired(&json!({
            "userName": "ann.x", "name": { "givenName": "Ann", "familyName": "Xu" }, "active": "False",
            "emails": [{ "value": "home@x.test", "type": "home" }, { "value": "ann@x.test", "type": "work", "primary": true }],
            ENTERPRISE: { "department": "Sales", "manager": { "value": "m1" } },
        }))
        .unwrap();
        assert_eq!((d.full_name.as_str(), d.email.as_str(), d.active), ("Ann Xu", "ann@x.test", false));
        assert_eq!((d.extras.department.as_deref(), d.extras.manager.as_deref()), (Some("Sales"), Some("m1")));
        assert!(desired(&json!({ "userName": "no-address" })).is_err(), "an address is needed");
        assert!(desired(&json!({ "emails": [{ "value": "a@x.test" }] })).is_err(), "userName is needed");
        assert_eq!(desired(&json!({ "userName": "a@x.test" })).unwrap().email, "a@x.test");
    }
}
