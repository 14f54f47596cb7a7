//! Pages reached from email: account activation and password reset; and "forgot password".

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{FormBanner, TextField};
use crate::ui::{use_hydrated, Route, Session};

#[component]
pub fn Activate(token: String) -> Element {
    rsx! { LinkPage { token, kind: LinkKind::Activation } }
}

#[component]
pub fn Reset(token: String) -> Element {
    rsx! { LinkPage { token, kind: LinkKind::Reset } }
}

#[component]
fn LinkPage(token: String, kind: LinkKind) -> Element {
    let t = token.clone();
    let info = use_resource(use_reactive!(|t| async move { api::link_info(t).await }));
    let title = if kind == LinkKind::Activation { "Activate your account" } else { "Choose a new password" };
    let body = match &*info.read() {
        None => rsx! { p { role: "status", "Checking your link…" } },
        Some(Err(e)) => {
            let msg = e.to_string();
            rsx! {
                h1 { "This link no longer works" }
                div { class: "banner banner-error", role: "alert", "{msg}" }
                if kind == LinkKind::Activation {
                    p { "Activation links work once and expire. Your administrator can send you a new invitation from your user page." }
                    Link { class: "btn", to: Route::SignInRoute {}, "Go to sign in" }
                } else {
                    p { "Reset links work once and expire after two hours." }
                    Link { class: "btn btn-primary", to: Route::Forgot {}, "Ask for a new link" }
                }
            }
        }
        Some(Ok(i)) => rsx! {
            h1 { "{title}" }
            p { class: "muted", "{i.full_name} · {i.email}" }
            PasswordForm { token: token.clone(), name: i.full_name.clone(), email: i.email.clone(), kind }
        },
    };
    rsx! {
        crate::ui::components::PageTitle { title: "{title} · Gatehouse" }
        main { class: "center-page",
            div { class: "card narrow", p { class: "eyebrow", "Gatehouse" } {body} }
        }
    }
}

#[component]
fn PasswordForm(token: String, name: String, email: String, kind: LinkKind) -> Element {
    let mut session = use_context::<Session>();
    let password = use_signal(String::new);
    let confirm = use_signal(String::new);
    let call = use_call();
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| {
        let token = token.clone();
        let (name, email) = (name.clone(), email.clone());
        async move {
            evt.prevent_default();
            let fields = new_password_errors(&password(), &confirm(), &name, &email);
            if !fields.is_empty() {
                return call.refuse(ApiError::fields(fields));
            }
            if call.run(api::complete_link(token, password())).await.is_some() {
                session.reload();
                // A new person starts with their welcome; a reset goes back to work.
                navigator().replace(if kind == LinkKind::Activation { Route::Welcome {} } else { Route::Dashboard {} });
            }
        }
    };
    let (err, field, pending) = ((call.error)(), |n: &str| call.field(n), call.pending);
    let button = if kind == LinkKind::Activation { "Activate and sign in" } else { "Save password and sign in" };
    rsx! {
        form { method: "post", novalidate: true, onsubmit,
            FormBanner { error: err.clone() }
            TextField {
                id: "password", label: "New password", value: password, kind: "password", autocomplete: "new-password",
                hint: format!("At least {PASSWORD_MIN_CHARS} characters. A short sentence works well; no symbols required."),
                error: field("password"), required: true,
            }
            TextField { id: "confirm", label: "Repeat the password", value: confirm, kind: "password", autocomplete: "new-password", error: field("confirm"), required: true }
            button { class: "btn btn-primary btn-block", r#type: "submit", disabled: pending() || !ready,
                if pending() { "Saving…" } else { "{button}" }
            }
        }
    }
}

#[component]
pub fn Forgot() -> Element {
    let email = use_signal(String::new);
    let mut sent = use_signal(|| false);
    let call = use_call();
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        if let Err(m) = Email::parse(&email()) {
            return call.refuse(ApiError::field("email", m));
        }
        if call.run(api::forgot_password(email())).await.is_some() {
            sent.set(true);
        }
    };
    let (err, field, pending) = ((call.error)(), |n: &str| call.field(n), call.pending);
    rsx! {
        crate::ui::components::PageTitle { title: "Forgot password · Gatehouse" }
        main { class: "center-page",
            div { class: "card narrow",
                p { class: "eyebrow", "Gatehouse" }
                h1 { "Forgot your password?" }
                if sent() {
                    div { class: "banner banner-ok", role: "status",
                        "If an active account uses {email}, a link to choose a new password is on its way. It works once, for two hours."
                    }
                    Link { class: "btn", to: Route::SignInRoute {}, "Back to sign in" }
                } else {
                    p { class: "muted", "Enter your email address and we will send you a link to choose a new password." }
                    form { method: "post", novalidate: true, onsubmit,
                        FormBanner { error: err.clone() }
                        TextField { id: "email", label: "Email address", value: email, kind: "email", autocomplete: "username", error: field("email"), required: true }
                        button { class: "btn btn-primary btn-block", r#type: "submit", disabled: pending() || !ready,
                            if pending() { "Sending…" } else { "Send me a link" }
                        }
                    }
                    p { class: "form-foot", Link { to: Route::SignInRoute {}, "Back to sign in" } }
                }
            }
        }
    }
}
