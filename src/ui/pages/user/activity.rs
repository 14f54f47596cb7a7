//! A user's trail in the audit log, in words.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;

/// "role: Sales Rep → Sales Manager; department: Sales North → Sales South".
pub fn changes_text(e: &AuditEntry) -> String {
    e.changes.iter().map(|c| format!("{}: {} → {}", c.field, c.before, c.after)).collect::<Vec<_>>().join("; ")
}

#[component]
pub fn ActivityWidget(user_id: String) -> Element {
    let uid = user_id.clone();
    let saves = crate::ui::use_saves();
    let activity = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::user_activity(uid).await
    }));
    let body = match &*activity.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(ApiError::Forbidden(_))) => rsx! { p { class: "muted", "Viewing activity needs the Audit log / View permission." } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(list)) if list.is_empty() => rsx! { p { class: "muted", "Nothing yet." } },
        Some(Ok(list)) => rsx! {
            ul { class: "list activity",
                for e in list.iter().take(30).cloned() {
                    li { key: "{e.id}",
                        div { class: "list-main", "{e.sentence}" }
                        if e.changes.len() > 1 { div { class: "list-sub", "{changes_text(&e)}" } }
                        div { class: "list-sub", "{crate::ui::browser::local_time(e.at)}" }
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-activity",
            h2 { id: "w-activity", "Activity" }
            {body}
        }
    }
}
