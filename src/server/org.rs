//! Companies and departments: the organisation's structure. Every change is audited in its own
//! transaction and moves the access version stamp.

use serde::Deserialize;
use serde_json::json;

use super::http::RequestCtx;
use super::services::new_id;
use super::store::{company, user, Audit, Work};
use super::time::now_ms;
use crate::access::{Action, Module, OrgChange};
use crate::domain::{ApiError, AuditAction, AuditTarget, CompanyDto, DepartmentDto, DepartmentInput, RoleDto};

pub const NAME_MAX: usize = 80;

/// A trimmed name of 1 to 80 characters, or a message for `field`.
pub fn parse_name(field: &str, raw: &str, what: &str) -> Result<String, ApiError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(ApiError::field(field, format!("enter the {what}'s name")));
    }
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::field(field, format!("a name has at most {NAME_MAX} characters")));
    }
    if name.chars().any(|c| c.is_control() || matches!(c, '<' | '>')) {
        return Err(ApiError::field(field, "a name cannot contain control characters or angle brackets"));
    }
    Ok(name)
}

fn name_taken(name: &str) -> ApiError {
    ApiError::field("name", format!("another company is already called `{name}`"))
}

pub async fn list_companies(ctx: &RequestCtx) -> Result<Vec<CompanyDto>, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    // Only a full administrator lists every company; anyone else (Companies / View included)
    // sees the companies in their own company access: no company crosses the boundary.
    let all = engine.is_full_admin(&me.user_id);
    let rows: Vec<CompanyDto> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, archived,
                    (SELECT count() FROM user WHERE companies CONTAINS $parent.id GROUP ALL)[0].count ?? 0 AS users
             FROM company
             WHERE $all OR id IN (SELECT VALUE companies FROM ONLY type::record('user', $me))
             ORDER BY archived, name;",
            json!({ "all": all, "me": me.user_id }),
        )
        .await?
        .all(0)?;
    Ok(rows)
}

pub async fn create_company(ctx: &RequestCtx, name: &str) -> Result<CompanyDto, ApiError> {
    let (me, _) = ctx.require(Module::Companies, Action::Create).await?;
    let name = parse_name("name", name, "company")?;
    let id = new_id();
    // Whoever creates a company gets access to it.
    let mut work = Work::new(ctx);
    work.on_unique(company::NAME_INDEX, name_taken(&name))
        .run(company::create(&id, &name, now_ms()))
        .run(user::add_company(&me.user_id, &id))
        .audit(Audit::new(AuditAction::CompanyCreate, AuditTarget::Company, Some(&id)).by(&me).label(name.as_str()).after(json!({ "name": name })))
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(CompanyDto { id, name, archived: false, users: 1 })
}

#[derive(Deserialize)]
struct CompanyRow {
    name: String,
    archived: bool,
}

/// A company the caller may manage: any for a full administrator, otherwise only one in their
/// own company access (anything else is the same 404 as a company that does not exist).
async fn company(ctx: &RequestCtx, id: &str) -> Result<CompanyRow, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    if !engine.is_full_admin(&me.user_id) && !engine.companies_of(&me.user_id).iter().any(|c| c == id) {
        return Err(ApiError::NotFound("no such company".into()));
    }
    ctx.state
        .db
        .query("SELECT name, archived FROM type::record('company', $id);", json!({ "id": id }))
        .await?
        .first(0)?
        .ok_or_else(|| ApiError::NotFound("no such company".into()))
}

