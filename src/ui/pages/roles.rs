//! Roles & profiles: the role tree with each role's profiles, and the profile editor (a module ×
//! action matrix of levels plus field rules) with a preview of whose access changes before saving.

use dioxus::prelude::*;

use crate::access::{Action, *};
use crate::api;
use crate::domain::*;
use crate::ui::preview_save::{ConfirmChange, PreviewSave};
use crate::ui::components::{pending, CheckboxGroup, FormBanner, ModuleActionTable, Notice, SelectField, TextField};

#[derive(Clone, PartialEq)]
enum Editing {
    Profile(Option<OrgProfile>),
    Role(Option<OrgRole>),
}

#[component]
pub fn Roles() -> Element {
    let mut org = use_resource(api::admin_org);
    let mut editing = use_signal(|| None::<Editing>);
    let mut notice = use_signal(|| None::<String>);
    let data = match &*org.read() {
        Some(Ok(o)) => Some(o.clone()),
        _ => None,
    };
    let status = match &*org.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(_)) => rsx! {},
    };
    let on_done = move |msg: Option<String>| {
        editing.set(None);
        if let Some(m) = msg {
            notice.set(Some(m));
            org.restart();
        }
    };
    if let Some(refused) = crate::ui::components::refusal(&*org.read()) {
        return refused;
    }
    let no_create = crate::ui::components::denied(Module::RolesProfiles, Action::Create);
    let no_edit = crate::ui::components::denied(Module::RolesProfiles, Action::Edit);
    rsx! {
        crate::ui::components::PageTitle { title: "Roles & profiles · Gatehouse" }
        div { class: "page-head",
            h1 { "Roles & profiles" }
            div { class: "row-actions",
                button { class: "btn", disabled: no_create.is_some(), title: no_create.clone(), onclick: move |_| editing.set(Some(Editing::Role(None))), "Add role" }
                button { class: "btn btn-primary", disabled: no_create.is_some(), title: no_create.clone(), onclick: move |_| editing.set(Some(Editing::Profile(None))), "Add profile" }
            }
        }
        Notice { text: notice() }
        {status}
        if let (Some(e), Some(o)) = (editing(), data.clone()) {
            match e {
                Editing::Profile(p) => rsx! { ProfileEditor { key: "{p.as_ref().map(|p| p.id.clone()).unwrap_or_default()}", profile: p, on_done } },
                Editing::Role(r) => rsx! { RoleEditor { key: "{r.as_ref().map(|r| r.id.clone()).unwrap_or_default()}", role: r, org: o, on_done } },
            }
        }
        if let Some(o) = data {
            div { class: "grid-2",
                section { class: "card", "aria-labelledby": "roles-h",
                    h2 { id: "roles-h", "Role hierarchy" }
                    ul { class: "list tree",
                        for (depth, r) in ordered_roles(&o.roles) {
                            li { key: "{r.id}", class: "list-item", style: "padding-left: {depth * 18}px",
                                div { class: "list-main", "{r.name}" }
                                div { class: "list-sub",
                                    {r.profiles.iter().filter_map(|p| o.profiles.iter().find(|x| &x.id == p)).map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")}
                                }
                                div { class: "row-actions",
                                    button { class: "btn btn-small", "aria-label": "Edit role {r.name}", disabled: no_edit.is_some(), title: no_edit.clone(), onclick: { let r = r.clone(); move |_| editing.set(Some(Editing::Role(Some(r.clone())))) }, "Edit" }
                                    Link { class: "btn btn-small btn-quiet", to: crate::ui::Route::users_where(crate::domain::UserFilters { role: r.id.clone(), ..Default::default() }),
                                        "aria-label": "People with the role {r.name}", "People"
                                    }
                                    if r.id != ADMINISTRATOR {
                                        DeleteButton { label: format!("Delete role {}", r.name), change: OrgChange::DeleteRole { id: r.id.clone() },
                                            holders: crate::ui::Route::users_where(crate::domain::UserFilters { role: r.id.clone(), ..Default::default() }),
                                            on_done: move |m: String| { notice.set(Some(m)); org.restart(); } }
                                    }
                                }
                            }
                        }
                    }
                }
                section { class: "card", "aria-labelledby": "profiles-h",
                    h2 { id: "profiles-h", "Profiles" }
                    ul { class: "list",
                        for p in o.profiles.iter().cloned() {
                            li { key: "{p.id}", class: "list-item",
                                div { class: "list-main", "{p.name}" }
                                div { class: "row-actions",
                                    Link { class: "btn btn-small btn-quiet", to: crate::ui::Route::AccessReport { filter: crate::domain::ReportFilter { profile: p.id.clone() } },
                                        "aria-label": "People holding the profile {p.name}", "People"
                                    }
                                    if p.id != ADMINISTRATOR {
                                        button { class: "btn btn-small", "aria-label": "Edit profile {p.name}", disabled: no_edit.is_some(), title: no_edit.clone(), onclick: { let p = p.clone(); move |_| editing.set(Some(Editing::Profile(Some(p.clone())))) }, "Edit" }
                                    }
                                    if p.id != ADMINISTRATOR {
                                        DeleteButton { label: format!("Delete profile {}", p.name), change: OrgChange::DeleteProfile { id: p.id.clone() },
                                            on_done: move |m: String| { notice.set(Some(m)); org.restart(); } }
                                    }
                                    button {
                                        class: "btn btn-small",
                                        "aria-label": "Copy profile {p.name}",
                                        disabled: no_create.is_some(),
                                        title: no_create.clone(),
                                        onclick: {
                                            let p = p.clone();
                                            move |_| {
                                                let copy = OrgProfile { id: String::new(), name: format!("Copy of {}", p.name), ..p.clone() };
                                                editing.set(Some(Editing::Profile(Some(copy))));
                                            }
                                        },
                                        "Copy"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn ordered_roles(roles: &[OrgRole]) -> Vec<(usize, OrgRole)> {
    fn walk(all: &[OrgRole], parent: Option<&str>, depth: usize, out: &mut Vec<(usize, OrgRole)>) {
        for r in all.iter().filter(|r| r.parent.as_deref() == parent) {
            out.push((depth, r.clone()));
            if depth < 32 {
                walk(all, Some(&r.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(roles, None, 0, &mut out);
    out
}


#[component]
fn ProfileEditor(profile: Option<OrgProfile>, on_done: EventHandler<Option<String>>) -> Element {
    let existing = profile.as_ref().filter(|p| !p.id.is_empty()).map(|p| p.id.clone());
    let name = use_signal(|| profile.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let error = use_signal(|| None::<ApiError>);
    let name_error = error().as_ref().and_then(|e| e.field_message("name")).map(str::to_string);
    let mut levels = use_signal(|| {
        let mut t = vec![Level::None; Module::ALL.len() * Action::ALL.len()];
        if let Some(p) = &profile {
            for perm in &p.permissions {
                if let Some(cell) = t.get_mut(cell_of(perm.module, perm.action)) {
                    *cell = perm.level;
                }
            }
        }
        t
    });
    let mut rules = use_signal(|| profile.as_ref().map(|p| p.field_rules.clone()).unwrap_or_default());
    let change = OrgChange::SaveProfile {
        id: existing,
        name: name(),
        permissions: Module::ALL
            .iter()
            .flat_map(|&m| Action::ALL.iter().map(move |&a| (m, a)))
            .map(|(m, a)| Permission { module: m, action: a, level: level_at(&levels(), m, a) })
            .filter(|p| p.level != Level::None)
            .collect(),
        field_rules: rules().into_iter().filter(|r| r.rule != FieldRule::Editable).collect(),
    };
    let all_levels = [Level::None, Level::Own, Level::Department, Level::DepartmentTree, Level::All];
    rsx! {
        section { class: "card", "aria-labelledby": "profile-editor-h",
            h2 { id: "profile-editor-h", if profile.as_ref().is_some_and(|p| !p.id.is_empty()) { "Edit profile" } else { "New profile" } }
            TextField { id: "profile-name", label: "Profile name", value: name, error: name_error }
            ModuleActionTable {
                caption: "Levels by module and action",
                cell: move |(m, a): (Module, Action)| rsx! {
                    td {
                        select {
                            class: "level-select",
                            "aria-label": "{a.label()} on {m.label()}",
                            onchange: move |e| {
                                let chosen = all_levels.iter().copied().find(|l| format!("{l:?}") == e.value()).unwrap_or(Level::None);
                                levels.with_mut(|t| {
                                    if let Some(cell) = t.get_mut(cell_of(m, a)) {
                                        *cell = chosen;
                                    }
                                });
                            },
                            for l in all_levels.iter().copied().filter(|l| !m.takes_only_none_or_all() || matches!(l, Level::None | Level::All)) {
                                option { value: "{l:?}", selected: level_at(&levels(), m, a) == l, "{l.label()}" }
                            }
                        }
                    }
                },
            }
            h3 { "Field rules" }
            p { class: "muted", "Hidden fields are removed from everything the server sends; read-only fields cannot be changed." }
            div { class: "form-grid",
                for m in Module::RECORDS {
                    for (f, label) in record_fields(m).iter().map(|s| (s.name, s.label)) {
                        div { key: "{m.label()}-{f}", class: "field",
                            label { r#for: "rule-{m.index()}-{f}", "{m.label()} · {label}" }
                            select {
                                id: "rule-{m.index()}-{f}",
                                onchange: move |e| {
                                    let rule = match e.value().as_str() { "Hidden" => FieldRule::Hidden, "ReadOnly" => FieldRule::ReadOnly, _ => FieldRule::Editable };
                                    rules.with_mut(|rs| {
                                        rs.retain(|r| !(r.module == m && r.field == f));
                                        rs.push(FieldRuleSpec { module: m, field: f.to_string(), rule });
                                    });
                                },
                                for r in [FieldRule::Editable, FieldRule::ReadOnly, FieldRule::Hidden] {
                                    option {
                                        value: "{r:?}",
                                        selected: rules().iter().find(|x| x.module == m && x.field == f).map(|x| x.rule).unwrap_or(FieldRule::Editable) == r,
                                        "{r.label()}"
                                    }
                                }
                            }
                        }
                    }
                }
            }
            FormBanner { error: error() }
            PreviewSave { change, error, on_done }
        }
    }
}

#[component]
fn RoleEditor(role: Option<OrgRole>, org: AdminOrg, on_done: EventHandler<Option<String>>) -> Element {
    let name = use_signal(|| role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let parent = use_signal(|| role.as_ref().and_then(|r| r.parent.clone()).unwrap_or_default());
    let profiles = use_signal(|| role.as_ref().map(|r| r.profiles.clone()).unwrap_or_default());
    let error = use_signal(|| None::<ApiError>);
    let field = |f: &str| error().as_ref().and_then(|e| e.field_message(f)).map(str::to_string);
    let id = role.as_ref().map(|r| r.id.clone());
    let parents: Vec<(String, String)> =
        org.roles.iter().filter(|r| Some(&r.id) != id.as_ref()).map(|r| (r.id.clone(), r.name.clone())).collect();
    let options: Vec<(String, String)> = org.profiles.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
    let change = OrgChange::SaveRole {
        id: id.clone(),
        name: name(),
        parent: (!parent().is_empty()).then(|| parent()),
        profiles: profiles(),
    };
    rsx! {
        section { class: "card", "aria-labelledby": "role-editor-h",
            h2 { id: "role-editor-h", if id.is_some() { "Edit role" } else { "New role" } }
            div { class: "form-grid",
                TextField { id: "role-name", label: "Role name", value: name, error: field("name") }
                SelectField { id: "role-parent", label: "Reports to", value: parent, options: parents, placeholder: "Nobody (top of the hierarchy)", error: field("parent") }
            }
            CheckboxGroup { id: "role-profiles", legend: "Profiles this role carries", selected: profiles, options }
            FormBanner { error: error() }
            PreviewSave { change, error, on_done }
        }
    }
}

/// Every user's permission conflicts: the same module and action reached at different levels.
#[component]
pub fn Conflicts() -> Element {
    let report = use_resource(api::conflicts_report);
    let body = match &*report.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(list)) if list.is_empty() => rsx! { div { class: "card empty", p { "No conflicts: every user gets each permission from one level only." } } },
        Some(Ok(list)) => rsx! {
            table { class: "data",
                caption { class: "sr-only", "Permission conflicts" }
                thead { tr { th { scope: "col", "User" } th { scope: "col", "Permission" } th { scope: "col", "Sources" } th { scope: "col", "Wins" } } }
                tbody {
                    for c in list.iter() {
                        tr { key: "{c.user}-{c.module.label()}-{c.action.label()}",
                            td { "data-label": "User", "{c.user}" }
                            td { "data-label": "Permission", "{c.action.label()} on {c.module.label()}" }
                            td { "data-label": "Sources", class: "wrap small", {c.sources.iter().map(|s| format!("{} → {}", s.source, s.level.label())).collect::<Vec<_>>().join("; ")} }
                            td { "data-label": "Wins", "{c.winner.label()}" }
                        }
                    }
                }
            }
        },
    };
    if let Some(refused) = crate::ui::components::refusal(&*report.read()) {
        return refused;
    }
    rsx! {
        crate::ui::components::PageTitle { title: "Conflicts · Gatehouse" }
        div { class: "page-head", h1 { "Permission conflicts" } }
        p { class: "muted", "Where one user gets the same permission at different levels from different sources (for example a low level through a department and a high one directly). The highest level wins; this list shows where to tidy up." }
        {body}
    }
}

/// Grants: profiles given to a user, a department (optionally with sub-departments) or a group,
/// on top of roles. Listed with their targets; added and removed with a preview.
#[component]
pub fn Grants() -> Element {
    let mut org = use_resource(api::admin_org);
    let departments = use_resource(api::list_departments);
    let users = use_resource(|| async move { api::list_users(UserQuery { per_page: 200, ..Default::default() }).await });
    let find = use_signal(String::new);
    let found = crate::ui::components::use_people(find, false);
    let profile = use_signal(String::new);
    let kind = use_signal(|| "department".to_string());
    let target = use_signal(String::new);
    let mut with_sub = use_signal(|| false);
    // How long the grant counts: until removed, a number of days, or until a date; and from when.
    let duration = use_signal(String::new);
    let until_text = use_signal(String::new);
    let from_text = use_signal(String::new);
    let error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let o = match org.read().clone() {
        None => return rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => return rsx! { crate::ui::components::Refused { error: e } },
        Some(Ok(o)) => o,
    };
    let depts: Vec<(String, String)> = match &*departments.read() {
        Some(Ok(d)) => d.iter().map(|d| (d.id.clone(), d.name.clone())).collect(),
        _ => Vec::new(),
    };
    let people: Vec<(String, String)> = match &*users.read() {
        Some(Ok(p)) => p.items.iter().map(|u| (u.id.clone(), u.full_name.clone())).collect(),
        _ => Vec::new(),
    };
    let groups: Vec<(String, String)> = o.groups.iter().map(|g| (g.id.clone(), g.name.clone())).collect();
    let name_of = |list: &[(String, String)], id: &str| list.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.to_string());
    let describe = |g: &OrgGrant| -> String {
        let p = o.profiles.iter().find(|p| p.id == g.profile).map(|p| p.name.clone()).unwrap_or_default();
        let to = match &g.to {
            Grantee::User(u) => format!("user {}", name_of(&people, u)),
            Grantee::Group(x) => format!("group {}", name_of(&groups, x)),
            Grantee::Department { id, with_subdepartments } => {
                format!("department {}{}", name_of(&depts, id), if *with_subdepartments { " and its sub-departments" } else { "" })
            }
        };
        format!("{p} → {to}")
    };
    let local_time = crate::ui::browser::local_time;
    let window = |g: &OrgGrant| -> String {
        match (g.from.filter(|f| *f > o.now), g.until) {
            (Some(f), Some(u)) => format!("from {} until {}", local_time(f), local_time(u)),
            (Some(f), None) => format!("from {}", local_time(f)),
            (None, Some(u)) => format!("until {}", local_time(u)),
            (None, None) => String::new(),
        }
    };
    let now = o.now;
    const DAY: i64 = 86_400_000;
    let soon: Vec<OrgGrant> = o.grants.iter().filter(|g| g.until.is_some_and(|u| u > now && u <= now + 14 * DAY)).cloned().collect();
    let targets = match kind().as_str() {
        "user" => found.clone(),
        "group" => groups.clone(),
        _ => depts.clone(),
    };
    let proposed = move || {
        let to = match kind().as_str() {
            "user" => Grantee::User(target()),
            "group" => Grantee::Group(target()),
            _ => Grantee::Department { id: target(), with_subdepartments: with_sub() },
        };
        let (from, until) = crate::ui::components::window_of(&duration(), &from_text(), &until_text(), now);
        OrgChange::AddGrant { grant: OrgGrant { profile: profile(), to, from, until } }
    };
    let profiles: Vec<(String, String)> = o.profiles.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
    let kinds = vec![("department".to_string(), "Department".to_string()), ("group".to_string(), "Group".to_string()), ("user".to_string(), "User".to_string())];
    rsx! {
        crate::ui::components::PageTitle { title: "Grants · Gatehouse" }
        div { class: "page-head", h1 { "Grants" } }
        p { class: "muted", "Profiles granted on top of roles. A department grant reaches its manager and members." }
        Notice { text: notice() }
        section { class: "card", "aria-labelledby": "add-grant",
            h2 { id: "add-grant", "Grant a profile" }
            FormBanner { error: error() }
            div { class: "form-grid",
                SelectField { id: "grant-profile", label: "Profile", value: profile, options: profiles, placeholder: "Choose a profile" }
                SelectField { id: "grant-kind", label: "Grant to a", value: kind, options: kinds }
                if kind() == "user" {
                    TextField { id: "grant-find", label: "Find people", value: find, kind: "search", hint: "Type a name or email to narrow the list." }
                }
                SelectField { id: "grant-target", label: "Who", value: target, options: targets, placeholder: "Choose" }
            }
            if kind() == "department" {
                label { class: "check",
                    input { r#type: "checkbox", checked: with_sub(), onchange: move |e: FormEvent| with_sub.set(e.checked()) }
                    span { "Include sub-departments" }
                }
            }
            crate::ui::components::WindowFields { id: "grant", duration, from_text, until_text,
                until_error: error().and_then(|e| e.field_message("until").map(str::to_string)) }
            PreviewSave {
                change: proposed(),
                error,
                save_label: "Grant",
                saved: "Granted.",
                cancel: false,
                on_done: move |text| {
                    notice.set(text);
                    org.restart();
                },
            }
        }
        if !soon.is_empty() {
            p { class: "banner", role: "status",
                {crate::domain::count(soon.len() as u64, "granted profile ends", "granted profiles end")}
                " within 14 days. "
                Link { to: crate::ui::Route::Expiring {}, "See what is expiring soon and extend it" }
            }
        }
        ul { class: "list card",
            if o.grants.is_empty() { li { class: "muted", "No grants yet: access comes from roles only." } }
            for g in o.grants.iter().cloned() {
                li { key: "{describe(&g)}", class: "list-item",
                    div { class: "list-main", "{describe(&g)}"
                        if !window(&g).is_empty() { " " span { class: "small muted", "({window(&g)})" } }
                    }
                    ConfirmChange {
                        change: OrgChange::RemoveGrant { grant: g.clone() },
                        label: "Remove",
                        name: "Remove grant {describe(&g)}",
                        on_done: move |text: String| { notice.set(Some(text)); org.restart(); },
                    }
                }
            }
        }
    }
}

/// A delete button that saves the change and reports the outcome (refusals included).
#[component]
pub fn DeleteButton(
    label: String,
    change: OrgChange,
    on_done: EventHandler<String>,
    /// Where to see what blocks the delete (the people holding a role), shown with a refusal.
    #[props(default)]
    holders: Option<crate::ui::Route>,
) -> Element {
    let mut confirm = use_signal(|| false);
    let mut refused = use_signal(|| None::<String>);
    let no_delete = crate::ui::components::denied_change(&change);
    rsx! {
        if let Some(why) = refused() {
            p { class: "field-error", role: "alert", "Not deleted: {why}"
                if let Some(to) = holders.clone() { " " Link { to, "See who holds it" } }
            }
        }
        if confirm() {
            button {
                class: "btn btn-small btn-danger",
                "aria-label": "Confirm: {label}",
                onclick: move |_| {
                    let c = change.clone();
                    async move {
                        confirm.set(false);
                        match api::save_change(c, None).await {
                            Ok(_) => { refused.set(None); on_done.call("Deleted.".into()) }
                            Err(e) => refused.set(Some(crate::ui::components::refusal_reason(&e))),
                        }
                    }
                },
                "Really delete"
            }
        } else {
            button { class: "btn btn-small", "aria-label": "{label}", disabled: no_delete.is_some(), title: no_delete, onclick: move |_| confirm.set(true), "Delete" }
        }
    }
}

/// Where (module, action) sits in the profile editor's flat level table.
fn cell_of(m: Module, a: Action) -> usize {
    m.index() * Action::ALL.len() + a.index()
}

fn level_at(table: &[Level], m: Module, a: Action) -> Level {
    table.get(cell_of(m, a)).copied().unwrap_or(Level::None)
}
