//! Proposed changes to the organisation's access setup, applied to an [`Org`] in memory: the
//! same code previews a change (compile the proposed org, diff it against the current one) and
//! validates it before the server writes it.

use serde::{Deserialize, Serialize};

use super::org::*;
use super::{Level, Module, Permission, ADMINISTRATOR};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrgChange {
    /// Create (id None) or replace a profile's levels and field rules.
    SaveProfile { id: Option<String>, name: String, permissions: Vec<Permission>, field_rules: Vec<FieldRuleSpec> },
    DeleteProfile { id: String },
    /// Create (id None) or change a role: its name, its place in the hierarchy and its profiles.
    SaveRole { id: Option<String>, name: String, parent: Option<String>, profiles: Vec<String> },
    DeleteRole { id: String },
    AddGrant { grant: OrgGrant },
    RemoveGrant { grant: OrgGrant },
    /// Create (id None) or change a group's members (users and nested groups).
    SaveGroup { id: Option<String>, name: String, users: Vec<String>, groups: Vec<String> },
    DeleteGroup { id: String },
    /// Organization-wide defaults per record module and the two access settings.
    SaveSharing { defaults: Vec<(Module, OrgDefault)>, hierarchy: bool, inactive_may_read: bool },
    /// Invitation and session lifetimes (minutes; none: the server's configuration).
    SaveLifetimes { lifetimes: super::Lifetimes },
    /// Create (id None) or change a sharing rule.
    SaveSharingRule { id: Option<String>, module: Module, owners: Party, recipients: Party, access: ShareAccess },
    DeleteSharingRule { id: String },
    /// Create (id None) or change a department: its name, parent and manager.
    SaveDepartment { id: Option<String>, name: String, parent: Option<String>, manager: Option<String> },
    DeleteDepartment { id: String },
    /// Create (id None) or change a license type: seats and the modules that require it.
    SaveLicense { id: Option<String>, name: String, seats: u32, modules: Vec<Module> },
    /// A user's entry as the engine reads it (role, department, companies, licenses, status,
    /// navigation): added when the id is new, replaced otherwise. Details the engine does not
    /// read (email, mobile) travel beside it and are judged by "no takeover".
    SaveUser { user: OrgUser },
    /// Gives `what` to `user` for a while (from, until), or changes how long they hold it; both
    /// none: they hold it until it is taken back.
    SetWindow { user: String, what: Holding, from: Option<i64>, until: Option<i64> },
}

/// Why a proposed change cannot be made: the field it concerns and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> ChangeError {
    ChangeError { field, message: message.into() }
}

/// True when following `parent` from `start` meets `target` (or runs in a circle).
fn reaches(parents: &dyn Fn(&str) -> Option<String>, start: &str, target: &str, limit: usize) -> bool {
    let mut cur = Some(start.to_string());
    let mut steps = 0;
    while let Some(c) = cur {
        if c == target || steps > limit {
            return true;
        }
        cur = parents(&c);
        steps += 1;
    }
    false
}

/// Whether a sharing rule names this party as owners or recipients.
fn uses(org: &Org, party: impl Fn(&Party) -> bool) -> bool {
    org.sharing_rules.iter().any(|r| party(&r.owners) || party(&r.recipients))
}

