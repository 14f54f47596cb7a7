//! A user's second factor on their user page: set up or not, required or not, recovery codes
//! left, and the administrator's reset (a lost phone).

use dioxus::prelude::*;

use crate::api;
use crate::ui::call::use_call;
use crate::ui::components::*;
use crate::ui::Route;

#[component]
pub fn SecondFactorWidget(user_id: String, name: String, is_me: bool) -> Element {
    let uid = user_id.clone();
    let saves = crate::ui::use_saves();
    let mut status = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::second_factor_status(uid).await
    }));
    let mut confirm = use_signal(|| false);
    let mut notice = use_signal(|| None::<String>);
    let call = use_call();
    let reset = move |_| {
        let uid = user_id.clone();
        async move {
            confirm.set(false);
            if call.run(api::reset_second_factor(uid)).await.is_some() {
                notice.set(Some("Second factor reset. They were signed out everywhere and told by email.".into()));
                status.restart();
            }
        }
    };
    let body = match &*status.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(s)) => {
            let s = s.clone();
            rsx! {
                if let Some(since) = s.totp_since {
                    p { span { class: "badge badge-active", "On" } "Authenticator app since {crate::ui::browser::local_time(since)}; {s.recovery_left} recovery codes left." }
                    if s.passkeys > 0 {
                        p { "Passkeys: {s.passkeys}." }
                    }
                } else if s.passkeys > 0 {
                    p { span { class: "badge badge-active", "On" } "Passkeys: {s.passkeys}." }
                } else if s.required_by.is_some() {
                    p { span { class: "badge badge-blocked", "Required, not set up" } "They will be asked to set one up at their next sign-in." }
                } else {
                    p { span { class: "badge", "Off" } "Password only." }
                }
                if let Some(by) = &s.required_by {
                    p { class: "muted", "Required for {by}." }
                }
                if is_me {
                    Link { class: "btn", to: Route::Security {}, "Manage your second factor" }
                } else if s.enrolled() {
                    if confirm() {
                        div { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-sf-text",
                            p { id: "confirm-sf-text",
                                "Reset {name}'s second factor? Their authenticator app, recovery codes and passkeys stop working, they are signed out everywhere, "
                                "and they are told by email. Do this only once you know it is really them asking (a lost phone)."
                            }
                            button { class: "btn btn-danger", onclick: reset, "Yes, reset" }
                            button { class: "btn", onclick: move |_| confirm.set(false), "Cancel" }
                        }
                    } else {
                        button { class: "btn", onclick: move |_| confirm.set(true), "Reset second factor…" }
                    }
                }
            }
        }
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-second-factor",
            h2 { id: "w-second-factor", "Second factor" }
            Notice { text: notice() }
            FormBanner { error: (call.error)() }
            {body}
        }
    }
}
