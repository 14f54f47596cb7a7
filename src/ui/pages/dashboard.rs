//! The dashboard: counts by status as a bar chart, the organisation at a glance, recent sign-ins.

use dioxus::prelude::*;

use crate::domain::ApiError;

fn status_label(s: &str) -> &'static str {
    match s {
        "active" => "Active",
        "invited" => "Invited",
        "inactive" => "Inactive",
        "blocked" => "Blocked",
        _ => "Other",
    }
}

#[component]
pub fn Dashboard() -> Element {
    let session = use_context::<crate::ui::Session>();
    let summary = use_server_future(crate::api::dashboard)?;
    let body = match &*summary.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(ApiError::Forbidden(_))) => {
            let me = match session.info() {
                Some(Ok(crate::domain::SessionInfo { me: Some(me), .. })) => Some(me),
                _ => None,
            };
            let name = me.as_ref().map(|m| m.full_name.clone()).unwrap_or_default();
            rsx! {
                div { class: "card",
                    h2 { "Welcome, {name}" }
                    p { "The user overview is for administrators. Your menu shows the parts of the console your role opens for you." }
                }
            }
        }
        Some(Err(e)) => rsx! { div { class: "banner banner-error", role: "alert", "{e}" } },
        Some(Ok(s)) => {
            let max = s.users_by_status.iter().map(|c| c.count).max().unwrap_or(0).max(1);
            rsx! {
                div { class: "stats",
                    div { class: "stat", span { class: "stat-value", "{s.total_users}" } span { class: "stat-label", "Users" } }
                    div { class: "stat", span { class: "stat-value", "{s.companies}" } span { class: "stat-label", "Companies" } }
                    div { class: "stat", span { class: "stat-value", "{s.roles}" } span { class: "stat-label", "Roles" } }
                }
                div { class: "grid-2",
                    section { class: "card", "aria-labelledby": "by-status",
                        h2 { id: "by-status", "Users by status" }
                        ul { class: "bars",
                            for c in s.users_by_status.iter() {
                                li { key: "{c.status}", class: "bar-row",
                                    span { class: "bar-label", "{status_label(&c.status)}" }
                                    span { class: "bar-track",
                                        span {
                                            class: "bar-fill status-{c.status}",
                                            style: "width: {c.count * 100 / max}%",
                                        }
                                    }
                                    span { class: "bar-value", "{c.count}" }
                                }
                            }
                        }
                    }
                    section { class: "card", "aria-labelledby": "recent",
                        h2 { id: "recent", "Recent sign-ins" }
                        if s.recent_sign_ins.is_empty() {
                            p { class: "muted", "No sign-ins yet." }
                        }
                        ul { class: "list",
                            for r in s.recent_sign_ins.iter() {
                                li { key: "{r.email}-{r.at}",
                                    div { class: "list-main", "{r.full_name}" }
                                    div { class: "list-sub", "{r.email} · {r.when}" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        document::Title { "Dashboard · Gatehouse" }
        div { class: "page-head", h1 { "Dashboard" } }
        {body}
    }
}