impl OrgChange {
    /// Applies the change to a copy of the org; `new_id` names what it creates.
    pub fn apply(&self, org: &Org, new_id: &str) -> Result<Org, ChangeError> {
        let mut o = org.clone();
        match self {
            OrgChange::SaveProfile { id, name, permissions, field_rules } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(err("name", "enter the profile's name"));
                }
                if id.as_deref() == Some(ADMINISTRATOR) {
                    return Err(err("name", "the built-in Administrator profile cannot be edited"));
                }
                if let Some(p) = permissions.iter().find(|p| p.module.takes_only_none_or_all() && !matches!(p.level, Level::None | Level::All)) {
                    return Err(err("permissions", format!("{} takes only None or All, not {}", p.module.label(), p.level.label())));
                }
                if let Some(r) = field_rules.iter().find(|r| !r.module.fields().any(|f| f == r.field)) {
                    return Err(err("field_rules", format!("{} has no field `{}`", r.module.label(), r.field)));
                }
                if o.profiles.iter().any(|p| p.name.eq_ignore_ascii_case(name) && Some(&p.id) != id.as_ref()) {
                    return Err(err("name", format!("another profile is already called `{name}`")));
                }
                let profile = OrgProfile {
                    id: id.clone().unwrap_or_else(|| new_id.to_string()),
                    name: name.to_string(),
                    permissions: permissions.clone(),
                    field_rules: field_rules.clone(),
                };
                match o.profiles.iter_mut().find(|p| Some(&p.id) == id.as_ref()) {
                    Some(p) => *p = profile,
                    None if id.is_none() => o.profiles.push(profile),
                    None => return Err(err("id", "no such profile")),
                }
            }
            OrgChange::DeleteProfile { id } => {
                if id == ADMINISTRATOR {
                    return Err(err("id", "the built-in Administrator profile cannot be deleted"));
                }
                if !o.profiles.iter().any(|p| &p.id == id) {
                    return Err(err("id", "no such profile"));
                }
                if let Some(r) = o.roles.iter().find(|r| r.profiles.contains(id)) {
                    return Err(err("id", format!("role {} still carries this profile", r.name)));
                }
                if o.grants.iter().any(|g| &g.profile == id) {
                    return Err(err("id", "this profile is still granted; remove its grants first"));
                }
                o.profiles.retain(|p| &p.id != id);
            }
            OrgChange::SaveRole { id, name, parent, profiles } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(err("name", "enter the role's name"));
                }
                if o.roles.iter().any(|r| r.name.eq_ignore_ascii_case(name) && Some(&r.id) != id.as_ref()) {
                    return Err(err("name", format!("another role is already called `{name}`")));
                }
                if let Some(p) = profiles.iter().find(|p| !o.profiles.iter().any(|x| &&x.id == p)) {
                    return Err(err("profiles", format!("no profile `{p}`")));
                }
                let role_id = id.clone().unwrap_or_else(|| new_id.to_string());
                if let Some(parent) = parent {
                    if !o.roles.iter().any(|r| &r.id == parent) {
                        return Err(err("parent", "choose an existing role"));
                    }
                    let roles = o.roles.clone();
                    let parents = move |r: &str| roles.iter().find(|x| x.id == r).and_then(|x| x.parent.clone());
                    if reaches(&parents, parent, &role_id, o.roles.len() + 1) {
                        return Err(err("parent", "a role cannot sit below itself or one of its subordinates"));
                    }
                }
                let role = OrgRole { id: role_id, name: name.to_string(), parent: parent.clone(), profiles: profiles.clone() };
                match o.roles.iter_mut().find(|r| Some(&r.id) == id.as_ref()) {
                    Some(r) => *r = role,
                    None if id.is_none() => o.roles.push(role),
                    None => return Err(err("id", "no such role")),
                }
            }
            OrgChange::DeleteRole { id } => {
                if id == ADMINISTRATOR {
                    return Err(err("id", "the built-in Administrator role cannot be deleted"));
                }
                if o.users.iter().any(|u| &u.role == id) {
                    return Err(err("id", "users still hold this role; give them another role first"));
                }
                if o.roles.iter().any(|r| r.parent.as_ref() == Some(id)) {
                    return Err(err("id", "this role has roles below it; move or delete them first"));
                }
                if !o.roles.iter().any(|r| &r.id == id) {
                    return Err(err("id", "no such role"));
                }
                if uses(&o, |p| matches!(p, Party::Role { id: r, .. } if r == id)) {
                    return Err(err("id", "a sharing rule still uses this role; change or delete the rule first"));
                }
                o.roles.retain(|r| &r.id != id);
            }
            OrgChange::AddGrant { grant } => {
                if !o.profiles.iter().any(|p| p.id == grant.profile) {
                    return Err(err("profile", "no such profile"));
                }
                let exists = match &grant.to {
                    Grantee::User(u) => o.users.iter().any(|x| &x.id == u),
                    Grantee::Group(g) => o.groups.iter().any(|x| &x.id == g),
                    Grantee::Department { id, .. } => o.departments.iter().any(|x| &x.id == id),
                };
                if !exists {
                    return Err(err("to", "choose an existing user, department or group"));
                }
                if let (Some(from), Some(until)) = (grant.from, grant.until) {
                    if until <= from {
                        return Err(err("until", "the end must come after the start"));
                    }
                }
                // Granting what is already granted changes at most its window (an extension).
                match o.grants.iter_mut().find(|g| g.same_as(grant)) {
                    Some(g) => *g = grant.clone(),
                    None => o.grants.push(grant.clone()),
                }
            }
            OrgChange::RemoveGrant { grant } => {
                // Removing what is not there succeeds and changes nothing.
                o.grants.retain(|g| !g.same_as(grant));
            }
            OrgChange::SaveGroup { id, name, users, groups } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(err("name", "enter the group's name"));
                }
                if o.groups.iter().any(|g| g.name.eq_ignore_ascii_case(name) && Some(&g.id) != id.as_ref()) {
                    return Err(err("name", format!("another group is already called `{name}`")));
                }
                if let Some(u) = users.iter().find(|u| !o.users.iter().any(|x| &&x.id == u)) {
                    return Err(err("users", format!("no user `{u}`")));
                }
                let group_id = id.clone().unwrap_or_else(|| new_id.to_string());
                for nested in groups {
                    if !o.groups.iter().any(|g| &g.id == nested) {
                        return Err(err("groups", format!("no group `{nested}`")));
                    }
                }
                // No cycles: no nested group may contain this group, directly or further down.
                // One walk over the nesting graph, each group visited once.
                let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
                let mut stack: Vec<&str> = groups.iter().map(String::as_str).collect();
                while let Some(g) = stack.pop() {
                    if g == group_id {
                        return Err(err("groups", "a group cannot contain itself, directly or through other groups"));
                    }
                    if seen.insert(g) {
                        if let Some(grp) = o.groups.iter().find(|x| x.id == g) {
                            stack.extend(grp.groups.iter().map(String::as_str));
                        }
                    }
                }
                let group = OrgGroup { id: group_id, name: name.to_string(), users: users.clone(), groups: groups.clone() };
                match o.groups.iter_mut().find(|g| Some(&g.id) == id.as_ref()) {
                    Some(g) => *g = group,
                    None if id.is_none() => o.groups.push(group),
                    None => return Err(err("id", "no such group")),
                }
            }
            OrgChange::DeleteGroup { id } => {
                if !o.groups.iter().any(|g| &g.id == id) {
                    return Err(err("id", "no such group"));
                }
                if uses(&o, |p| matches!(p, Party::Group(g) if g == id)) {
                    return Err(err("id", "a sharing rule still uses this group; change or delete the rule first"));
                }
                o.groups.retain(|g| &g.id != id);
                for g in o.groups.iter_mut() {
                    g.groups.retain(|n| n != id);
                }
                o.grants.retain(|g| g.to != Grantee::Group(id.clone()));
            }
            OrgChange::SaveSharing { defaults, hierarchy, inactive_may_read } => {
                if let Some((m, _)) = defaults.iter().find(|(m, _)| !m.is_record_module()) {
                    return Err(err("defaults", format!("{} has no records to share", m.label())));
                }
                o.defaults = defaults.clone();
                o.settings.hierarchy = *hierarchy;
                o.settings.inactive_may_read = *inactive_may_read;
            }
            OrgChange::SaveLifetimes { lifetimes } => {
                if let Some((field, message)) = lifetimes.errors().into_iter().next() {
                    return Err(err(field, message));
                }
                o.settings.lifetimes = *lifetimes;
            }
            OrgChange::SaveSharingRule { id, module, owners, recipients, access } => {
                if !module.is_record_module() {
                    return Err(err("module", format!("{} has no records to share", module.label())));
                }
                let exists = |p: &Party| match p {
                    Party::Role { id, .. } => o.roles.iter().any(|r| &r.id == id),
                    Party::Group(g) => o.groups.iter().any(|x| &x.id == g),
                    Party::Department { id, .. } => o.departments.iter().any(|d| &d.id == id),
                };
                if !exists(owners) {
                    return Err(err("owners", "choose an existing role, group or department"));
                }
                if !exists(recipients) {
                    return Err(err("recipients", "choose an existing role, group or department"));
                }
                let rule = SharingRule {
                    id: id.clone().unwrap_or_else(|| new_id.to_string()),
                    module: *module,
                    owners: owners.clone(),
                    recipients: recipients.clone(),
                    access: *access,
                };
                match o.sharing_rules.iter_mut().find(|r| Some(&r.id) == id.as_ref()) {
                    Some(r) => *r = rule,
                    None if id.is_none() => o.sharing_rules.push(rule),
                    None => return Err(err("id", "no such sharing rule")),
                }
            }
            OrgChange::DeleteSharingRule { id } => {
                let before = o.sharing_rules.len();
                o.sharing_rules.retain(|r| &r.id != id);
                if o.sharing_rules.len() == before {
                    return Err(err("id", "no such sharing rule"));
                }
            }
            OrgChange::SaveDepartment { id, name, parent, manager } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(err("name", "enter the department's name"));
                }
                let dept_id = id.clone().unwrap_or_else(|| new_id.to_string());
                if let Some(parent) = parent {
                    if !o.departments.iter().any(|d| &d.id == parent) {
                        return Err(err("parent", "choose an existing department"));
                    }
                    // Walk up from the new parent, each department once: meeting this one
                    // would make a cycle.
                    let parents: std::collections::HashMap<&str, Option<&str>> =
                        o.departments.iter().map(|d| (d.id.as_str(), d.parent.as_deref())).collect();
                    let mut seen = std::collections::HashSet::new();
                    let mut cur = Some(parent.as_str());
                    while let Some(c) = cur {
                        if c == dept_id {
                            return Err(err("parent", "a department cannot sit below itself or one of its sub-departments"));
                        }
                        if !seen.insert(c) {
                            break;
                        }
                        cur = parents.get(c).copied().flatten();
                    }
                }
                if let Some(m) = manager {
                    if !o.users.iter().any(|u| &u.id == m) {
                        return Err(err("manager", "choose an existing user"));
                    }
                }
                let dept = OrgDepartment { id: dept_id, name: name.to_string(), parent: parent.clone(), manager: manager.clone() };
                match o.departments.iter_mut().find(|d| Some(&d.id) == id.as_ref()) {
                    Some(d) => *d = dept,
                    None if id.is_none() => o.departments.push(dept),
                    None => return Err(err("id", "no such department")),
                }
            }
            OrgChange::DeleteDepartment { id } => {
                if !o.departments.iter().any(|d| &d.id == id) {
                    return Err(err("id", "no such department"));
                }
                if o.users.iter().any(|u| &u.department == id) {
                    return Err(err("id", "users still belong to this department; move them first"));
                }
                if o.departments.iter().any(|d| d.parent.as_ref() == Some(id)) {
                    return Err(err("id", "this department has sub-departments; move or delete them first"));
                }
                if uses(&o, |p| matches!(p, Party::Department { id: d, .. } if d == id)) {
                    return Err(err("id", "a sharing rule still uses this department; change or delete the rule first"));
                }
                o.departments.retain(|d| &d.id != id);
                o.grants.retain(|g| !matches!(&g.to, Grantee::Department { id: d, .. } if d == id));
            }
            OrgChange::SaveLicense { id, name, seats, modules } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(err("name", "enter the license's name"));
                }
                if let Some(m) = modules.iter().find(|m| !m.is_record_module()) {
                    return Err(err("modules", format!("{} is not a record module; licenses apply to record modules", m.label())));
                }
                // A module requires at most one license.
                for m in modules {
                    if let Some(other) = o.licenses.iter().find(|l| l.modules.contains(m) && Some(&l.id) != id.as_ref()) {
                        return Err(err(
                            "modules",
                            format!("{} already requires the {} license; a module requires at most one", m.label(), other.name),
                        ));
                    }
                }
                let license =
                    OrgLicense { id: id.clone().unwrap_or_else(|| new_id.to_string()), name: name.to_string(), seats: *seats, modules: modules.clone() };
                match o.licenses.iter_mut().find(|l| Some(&l.id) == id.as_ref()) {
                    Some(l) => *l = license,
                    None => o.licenses.push(license),
                }
            }
            OrgChange::SaveUser { user } => {
                if !o.roles.iter().any(|r| r.id == user.role) {
                    return Err(err("role", "choose one of the existing roles"));
                }
                if !o.departments.iter().any(|d| d.id == user.department) {
                    return Err(err("department", "choose one of the existing departments"));
                }
                // Nobody is given access to an archived company.
                let before = o.users.iter().find(|u| u.id == user.id).map(|u| u.companies.clone()).unwrap_or_default();
                if let Some(c) = user.companies.iter().find(|c| !o.companies.contains(c) && !before.contains(c)) {
                    return Err(err("companies", format!("company `{c}` does not exist or is archived")));
                }
                if let Some(l) = user.licenses.iter().find(|l| !o.licenses.iter().any(|x| &&x.id == l)) {
                    return Err(err("licenses", format!("no license `{l}`")));
                }
                match o.users.iter_mut().find(|u| u.id == user.id) {
                    Some(u) => *u = user.clone(),
                    None => o.users.push(user.clone()),
                }
            }
            OrgChange::SetWindow { user, what, from, until } => {
                if !o.users.iter().any(|u| &u.id == user) {
                    return Err(err("user", "no such user"));
                }
                let held = o.holds(user, what);
                let exists = match what {
                    Holding::Group(g) => o.groups.iter().any(|x| &x.id == g),
                    // Nobody is given access to an archived company (one held already may be
                    // given a window).
                    Holding::Company(c) => o.companies.contains(c) || held,
                    Holding::License(l) => o.licenses.iter().any(|x| &x.id == l),
                };
                if !exists {
                    return Err(err("what", "choose an existing group, company or license"));
                }
                if let (Some(from), Some(until)) = (from, until) {
                    if until <= from {
                        return Err(err("until", "the end must come after the start"));
                    }
                }
                o.give(user, what);
                o.windows.retain(|w| !(&w.user == user && &w.what == what));
                if from.is_some() || until.is_some() {
                    o.windows.push(HeldWindow { user: user.clone(), what: what.clone(), from: *from, until: *until });
                }
            }
        }
        o.drop_stale_windows();
        Ok(o)
    }

    /// The module and action the person making this change needs.
    pub fn permission(&self) -> (Module, super::Action) {
        use super::Action::*;
        match self {
            OrgChange::SaveProfile { id: None, .. } | OrgChange::SaveRole { id: None, .. } => (Module::RolesProfiles, Create),
            OrgChange::SaveProfile { .. } | OrgChange::SaveRole { .. } => (Module::RolesProfiles, Edit),
            OrgChange::DeleteProfile { .. } | OrgChange::DeleteRole { .. } => (Module::RolesProfiles, Delete),
            OrgChange::SaveGroup { id: None, .. } => (Module::DepartmentsGroups, Create),
            OrgChange::DeleteGroup { .. } => (Module::DepartmentsGroups, Delete),
            OrgChange::AddGrant { grant: OrgGrant { to: Grantee::User(_), .. } }
            | OrgChange::RemoveGrant { grant: OrgGrant { to: Grantee::User(_), .. } } => (Module::Users, Edit),
            OrgChange::SaveGroup { .. } | OrgChange::AddGrant { .. } | OrgChange::RemoveGrant { .. } => (Module::DepartmentsGroups, Edit),
            OrgChange::SaveSharing { .. } | OrgChange::SaveSharingRule { .. } | OrgChange::DeleteSharingRule { .. } => (Module::Settings, Edit),
            OrgChange::SaveLifetimes { .. } => (Module::Settings, Edit),
            OrgChange::SaveDepartment { id: None, .. } => (Module::DepartmentsGroups, Create),
            OrgChange::SaveDepartment { .. } => (Module::DepartmentsGroups, Edit),
            OrgChange::DeleteDepartment { .. } => (Module::DepartmentsGroups, Delete),
            OrgChange::SaveLicense { .. } => (Module::Settings, Edit),
            OrgChange::SaveUser { .. } => (Module::Users, Edit),
            OrgChange::SetWindow { what: Holding::Group(_), .. } => (Module::DepartmentsGroups, Edit),
            OrgChange::SetWindow { .. } => (Module::Users, Edit),
        }
    }

    /// The user whose entry this change is about, when the contract asks for Users / Edit on
    /// them rather than a module-wide permission (direct grants to a user, a user's entry).
    pub fn on_user(&self) -> Option<&str> {
        match self {
            OrgChange::AddGrant { grant: OrgGrant { to: Grantee::User(u), .. } }
            | OrgChange::RemoveGrant { grant: OrgGrant { to: Grantee::User(u), .. } } => Some(u),
            OrgChange::SaveUser { user } => Some(&user.id),
            OrgChange::SetWindow { user, what: Holding::Company(_) | Holding::License(_), .. } => Some(user),
            _ => None,
        }
    }
}
