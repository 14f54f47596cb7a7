//! API tokens on one's Security page: make one (a name, read-only or read-write, how long), see
//! its secret once, see when each was last used, revoke one.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{FormBanner, Notice, SelectField, TextField};

/// How long a new token may last, within the installation's maximum.
fn lifetimes(max_days: u32) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [7u32, 30, 90, 365]
        .into_iter()
        .filter(|d| *d <= max_days)
        .map(|d| (d.to_string(), format!("{d} days")))
        .collect();
    if out.iter().all(|(d, _)| *d != max_days.to_string()) {
        out.push((max_days.to_string(), format!("{max_days} days (the most allowed)")));
    }
    out
}

/// One's API tokens: made, listed, revoked. A token acts with one's own access, never more.
#[component]
pub fn ApiTokensCard() -> Element {
    let mut list = use_resource(|| async move { api::api_tokens().await });
    let mut name = use_signal(String::new);
    let access = use_signal(|| "read".to_string());
    let days = use_signal(|| "30".to_string());
    let mut made = use_signal(|| None::<CreatedApiToken>);
    let mut notice = use_signal(|| None::<String>);
    let call = use_call();
    let max_days = match &*list.read() {
        Some(Ok(t)) => t.max_days,
        _ => 90,
    };
    let create = move |evt: FormEvent| async move {
        evt.prevent_default();
        let input = NewApiToken { name: name(), write: access() == "write", days: days().parse().unwrap_or(0) };
        if let Err(e) = new_api_token_errors(&input, max_days) {
            return call.refuse(e);
        }
        if let Some(token) = call.run(api::create_api_token(input)).await {
            notice.set(None);
            name.set(String::new());
            made.set(Some(token));
            list.restart();
        }
    };
    let rows = match &*list.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "muted", "{e}" } },
        Some(Ok(t)) if t.tokens.is_empty() => rsx! { p { class: "muted", "No API tokens." } },
        Some(Ok(t)) => rsx! {
            ul { class: "list", "aria-label": "Your API tokens",
                for k in t.tokens.iter().cloned() {
                    TokenItem {
                        key: "{k.id}",
                        revoke_label: format!("Revoke {}", k.name),
                        token: k.clone(),
                        on_revoke: move |_| {
                            let (id, label) = (k.id.clone(), k.name.clone());
                            async move {
                                if call.run(api::revoke_api_token(id)).await.is_some() {
                                    notice.set(Some(format!("“{label}” is revoked.")));
                                    list.restart();
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
            p { class: "muted",
                "A token lets a script or another system use Gatehouse's API as you, with exactly your access (never more); "
                "a read-only token cannot change anything. It stops working when it ends, when you revoke it, or when your account is blocked. "
                "What it can do is in the "
                Link { to: crate::ui::Route::ApiDocs {}, "API reference" }
                "."
            }
            Notice { text: notice() }
            FormBanner { error: (call.error)() }
            if let Some(t) = made() {
                div { class: "banner banner-ok", role: "status",
                    p { "Your new token “{t.token.name}”. Copy it now: it is not shown again." }
                    div { class: "field",
                        label { r#for: "new-token", "Token" }
                        input { id: "new-token", class: "secret-text", readonly: true, value: "{t.secret}" }
                    }
                    p { class: "muted", "Send it in each request: Authorization: Bearer followed by the token." }
                    button { class: "btn", onclick: move |_| made.set(None), "I have copied it" }
                }
            }
            {rows}
            form { class: "inline-form", method: "post", novalidate: true, onsubmit: create,
                TextField { id: "token-name", label: "Name of the new token", value: name, error: call.field("name"), hint: "Where it is used, like \"HR sync\"" }
                SelectField { id: "token-access", label: "Access", value: access,
                    options: vec![("read".to_string(), "Read-only".to_string()), ("write".to_string(), "Read-write".to_string())] }
                SelectField { id: "token-days", label: "Ends after", value: days, options: lifetimes(max_days), error: call.field("days") }
                button { class: "btn", r#type: "submit", disabled: (call.pending)(), "Make a token" }
            }
        }
    }
}

/// One token in a list (name, access, when made, ends and was last used; never its secret), and
/// "Revoke…", which asks first; `on_revoke` runs once confirmed.
#[component]
pub fn TokenItem(token: crate::domain::ApiTokenInfo, revoke_label: String, on_revoke: EventHandler<()>) -> Element {
    let k = token;
    let mut confirm = use_signal(|| false);
    rsx! {
        li { class: "list-item",
            div { class: "list-main",
                "{k.name} "
                span { class: if k.write { "badge badge-invited" } else { "badge" }, if k.write { "Read-write" } else { "Read-only" } }
            }
            div { class: "list-sub",
                "Made {crate::ui::browser::local_time(k.created_at)} · ends {crate::ui::browser::local_time(k.expires_at)} · "
                {k.last_used_at.map(|t| format!("last used {}", crate::ui::browser::local_time(t))).unwrap_or_else(|| "never used".into())}
                {k.last_used_ip.clone().map(|ip| format!(" from {ip}")).unwrap_or_default()}
            }
            if confirm() {
                div { class: "confirm", role: "alertdialog", "aria-label": "Revoke {k.name}",
                    p { "Revoke “{k.name}”? Anything using it stops working at once." }
                    button { class: "btn btn-danger", onclick: move |_| { confirm.set(false); on_revoke.call(()) }, "Yes, revoke" }
                    button { class: "btn", onclick: move |_| confirm.set(false), "Cancel" }
                }
            } else {
                button { class: "btn btn-small", "aria-label": "{revoke_label}", onclick: move |_| confirm.set(true), "Revoke…" }
            }
        }
    }
}
