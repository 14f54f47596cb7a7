//! Groups (users and nested groups, previewed before saving) and license types with seats.

use dioxus::prelude::*;

use crate::access::{Action, Module, OrgChange, OrgGroup};
use crate::api;
use crate::domain::*;
use crate::ui::preview_save::PreviewSave;
use crate::ui::components::{pending, CheckboxGroup, FormBanner, Notice, Refused, TextField};

#[component]
pub fn Groups() -> Element {
    let mut org = use_resource(api::admin_org);
    let mut editing = use_signal(|| None::<Option<OrgGroup>>);
    let mut notice = use_signal(|| None::<String>);
    let o = match org.read().clone() {
        None => return rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => return rsx! { Refused { error: e } },
        Some(Ok(o)) => o,
    };
    let no_create = crate::ui::components::denied(Module::DepartmentsGroups, Action::Create);
    let no_edit = crate::ui::components::denied(Module::DepartmentsGroups, Action::Edit);
    rsx! {
        crate::ui::components::PageTitle { title: "Groups · Gatehouse" }
        div { class: "page-head",
            h1 { "Groups" }
            button { class: "btn btn-primary", disabled: no_create.is_some(), title: no_create, onclick: move |_| editing.set(Some(None)), "Add group" }
        }
        Notice { text: notice() }
        if let Some(g) = editing() {
            GroupEditor {
                key: "{g.as_ref().map(|g| g.id.clone()).unwrap_or_default()}",
                group: g, all: o.groups.clone(),
                on_done: move |msg: Option<String>| { editing.set(None); if let Some(m) = msg { notice.set(Some(m)); org.restart(); } },
            }
        }
        ul { class: "list card",
            if o.groups.is_empty() { li { class: "muted", "No groups yet." } }
            for g in o.groups.iter().cloned() {
                li { key: "{g.id}", class: "list-item",
                    div { class: "list-main", "{g.name}" }
                    div { class: "list-sub", {format!("{}, {}", count(g.users.len() as u64, "user", "users"), count(g.groups.len() as u64, "nested group", "nested groups"))} }
                    div { class: "row-actions",
                        button { class: "btn btn-small", "aria-label": "Edit group {g.name}", disabled: no_edit.is_some(), title: no_edit.clone(), onclick: { let g = g.clone(); move |_| editing.set(Some(Some(g.clone()))) }, "Edit" }
                        Link { class: "btn btn-small btn-quiet", to: crate::ui::Route::users_where(UserFilters { group: g.id.clone(), ..Default::default() }),
                            "aria-label": "Members of {g.name}", "Members"
                        }
                        super::roles::DeleteButton { label: format!("Delete group {}", g.name), change: OrgChange::DeleteGroup { id: g.id.clone() },
                            on_done: move |m: String| { notice.set(Some(m)); org.restart(); } }
                    }
                }
            }
        }
    }
}

#[component]
fn GroupEditor(group: Option<OrgGroup>, all: Vec<OrgGroup>, on_done: EventHandler<Option<String>>) -> Element {
    let find = use_signal(String::new);
    let people = crate::ui::components::use_people(find, false);
    let name = use_signal(|| group.as_ref().map(|g| g.name.clone()).unwrap_or_default());
    let members = use_signal(|| group.as_ref().map(|g| g.users.clone()).unwrap_or_default());
    let nested = use_signal(|| group.as_ref().map(|g| g.groups.clone()).unwrap_or_default());
    let error = use_signal(|| None::<ApiError>);
    let id = group.as_ref().map(|g| g.id.clone());
    let others: Vec<(String, String)> = all.iter().filter(|g| Some(&g.id) != id.as_ref()).map(|g| (g.id.clone(), g.name.clone())).collect();
    let change = OrgChange::SaveGroup { id: id.clone(), name: name(), users: members(), groups: nested() };
    let err = error();
    rsx! {
        section { class: "card", "aria-labelledby": "group-editor-h",
            h2 { id: "group-editor-h", if group.is_some() { "Edit group" } else { "New group" } }
            FormBanner { error: err.clone() }
            TextField { id: "group-name", label: "Group name", value: name, error: err.as_ref().and_then(|e| e.field_message("name")).map(str::to_string) }
            TextField { id: "group-find", label: "Find people", value: find, kind: "search",
                hint: "Up to 200 people are listed; type a name or email to find others. Members stay chosen while hidden." }
            CheckboxGroup { id: "group-users", legend: format!("Members ({} chosen)", members().len()), selected: members, options: people }
            if !others.is_empty() {
                CheckboxGroup { id: "group-groups", legend: "Nested groups (their members belong here too)", selected: nested, options: others,
                    error: err.as_ref().and_then(|e| e.field_message("groups")).map(str::to_string) }
            }
            PreviewSave { change, error, saved: "Group saved.", on_done }
        }
    }
}

