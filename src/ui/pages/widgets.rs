//! The user page's seed-001 widgets: Member of, Permissions (profiles granted directly),
//! Licenses and Navigation permissions.

use dioxus::prelude::*;

use crate::access::{Grantee, Module, OrgChange, OrgGrant};
use crate::api;
use crate::domain::*;
use crate::ui::components::{CheckboxGroup, FormBanner, Notice, SelectField};

#[component]
pub fn AccessSetupWidgets(user_id: String) -> Element {
    let uid = user_id.clone();
    let mut saves = crate::ui::use_saves();
    let setup = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::user_access_setup(uid).await
    }));
    let org = use_resource(api::admin_org);
    let licenses = use_resource(api::list_licenses);
    let Some(Ok(s)) = setup.read().clone() else {
        return rsx! {};
    };
    rsx! {
        MemberOf { setup: s.clone() }
        if let Some(Ok(o)) = org.read().clone() {
            PermissionsWidget { user_id: user_id.clone(), setup: s.clone(), org: o, on_changed: move |_| saves += 1 }
        }
        if let Some(Ok(l)) = licenses.read().clone() {
            LicensesWidget { key: "{s.licenses.join(\",\")}", user_id: user_id.clone(), setup: s.clone(), licenses: l, on_changed: move |_| saves += 1 }
        }
        NavigationWidget { user_id: user_id.clone(), setup: s, on_changed: move |_| saves += 1 }
    }
}

#[component]
fn MemberOf(setup: UserAccessSetup) -> Element {
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-member",
            h2 { id: "w-member", "Member of" }
            p { "Role: " strong { "{setup.role.name}" } }
            if setup.groups.is_empty() {
                p { class: "muted", "No groups." }
            } else {
                p { "Groups: " {setup.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", ")} }
            }
            p { class: "muted", "Change the role in Details below; groups are managed on the Roles & profiles pages." }
        }
    }
}

#[component]
fn PermissionsWidget(user_id: String, setup: UserAccessSetup, org: AdminOrg, on_changed: EventHandler<()>) -> Element {
    let chosen = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut preview = use_signal(|| None::<String>);
    let options: Vec<(String, String)> = org
        .profiles
        .iter()
        .filter(|p| !setup.direct_profiles.iter().any(|d| d.id == p.id))
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let grant_of = |profile: String, user: String| OrgChange::AddGrant { grant: OrgGrant { profile, to: Grantee::User(user) } };
    let uid = user_id.clone();
    let uid2 = user_id.clone();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-perms",
            h2 { id: "w-perms", "Permissions" }
            p { class: "muted", "Profiles granted to this user directly, on top of their role." }
            FormBanner { error: error() }
            Notice { text: preview() }
            ul { class: "list",
                for p in setup.direct_profiles.iter().cloned() {
                    li { key: "{p.id}", class: "list-item",
                        div { class: "list-main", "{p.name}" }
                        button {
                            class: "btn btn-small",
                            "aria-label": "Remove profile {p.name}",
                            onclick: {
                                let (pid, uid) = (p.id.clone(), uid.clone());
                                move |_| {
                                    let change = OrgChange::RemoveGrant { grant: OrgGrant { profile: pid.clone(), to: Grantee::User(uid.clone()) } };
                                    async move {
                                        match api::save_change(change).await {
                                            Ok(_) => on_changed.call(()),
                                            Err(e) => error.set(Some(e)),
                                        }
                                    }
                                }
                            },
                            "Remove"
                        }
                    }
                }
            }
            SelectField { id: "grant-profile", label: "Grant a profile", value: chosen, options, placeholder: "Choose a profile" }
            div { class: "row-actions",
                button {
                    class: "btn",
                    disabled: chosen().is_empty(),
                    onclick: {
                        let uid = uid2.clone();
                        move |_| {
                            let change = grant_of(chosen(), uid.clone());
                            async move {
                                match api::preview_change(change).await {
                                    Ok(d) => { error.set(None); preview.set(Some(if d.summary.is_empty() { "No change in effective access.".into() } else { d.summary.join("; ") })) }
                                    Err(e) => error.set(Some(e)),
                                }
                            }
                        }
                    },
                    "Preview"
                }
                button {
                    class: "btn btn-primary",
                    disabled: chosen().is_empty(),
                    onclick: {
                        let uid = uid2.clone();
                        move |_| {
                            let change = grant_of(chosen(), uid.clone());
                            async move {
                                match api::save_change(change).await {
                                    Ok(_) => { preview.set(None); error.set(None); on_changed.call(()); }
                                    Err(e) => error.set(Some(e)),
                                }
                            }
                        }
                    },
                    "Grant"
                }
            }
        }
    }
}

#[component]
fn LicensesWidget(user_id: String, setup: UserAccessSetup, licenses: Vec<LicenseDto>, on_changed: EventHandler<()>) -> Element {
    let selected = use_signal(|| setup.licenses.clone());
    let mut error = use_signal(|| None::<ApiError>);
    let options: Vec<(String, String)> = licenses.iter().map(|l| (l.id.clone(), format!("{} ({} of {} seats used)", l.name, l.used, l.seats))).collect();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-licenses",
            h2 { id: "w-licenses", "Licenses" }
            if licenses.is_empty() {
                p { class: "muted", "No license types are defined." }
            } else {
                FormBanner { error: error() }
                CheckboxGroup { id: "licenses", legend: "Licenses held", selected, options,
                    error: error().as_ref().and_then(|e| e.field_message("licenses")).map(str::to_string) }
                button {
                    class: "btn",
                    onclick: move |_| {
                        let uid = user_id.clone();
                        async move {
                            match api::set_user_licenses(uid, selected()).await {
                                Ok(()) => { error.set(None); on_changed.call(()); }
                                Err(e) => error.set(Some(e)),
                            }
                        }
                    },
                    "Save licenses"
                }
            }
        }
    }
}

#[component]
fn NavigationWidget(user_id: String, setup: UserAccessSetup, on_changed: EventHandler<()>) -> Element {
    let shown = use_signal(|| {
        Module::ALL.iter().filter(|m| !setup.hidden_modules.contains(m)).map(|m| format!("{m:?}")).collect::<Vec<_>>()
    });
    let mut error = use_signal(|| None::<ApiError>);
    let options: Vec<(String, String)> = Module::ALL.iter().map(|m| (format!("{m:?}"), m.label().to_string())).collect();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-nav",
            h2 { id: "w-nav", "Navigation permissions" }
            p { class: "muted", "Unchecked modules disappear from this user's menu and are refused everywhere. Checking a module never grants it." }
            FormBanner { error: error() }
            CheckboxGroup { id: "nav", legend: "Modules in the menu", selected: shown, options }
            button {
                class: "btn",
                onclick: move |_| {
                    let uid = user_id.clone();
                    let hidden: Vec<Module> = Module::ALL.iter().copied().filter(|m| !shown().contains(&format!("{m:?}"))).collect();
                    async move {
                        match api::set_hidden_modules(uid, hidden).await {
                            Ok(()) => { error.set(None); on_changed.call(()); }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                },
                "Save navigation"
            }
        }
    }
}
