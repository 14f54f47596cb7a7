//! The dashboard: counts by status as a bar chart, the organisation at a glance, recent sign-ins.

use dioxus::prelude::*;

use crate::domain::{ApiError, AuditAction, AuditFilter, UserFilters};
use crate::ui::Route;

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
                    Link { class: "stat stat-link", to: Route::users(), span { class: "stat-value", "{s.total_users}" } span { class: "stat-label", "Users" } }
                    Link { class: "stat stat-link", to: Route::Companies {}, span { class: "stat-value", "{s.companies}" } span { class: "stat-label", "Companies" } }
                    Link { class: "stat stat-link", to: Route::Roles {}, span { class: "stat-value", "{s.roles}" } span { class: "stat-label", "Roles" } }
                    if let Some(n) = s.users_with_conflicts {
                        Link { class: "stat stat-link", to: crate::ui::Route::Conflicts {},
                            span { class: "stat-value", "{n}" } span { class: "stat-label", "People with conflicting access" }
                        }
                    }
                    a { class: "stat stat-link", href: "#stale", span { class: "stat-value", "{s.stale_total}" } span { class: "stat-label", "Stale accounts" } }
                    Link { class: if s.failed_sign_ins_24h > 0 { "stat stat-link stat-warn" } else { "stat stat-link" },
                        to: Route::Audit { filter: AuditFilter::action(AuditAction::SignInFailed.as_str()) },
                        span { class: "stat-value", "{s.failed_sign_ins_24h}" } span { class: "stat-label", "Failed sign-ins, last 24 hours" }
                    }
                    Link { class: if s.invitations_expiring > 0 { "stat stat-link stat-warn" } else { "stat stat-link" },
                        to: Route::users_where(UserFilters::status("invited")),
                        span { class: "stat-value", "{s.invitations_expiring}" } span { class: "stat-label", "Invitations expiring within a day" }
                    }
                    Link { class: "stat stat-link", to: Route::users_where(UserFilters { second_factor: "on".into(), ..Default::default() }),
                        span { class: "stat-value", "{s.second_factor_on}" } span { class: "stat-label", "Active people with a second factor" }
                    }
                    if s.second_factor_missing > 0 {
                        Link { class: "stat stat-link stat-warn", to: Route::users_where(UserFilters { second_factor: "missing".into(), ..Default::default() }),
                            span { class: "stat-value", "{s.second_factor_missing}" } span { class: "stat-label", "Required but no second factor yet" }
                        }
                    }
                }
                div { class: "grid-2",
                    section { class: "card", "aria-labelledby": "by-status",
                        h2 { id: "by-status", "Users by status" }
                        ul { class: "bars",
                            for c in s.users_by_status.iter() {
                                li { key: "{c.status}", class: "bar-row",
                                    Link { class: "bar-label", to: Route::users_where(UserFilters::status(&c.status)), "{status_label(&c.status)}" }
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
                    section { class: "card", "aria-labelledby": "seats",
                        h2 { id: "seats", "License seats" }
                        if s.seats.is_empty() {
                            p { class: "muted", "No license types yet." }
                        }
                        ul { class: "bars",
                            for l in s.seats.iter() {
                                li { key: "{l.license}", class: "bar-row",
                                    Link { class: "bar-label", to: Route::users_where(UserFilters { license: l.license_id.clone(), ..Default::default() }), "{l.license}" }
                                    span { class: "bar-track", role: "img", "aria-label": "{l.used} of {l.seats} seats used",
                                        span {
                                            class: if l.used >= l.seats { "bar-fill seats-full" } else if l.used * 10 >= l.seats * 9 { "bar-fill seats-near" } else { "bar-fill seats" },
                                            style: "width: {(l.used * 100).checked_div(l.seats).unwrap_or(100).min(100)}%",
                                        }
                                    }
                                    span { class: "bar-value", "{l.used}/{l.seats}"
                                        if l.used >= l.seats { " · full" } else if l.used * 10 >= l.seats * 9 { " · nearly full" }
                                    }
                                }
                            }
                        }
                    }
                    section { class: "card", "aria-labelledby": "stale",
                        h2 { id: "stale", "Stale accounts" }
                        p { class: "muted small", "Active, but unused for 90 days (or never used 30 days after the invitation): candidates to deactivate." }
                        if s.stale.is_empty() {
                            p { class: "muted", "None: every active account is in use." }
                        }
                        ul { class: "list",
                            for a in s.stale.iter() {
                                li { key: "{a.id}",
                                    div { class: "list-main", Link { to: crate::ui::Route::UserPage { id: a.id.clone() }, "{a.full_name}" } }
                                    div { class: "list-sub", "{a.email} · last sign-in {a.last_seen}" }
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
        crate::ui::components::PageTitle { title: "Dashboard · Gatehouse" }
        div { class: "page-head", h1 { "Dashboard" } }
        {body}
    }
}
