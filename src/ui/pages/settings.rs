//! Settings: how this installation is configured (mail, security, access, storage), each value
//! with where it comes from. The access switches are changed on the Sharing page; the rest is set
//! in the server's environment at start-up.

use dioxus::prelude::*;

use crate::api;
use crate::ui::call::use_call;
use crate::ui::components::{pending, FormBanner, Notice, TextField};
use crate::ui::Route;

#[component]
pub fn Settings() -> Element {
    let mut overview = use_resource(api::settings_overview);
    let body = match &*overview.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(o)) => {
            let groups = [("Mail", o.mail.clone()), ("Security", o.security.clone()), ("Access", o.access.clone()), ("Storage", o.storage.clone())];
            rsx! {
                div { class: "widgets",
                    SecondFactorPolicyCard {}
                    LifetimesCard { set: o.lifetimes, configured: o.configured, on_saved: move |_| overview.restart() }
                    for (title, rows) in groups {
                        section { key: "{title}", class: "card widget", "aria-label": "{title}",
                            h2 { "{title}" }
                            dl { class: "facts settings",
                                for (name, value, from) in rows {
                                    div { key: "{name}",
                                        dt { "{name}" }
                                        dd { "{value}" span { class: "muted small from", " · {from}" } }
                                    }
                                }
                            }
                            if title == "Access" {
                                Link { class: "btn btn-small", to: Route::Sharing {}, "Change on the Sharing page" }
                            }
                            if title == "Mail" {
                                TestEmail {}
                            }
                        }
                    }
                }
            }
        }
    };
    if let Some(refused) = crate::ui::components::refusal(&*overview.read()) {
        return refused;
    }
    rsx! {
        crate::ui::components::PageTitle { title: "Settings · Gatehouse" }
        div { class: "page-head", h1 { "Settings" } }
        p { class: "muted", "Values marked with a GATEHOUSE_… name are read from the server's environment at start-up (see the README); passwords are never shown." }
        {body}
    }
}

/// Who must use a second factor: everyone, or the members of chosen roles. Each switch saves at
/// once and says how many active people still have to set one up.
#[component]
fn SecondFactorPolicyCard() -> Element {
    let mut policy = use_resource(api::second_factor_policy);
    let call = use_call();
    let mut notice = use_signal(|| None::<String>);
    let set = move |role: Option<String>, name: String, required: bool| async move {
        if let Some(p) = call.run(api::set_second_factor_policy(role, required)).await {
            let who = if required { "must now use" } else { "no longer must use" };
            let missing = match p.missing {
                0 => "Everyone who must have one has set it up.".to_string(),
                1 => "1 active person must still set one up (at their next request).".to_string(),
                n => format!("{n} active people must still set one up (at their next request)."),
            };
            notice.set(Some(format!("{name} {who} a second factor. {missing}")));
            policy.restart();
        }
    };
    let denied = crate::ui::components::denied(crate::access::Module::Settings, crate::access::Action::Edit);
    let no_roles = crate::ui::components::denied(crate::access::Module::RolesProfiles, crate::access::Action::Edit);
    let body = match &*policy.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(p)) => {
            let p = p.clone();
            rsx! {
                if let Some(why) = denied.clone() { p { class: "muted small", "{why}." } }
                label { class: "check",
                    input {
                        id: "sf-everyone",
                        r#type: "checkbox",
                        disabled: denied.is_some(),
                        checked: p.everyone,
                        onchange: move |e: FormEvent| set(None, "Every account".into(), e.checked()),
                    }
                    "Every account must use a second factor"
                }
                fieldset { class: "checks", disabled: p.everyone || no_roles.is_some(), title: no_roles.clone(),
                    legend { "Or only these roles" }
                    for (id, name, required) in p.roles.clone() {
                        label { key: "{id}", class: "check",
                            input {
                                id: "sf-role-{id}",
                                r#type: "checkbox",
                                checked: required || p.everyone,
                                onchange: {
                                    let (id, name) = (id.clone(), name.clone());
                                    move |e: FormEvent| set(Some(id.clone()), format!("The {name} role"), e.checked())
                                },
                            }
                            "{name}"
                        }
                    }
                }
                p { class: "muted",
                    match p.missing {
                        0 => "Everyone who must have a second factor has set it up.".to_string(),
                        1 => "1 active person must use a second factor and has not set it up yet.".to_string(),
                        n => format!("{n} active people must use a second factor and have not set it up yet."),
                    }
                }
                Link { class: "btn btn-small", to: Route::users_where(crate::domain::UserFilters { second_factor: "missing".into(), ..Default::default() }), "See who has not set one up yet" }
            }
        }
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-sf-policy",
            h2 { id: "w-sf-policy", "Second factor" }
            p { class: "muted", "People who must use one set up an authenticator app right after their password, before anything else opens." }
            Notice { text: notice() }
            FormBanner { error: (call.error)() }
            {body}
        }
    }
}