pub async fn rename_company(ctx: &RequestCtx, id: &str, name: &str) -> Result<(), ApiError> {
    let (me, _) = ctx.require(Module::Companies, Action::Edit).await?;
    let name = parse_name("name", name, "company")?;
    let before = company(ctx, id).await?;
    let mut work = Work::new(ctx);
    work.on_unique(company::NAME_INDEX, name_taken(&name)).run(company::rename(id, &name)).audit(
        Audit::new(AuditAction::CompanyRename, AuditTarget::Company, Some(id))
            .by(&me)
            .label(name.as_str())
            .before(json!({ "name": before.name }))
            .after(json!({ "name": name })),
    );
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Archives (or restores) a company: it disappears from the forms and from everyone's reach,
/// while its users and records keep pointing at it.
pub async fn set_company_archived(ctx: &RequestCtx, id: &str, archived: bool) -> Result<(), ApiError> {
    let (me, _) = ctx.require(Module::Companies, Action::Edit).await?;
    let before = company(ctx, id).await?;
    if before.archived == archived {
        return Ok(());
    }
    let action = if archived { AuditAction::CompanyArchive } else { AuditAction::CompanyRestore };
    let mut work = Work::new(ctx);
    work.run(company::set_archived(id, archived))
        .audit(
            Audit::new(action, AuditTarget::Company, Some(id))
                .by(&me)
                .label(before.name.as_str())
                .before(json!({ "archived": before.archived }))
                .after(json!({ "archived": archived })),
        )
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Deletes a company nobody uses; one in use is refused (archive it instead).
pub async fn delete_company(ctx: &RequestCtx, id: &str) -> Result<(), ApiError> {
    let (me, _) = ctx.require(Module::Companies, Action::Delete).await?;
    let before = company(ctx, id).await?;
    let mut work = Work::new(ctx);
    work.refuse_if(company::has_users(id), ApiError::Conflict("users still have access to this company; archive it instead".into()))
        .refuse_if(company::has_records(id), ApiError::Conflict("records still belong to this company; archive it instead".into()))
        .run(company::delete(id))
        .audit(
            Audit::new(AuditAction::CompanyDelete, AuditTarget::Company, Some(id))
                .by(&me)
                .label(before.name.as_str())
                .before(json!({ "name": before.name })),
        )
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(())
}

pub async fn list_departments(ctx: &RequestCtx) -> Result<Vec<DepartmentDto>, ApiError> {
    ctx.require_user().await?;
    let rows: Vec<DepartmentDto> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, IF parent { record::id(parent) } ELSE { NONE } AS parent,
                    IF manager { record::id(manager) } ELSE { NONE } AS manager, manager.full_name AS manager_name,
                    (SELECT count() FROM user WHERE department = $parent.id GROUP ALL)[0].count ?? 0 AS users
             FROM department ORDER BY name;",
            json!({}),
        )
        .await?
        .all(0)?;
    Ok(rows)
}

/// A department change takes the write path of every access change (judged by outcome: a
/// manager or a parent widens Department reach), with its audit row and the version bump.
async fn save_department(ctx: &RequestCtx, change: OrgChange, new: &str) -> Result<(), ApiError> {
    super::admin::save_as(ctx, &change, new, false).await.map(|_| ()).map_err(|e| match e {
        // "Users still belong here", "no such department": the state, not the form.
        ApiError::Invalid { fields, .. } if fields.iter().any(|f| f.field == "id") => {
            let m = fields.into_iter().find(|f| f.field == "id").map(|f| f.message).unwrap_or_default();
            if m.starts_with("no such") { ApiError::NotFound(m) } else { ApiError::Conflict(m) }
        }
        other => other,
    })
}

pub async fn create_department(ctx: &RequestCtx, input: &DepartmentInput) -> Result<String, ApiError> {
    ctx.require(Module::DepartmentsGroups, Action::Create).await?;
    let name = parse_name("name", &input.name, "department")?;
    let id = new_id();
    let change = OrgChange::SaveDepartment { id: None, name, parent: input.parent.clone(), manager: input.manager.clone() };
    save_department(ctx, change, &id).await?;
    Ok(id)
}

pub async fn update_department(ctx: &RequestCtx, id: &str, input: &DepartmentInput) -> Result<(), ApiError> {
    let (_, engine) = ctx.require(Module::DepartmentsGroups, Action::Edit).await?;
    if !engine.org().departments.iter().any(|d| d.id == id) {
        return Err(ApiError::NotFound("no such department".into()));
    }
    let name = parse_name("name", &input.name, "department")?;
    let change = OrgChange::SaveDepartment { id: Some(id.to_string()), name, parent: input.parent.clone(), manager: input.manager.clone() };
    save_department(ctx, change, id).await
}

pub async fn delete_department(ctx: &RequestCtx, id: &str) -> Result<(), ApiError> {
    ctx.require(Module::DepartmentsGroups, Action::Delete).await?;
    save_department(ctx, OrgChange::DeleteDepartment { id: id.to_string() }, id).await
}

pub async fn list_roles(ctx: &RequestCtx) -> Result<Vec<RoleDto>, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let mut roles: Vec<RoleDto> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, IF parent { record::id(parent) } ELSE { NONE } AS parent FROM role ORDER BY name;",
            json!({}),
        )
        .await?
        .all(0)?;
    // A hint for the forms; every save is judged by outcome on the server all the same.
    let org = engine.org();
    for r in roles.iter_mut() {
        r.grantable = engine.is_full_admin(&me.user_id)
            || org.roles.iter().find(|x| x.id == r.id).is_some_and(|role| {
                role.profiles.iter().all(|p| {
                    org.profiles.iter().find(|x| &x.id == p).is_none_or(|p| engine.profile_exceeds(&me.user_id, p).is_none())
                })
            });
    }
    Ok(roles)
}
