//! Second factors in the browser: the code step of a sign-in, the forced enrolment page, one's
//! own Security page (authenticator app, recovery codes), and the "confirm it is you" form that
//! any refused sensitive change shows (step-up).

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{CardForm, FormBanner, Notice, TextField};
use crate::ui::{use_hydrated, Session};

/// After a right password, when the account has a second factor: the code, or a recovery code.
#[component]
pub fn SecondFactorPage(name: String) -> Element {
    let mut session = use_context::<Session>();
    let code = use_signal(String::new);
    let call = use_call();
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| async move {
        evt.prevent_default();
        if let Err(m) = second_factor_code_errors(&code()) {
            return call.refuse(ApiError::field("code", m));
        }
        if call.run(api::finish_sign_in(code())).await.is_some() {
            session.reload();
        }
    };
    let cancel = move |_| async move {
        let _ = api::sign_out().await;
        session.reload();
    };
    let (err, field) = ((call.error)(), |n: &str| call.field(n));
    rsx! {
        CardForm { title: "Two-step sign-in", eyebrow: "Gatehouse", heading: "Enter your code", onsubmit,
            p { class: "muted",
                "{name}, open the authenticator app on your phone and type the 6-digit code it shows for Gatehouse. "
                "Without your phone, type one of your recovery codes instead."
            }
            FormBanner { error: err.clone() }
            TextField { id: "code", label: "Code", value: code, autocomplete: "one-time-code", error: field("code"), required: true,
                hint: "6 digits, or a recovery code like abcd-efgh-jkmn" }
            button { class: "btn btn-primary btn-block", r#type: "submit", disabled: !ready || (call.pending)(),
                if (call.pending)() { "Checking…" } else { "Verify and sign in" }
            }
            super::passkeys::PasskeySignIn { second_factor: true }
            p { class: "form-foot",
                button { class: "btn btn-quiet", r#type: "button", onclick: cancel, "Cancel and sign out" }
            }
        }
    }
}

/// Shown instead of the console when a second factor is required and not set up yet.
#[component]
pub fn EnrolPage(name: String, user_id: String) -> Element {
    let mut session = use_context::<Session>();
    let sign_out = move |_| async move {
        let _ = api::sign_out().await;
        session.reload();
    };
    rsx! {
        crate::ui::components::PageTitle { title: "Set up a second factor · Gatehouse" }
        main { class: "center-page",
            div { class: "card narrow",
                p { class: "eyebrow", "Gatehouse" }
                h1 { "Set up a second factor" }
                p { class: "muted",
                    "{name}, your account must use a second factor: after your password, a code from an "
                    "authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, …). "
                    "It takes a minute, and nothing else opens until it is done."
                }
                TotpEnrolment { on_done: move |_| session.reload() }
                h2 { class: "h3 enrol-or", "Or use a passkey" }
                super::passkeys::PasskeysCard { user_id, on_change: move |_| session.reload() }
                p { class: "form-foot",
                    button { class: "btn btn-quiet", r#type: "button", onclick: sign_out, "Sign out" }
                }
            }
        }
    }
}

#[derive(Clone, PartialEq)]
enum Step {
    Start,
    Scan(TotpSetup),
    Codes(Vec<String>),
}

/// Setting up an authenticator app: its QR code and secret, a first code, then the recovery
/// codes shown once.
#[component]
pub fn TotpEnrolment(
    on_done: EventHandler<()>,
    #[props(default)] again: bool,
    #[props(default)] on_confirmed: EventHandler<()>,
) -> Element {
    let mut step = use_signal(|| Step::Start);
    let code = use_signal(String::new);
    let call = use_call();
    let begin = move |_| async move {
        if let Some(setup) = call.run(api::totp_start()).await {
            step.set(Step::Scan(setup));
        }
    };
    let confirm = move |evt: FormEvent| async move {
        evt.prevent_default();
        if let Err(m) = second_factor_code_errors(&code()) {
            return call.refuse(ApiError::field("code", m));
        }
        if let Some(codes) = call.run(api::totp_confirm(code())).await {
            step.set(Step::Codes(codes));
            on_confirmed.call(());
        }
    };
    let (err, field) = ((call.error)(), |n: &str| call.field(n));
    match step() {
        Step::Start => rsx! {
            FormBanner { error: err.clone() }
            button { class: "btn btn-primary", r#type: "button", disabled: (call.pending)(), onclick: begin,
                if again { "Set up on a new phone" } else { "Set up an authenticator app" }
            }
        },
        Step::Scan(setup) => rsx! {
            form { class: "enrol", method: "post", novalidate: true, onsubmit: confirm,
                h2 { class: "h3", "1. Scan this code with your authenticator app" }
                div { class: "qr", role: "img", "aria-label": "QR code holding your authenticator app's secret", dangerous_inner_html: "{setup.qr_svg}" }
                p { class: "muted", "Cannot scan? Add an account by hand with this key (time-based):" }
                p { class: "secret", id: "totp-secret", "{setup.secret}" }
                h2 { class: "h3", "2. Type the code the app shows" }
                FormBanner { error: err.clone() }
                TextField { id: "code", label: "Code from the app", value: code, autocomplete: "one-time-code", error: field("code"), required: true }
                button { class: "btn btn-primary", r#type: "submit", disabled: (call.pending)(), "Confirm and turn on" }
            }
        },
        Step::Codes(codes) => rsx! {
            RecoveryCodes { codes }
            button {
                class: "btn btn-primary",
                r#type: "button",
                onclick: move |_| {
                    step.set(Step::Start);
                    on_done.call(());
                },
                "I have saved these codes"
            }
        },
    }
}

/// Recovery codes, shown once: each signs in one time without the phone.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> Element {
    rsx! {
        div { class: "banner banner-ok", role: "status", "Your authenticator app is on. Save these recovery codes now: they are shown only once." }
        p { class: "muted", "Each code signs you in once if your phone is lost or out of reach. Keep them somewhere safe, apart from your phone." }
        ol { class: "recovery-codes", "aria-label": "Recovery codes",
            for c in codes.iter() {
                li { key: "{c}", code { "{c}" } }
            }
        }
    }
}

/// `/security`: one's own second factor.
#[component]
pub fn Security() -> Element {
    let session = use_context::<Session>();
    let me = match session.info() {
        Some(Ok(SessionInfo { me: Some(me), .. })) => me,
        _ => return rsx! { p { role: "status", "Loading…" } },
    };
    let uid = me.id.clone();
    let mut status = use_resource(use_reactive!(|uid| async move { api::second_factor_status(uid).await }));
    let mut new_codes = use_signal(|| None::<Vec<String>>);
    let mut notice = use_signal(|| None::<String>);
    let mut confirm_off = use_signal(|| false);
    // Turned on just now (the recovery codes are on screen; the status reloads when they are put away).
    let mut on_now = use_signal(|| false);
    let call = use_call();
    let renew = move |_| async move {
        if let Some(codes) = call.run(api::renew_recovery_codes()).await {
            new_codes.set(Some(codes));
            notice.set(None);
            status.restart();
        }
    };
    let turn_off = move |_| async move {
        confirm_off.set(false);
        if call.run(api::turn_off_second_factor()).await.is_some() {
            notice.set(Some("Your authenticator app is off. Signing in now needs only your password.".into()));
            status.restart();
        }
    };
    let body = match &*status.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { div { class: "banner banner-error", role: "alert", "{e}" } },
        Some(Ok(s)) => {
            let s = s.clone();
            rsx! {
                section { class: "card widget", "aria-labelledby": "w-totp",
                    h2 { id: "w-totp", "Authenticator app" }
                    if let Some(since) = s.totp_since {
                        p { span { class: "badge badge-active", "On" } "Set up {crate::ui::browser::local_time(since)}. Signing in asks for its code after your password." }
                    } else if on_now() {
                        p { span { class: "badge badge-active", "On" } "Signing in asks for its code after your password." }
                    } else if s.passkeys > 0 {
                        p { span { class: "badge", "Off" } "Your passkeys serve as your second factor." }
                    } else {
                        p { span { class: "badge", "Off" } "Signing in needs only your password." }
                    }
                    if let Some(by) = &s.required_by {
                        p { class: "muted", "A second factor is required for {by}." }
                    }
                    Notice { text: notice() }
                    FormBanner { error: (call.error)() }
                    TotpEnrolment {
                        again: s.totp_since.is_some(),
                        on_confirmed: move |_| on_now.set(true),
                        on_done: move |_| {
                            notice.set(Some("Your authenticator app is on.".into()));
                            on_now.set(false);
                            status.restart();
                        },
                    }
                    if s.totp_since.is_some() && (s.required_by.is_none() || s.passkeys > 0) {
                        if confirm_off() {
                            div { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-off-text",
                                p { id: "confirm-off-text", "Turn off your authenticator app? Anyone with your password could then sign in as you." }
                                button { class: "btn btn-danger", onclick: turn_off, "Yes, turn it off" }
                                button { class: "btn", onclick: move |_| confirm_off.set(false), "Cancel" }
                            }
                        } else {
                            button { class: "btn btn-danger", onclick: move |_| confirm_off.set(true), "Turn off…" }
                        }
                    }
                }
                super::passkeys::PasskeysCard { user_id: me.id.clone(), on_change: move |_| status.restart() }
                super::tokens::ApiTokensCard {}
                if s.totp_since.is_some() {
                    section { class: "card widget", "aria-labelledby": "w-recovery",
                        h2 { id: "w-recovery", "Recovery codes" }
                        p { "{s.recovery_left} of 10 unused." }
                        if s.recovery_left <= RECOVERY_WARN_AT {
                            div { class: "banner banner-error", role: "alert", "Only {s.recovery_left} recovery codes left: make new ones so a lost phone does not lock you out." }
                        }
                        if let Some(codes) = new_codes() {
                            RecoveryCodes { codes }
                        }
                        button { class: "btn", onclick: renew, "Make new recovery codes" }
                        p { class: "muted", "New codes replace all the old ones." }
                    }
                }
            }
        }
    };
    rsx! {
        crate::ui::components::PageTitle { title: "Security · Gatehouse" }
        div { class: "page-head", h1 { "Sign-in and security" } }
        div { class: "widgets", {body} }
    }
}
