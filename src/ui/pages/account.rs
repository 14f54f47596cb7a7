//! The user page's account widgets (change password, sessions, activity), the forced password
//! change after a temporary password, and the audit log page.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::{pending, FormBanner, Notice, Pager, TextField};
use crate::ui::{use_hydrated, Session};

/// "Change password" on someone's user page: a temporary password, or a reset link by email.
#[component]
pub fn AdminPasswordWidget(user_id: String, name: String) -> Element {
    let password = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let uid = user_id.clone();
    let set_temporary = move |evt: FormEvent| {
        let uid = uid.clone();
        async move {
            evt.prevent_default();
            match api::admin_password(uid, PasswordChange::Temporary(password())).await {
                Ok(()) => {
                    error.set(None);
                    notice.set(Some("Temporary password set. They were signed out and must choose their own at the next sign-in.".into()));
                    let mut p = password;
                    p.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let send_link = move |_| {
        let uid = user_id.clone();
        async move {
            match api::admin_password(uid, PasswordChange::SendResetLink).await {
                Ok(()) => {
                    error.set(None);
                    notice.set(Some("A reset link is on its way to their email.".into()));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-password",
            h2 { id: "w-password", "Change password" }
            p { class: "muted", "You never see {name}'s current password. Either send them a reset link, or set a temporary password they must replace at their next sign-in." }
            Notice { text: notice() }
            FormBanner { error: err.clone() }
            button { class: "btn", onclick: send_link, "Email a reset link" }
            form { method: "post", novalidate: true, onsubmit: set_temporary,
                TextField { id: "temp-password", label: "Temporary password", value: password, kind: "password", autocomplete: "new-password",
                    error: err.as_ref().and_then(|e| e.field_message("password")).map(str::to_string) }
                button { class: "btn", r#type: "submit", "Set temporary password" }
            }
        }
    }
}

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
                Ok(n) => notice.set(Some(format!("{n} session(s) ended."))),
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
                            {s.user_agent.clone().map(|ua| ua.chars().take(60).collect::<String>()).unwrap_or_else(|| "Unknown browser".into())}
                            if s.current { span { class: "badge badge-active", "This browser" } }
                        }
                        div { class: "list-sub", "Since {format_utc(s.created_at)} · last seen {format_utc(s.last_seen_at)} · {s.ip.clone().unwrap_or_default()}" }
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

/// "role: Sales Rep → Sales Manager; department: Sales North → Sales South".
fn changes_text(e: &AuditEntry) -> String {
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
                        div { class: "list-sub", "{format_utc(e.at)}" }
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

/// Shown instead of the console after a sign-in with a temporary password.
#[component]
pub fn ChangePasswordPage(name: String, email: String) -> Element {
    let mut session = use_context::<Session>();
    let current = use_signal(String::new);
    let password = use_signal(String::new);
    let confirm = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| {
        let (name, email) = (name.clone(), email.clone());
        async move {
            evt.prevent_default();
            let mut fields = new_password_errors(&password(), &confirm(), &name, &email);
            if current().is_empty() {
                fields.insert(0, FieldError::new("current", "enter the temporary password you signed in with"));
            }
            if !fields.is_empty() {
                error.set(Some(ApiError::fields(fields)));
                return;
            }
            match api::change_own_password(current(), password()).await {
                Ok(_) => session.reload(),
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    let field = |n: &str| err.as_ref().and_then(|e| e.field_message(n)).map(str::to_string);
    rsx! {
        document::Title { "Choose a new password · Gatehouse" }
        main { class: "center-page",
            form { class: "card narrow", method: "post", novalidate: true, onsubmit,
                p { class: "eyebrow", "Gatehouse" }
                h1 { "Choose a new password" }
                p { class: "muted", "You signed in with a temporary password. Choose your own to continue." }
                FormBanner { error: err.clone() }
                TextField { id: "current", label: "Temporary password", value: current, kind: "password", autocomplete: "current-password", error: field("current") }
                TextField { id: "password", label: "New password", value: password, kind: "password", autocomplete: "new-password",
                    hint: format!("At least {PASSWORD_MIN_CHARS} characters. A short sentence works well."), error: field("password") }
                TextField { id: "confirm", label: "Repeat the new password", value: confirm, kind: "password", autocomplete: "new-password", error: field("confirm") }
                button { class: "btn btn-primary btn-block", r#type: "submit", disabled: !ready, "Save and continue" }
            }
        }
    }
}

#[component]
pub fn Audit() -> Element {
    let actor = use_signal(String::new);
    let target = use_signal(String::new);
    let action = use_signal(String::new);
    let from = use_signal(String::new);
    let to = use_signal(String::new);
    let mut page = use_signal(|| 1u32);
    let mut notice = use_signal(|| None::<String>);
    let query = move || {
        let opt = |s: String| (!s.trim().is_empty()).then_some(s);
        AuditQuery {
            actor: opt(actor()),
            target: opt(target()),
            action: opt(action()),
            from: parse_date_ms(&from()),
            // "To" includes the whole day.
            to: parse_date_ms(&to()).map(|ms| ms + 86_400_000),
            page: page(),
        }
    };
    let rows = use_resource(move || async move { api::list_audit(query()).await });
    use_effect(move || {
        let _ = (actor(), target(), action(), from(), to());
        page.set(1);
    });
    let export = move |_| async move {
        match api::export_audit(query()).await {
            Ok(csv) => {
                let js = format!(
                    "const b = new Blob([{}], {{type: 'text/csv'}}); const a = document.createElement('a'); \
                     a.href = URL.createObjectURL(b); a.download = 'audit-log.csv'; document.body.appendChild(a); a.click(); a.remove();",
                    serde_json::to_string(&csv).unwrap_or_default()
                );
                document::eval(&js);
                notice.set(Some("The CSV file was downloaded.".into()));
            }
            Err(e) => notice.set(Some(e.to_string())),
        }
    };
    let body = match &*rows.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(p)) => {
            rsx! {
                table { class: "data",
                    caption { class: "sr-only", "Audit log" }
                    thead { tr { th { scope: "col", "When" } th { scope: "col", "What happened" } th { scope: "col", "Changes" } } }
                    tbody {
                        for e in p.items.iter().cloned() {
                            tr { key: "{e.id}",
                                td { "data-label": "When", "{format_utc(e.at)}" }
                                td { "data-label": "What happened", class: "wrap", "{e.sentence}" }
                                td { "data-label": "Changes", class: "wrap small", "{changes_text(&e)}" }
                            }
                        }
                    }
                }
                Pager { page, at: p.page, per_page: p.per_page, total: p.total, one: "entry", many: "entries" }
            }
        }
    };
    rsx! {
        document::Title { "Audit log · Gatehouse" }
        div { class: "page-head",
            h1 { "Audit log" }
            button { class: "btn", onclick: export, "Export CSV" }
        }
        Notice { text: notice() }
        section { class: "card filters", "aria-label": "Filters",
            div { class: "filter-row",
                TextField { id: "a-actor", label: "Who (name or id)", value: actor }
                TextField { id: "a-target", label: "Target (name, email or id)", value: target }
                TextField { id: "a-action", label: "Action starts with", value: action, hint: "e.g. user. or auth.sign_in" }
                TextField { id: "a-from", label: "From", value: from, kind: "date" }
                TextField { id: "a-to", label: "To", value: to, kind: "date" }
            }
        }
        {body}
    }
}

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
            let conflicted = |m: Module, a: Action| ea.conflicts.iter().any(|c| c.module == m && c.action == a);
            let selected = open().and_then(|(m, a)| ea.cells.iter().find(|c| c.module == m && c.action == a).cloned());
            rsx! {
                div { class: "matrix-wrap",
                    table { class: "matrix",
                        caption { class: "sr-only", "Effective access by module and action" }
                        thead { tr { th { scope: "col", "Module" } for a in Action::ALL { th { scope: "col", "{a.label()}" } } } }
                        tbody {
                            for m in Module::ALL {
                                tr { key: "{m.label()}",
                                    th { scope: "row", "{m.label()}" }
                                    for a in Action::ALL {
                                        {
                                            let cell = ea.cells.iter().find(|c| c.module == m && c.action == a).cloned();
                                            let (text, class) = match &cell {
                                                Some(c) if c.decision.allowed() => (c.decision.level().label().to_string(), "cell-yes"),
                                                _ => ("—".to_string(), "cell-no"),
                                            };
                                            let class = if conflicted(m, a) { format!("{class} cell-conflict") } else { class.to_string() };
                                            rsx! {
                                                td { class: "{class}",
                                                    button {
                                                        class: "cell-button",
                                                        "aria-label": "{a.label()} on {m.label()}: {text}. Show why",
                                                        onclick: move |_| open.set(Some((m, a))),
                                                        "{text}"
                                                        if conflicted(m, a) { span { class: "sr-only", " (conflict)" } }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
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
