//! The writes of the access setup: `profile`, `role`, `user_group`, `grant`, `sharing_rule`,
//! `department` and the `setting:access` row, one statement block per [`OrgChange`].

use serde_json::json;

use super::Stmt;
use crate::access::{Grantee, OrgChange};

/// The statements that store `change`; `target` is the id of what it saves (the new id for a
/// creation). `None` for changes stored elsewhere (users and licenses).
pub fn write(change: &OrgChange, target: &str, now: i64) -> Option<Stmt> {
    let stmt = |sql: &str, vars: serde_json::Value| Some(Stmt::new(sql, vars).with("now", now));
    match change {
        OrgChange::SaveProfile { name, permissions, field_rules, .. } => stmt(
            "UPSERT type::record('profile', $id) SET name = $name, name_key = string::lowercase($name), permissions = $permissions,
                field_rules = $field_rules, built_in = false, description = description ?? '', created_at = created_at ?? $now, updated_at = $now;",
            json!({ "id": target, "name": name.trim(), "permissions": permissions, "field_rules": field_rules }),
        ),
        OrgChange::DeleteProfile { id } => stmt("DELETE type::record('profile', $id);", json!({ "id": id })),
        OrgChange::SaveRole { name, parent, profiles, .. } => stmt(
            "UPSERT type::record('role', $id) SET name = $name, name_key = string::lowercase($name),
                parent = IF $parent { type::record('role', $parent) } ELSE { NONE },
                profiles = $profiles.map(|$p| type::record('profile', $p)), built_in = built_in ?? false, created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "parent": parent, "profiles": profiles }),
        ),
        OrgChange::DeleteRole { id } => stmt("DELETE type::record('role', $id);", json!({ "id": id })),
        OrgChange::AddGrant { grant } | OrgChange::RemoveGrant { grant } => {
            let (to_kind, to_id, with_sub) = match &grant.to {
                Grantee::User(u) => ("user", u.clone(), false),
                Grantee::Group(g) => ("group", g.clone(), false),
                Grantee::Department { id, with_subdepartments } => ("department", id.clone(), *with_subdepartments),
            };
            let vars = json!({ "profile": grant.profile, "kind": to_kind, "to": to_id, "sub": with_sub, "from": grant.from, "until": grant.until });
            if matches!(change, OrgChange::AddGrant { .. }) {
                // Granting again sets the window (an extension, or a new start).
                stmt(
                    "IF (SELECT id FROM grant WHERE profile = type::record('profile', $profile) AND to_kind = $kind AND to_id = $to AND with_subdepartments = $sub) = [] {
                        CREATE grant SET profile = type::record('profile', $profile), to_kind = $kind, to_id = $to, with_subdepartments = $sub,
                            starts_at = $from, ends_at = $until, created_at = $now;
                    } ELSE {
                        UPDATE grant SET starts_at = $from, ends_at = $until
                            WHERE profile = type::record('profile', $profile) AND to_kind = $kind AND to_id = $to AND with_subdepartments = $sub;
                    };",
                    vars,
                )
            } else {
                stmt(
                    "DELETE grant WHERE profile = type::record('profile', $profile) AND to_kind = $kind AND to_id = $to AND with_subdepartments = $sub;",
                    vars,
                )
            }
        }
        OrgChange::SaveGroup { name, users, groups, .. } => stmt(
            "UPSERT type::record('user_group', $id) SET name = $name, name_key = string::lowercase($name),
                users = $users.map(|$u| type::record('user', $u)), groups = $groups.map(|$g| type::record('user_group', $g)),
                created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "users": users, "groups": groups }),
        ),
        OrgChange::DeleteGroup { id } => stmt(
            "DELETE type::record('user_group', $id);
             UPDATE user_group SET groups -= type::record('user_group', $id);
             DELETE grant WHERE to_kind = 'group' AND to_id = $id;",
            json!({ "id": id }),
        ),
        OrgChange::SaveSharing { defaults, hierarchy, inactive_may_read } => stmt(
            "UPSERT setting:access SET value = $value, updated_at = $now;",
            json!({ "value": { "defaults": defaults, "hierarchy": hierarchy, "inactive_may_read": inactive_may_read } }),
        ),
        OrgChange::SaveLifetimes { lifetimes } => {
            stmt("UPSERT setting:lifetimes SET value = $value, updated_at = $now;", json!({ "value": lifetimes }))
        }
        OrgChange::SaveSharingRule { module, owners, recipients, access, .. } => stmt(
            "UPSERT type::record('sharing_rule', $id) SET module = $module, owners = $owners, recipients = $recipients,
                access = $share_access, created_at = created_at ?? $now;",
            json!({ "id": target, "module": module, "owners": owners, "recipients": recipients, "share_access": access }),
        ),
        OrgChange::DeleteSharingRule { id } => stmt("DELETE type::record('sharing_rule', $id);", json!({ "id": id })),
        OrgChange::SaveDepartment { name, parent, manager, .. } => stmt(
            "UPSERT type::record('department', $id) SET name = $name,
                parent = IF $parent { type::record('department', $parent) } ELSE { NONE },
                manager = IF $manager { type::record('user', $manager) } ELSE { NONE },
                created_at = created_at ?? $now;",
            json!({ "id": target, "name": name.trim(), "parent": parent, "manager": manager }),
        ),
        OrgChange::DeleteDepartment { id } => stmt(
            "DELETE type::record('department', $id);
             DELETE grant WHERE to_kind = 'department' AND to_id = $id;",
            json!({ "id": id }),
        ),
        OrgChange::SetWindow { user, what, from, until } => stmt(
            // The holding first (a user's update drops windows of what they no longer hold),
            // then its window.
            "IF $kind = 'group' {
                UPDATE type::record('user_group', $target) SET users = array::union(users, [type::record('user', $user)]);
            } ELSE IF $kind = 'company' {
                UPDATE type::record('user', $user) SET companies = array::union(companies, [type::record('company', $target)]), updated_at = $now;
            } ELSE {
                UPDATE type::record('user', $user) SET licenses = array::union(licenses, [type::record('license', $target)]), updated_at = $now;
            };
            IF !$from AND !$until {
                DELETE type::record('access_window', [$kind, $user, $target]);
            } ELSE {
                UPSERT type::record('access_window', [$kind, $user, $target]) SET kind = $kind, user = $user, target = $target,
                    starts_at = $from, ends_at = $until, reminded_for = NONE, reminded_days = NONE, set_at = $now;
            };",
            json!({ "kind": what.kind(), "target": what.id(), "user": user, "from": from, "until": until }),
        ),
        OrgChange::SaveUser { .. } | OrgChange::SaveLicense { .. } => None,
    }
}

/// Users still belong to the department.
pub fn department_has_users(id: &str) -> Stmt {
    Stmt::new("(SELECT id FROM user WHERE department = type::record('department', $id) LIMIT 1) != []", json!({ "id": id }))
}

/// The department has sub-departments.
pub fn department_has_children(id: &str) -> Stmt {
    Stmt::new("(SELECT id FROM department WHERE parent = type::record('department', $id) LIMIT 1) != []", json!({ "id": id }))
}
