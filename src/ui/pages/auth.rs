//! First-run setup and sign-in.

use dioxus::prelude::*;

use crate::domain::{check_password, ApiError, Email, PersonName, SessionInfo, PASSWORD_MIN_CHARS};
use crate::ui::components::{FormBanner, TextField};
use crate::ui::{use_hydrated, Route, Session};

/// `/setup`: the setup form while the installation is empty, else a pointer to sign-in.
#[component]
pub fn SetupRoute() -> Element {
    let session = use_context::<Session>();
    match session.info() {
        Some(Ok(SessionInfo { needs_setup: false, .. })) => rsx! {
            main { class: "center-page",
                div { class: "card narrow",
                    h1 { "Gatehouse is already set up" }
                    p { "An administrator account exists. Sign in with it, or ask your administrator for an invitation." }
                    Link { class: "btn", to: Route::SignInRoute {}, "Go to sign in" }
                }
            }
        },
        _ => rsx! { SetupPage {} },
    }
}

#[component]
pub fn SetupPage() -> Element {
    let mut session = use_context::<Session>();
    let full_name = use_signal(String::new);
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut pending = use_signal(|| false);
    let ready = use_hydrated();

    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        // The same rules the server applies, checked here first for a quick answer.
        let mut fields = Vec::new();
        let name = PersonName::parse(&full_name()).map_err(|m| fields.push(crate::domain::FieldError::new("full_name", m)));
        let mail = Email::parse(&email()).map_err(|m| fields.push(crate::domain::FieldError::new("email", m)));
        let words = name.as_ref().map(|n| n.words()).unwrap_or_default();
        let local = mail.as_ref().map(|m| m.local_part()).unwrap_or_default();
        if let Err(msg) = check_password(&password(), &words, &local) {
            fields.push(crate::domain::FieldError::new("password", msg));
        }
        if !fields.is_empty() {
            error.set(Some(ApiError::fields(fields)));
            return;
        }
        pending.set(true);
        let result = crate::api::setup(full_name(), email(), password()).await;
        pending.set(false);
        match result {
            Ok(_) => {
                error.set(None);
                session.reload();
                navigator().replace(Route::Dashboard {});
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let field = |name: &str| err.as_ref().and_then(|e| e.field_message(name)).map(str::to_string);
    rsx! {
        document::Title { "Set up · Gatehouse" }
        main { class: "center-page",
            form { class: "card narrow", method: "post", novalidate: true, onsubmit,
                p { class: "eyebrow", "First run" }
                h1 { "Set up Gatehouse" }
                p { class: "muted",
                    "Create the first administrator. This account gets the built-in Administrator role; "
                    "you can invite everyone else once you are in."
                }
                FormBanner { error: err.clone() }
                TextField { id: "full_name", label: "Full name", value: full_name, autocomplete: "name", error: field("full_name"), required: true }
                TextField { id: "email", label: "Email address", value: email, kind: "email", autocomplete: "email", error: field("email"), required: true }
                TextField {
                    id: "password", label: "Password", value: password, kind: "password", autocomplete: "new-password",
                    hint: format!("At least {PASSWORD_MIN_CHARS} characters. A short sentence works well; no symbols required."),
                    error: field("password"), required: true,
                }
                button { class: "btn btn-primary btn-block", r#type: "submit", disabled: pending() || !ready,
                    if pending() { "Creating account…" } else { "Create administrator account" }
                }
            }
        }
    }
}

/// `/sign-in`.
#[component]
pub fn SignInRoute() -> Element {
    let session = use_context::<Session>();
    match session.info() {
        Some(Ok(SessionInfo { needs_setup: true, .. })) => rsx! { SetupPage {} },
        Some(Ok(SessionInfo { me: Some(me), .. })) => rsx! {
            main { class: "center-page",
                div { class: "card narrow",
                    h1 { "You are signed in" }
                    p { "Signed in as {me.full_name} ({me.email})." }
                    Link { class: "btn btn-primary", to: Route::Dashboard {}, "Go to the dashboard" }
                }
            }
        },
        _ => rsx! { SignInPage { stay: false } },
    }
}

/// The sign-in form. With `stay`, a successful sign-in shows the page that was asked for;
/// otherwise it goes to the dashboard.
#[component]
pub fn SignInPage(stay: bool) -> Element {
    let mut session = use_context::<Session>();
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut pending = use_signal(|| false);
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        let mut fields = Vec::new();
        if let Err(m) = Email::parse(&email()) {
            fields.push(crate::domain::FieldError::new("email", m));
        }
        if password().is_empty() {
            fields.push(crate::domain::FieldError::new("password", "enter your password"));
        }
        if !fields.is_empty() {
            error.set(Some(ApiError::fields(fields)));
            return;
        }
        pending.set(true);
        let result = crate::api::sign_in(email(), password()).await;
        pending.set(false);
        match result {
            Ok(_) => {
                error.set(None);
                session.reload();
                if !stay {
                    navigator().replace(Route::Dashboard {});
                }
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let field = |name: &str| err.as_ref().and_then(|e| e.field_message(name)).map(str::to_string);
    rsx! {
        document::Title { "Sign in · Gatehouse" }
        main { class: "center-page",
            form { class: "card narrow", method: "post", novalidate: true, onsubmit,
                p { class: "eyebrow", "Gatehouse" }
                h1 { "Sign in" }
                FormBanner { error: err.clone() }
                TextField { id: "email", label: "Email address", value: email, kind: "email", autocomplete: "username", error: field("email"), required: true }
                TextField { id: "password", label: "Password", value: password, kind: "password", autocomplete: "current-password", error: field("password"), required: true }
                button { class: "btn btn-primary btn-block", r#type: "submit", disabled: pending() || !ready,
                    if pending() { "Signing in…" } else { "Sign in" }
                }
                p { class: "form-foot", Link { to: Route::Forgot {}, "Forgot your password?" } }
            }
        }
    }
}
