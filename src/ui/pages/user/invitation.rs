//! "Invitation" on an invited person's page: when the link lapses, a new one by email, or a new
//! one to hand over in person (shown once, copied, never mailed).

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

#[component]
pub fn InvitationWidget(
    user_id: String,
    name: String,
    mail_problem: Option<String>,
    expires_at: Option<i64>,
    /// Called with the confirmation once something changed (the page reloads the person).
    on_changed: EventHandler<String>,
) -> Element {
    let mut error = use_signal(|| None::<ApiError>);
    let mut made = use_signal(|| None::<InviteLink>);
    let mut copied = use_signal(|| None::<bool>);
    let uid = user_id.clone();
    let resend = move |_| {
        let id = uid.clone();
        async move {
            match api::resend_invite(id).await {
                Ok(()) => {
                    error.set(None);
                    made.set(None);
                    on_changed.call("A new invitation is on its way; the old link no longer works.".into());
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let make_link = move |_| {
        let id = user_id.clone();
        async move {
            match api::invite_link(id).await {
                Ok(l) => {
                    error.set(None);
                    copied.set(None);
                    made.set(Some(l));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let copy = move |_| async move {
        if let Some(l) = made() {
            copied.set(Some(crate::ui::browser::copy_text(&l.link).await));
        }
    };
    let now = crate::ui::browser::now_ms();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-invite",
            h2 { id: "w-invite", "Invitation" }
            if let Some(problem) = &mail_problem {
                div { class: "banner banner-error", role: "alert", "Invite not delivered: {problem}. It is retried automatically." }
            } else if made().is_none() {
                match expires_at {
                    Some(at) if at <= now => rsx! {
                        p { class: "warn-text", "The invitation link expired on {crate::ui::browser::local_time(at)}. Send a new one." }
                    },
                    Some(at) => rsx! { p { "The invitation was sent. Its link works once, until {crate::ui::browser::local_time(at)}." } },
                    None => rsx! { p { "No invitation link is open. Send a new one." } },
                }
            }
            FormBanner { error: error() }
            if let Some(l) = made() {
                div { class: "banner banner-ok", role: "status",
                    p { "A new invitation link for {name}. It works once, until {crate::ui::browser::local_time(l.expires_at)}; the link sent earlier no longer works. Give it only to {name}: whoever opens it sets the password." }
                    div { class: "field",
                        label { r#for: "invite-link", "Invitation link" }
                        input { id: "invite-link", class: "secret-text", readonly: true, value: "{l.link}" }
                    }
                    div { class: "form-actions",
                        button { class: "btn btn-primary", onclick: copy, "Copy link" }
                        button { class: "btn", onclick: move |_| made.set(None), "Done" }
                    }
                    match copied() {
                        Some(true) => rsx! { p { class: "small", role: "status", "Copied." } },
                        Some(false) => rsx! { p { class: "small", role: "status", "This browser did not allow copying: select the link and copy it." } },
                        None => rsx! {},
                    }
                }
            }
            div { class: "form-actions",
                button { class: "btn", onclick: resend, "Resend invitation" }
                button { class: "btn", onclick: make_link, "Copy a new invitation link" }
            }
        }
    }
}
