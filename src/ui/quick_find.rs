//! Quick find, at the top of the menu: people, roles, groups and records by name, in one call to
//! the server (`/api/find`), which searches only what the person's menu opens, through the same
//! services and checks as the pages themselves.

use dioxus::prelude::*;

use crate::domain::{module_slug, Found, FoundKind};
use crate::ui::Route;

/// What a found thing is called in the list, and the page it opens.
fn place(f: &Found) -> (&'static str, Route) {
    match f.kind {
        FoundKind::Person => ("Person", Route::UserPage { id: f.id.clone() }),
        FoundKind::Role => ("Role", Route::Roles {}),
        FoundKind::Group => ("Group", Route::Groups {}),
        FoundKind::Record(module) => (module.label(), Route::RecordPage { module: module_slug(module).to_string(), id: f.id.clone() }),
    }
}

#[component]
pub fn QuickFind() -> Element {
    let mut term = use_signal(String::new);
    let results = use_resource(move || {
        async move {
            let t = term().trim().to_string();
            if t.chars().count() < 2 {
                return None;
            }
            // A pause first: typing on restarts this and drops the earlier search.
            crate::ui::browser::sleep(250).await;
            let found = crate::api::quick_find(t.clone()).await.unwrap_or_default();
            Some((t, found))
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
                        for (i, (f, (kind, to))) in found.iter().map(|f| (f, place(f))).enumerate() {
                            li { key: "{i}",
                                Link { to, onclick: move |_| term.set(String::new()),
                                    span { class: "qf-kind", "{kind}" }
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