/// "Send a test email to me": the same queue and transport as invitations, so an administrator
/// sees at once whether mail leaves this installation.
#[component]
fn TestEmail() -> Element {
    let call = use_call();
    let mut notice = use_signal(|| None::<String>);
    let send = move |_| async move {
        if let Some(said) = call.run(api::send_test_email()).await {
            notice.set(Some(said));
        }
    };
    let denied = crate::ui::components::denied(crate::access::Module::Settings, crate::access::Action::Edit);
    rsx! {
        button { class: "btn btn-small", disabled: (call.pending)() || denied.is_some(), title: denied, onclick: send,
            if (call.pending)() { "Sending…" } else { "Send a test email to me" }
        }
        Notice { text: notice() }
        FormBanner { error: (call.error)() }
    }
}

/// Invitation and session lifetimes, changed while the console runs (every instance follows at
/// its next request); an empty field means the server's configured value (shown as the hint).
#[component]
fn LifetimesCard(set: crate::access::Lifetimes, configured: crate::access::Lifetimes, on_saved: EventHandler<()>) -> Element {
    let text = |v: Option<u32>| v.map(|m| m.to_string()).unwrap_or_default();
    let invite = use_signal(|| text(set.invite_minutes));
    let idle = use_signal(|| text(set.session_idle_minutes));
    let max = use_signal(|| text(set.session_max_minutes));
    let mut error = use_signal(|| None::<crate::domain::ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let save = move |evt: FormEvent| async move {
        evt.prevent_default();
        let mut fields = Vec::new();
        let mut read = |value: String, field: &str| -> Option<u32> {
            let v = value.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    fields.push(crate::domain::FieldError::new(field, "enter a whole number of minutes, or leave it empty"));
                    None
                }
            }
        };
        let lifetimes = crate::access::Lifetimes {
            invite_minutes: read(invite(), "invite_minutes"),
            session_idle_minutes: read(idle(), "session_idle_minutes"),
            session_max_minutes: read(max(), "session_max_minutes"),
        };
        fields.extend(lifetimes.errors().into_iter().map(|(f, m)| crate::domain::FieldError::new(f, m)));
        if !fields.is_empty() {
            error.set(Some(crate::domain::ApiError::fields(fields)));
            return;
        }
        match api::save_change(crate::access::OrgChange::SaveLifetimes { lifetimes }, None).await {
            Ok(_) => {
                error.set(None);
                notice.set(Some("Lifetimes saved: new invitations and every session follow them from now on.".into()));
                on_saved.call(());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let field = |f: &str| err.as_ref().and_then(|e| e.field_message(f)).map(str::to_string);
    let hint = |v: Option<u32>| format!("Minutes. Empty: the server's {} minutes.", v.unwrap_or_default());
    let denied = crate::ui::components::denied(crate::access::Module::Settings, crate::access::Action::Edit);
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-lifetimes",
            h2 { id: "w-lifetimes", "Invitations and sessions" }
            p { class: "muted", "Change these without restarting the server. Shorter sessions end at their next request." }
            Notice { text: notice() }
            form { method: "post", novalidate: true, onsubmit: save,
                FormBanner { error: err.clone().filter(|e| !matches!(e, crate::domain::ApiError::Invalid { .. })) }
                TextField { id: "invite_minutes", label: "Invitation links work for", value: invite, kind: "number", hint: hint(configured.invite_minutes), error: field("invite_minutes") }
                TextField { id: "session_idle_minutes", label: "A session ends after inactivity of", value: idle, kind: "number", hint: hint(configured.session_idle_minutes), error: field("session_idle_minutes") }
                TextField { id: "session_max_minutes", label: "A session ends at the latest after", value: max, kind: "number", hint: hint(configured.session_max_minutes), error: field("session_max_minutes") }
                button { class: "btn btn-primary", r#type: "submit", disabled: denied.is_some(), title: denied.clone(), "Save lifetimes" }
                if let Some(why) = denied.clone() { p { class: "muted small", "{why}." } }
            }
        }
    }
}
