//! Sharing: the organization-wide default of each record module, the hierarchy and
//! inactive-users switches, and the sharing rules ("records owned by X are shared with Y").

use dioxus::prelude::*;

use crate::access::{Module, OrgChange, OrgDefault, Party, ShareAccess, SharingRule};
use crate::api;
use crate::domain::*;
use crate::ui::components::{FormBanner, Notice, SelectField};

fn default_key(d: OrgDefault) -> &'static str {
    match d {
        OrgDefault::Private => "Private",
        OrgDefault::PublicRead => "PublicRead",
        OrgDefault::PublicReadWrite => "PublicReadWrite",
    }
}

fn default_of(key: &str) -> OrgDefault {
    match key {
        "PublicRead" => OrgDefault::PublicRead,
        "PublicReadWrite" => OrgDefault::PublicReadWrite,
        _ => OrgDefault::Private,
    }
}

fn party_text(o: &AdminOrg, p: &Party) -> String {
    let name = |list: Vec<(&String, &String)>, id: &String| list.into_iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.clone());
    match p {
        Party::Role { id, with_subordinates } => format!(
            "role {}{}",
            name(o.roles.iter().map(|r| (&r.id, &r.name)).collect(), id),
            if *with_subordinates { " and its subordinates" } else { "" }
        ),
        Party::Group(id) => format!("group {}", name(o.groups.iter().map(|g| (&g.id, &g.name)).collect(), id)),
        Party::Department { id, with_subdepartments } => format!(
            "department {}{}",
            name(o.departments.iter().map(|d| (&d.id, &d.name)).collect(), id),
            if *with_subdepartments { " with sub-departments" } else { "" }
        ),
    }
}

fn rule_text(o: &AdminOrg, r: &SharingRule) -> String {
    format!(
        "{} owned by {} are shared with {}, {}",
        r.module.label(),
        party_text(o, &r.owners),
        party_text(o, &r.recipients),
        if r.access == ShareAccess::ReadWrite { "read/write" } else { "read only" }
    )
}

#[component]
pub fn Sharing() -> Element {
    let mut org = use_resource(api::admin_org);
    let mut notice = use_signal(|| None::<String>);
    if let Some(refused) = crate::ui::components::without_module(crate::access::Module::Settings) {
        return refused;
    }
    let Some(result) = org.read().clone() else {
        return rsx! { p { role: "status", "Loading…" } };
    };
    let o = match result {
        Ok(o) => o,
        Err(e @ ApiError::Forbidden(_)) => return rsx! { crate::ui::components::Refused { error: e } },
        Err(e) => return rsx! { div { class: "card", h1 { "Sharing" } p { "{e}" } } },
    };
    let rules = o.sharing_rules.clone();
    rsx! {
        crate::ui::components::PageTitle { title: "Sharing · Gatehouse" }
        div { class: "page-head", h1 { "Sharing" } }
        p { class: "muted", "Profiles open a module; these settings widen which records people see in it. They never cross a company boundary and never give access to a module a profile does not open." }
        Notice { text: notice() }
        DefaultsForm { org: o.clone(), on_saved: move |m: String| { notice.set(Some(m)); org.restart(); } }
        section { class: "card", "aria-labelledby": "rules-h",
            h2 { id: "rules-h", "Sharing rules" }
            ul { class: "list",
                if rules.is_empty() { li { class: "muted", "No sharing rules yet." } }
                for r in rules.iter().cloned() {
                    li { key: "{r.id}", class: "list-item",
                        div { class: "list-main", "{rule_text(&o, &r)}" }
                        div { class: "row-actions",
                            super::roles::DeleteButton { label: format!("Delete sharing rule: {}", rule_text(&o, &r)), change: OrgChange::DeleteSharingRule { id: r.id.clone() },
                                on_done: move |m: String| { notice.set(Some(m)); org.restart(); } }
                        }
                    }
                }
            }
            RuleForm { org: o.clone(), on_saved: move |m: String| { notice.set(Some(m)); org.restart(); } }
        }
    }
}