#[component]
pub fn Licenses() -> Element {
    let mut licenses = use_resource(api::list_licenses);
    let name = use_signal(String::new);
    let seats = use_signal(|| "10".to_string());
    let modules = use_signal(Vec::<String>::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let options: Vec<(String, String)> = Module::RECORDS.iter().map(|m| (format!("{m:?}"), m.label().to_string())).collect();
    let add = move |evt: FormEvent| async move {
        evt.prevent_default();
        let Ok(n) = seats().trim().parse::<u32>() else {
            error.set(Some(ApiError::field("seats", "enter a whole number of seats")));
            return;
        };
        let mods: Vec<Module> = Module::RECORDS.iter().copied().filter(|m| modules().contains(&format!("{m:?}"))).collect();
        match api::save_license(None, name(), n, mods).await {
            Ok(_) => { error.set(None); notice.set(Some("License added.".into())); licenses.restart(); }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let field = |f: &str| err.as_ref().and_then(|e| e.field_message(f)).map(str::to_string);
    if let Some(refused) = crate::ui::components::without_module(crate::access::Module::Settings) {
        return refused;
    }
    if let Some(refused) = crate::ui::components::refusal(&*licenses.read()) {
        return refused;
    }
    let no_edit = crate::ui::components::denied(Module::Settings, Action::Edit);
    rsx! {
        crate::ui::components::PageTitle { title: "Licenses · Gatehouse" }
        div { class: "page-head", h1 { "Licenses" } }
        Notice { text: notice() }
        section { class: "card", "aria-labelledby": "add-license",
            h2 { id: "add-license", "Add a license type" }
            form { method: "post", novalidate: true, onsubmit: add,
                FormBanner { error: err.clone() }
                div { class: "form-grid",
                    TextField { id: "license-name", label: "Name", value: name, error: field("name") }
                    TextField { id: "license-seats", label: "Seats", value: seats, kind: "number", error: field("seats") }
                }
                CheckboxGroup { id: "license-modules", legend: "Modules that require it", selected: modules, options, error: field("modules") }
                button { class: "btn btn-primary", r#type: "submit", disabled: no_edit.is_some(), title: no_edit.clone(), "Add license" }
                if let Some(why) = no_edit.clone() { p { class: "muted small", "{why}." } }
            }
        }
        match &*licenses.read() {
            state @ (None | Some(Err(_))) => pending(state),
            Some(Ok(list)) => rsx! {
                ul { class: "list card",
                    if list.is_empty() { li { class: "muted", "No license types yet." } }
                    for l in list.iter().cloned() {
                        LicenseRow { key: "{l.id}:{l.seats}", license: l, on_saved: move |text: String| { notice.set(Some(text)); licenses.restart(); } }
                    }
                }
            },
        }
    }
}

/// One license type: its seats (editable in place), what requires it, and a link to the people
/// holding it.
#[component]
fn LicenseRow(license: crate::domain::LicenseDto, on_saved: EventHandler<String>) -> Element {
    let l = license;
    let seats = use_signal(|| l.seats.to_string());
    let mut error = use_signal(|| None::<String>);
    let input_id = format!("seats-{}", l.id);
    let no_edit = crate::ui::components::denied(Module::Settings, Action::Edit);
    let (id, name, modules) = (l.id.clone(), l.name.clone(), l.modules.clone());
    let save = move |_| {
        let (id, name, modules) = (id.clone(), name.clone(), modules.clone());
        async move {
            let Ok(n) = seats().trim().parse::<u32>() else {
                error.set(Some("enter a whole number of seats".into()));
                return;
            };
            match api::save_license(Some(id), name.clone(), n, modules).await {
                Ok(_) => {
                    error.set(None);
                    on_saved.call(format!("{name} now has {}.", crate::domain::count(u64::from(n), "seat", "seats")));
                }
                Err(e) => error.set(Some(crate::ui::components::refusal_reason(&e))),
            }
        }
    };
    rsx! {
        li { class: "list-item license-row",
            div { class: "list-main", "{l.name}" }
            div { class: "list-sub",
                "{l.used} of {l.seats} seats used · " {l.modules.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ")}
            }
            div { class: "inline-form",
                div { class: if error().is_some() { "field has-error" } else { "field" },
                    label { r#for: "{input_id}", "Seats of {l.name}" }
                    input {
                        id: "{input_id}",
                        r#type: "number",
                        min: "0",
                        value: "{seats}",
                        "aria-invalid": if error().is_some() { "true" } else { "false" },
                        oninput: { let mut seats = seats; move |e: FormEvent| seats.set(e.value()) },
                    }
                }
                button { class: "btn btn-small", disabled: no_edit.is_some() || seats().trim() == l.seats.to_string(), title: no_edit, onclick: save, "Save seats" }
                Link { class: "btn btn-small btn-quiet", to: crate::ui::Route::users_where(crate::domain::UserFilters { license: l.id.clone(), ..Default::default() }),
                    "People holding it ({l.used})"
                }
            }
            if let Some(e) = error() {
                p { class: "field-error", role: "alert", "Not saved: {e}" }
            }
        }
    }
}
