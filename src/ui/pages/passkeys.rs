//! Passkeys in the console: the list on one's Security page (add under a name, remove), and the
//! "Sign in with a passkey" button of the sign-in and code pages.

use dioxus::prelude::*;

use crate::api;
use crate::ui::call::use_call;
use crate::ui::components::{FormBanner, Notice, TextField};
use crate::ui::{passkey, Session};

/// One's passkeys: name, added, last used; add one under a name; remove one.
#[component]
pub fn PasskeysCard(user_id: String, #[props(default)] on_change: EventHandler<()>) -> Element {
    let uid = user_id.clone();
    let mut list = use_resource(use_reactive!(|uid| async move { api::list_passkeys(uid).await }));
    let name = use_signal(|| "This device".to_string());
    let mut notice = use_signal(|| None::<String>);
    let call = use_call();
    let add = move |evt: FormEvent| async move {
        evt.prevent_default();
        let registered = call
            .run(async move {
                let challenge = api::passkey_register_start(name()).await?;
                let credential = passkey::create(challenge.options).await?;
                api::passkey_register_finish(challenge.ceremony, credential).await
            })
            .await;
        if registered.is_some() {
            notice.set(Some(format!("Passkey “{}” added. It can sign you in without your password.", name())));
            list.restart();
            on_change.call(());
        }
    };
    let rows = match &*list.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(keys)) if keys.is_empty() => rsx! { p { class: "muted", "No passkeys yet." } },
        Some(Ok(keys)) => rsx! {
            ul { class: "list", "aria-label": "Your passkeys",
                for k in keys.iter().cloned() {
                    li { key: "{k.id}", class: "list-item",
                        div { class: "list-main", "{k.name}" }
                        div { class: "list-sub",
                            "Added {crate::ui::browser::local_time(k.created_at)} · "
                            {k.last_used_at.map(|t| format!("last used {}", crate::ui::browser::local_time(t))).unwrap_or_else(|| "never used".into())}
                        }
                        button {
                            class: "btn btn-small",
                            "aria-label": "Remove passkey {k.name}",
                            onclick: {
                                let id = k.id.clone();
                                move |_| {
                                    let id = id.clone();
                                    async move {
                                        if call.run(api::remove_passkey(id)).await.is_some() {
                                            notice.set(Some("Passkey removed.".into()));
                                            list.restart();
                                            on_change.call(());
                                        }
                                    }
                                }
                            },
                            "Remove"
                        }
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-passkeys",
            h2 { id: "w-passkeys", "Passkeys" }
            p { class: "muted",
                "A passkey signs you in with this device's screen lock (fingerprint, face or PIN) instead of a password and code. "
                "It also serves as your second factor after a password."
            }
            Notice { text: notice() }
            FormBanner { error: (call.error)() }
            {rows}
            form { class: "inline-form", method: "post", novalidate: true, onsubmit: add,
                TextField { id: "passkey-name", label: "Name of the new passkey", value: name, error: call.field("name") }
                button { class: "btn", r#type: "submit", disabled: (call.pending)(), "Add a passkey" }
            }
        }
    }
}

/// "Sign in with a passkey": alone on the sign-in page, or as the second factor on the code page.
#[component]
pub fn PasskeySignIn(#[props(default)] second_factor: bool) -> Element {
    let mut session = use_context::<Session>();
    let call = use_call();
    let go = move |_| async move {
        let me = call
            .run(async move {
                let challenge = api::passkey_sign_in_start().await?;
                let credential = passkey::get(challenge.options).await?;
                api::passkey_sign_in_finish(challenge.ceremony, credential).await
            })
            .await;
        if me.is_some() {
            session.reload();
            if !second_factor {
                navigator().replace(crate::ui::Route::Dashboard {});
            }
        }
    };
    rsx! {
        div { class: "passkey-sign-in",
            FormBanner { error: (call.error)() }
            button { class: "btn btn-block", r#type: "button", disabled: (call.pending)(), onclick: go,
                if second_factor { "Use a passkey instead" } else { "Sign in with a passkey" }
            }
        }
    }
}
