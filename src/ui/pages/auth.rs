//! First-run setup and sign-in.

use dioxus::prelude::*;

use crate::domain::{setup_errors, sign_in_errors, ApiError, SessionInfo, PASSWORD_MIN_CHARS};
use crate::ui::call::use_call;
use crate::ui::components::{CardForm, FormBanner, TextField};
use crate::ui::{use_hydrated, Route, Session};

/// After a successful sign-in: the session is read again, and the dashboard shown unless the
/// page that was asked for stays.
fn signed_in(mut session: Session, to_dashboard: bool) {
    session.reload();
    if to_dashboard {
        navigator().replace(Route::Dashboard {});
    }
}

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
    let session = use_context::<Session>();
    let full_name = use_signal(String::new);
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let call = use_call();
    let ready = use_hydrated();

    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        // The same rules the server applies (the domain's), checked here first for a quick answer.
        if let Err(fields) = setup_errors(&full_name(), &email(), &password()) {
            return call.refuse(ApiError::fields(fields));
        }
        if call.run(crate::api::setup(full_name(), email(), password())).await.is_some() {
            signed_in(session, true);
        }
    };
    let (err, field) = ((call.error)(), |name: &str| call.field(name));
    let pending = call.pending;
    rsx! {
        CardForm { title: "Set up", eyebrow: "First run", heading: "Set up Gatehouse", onsubmit,
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

/// `/sign-in`.
#[component]
pub fn SignInRoute() -> Element {
    let session = use_context::<Session>();
    match session.info() {
        Some(Ok(SessionInfo { needs_setup: true, .. })) => rsx! { SetupPage {} },
        Some(Ok(SessionInfo { me: Some(me), .. })) if me.second_factor_pending => rsx! {
            super::SecondFactorPage { name: me.full_name.clone() }
        },
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
    let session = use_context::<Session>();
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let call = use_call();
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        if let Err(fields) = sign_in_errors(&email(), &password()) {
            return call.refuse(ApiError::fields(fields));
        }
        if call.run(crate::api::sign_in(email(), password())).await.is_some() {
            signed_in(session, !stay);
        }
    };
    let (err, field) = ((call.error)(), |name: &str| call.field(name));
    let pending = call.pending;
    rsx! {
        CardForm { title: "Sign in", eyebrow: "Gatehouse", onsubmit,
            FormBanner { error: err.clone() }
            TextField { id: "email", label: "Email address", value: email, kind: "email", autocomplete: "username", error: field("email"), required: true }
            TextField { id: "password", label: "Password", value: password, kind: "password", autocomplete: "current-password", error: field("password"), required: true }
            button { class: "btn btn-primary btn-block", r#type: "submit", disabled: pending() || !ready,
                if pending() { "Signing in…" } else { "Sign in" }
            }
            p { class: "form-foot", Link { to: Route::Forgot {}, "Forgot your password?" } }
            div { class: "or-line", role: "separator", "or" }
            super::passkeys::PasskeySignIn {}
        }
    }
}