#[component]
fn DefaultsForm(org: AdminOrg, on_saved: EventHandler<String>) -> Element {
    let mut values = use_signal(|| org.defaults.iter().map(|(m, d)| (*m, default_key(*d).to_string())).collect::<Vec<_>>());
    let mut hierarchy = use_signal(|| org.settings.hierarchy);
    let mut inactive = use_signal(|| org.settings.inactive_may_read);
    let error = use_signal(|| None::<ApiError>);
    let options: Vec<(String, String)> = [OrgDefault::Private, OrgDefault::PublicRead, OrgDefault::PublicReadWrite]
        .into_iter()
        .map(|d| (default_key(d).to_string(), d.label().to_string()))
        .collect();
    // Saved like a grant: "Preview changes" names who gains or loses reach first.
    let change = OrgChange::SaveSharing {
        defaults: values().into_iter().map(|(m, k)| (m, default_of(&k))).collect(),
        hierarchy: hierarchy(),
        inactive_may_read: inactive(),
    };
    rsx! {
        section { class: "card", "aria-labelledby": "defaults-h",
            h2 { id: "defaults-h", "Organization-wide defaults" }
            FormBanner { error: error() }
            div { class: "filter-row",
                for (i, (m, current)) in values().into_iter().enumerate() {
                    div { key: "{m:?}", class: "field",
                        label { r#for: "default-{i}", "{m.label()}" }
                        select { id: "default-{i}", name: "default-{i}",
                            onchange: move |e| values.with_mut(|v| {
                                if let Some(slot) = v.get_mut(i) {
                                    slot.1 = e.value();
                                }
                            }),
                            for (k, text) in options.iter().cloned() {
                                option { key: "{k}", value: "{k}", selected: current == k, "{text}" }
                            }
                        }
                    }
                }
            }
            label { class: "check",
                input { r#type: "checkbox", checked: hierarchy(), onchange: move |e: FormEvent| hierarchy.set(e.checked()) }
                span { "Grant access using hierarchies: a role also reaches, for View and Edit, records owned by roles below it" }
            }
            label { class: "check",
                input { r#type: "checkbox", checked: inactive(), onchange: move |e: FormEvent| inactive.set(e.checked()) }
                span { "Inactive users may sign in read-only" }
            }
            crate::ui::preview_save::PreviewSave {
                change,
                error,
                save_label: "Save defaults",
                cancel: false,
                on_done: move |saved: Option<String>| {
                    if let Some(text) = saved {
                        on_saved.call(text);
                    }
                },
            }
        }
    }
}

/// A party picker: kind (role, group, department), which one, and its "and below" switch.
#[component]
fn PartyPicker(prefix: String, legend: String, org: AdminOrg, kind: Signal<String>, id: Signal<String>, below: Signal<bool>, error: Option<String>) -> Element {
    let mut below = below;
    let options: Vec<(String, String)> = match kind().as_str() {
        "group" => org.groups.iter().map(|g| (g.id.clone(), g.name.clone())).collect(),
        "department" => org.departments.iter().map(|d| (d.id.clone(), d.name.clone())).collect(),
        _ => org.roles.iter().map(|r| (r.id.clone(), r.name.clone())).collect(),
    };
    let kinds = vec![("role".to_string(), "Role".to_string()), ("group".to_string(), "Group".to_string()), ("department".to_string(), "Department".to_string())];
    let below_text = match kind().as_str() {
        "role" => "and its subordinates",
        "department" => "with sub-departments",
        _ => "",
    };
    rsx! {
        fieldset { class: "field party",
            legend { "{legend}" }
            SelectField { id: "{prefix}-kind", label: "Kind", value: kind, options: kinds }
            SelectField { id: "{prefix}-id", label: "Which", value: id, options, placeholder: "Choose…", error }
            if !below_text.is_empty() {
                label { class: "check",
                    input { r#type: "checkbox", checked: below(), onchange: move |e: FormEvent| below.set(e.checked()) }
                    span { "{below_text}" }
                }
            }
        }
    }
}

fn party(kind: &str, id: String, below: bool) -> Party {
    match kind {
        "group" => Party::Group(id),
        "department" => Party::Department { id, with_subdepartments: below },
        _ => Party::Role { id, with_subordinates: below },
    }
}

#[component]
fn RuleForm(org: AdminOrg, on_saved: EventHandler<String>) -> Element {
    let module = use_signal(|| "Leads".to_string());
    let owners_kind = use_signal(|| "role".to_string());
    let owners_id = use_signal(String::new);
    let owners_below = use_signal(|| false);
    let to_kind = use_signal(|| "role".to_string());
    let to_id = use_signal(String::new);
    let to_below = use_signal(|| false);
    let access = use_signal(|| "Read".to_string());
    let mut error = use_signal(|| None::<ApiError>);
    let ready = crate::ui::use_hydrated();
    let modules: Vec<(String, String)> = Module::RECORDS.iter().map(|m| (format!("{m:?}"), m.label().to_string())).collect();
    let accesses = vec![("Read".to_string(), "Read only".to_string()), ("ReadWrite".to_string(), "Read/write".to_string())];
    let add = move |_| async move {
        let mut fields = Vec::new();
        if owners_id().is_empty() {
            fields.push(FieldError::new("owners", "choose whose records are shared"));
        }
        if to_id().is_empty() {
            fields.push(FieldError::new("recipients", "choose who they are shared with"));
        }
        if !fields.is_empty() {
            error.set(Some(ApiError::fields(fields)));
            return;
        }
        let m = Module::RECORDS.into_iter().find(|m| format!("{m:?}") == module()).unwrap_or(Module::Leads);
        let change = OrgChange::SaveSharingRule {
            id: None,
            module: m,
            owners: party(&owners_kind(), owners_id(), owners_below()),
            recipients: party(&to_kind(), to_id(), to_below()),
            access: if access() == "ReadWrite" { ShareAccess::ReadWrite } else { ShareAccess::Read },
        };
        match api::save_change(change, None).await {
            Ok(_) => {
                error.set(None);
                on_saved.call("Sharing rule added.".into());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let denied = crate::ui::components::denied(crate::access::Module::Settings, crate::access::Action::Edit);
    rsx! {
        div { class: "rule-form",
            h3 { "Add a sharing rule" }
            FormBanner { error: err.clone() }
            SelectField { id: "rule-module", label: "Records of", value: module, options: modules }
            PartyPicker { prefix: "owners", legend: "Owned by members of", org: org.clone(), kind: owners_kind, id: owners_id, below: owners_below,
                error: err.as_ref().and_then(|e| e.field_message("owners")).map(str::to_string) }
            PartyPicker { prefix: "recipients", legend: "Shared with members of", org: org.clone(), kind: to_kind, id: to_id, below: to_below,
                error: err.as_ref().and_then(|e| e.field_message("recipients")).map(str::to_string) }
            SelectField { id: "rule-access", label: "Access", value: access, options: accesses }
            div { class: "form-actions",
                button { class: "btn btn-primary", disabled: !ready || denied.is_some(), title: denied.clone(), onclick: add, "Add sharing rule" }
            }
            if let Some(why) = denied.clone() { p { class: "muted small", "{why}." } }
        }
    }
}
