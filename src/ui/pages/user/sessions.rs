//! A user's sessions: where they are signed in, and ending them.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

#[component]
pub fn SessionsWidget(user_id: String) -> Element {
    let uid = user_id.clone();
    let saves = crate::ui::use_saves();
    let mut sessions = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::list_sessions(uid).await
    }));
    let mut notice = use_signal(|| None::<String>);
    let uid_all = user_id.clone();
    let end_all = move |_| {
        let uid = uid_all.clone();
        async move {
            match api::end_sessions(uid, None).await {
                Ok(n) => notice.set(Some(format!("{} ended.", count(n as u64, "session", "sessions")))),
                Err(e) => notice.set(Some(e.to_string())),
            }
            sessions.restart();
        }
    };
    let list = match &*sessions.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(list)) if list.is_empty() => rsx! { p { class: "muted", "Not signed in anywhere." } },
        Some(Ok(list)) => rsx! {
            ul { class: "list",
                for s in list.iter().cloned() {
                    li { key: "{s.id}", class: "list-item",
                        div { class: "list-main",
                            span { title: "{s.user_agent.clone().unwrap_or_default()}", "{device_name(s.user_agent.as_deref())}" }
                            if s.current { span { class: "badge badge-active", "This browser" } }
                        }
                        div { class: "list-sub", "Since {crate::ui::browser::local_time(s.created_at)} · last seen {crate::ui::browser::local_time(s.last_seen_at)} · {s.ip.clone().unwrap_or_default()} · signed in with {s.auth_method.label()}" }
                        if !s.current {
                            button {
                                class: "btn btn-small",
                                onclick: {
                                    let (uid, sid) = (user_id.clone(), s.id.clone());
                                    move |_| {
                                        let (uid, sid) = (uid.clone(), sid.clone());
                                        async move {
                                            match api::end_sessions(uid, Some(sid)).await {
                                                Ok(_) => notice.set(Some("Session ended.".into())),
                                                Err(e) => notice.set(Some(e.to_string())),
                                            }
                                            sessions.restart();
                                        }
                                    }
                                },
                                "End session"
                            }
                        }
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-sessions",
            h2 { id: "w-sessions", "Sessions" }
            Notice { text: notice() }
            {list}
            button { class: "btn", onclick: end_all, "End all other sessions" }
        }
    }
}
