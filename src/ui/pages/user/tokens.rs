//! "API tokens" on someone's page: what they made (names, access, ends, last use; never a
//! secret), and revoking one, asking first.

use dioxus::prelude::*;

use crate::api;
use crate::ui::components::*;
use crate::ui::pages::tokens::TokenItem;

#[component]
pub fn TokensWidget(user_id: String, name: String) -> Element {
    let uid = user_id.clone();
    let saves = crate::ui::use_saves();
    let mut tokens = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::user_api_tokens(uid).await
    }));
    let mut notice = use_signal(|| None::<String>);
    let list = match &*tokens.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(list)) if list.is_empty() => rsx! { p { class: "muted", "{name} has no API tokens." } },
        Some(Ok(list)) => rsx! {
            ul { class: "list", "aria-label": "API tokens of {name}",
                for t in list.iter().cloned() {
                    TokenItem {
                        key: "{t.id}",
                        revoke_label: format!("Revoke the API token {}", t.name),
                        token: t.clone(),
                        on_revoke: {
                            let uid = user_id.clone();
                            move |_| {
                                let (uid, tid, label) = (uid.clone(), t.id.clone(), t.name.clone());
                                async move {
                                    match api::revoke_user_api_token(uid, tid).await {
                                        Ok(()) => notice.set(Some(format!("The API token “{label}” was revoked."))),
                                        Err(e) => notice.set(Some(refusal_reason(&e))),
                                    }
                                    tokens.restart();
                                }
                            }
                        },
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-tokens",
            h2 { id: "w-tokens", "API tokens" }
            Notice { text: notice() }
            {list}
        }
    }
}
