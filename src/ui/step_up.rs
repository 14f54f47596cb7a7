//! "Confirm it is you" (step-up): shown in a form's banner when the server refused a
//! sensitive change for want of a recent sign-in.

use dioxus::prelude::*;

use crate::api;
use crate::domain::ApiError;
use crate::ui::call::use_call;
use crate::ui::components::TextField;

/// Shown where a change was refused for want of a recent sign-in: the password (and a code,
/// with a second factor) again; then the change can be repeated.
#[component]
pub fn StepUpForm() -> Element {
    let password = use_signal(String::new);
    let code = use_signal(String::new);
    let call = use_call();
    let mut done = use_signal(|| false);
    let confirm = move |_| async move {
        let code = Some(code()).filter(|c| !c.trim().is_empty());
        if call.run(api::confirm_identity(password(), code)).await.is_some() {
            done.set(true);
        }
    };
    let field = |n: &str| call.field(n);
    if done() {
        return rsx! { div { class: "banner banner-ok", role: "status", "Confirmed. Make your change again; for the next 10 minutes it will not ask." } };
    }
    rsx! {
        div { class: "banner banner-error step-up", role: "alert",
            p { "For this change, confirm it is you: enter your password (and your authenticator code, if you use one)." }
            if let Some(e) = (call.error)().filter(|e| !matches!(e, ApiError::Invalid { .. })) {
                p { "{e}" }
            }
            TextField { id: "stepup-password", label: "Your password", value: password, kind: "password", autocomplete: "current-password", error: field("password") }
            TextField { id: "stepup-code", label: "Authenticator code (if you use one)", value: code, autocomplete: "one-time-code", error: field("code") }
            button { class: "btn btn-primary", r#type: "button", disabled: (call.pending)(), onclick: confirm, "Confirm" }
        }
    }
}
