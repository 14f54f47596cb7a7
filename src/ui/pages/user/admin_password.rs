//! "Change password" on someone's user page.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

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
