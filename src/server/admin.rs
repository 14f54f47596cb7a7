//! Administration of the access setup: roles, profiles, groups and grants. Every change is
//! previewed and saved through the same [`OrgChange`]: applied to the org in memory, checked
//! (permission, no escalation, no lock-out), then written with its audit row and the version bump.

use serde_json::{json, Value};

use super::http::RequestCtx;
use super::services::{audit_row, audited, new_id};
use crate::access::*;
use crate::domain::{AdminOrg, ApiError};

fn change_error(e: ChangeError) -> ApiError {
    ApiError::field(e.field, e.message)
}

pub async fn admin_org(ctx: &RequestCtx) -> Result<AdminOrg, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let may = |m| engine.decide(&me.user_id, m, Action::View, None).allowed;
    if !may(Module::RolesProfiles) && !may(Module::DepartmentsGroups) && !may(Module::Settings) {
        return Err(ApiError::forbidden("you need View on Roles & Profiles, Departments & Groups or Settings"));
    }
    let org = engine.org();
    Ok(AdminOrg {
        roles: org.roles.clone(),
        profiles: org.profiles.clone(),
        groups: org.groups.clone(),
        grants: org.grants.clone(),
        departments: org.departments.iter().map(|d| crate::domain::NamedRef { id: d.id.clone(), name: d.name.clone() }).collect(),
        defaults: Module::RECORDS
            .into_iter()
            .map(|m| (m, org.defaults.iter().find(|(x, _)| *x == m).map(|(_, d)| *d).unwrap_or_default()))
            .collect(),
        sharing_rules: org.sharing_rules.clone(),
        settings: org.settings.clone(),
    })
}

/// The write path's judgement, in one place: the proposed org compiled and judged by outcome
/// against the current one for `me` (no escalation, Administrator holders, the Administrator
/// profile, no lock-out). Returns the proposed engine when the change may be made.
pub fn judged(engine: &Engine, me: &str, proposed: Org) -> Result<Engine, ApiError> {
    let after = Engine::compile(proposed);
    refuse(engine.judge(me, &after))?;
    Ok(after)
}

/// The first objection as the error a person reads (403, or 409 for a lock-out).
pub fn refuse(objections: Vec<Objection>) -> Result<(), ApiError> {
    match objections.first() {
        None => Ok(()),
        Some(o @ Objection::LockOut) => Err(ApiError::Conflict(o.message())),
        Some(o @ Objection::Gains { .. }) => Err(ApiError::Forbidden(format!("no escalation: {}", o.message()))),
        Some(o) => Err(ApiError::Forbidden(o.message())),
    }
}

/// Checks a change for the caller and returns the current and proposed engines.
pub async fn check(ctx: &RequestCtx, change: &OrgChange, new: &str) -> Result<(super::auth::Principal, std::sync::Arc<Engine>, Engine), ApiError> {
    let (me, engine) = match change.on_user() {
        // Direct grants and a user's entry: Users / Edit on that user.
        Some(user) => {
            let me = ctx.require_user().await?;
            let engine = ctx.engine().await?;
            super::users::reachable(ctx, &engine, &me.user_id, Action::Edit, user).await?;
            (me, engine)
        }
        None => {
            let (module, action) = change.permission();
            ctx.require(module, action).await?
        }
    };
    let proposed = change.apply(engine.org(), new).map_err(change_error)?;
    // A new profile above one's own is refused even before anyone holds it; edits are judged
    // by what they do to the people who hold the profile.
    if let OrgChange::SaveProfile { id: None, .. } = change {
        if let Some(p) = proposed.profiles.iter().find(|p| p.id == new) {
            if let Some(why) = engine.profile_exceeds(&me.user_id, p) {
                return Err(ApiError::Forbidden(format!("no escalation: {why}")));
            }
        }
    }
    let after = judged(&engine, &me.user_id, proposed)?;
    Ok((me, engine, after))
}

fn saved_id(change: &OrgChange) -> Option<&String> {
    match change {
        OrgChange::SaveProfile { id, .. }
        | OrgChange::SaveRole { id, .. }
        | OrgChange::SaveGroup { id, .. }
        | OrgChange::SaveSharingRule { id, .. }
        | OrgChange::SaveDepartment { id, .. }
        | OrgChange::SaveLicense { id, .. } => id.as_ref(),
        OrgChange::DeleteDepartment { id } => Some(id),
        OrgChange::SaveUser { user } => Some(&user.id),
        _ => None,
    }
}

