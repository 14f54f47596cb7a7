//! Companies and departments.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::{pending, FormBanner, Notice, SelectField, TextField};

#[component]
pub fn Companies() -> Element {
    let mut companies = use_resource(api::list_companies);
    let name = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let add = move |evt: FormEvent| async move {
        evt.prevent_default();
        match api::create_company(name()).await {
            Ok(c) => {
                notice.set(Some(format!("Company {} added; you have access to it.", c.name)));
                error.set(None);
                let mut n = name;
                n.set(String::new());
                companies.restart();
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let list = match &*companies.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(list)) => rsx! {
            ul { class: "list card",
                for c in list.iter().cloned() {
                    CompanyItem { key: "{c.id}", company: c, on_changed: move |msg: String| { notice.set(Some(msg)); companies.restart(); } }
                }
            }
        },
    };
    if let Some(refused) = crate::ui::components::without_module(crate::access::Module::Companies) {
        return refused;
    }
    if let Some(refused) = crate::ui::components::refusal(&*companies.read()) {
        return refused;
    }
    let no_create = crate::ui::components::denied(crate::access::Module::Companies, crate::access::Action::Create);
    rsx! {
        crate::ui::components::PageTitle { title: "Companies · Gatehouse" }
        div { class: "page-head", h1 { "Companies" } }
        Notice { text: notice() }
        section { class: "card", "aria-labelledby": "add-company",
            h2 { id: "add-company", "Add a company" }
            form { class: "inline-form", method: "post", novalidate: true, onsubmit: add,
                FormBanner { error: err.clone() }
                TextField { id: "company-name", label: "Company name", value: name, error: err.as_ref().and_then(|e| e.field_message("name")).map(str::to_string) }
                button { class: "btn btn-primary", r#type: "submit", disabled: no_create.is_some(), title: no_create.clone(), "Add company" }
                if let Some(why) = no_create.clone() { p { class: "muted small", "{why}." } }
            }
        }
        {list}
    }
}

#[component]
fn CompanyItem(company: CompanyDto, on_changed: EventHandler<String>) -> Element {
    let mut editing = use_signal(|| false);
    let name = use_signal(|| company.name.clone());
    let mut error = use_signal(|| None::<ApiError>);
    let id = company.id.clone();
    let id2 = company.id.clone();
    let archived = company.archived;
    let mut confirm_archive = use_signal(|| false);
    let people = if company.users == 1 { "1 person".to_string() } else { format!("{} people", company.users) };
    let no_edit = crate::ui::components::denied(crate::access::Module::Companies, crate::access::Action::Edit);
    let archive = move |to: bool| {
        let id = id2.clone();
        spawn(async move {
            match api::set_company_archived(id, to).await {
                Ok(()) => {
                    confirm_archive.set(false);
                    on_changed.call(if to { "Company archived.".into() } else { "Company restored.".into() })
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    rsx! {
        li { class: "list-item",
            if editing() {
                form {
                    class: "inline-form",
                    method: "post",
                    novalidate: true,
                    onsubmit: move |evt: FormEvent| {
                        let id = id.clone();
                        async move {
                            evt.prevent_default();
                            match api::rename_company(id, name()).await {
                                Ok(()) => { editing.set(false); on_changed.call("Company renamed.".into()); }
                                Err(e) => error.set(Some(e)),
                            }
                        }
                    },
                    TextField { id: "rename-{company.id}", label: "New name for {company.name}", value: name,
                        error: error().as_ref().and_then(|e| e.field_message("name")).map(str::to_string) }
                    button { class: "btn btn-primary", r#type: "submit", "Save name" }
                    button { class: "btn", r#type: "button", onclick: move |_| editing.set(false), "Cancel" }
                }
            } else {
                div { class: "list-main",
                    "{company.name}"
                    if archived { span { class: "badge badge-inactive", "Archived" } }
                }
                div { class: "list-sub", {format!("{} with access", count(company.users, "person", "people"))} }
                div { class: "row-actions",
                    button { class: "btn btn-small", disabled: no_edit.is_some(), title: no_edit.clone(), onclick: move |_| editing.set(true), "aria-label": "Rename {company.name}", "Rename" }
                    if archived {
                        button {
                            class: "btn btn-small",
                            "aria-label": "Restore {company.name}",
                            disabled: no_edit.is_some(),
                            title: no_edit.clone(),
                            onclick: { let archive = archive.clone(); move |_| archive(false) },
                            "Restore"
                        }
                    } else {
                        button {
                            class: "btn btn-small",
                            "aria-label": "Archive {company.name}",
                            disabled: no_edit.is_some(),
                            title: no_edit.clone(),
                            onclick: move |_| confirm_archive.set(true),
                            "Archive"
                        }
                    }
                }
                // Archiving is wide: say what it does before it happens.
                if confirm_archive() {
                    div { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-archive-{company.id}",
                        p { id: "confirm-archive-{company.id}",
                            "Archive {company.name}? {people} lose access to {company.name}, and its records leave every list, export and assignment until it is restored."
                        }
                        button { class: "btn btn-danger", onclick: { let archive = archive.clone(); move |_| archive(true) }, "Yes, archive" }
                        button { class: "btn", onclick: move |_| confirm_archive.set(false), "Cancel" }
                    }
                }
                FormBanner { error: error() }
            }
        }
    }
}

/// Departments as an indented tree: each with its manager and member count.
#[component]
pub fn Departments() -> Element {
    let mut departments = use_resource(api::list_departments);
    let mut notice = use_signal(|| None::<String>);
    let mut editing = use_signal(|| None::<Option<DepartmentDto>>);
    let rows = match &*departments.read() {
        Some(Ok(list)) => list.clone(),
        _ => Vec::new(),
    };
    // Depth-first order with depth, parents first.
    let mut ordered: Vec<(usize, DepartmentDto)> = Vec::new();
    fn walk(all: &[DepartmentDto], parent: Option<&str>, depth: usize, out: &mut Vec<(usize, DepartmentDto)>) {
        for d in all.iter().filter(|d| d.parent.as_deref() == parent) {
            out.push((depth, d.clone()));
            if depth < 32 {
                walk(all, Some(&d.id), depth + 1, out);
            }
        }
    }
    walk(&rows, None, 0, &mut ordered);
    let status = match &*departments.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(_)) => rsx! {},
    };
    if let Some(refused) = crate::ui::components::without_module(crate::access::Module::DepartmentsGroups) {
        return refused;
    }
    if let Some(refused) = crate::ui::components::refusal(&*departments.read()) {
        return refused;
    }
    let no_create = crate::ui::components::denied(crate::access::Module::DepartmentsGroups, crate::access::Action::Create);
    let no_edit = crate::ui::components::denied(crate::access::Module::DepartmentsGroups, crate::access::Action::Edit);
    rsx! {
        crate::ui::components::PageTitle { title: "Departments · Gatehouse" }
        div { class: "page-head",
            h1 { "Departments" }
            button { class: "btn btn-primary", disabled: no_create.is_some(), title: no_create, onclick: move |_| editing.set(Some(None)), "Add department" }
        }
        Notice { text: notice() }
        if let Some(current) = editing() {
            DepartmentForm {
                key: "{current.as_ref().map(|d| d.id.clone()).unwrap_or_default()}",
                department: current,
                all: rows.clone(),
                on_done: move |msg: Option<String>| {
                    editing.set(None);
                    if let Some(m) = msg { notice.set(Some(m)); departments.restart(); }
                },
            }
        }
        {status}
        ul { class: "list card tree",
            for (depth, d) in ordered {
                li { key: "{d.id}", class: "list-item", style: "padding-left: {depth * 20 + 4}px",
                    div { class: "list-main", "{d.name}" }
                    div { class: "list-sub",
                        {d.manager_name.clone().map(|m| format!("Manager: {m} · ")).unwrap_or_default()}
                        {count(d.users, "member", "members")}
                    }
                    div { class: "row-actions",
                        button { class: "btn btn-small", "aria-label": "Edit {d.name}", disabled: no_edit.is_some(), title: no_edit.clone(), onclick: { let d = d.clone(); move |_| editing.set(Some(Some(d.clone()))) }, "Edit" }
                        DepartmentDelete { id: d.id.clone(), name: d.name.clone(), members: d.users, on_done: move |_| { notice.set(Some("Department deleted.".into())); departments.restart(); } }
                    }
                }
            }
        }
    }
}

#[component]
fn DepartmentForm(department: Option<DepartmentDto>, all: Vec<DepartmentDto>, on_done: EventHandler<Option<String>>) -> Element {
    let name = use_signal(|| department.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let parent = use_signal(|| department.as_ref().and_then(|d| d.parent.clone()).unwrap_or_default());
    let manager = use_signal(|| department.as_ref().and_then(|d| d.manager.clone()).unwrap_or_default());
    let mut error = use_signal(|| None::<ApiError>);
    let find = use_signal(String::new);
    let mut managers = crate::ui::components::use_people(find, true);
    let editing_id = department.as_ref().map(|d| d.id.clone());
    let parents: Vec<(String, String)> =
        all.iter().filter(|d| Some(&d.id) != editing_id.as_ref()).map(|d| (d.id.clone(), d.name.clone())).collect();
    // The current manager stays a choice whatever the search shows.
    if let Some(d) = department.as_ref() {
        if let (Some(id), Some(name)) = (d.manager.clone(), d.manager_name.clone()) {
            if !managers.iter().any(|(m, _)| *m == id) {
                managers.insert(0, (id, name));
            }
        }
    }
    let title = if department.is_some() { "Edit department" } else { "Add department" };
    let onsubmit = move |evt: FormEvent| {
        let editing_id = editing_id.clone();
        async move {
            evt.prevent_default();
            let opt = |s: String| (!s.is_empty()).then_some(s);
            let input = DepartmentInput { name: name(), parent: opt(parent()), manager: opt(manager()) };
            let r = match editing_id {
                Some(id) => api::update_department(id, input).await.map(|_| "Department saved."),
                None => api::create_department(input).await.map(|_| "Department added."),
            };
            match r {
                Ok(msg) => on_done.call(Some(msg.to_string())),
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    let field = |n: &str| err.as_ref().and_then(|e| e.field_message(n)).map(str::to_string);
    rsx! {
        section { class: "card", "aria-labelledby": "dept-form-title",
            h2 { id: "dept-form-title", "{title}" }
            form { method: "post", novalidate: true, onsubmit,
                FormBanner { error: err.clone() }
                div { class: "form-grid",
                    TextField { id: "dept-name", label: "Name", value: name, error: field("name") }
                    SelectField { id: "dept-parent", label: "Parent department", value: parent, options: parents, placeholder: "None (top level)", error: field("parent") }
                    TextField { id: "dept-manager-find", label: "Find a manager", value: find, kind: "search", hint: "Type a name or email to narrow the list below." }
                    SelectField { id: "dept-manager", label: "Manager", value: manager, options: managers, placeholder: "No manager", error: field("manager") }
                }
                div { class: "form-actions",
                    button { class: "btn btn-primary", r#type: "submit", "Save department" }
                    button { class: "btn", r#type: "button", onclick: move |_| on_done.call(None), "Cancel" }
                }
            }
        }
    }
}

/// Delete a department: asks first, saying what goes with it; a refusal shows in red by the row.
#[component]
fn DepartmentDelete(id: String, name: String, members: u64, on_done: EventHandler<()>) -> Element {
    let mut confirm = use_signal(|| false);
    let mut refused = use_signal(|| None::<String>);
    let people = match members {
        0 => "Nobody belongs to it.".to_string(),
        1 => "1 person still belongs to it: move them to another department first.".to_string(),
        n => format!("{n} people still belong to it: move them to another department first."),
    };
    let no_delete = crate::ui::components::denied(crate::access::Module::DepartmentsGroups, crate::access::Action::Delete);
    rsx! {
        if confirm() {
            div { class: "confirm confirm-row", role: "alertdialog", "aria-label": "Delete {name}?",
                p { class: "small", "Delete {name}? {people}" }
                button {
                    class: "btn btn-small btn-danger",
                    "aria-label": "Confirm: delete {name}",
                    onclick: move |_| {
                        let id = id.clone();
                        async move {
                            confirm.set(false);
                            match api::delete_department(id).await {
                                Ok(()) => { refused.set(None); on_done.call(()) }
                                Err(e) => refused.set(Some(crate::ui::components::refusal_reason(&e))),
                            }
                        }
                    },
                    "Yes, delete"
                }
                button { class: "btn btn-small", onclick: move |_| confirm.set(false), "Cancel" }
            }
        } else {
            button { class: "btn btn-small", "aria-label": "Delete {name}", disabled: no_delete.is_some(), title: no_delete, onclick: move |_| confirm.set(true), "Delete" }
        }
        if let Some(why) = refused() {
            p { class: "field-error", role: "alert", "Not deleted: {why}" }
        }
    }
}
