//! Quick find, at the top of the menu: people, roles, groups and records by name, each from the
//! same server functions (and so the same access checks) as their own pages. Only what the
//! person's menu opens is searched.

use dioxus::prelude::*;

use crate::access::Module;
use crate::domain::{module_slug, RecordQuery, UserQuery};
use crate::ui::Route;

/// One thing found: what it is, its name, a line under it, and where it opens.
#[derive(Clone, PartialEq)]
struct Found {
    kind: &'static str,
    name: String,
    sub: String,
    to: Route,
}

/// At most this many of each kind.
const EACH: usize = 5;

async fn find(term: String, modules: Vec<Module>) -> Vec<Found> {
    let lower = term.to_lowercase();
    let mut found = Vec::new();
    if modules.contains(&Module::Users) {
        let query = UserQuery { search: term.clone(), per_page: EACH as u32, ..Default::default() };
        if let Ok(page) = crate::api::list_users(query).await {
            found.extend(page.items.into_iter().map(|u| Found { kind: "Person", sub: u.email, name: u.full_name, to: Route::UserPage { id: u.id } }));
        }
    }
    if modules.contains(&Module::RolesProfiles) {
        if let Ok(roles) = crate::api::list_roles().await {
            found.extend(roles.into_iter().filter(|r| r.name.to_lowercase().contains(&lower)).take(EACH).map(|r| Found {
                kind: "Role",
                name: r.name,
                sub: "Roles & profiles".into(),
                to: Route::Roles {},
            }));
        }
    }
    if modules.contains(&Module::DepartmentsGroups) {
        if let Ok(org) = crate::api::admin_org().await {
            found.extend(org.groups.into_iter().filter(|g| g.name.to_lowercase().contains(&lower)).take(EACH).map(|g| Found {
                kind: "Group",
                sub: crate::domain::count(g.users.len() as u64, "member", "members"),
                name: g.name,
                to: Route::Groups {},
            }));
        }
    }
    for module in Module::RECORDS.into_iter().filter(|m| modules.contains(m)) {
        let query = RecordQuery { module: Some(module), search: term.clone(), owner: None, company: None, page: 1, per_page: 3 };
        if let Ok(list) = crate::api::list_records(query).await {
            found.extend(list.page.items.into_iter().map(|r| Found {
                kind: r.module.label(),
                sub: format!("{} · {}", r.owner.name, r.company.name),
                name: r.title,
                to: Route::RecordPage { module: module_slug(r.module).to_string(), id: r.id },
            }));
        }
    }
    found
}

#[component]
pub fn QuickFind(modules: Vec<Module>) -> Element {
    let mut term = use_signal(String::new);
    let results = use_resource(move || {
        let modules = modules.clone();
        async move {
            let t = term().trim().to_string();
            if t.chars().count() < 2 {
                return None;
            }
            // A pause first: typing on restarts this and drops the earlier search.
            crate::ui::browser::sleep(250).await;
            Some((t.clone(), find(t, modules).await))
        }
    });
    let list = results.read().clone().flatten();
    rsx! {
        div { class: "quick-find", role: "search",
            label { r#for: "quick-find", "Find" }
            input {
                id: "quick-find",
                r#type: "search",
                placeholder: "People, roles, groups, records",
                autocomplete: "off",
                "aria-describedby": "quick-find-count",
                value: "{term}",
                oninput: move |e| term.set(e.value()),
                onkeydown: move |e: KeyboardEvent| {
                    if e.key() == Key::Escape {
                        term.set(String::new());
                    }
                },
            }
            if let Some((searched, found)) = list {
                p { id: "quick-find-count", class: "sr-only", role: "status",
                    {crate::domain::count(found.len() as u64, "result", "results")}
                }
                div { class: "quick-results",
                    if found.is_empty() {
                        p { class: "muted small", "Nothing matches “{searched}”." }
                    }
                    ul {
                        for (i, f) in found.into_iter().enumerate() {
                            li { key: "{i}",
                                Link { to: f.to.clone(), onclick: move |_| term.set(String::new()),
                                    span { class: "qf-kind", "{f.kind}" }
                                    span { class: "qf-name", "{f.name}" }
                                    span { class: "qf-sub", "{f.sub}" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