/// Who gains and who loses what if this change is saved; nothing is written.
pub async fn preview(ctx: &RequestCtx, change: &OrgChange) -> Result<AccessDiff, ApiError> {
    let (_, before, after) = check(ctx, change, "proposed").await?;
    Ok(Engine::diff(&before, &after))
}

/// Saves a change (after the same checks as the preview) and returns what changed for whom.
pub async fn save(ctx: &RequestCtx, change: &OrgChange) -> Result<AccessDiff, ApiError> {
    save_as(ctx, change, &new_id()).await
}

/// [`save`], naming what the change creates `new`.
pub async fn save_as(ctx: &RequestCtx, change: &OrgChange, new: &str) -> Result<AccessDiff, ApiError> {
    if matches!(change, OrgChange::SaveUser { .. } | OrgChange::SaveLicense { .. }) {
        return Err(ApiError::BadRequest("users and licenses are saved on their own pages".into()));
    }
    let new = new.to_string();
    let (me, before, after) = check(ctx, change, &new).await?;
    let diff = Engine::diff(&before, &after);
    let org = before.org();
    let target = saved_id(change).cloned().unwrap_or_else(|| new.clone());
    let (sql, vars, action, kind, old): (&str, Value, &str, &str, Option<Value>) = match change {
        OrgChange::SaveProfile { name, permissions, field_rules, .. } => (
            "UPSERT type::record('profile', $id) SET name = $name, name_key = string::lowercase($name), permissions = $permissions,
                field_rules = $field_rules, built_in = false, description = description ?? '', created_at = created_at ?? $now, updated_at = $now;",
            json!({ "id": target, "name": name.trim(), "permissions": permissions, "field_rules": field_rules }),
            "profile.save",
            "profile",
            org.profiles.iter().find(|p| p.id == target).map(|p| json!(p)),
        ),
        OrgChange::DeleteProfile { id } => (
            "DELETE type::record('profile', $id);",
            json!({ "id": id }),
            "profile.delete",
            "profile",
            org.profiles.iter().find(|p| &p.id == id).map(|p| json!(p)),
        ),
        OrgChange::SaveRole { name, parent, profiles, .. } => (
            "UPSERT type::record('role', $id) SET name = $name, name_key = string::lowercase($name),
                parent = IF $parent { type::record('role', $parent) } ELSE { NONE },
                profiles = $profiles.map(|$p| type::record('profile', $p)), built_in = built_in ?? false, created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "parent": parent, "profiles": profiles }),
            "role.save",
            "role",
            org.roles.iter().find(|r| r.id == target).map(|r| json!(r)),
        ),
        OrgChange::DeleteRole { id } => (
            "DELETE type::record('role', $id);",
            json!({ "id": id }),
            "role.delete",
            "role",
            org.roles.iter().find(|r| &r.id == id).map(|r| json!(r)),
        ),
        OrgChange::AddGrant { grant } | OrgChange::RemoveGrant { grant } => {
            let (to_kind, to_id, with_sub) = match &grant.to {
                Grantee::User(u) => ("user", u.clone(), false),
                Grantee::Group(g) => ("group", g.clone(), false),
                Grantee::Department { id, with_subdepartments } => ("department", id.clone(), *with_subdepartments),
            };
            let add = matches!(change, OrgChange::AddGrant { .. });
            (
                if add {
                    "IF (SELECT id FROM grant WHERE profile = type::record('profile', $profile) AND to_kind = $kind AND to_id = $to AND with_subdepartments = $sub) = [] {
                        CREATE grant SET profile = type::record('profile', $profile), to_kind = $kind, to_id = $to, with_subdepartments = $sub, created_at = $now;
                    };"
                } else {
                    "DELETE grant WHERE profile = type::record('profile', $profile) AND to_kind = $kind AND to_id = $to AND with_subdepartments = $sub;"
                },
                json!({ "profile": grant.profile, "kind": to_kind, "to": to_id, "sub": with_sub }),
                if add { "grant.add" } else { "grant.remove" },
                "grant",
                (!add).then(|| json!(grant)),
            )
        }
        OrgChange::SaveGroup { name, users, groups, .. } => (
            "UPSERT type::record('user_group', $id) SET name = $name, name_key = string::lowercase($name),
                users = $users.map(|$u| type::record('user', $u)), groups = $groups.map(|$g| type::record('user_group', $g)),
                created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "users": users, "groups": groups }),
            "group.save",
            "group",
            org.groups.iter().find(|g| g.id == target).map(|g| json!(g)),
        ),
        OrgChange::SaveSharing { defaults, hierarchy, inactive_may_read } => (
            "UPSERT setting:access SET value = $value, updated_at = $now;",
            json!({ "value": { "defaults": defaults, "hierarchy": hierarchy, "inactive_may_read": inactive_may_read } }),
            "sharing.settings",
            "setting",
            Some(json!({ "defaults": org.defaults, "hierarchy": org.settings.hierarchy, "inactive_may_read": org.settings.inactive_may_read })),
        ),
        OrgChange::SaveSharingRule { module, owners, recipients, access, .. } => (
            "UPSERT type::record('sharing_rule', $id) SET module = $module, owners = $owners, recipients = $recipients,
                access = $share_access, created_at = created_at ?? $now;",
            json!({ "id": target, "module": module, "owners": owners, "recipients": recipients, "share_access": access }),
            "sharing.rule.save",
            "sharing_rule",
            org.sharing_rules.iter().find(|r| r.id == target).map(|r| json!(r)),
        ),
        OrgChange::DeleteSharingRule { id } => (
            "DELETE type::record('sharing_rule', $id);",
            json!({ "id": id }),
            "sharing.rule.delete",
            "sharing_rule",
            org.sharing_rules.iter().find(|r| &r.id == id).map(|r| json!(r)),
        ),
        OrgChange::SaveDepartment { name, parent, manager, id } => (
            "UPSERT type::record('department', $id) SET name = $name,
                parent = IF $parent { type::record('department', $parent) } ELSE { NONE },
                manager = IF $manager { type::record('user', $manager) } ELSE { NONE },
                created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "parent": parent, "manager": manager }),
            if id.is_none() { "department.create" } else { "department.update" },
            "department",
            org.departments.iter().find(|d| d.id == target).map(|d| json!(d)),
        ),
        OrgChange::DeleteDepartment { id } => (
            "IF (SELECT id FROM user WHERE department = type::record('department', $id) LIMIT 1) != [] {
                 THROW 'conflict: users still belong to this department; move them first'
             };
             IF (SELECT id FROM department WHERE parent = type::record('department', $id) LIMIT 1) != [] {
                 THROW 'conflict: this department has sub-departments; move or delete them first'
             };
             DELETE type::record('department', $id);
             DELETE grant WHERE to_kind = 'department' AND to_id = $id;",
            json!({ "id": id }),
            "department.delete",
            "department",
            org.departments.iter().find(|d| &d.id == id).map(|d| json!(d)),
        ),
        OrgChange::SaveUser { .. } | OrgChange::SaveLicense { .. } => {
            return Err(ApiError::BadRequest("users and licenses are saved on their own pages".into()))
        }
        OrgChange::DeleteGroup { id } => (
            "DELETE type::record('user_group', $id);
             UPDATE user_group SET groups -= type::record('user_group', $id);
             DELETE grant WHERE to_kind = 'group' AND to_id = $id;",
            json!({ "id": id }),
            "group.delete",
            "group",
            org.groups.iter().find(|g| &g.id == id).map(|g| json!(g)),
        ),
    };
    let audit = audit_row(Some((&me.user_id, &me.full_name)), action, kind, Some(&target), None, old,
        Some(json!({ "change": change, "effect": diff.summary })), &ctx.ip);
    let mut vars = vars;
    vars["now"] = json!(super::time::now_ms());
    vars["audit"] = audit;
    ctx.state
        .db
        .query(&audited(sql, true), vars)
        .await?;
    Ok(diff)
}

/// The Effective access widget for one user: needs View on that user and on Roles & Profiles.
pub async fn effective_access(ctx: &RequestCtx, id: &str) -> Result<crate::domain::EffectiveAccess, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    super::users::reachable(ctx, &engine, &me.user_id, Action::View, id).await?;
    let (conflicts, field_conflicts) = engine.conflicts(id);
    Ok(crate::domain::EffectiveAccess { cells: engine.effective_access(id), conflicts, field_conflicts })
}

/// Every user's conflicts, for the report across all users the caller can see.
pub async fn conflicts_report(ctx: &RequestCtx) -> Result<Vec<Conflict>, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    let mut out = Vec::new();
    for u in &engine.org().users {
        if engine.decide_on_user(&me.user_id, Action::View, &u.id).allowed {
            let (mut c, _) = engine.conflicts(&u.id);
            for x in c.iter_mut() {
                x.user = format!("{} ({})", u.name, u.id);
            }
            out.extend(c);
        }
    }
    Ok(out)
}
