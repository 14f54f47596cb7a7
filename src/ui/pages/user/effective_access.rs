//! The engine's matrix for one user, each cell with its reasons on demand, and the conflicts.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

/// Effective access: the engine's matrix for this user, each cell with its reasons on demand,
/// and the conflicts highlighted.
#[component]
pub fn EffectiveAccessWidget(user_id: String) -> Element {
    use crate::access::{Action, Module};
    let uid = user_id.clone();
    let saves = crate::ui::use_saves();
    let access = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::effective_access(uid).await
    }));
    let mut open = use_signal(|| None::<(Module, Action)>);
    let body = match &*access.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(ApiError::Forbidden(_))) => rsx! { p { class: "muted", "Viewing effective access needs Roles & Profiles / View." } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(ea)) => {
            let ea = ea.clone();
            let selected = open().and_then(|(m, a)| ea.cells.iter().find(|c| c.module == m && c.action == a).cloned());
            rsx! {
                if ea.once_active {
                    p { class: "banner", role: "note",
                        "Not active yet: this is what they will be able to do once they have activated their account from the invitation."
                    }
                }
                ModuleActionTable {
                    caption: if ea.once_active { "Effective access once active, by module and action" } else { "Effective access by module and action" },
                    cell: {
                        let ea = ea.clone();
                        move |(m, a): (Module, Action)| {
                            let cell = ea.cells.iter().find(|c| c.module == m && c.action == a).cloned();
                            let conflict = ea.conflicts.iter().any(|c| c.module == m && c.action == a);
                            let (text, class) = match &cell {
                                Some(c) if c.decision.allowed() => (c.decision.level().label().to_string(), "cell-yes"),
                                _ => ("—".to_string(), "cell-no"),
                            };
                            let class = if conflict { format!("{class} cell-conflict") } else { class.to_string() };
                            rsx! {
                                td { class: "{class}",
                                    button {
                                        class: "cell-button",
                                        "aria-label": "{a.label()} on {m.label()}: {text}. Show why",
                                        onclick: move |_| open.set(Some((m, a))),
                                        "{text}"
                                        if conflict { span { class: "sr-only", " (conflict)" } }
                                    }
                                }
                            }
                        }
                    },
                }
                if let Some(c) = selected {
                    div { class: "why", role: "region", "aria-label": "Why",
                        h3 { "{c.action.label()} on {c.module.label()}: " if c.decision.allowed() { "{c.decision.level().label()}" } else { "not allowed" } }
                        ul { for r in c.decision.reasons().iter() { li { "{r}" } } }
                    }
                }
                if !ea.conflicts.is_empty() {
                    h3 { "Conflicts" }
                    ul { class: "list",
                        for c in ea.conflicts.iter() {
                            li { key: "{c.module.label()}-{c.action.label()}",
                                div { class: "list-main", "{c.action.label()} on {c.module.label()}: {c.winner.label()} wins" }
                                div { class: "list-sub", {c.sources.iter().map(|s| format!("{} → {}", s.source, s.level.label())).collect::<Vec<_>>().join("; ")} }
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        section { class: "card widget widget-wide", "aria-labelledby": "w-access",
            h2 { id: "w-access", "Effective access" }
            p { class: "muted", "What this user may do, module by module. Choose a cell to see why." }
            {body}
        }
    }
}
