//! Service accounts, on the API reference page: users that are not people, for SCIM
//! provisioning (an identity provider adding, changing, blocking and removing people) and
//! scripts. Made with a role of their own, the role of the people they add, and one read-write
//! token whose secret is shown once; listed, blocked and revoked on their user page like anyone.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{FormBanner, SelectField, TextField};

/// "Service accounts": what they are, how SCIM uses them, and the form that makes one.
#[component]
pub fn ServiceAccountsCard() -> Element {
    let roles = use_resource(|| async move { api::list_roles().await });
    let mut name = use_signal(String::new);
    let mut role = use_signal(String::new);
    let mut provision_role = use_signal(String::new);
    let days = use_signal(|| "90".to_string());
    let mut made = use_signal(|| None::<CreatedServiceAccount>);
    let call = use_call();
    let options: Vec<(String, String)> = match &*roles.read() {
        Some(Ok(list)) => list.iter().filter(|r| r.grantable).map(|r| (r.id.clone(), r.name.clone())).collect(),
        _ => Vec::new(),
    };
    let create = move |evt: FormEvent| async move {
        evt.prevent_default();
        let input = NewServiceAccount { name: name(), role: role(), provision_role: provision_role(), days: days().parse().unwrap_or(0) };
        if let Err(e) = new_service_account_errors(&input, 365) {
            return call.refuse(e);
        }
        if let Some(account) = call.run(api::create_service_account(input)).await {
            name.set(String::new());
            role.set(String::new());
            provision_role.set(String::new());
            made.set(Some(account));
        }
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-service-accounts",
            h2 { id: "w-service-accounts", "Service accounts (SCIM provisioning)" }
            p {
                "An identity provider (Entra ID, Okta) or an HR system keeps Gatehouse's people in step over SCIM 2.0: "
                "it adds people (they are invited by email), changes their name, address and department, blocks them "
                "(their sessions and tokens end at once) and removes them (offboarded). It acts as a service account: "
                "a user that is not a person and never signs in, with exactly its role's access."
            }
            p { "SCIM address: this server's address followed by " code { "/scim/v2" } "; authentication: the account's token, as a bearer token." }
            FormBanner { error: (call.error)() }
            if let Some(a) = made() {
                div { class: "banner banner-ok", role: "status",
                    p { "The service account “{a.name}” is made. Copy its token now: it is not shown again." }
                    div { class: "field",
                        label { r#for: "new-service-token", "Token" }
                        input { id: "new-service-token", class: "secret-text", readonly: true, value: "{a.secret}" }
                    }
                    p {
                        "Its page: "
                        Link { to: crate::ui::Route::UserPage { id: a.id.clone() }, "{a.name}" }
                        " (block it there, or revoke its token)."
                    }
                    button { class: "btn", onclick: move |_| made.set(None), "I have copied it" }
                }
            }
            if options.is_empty() {
                p { class: "muted", "Making a service account needs the right to add users." }
            } else {
            form { class: "inline-form", method: "post", novalidate: true, onsubmit: create,
                TextField { id: "sa-name", label: "Name of the service account", value: name, error: call.field("name"), hint: "Who uses it, like \"Entra ID\"" }
                SelectField { id: "sa-role", label: "Its role", value: role, options: options.clone(), placeholder: "Choose a role", error: call.field("role") }
                SelectField { id: "sa-provision-role", label: "Role of the people it adds", value: provision_role, options, placeholder: "Choose a role", error: call.field("provision_role") }
                SelectField { id: "sa-days", label: "Its token ends after", value: days,
                    options: vec![("30".to_string(), "30 days".to_string()), ("90".to_string(), "90 days".to_string()), ("365".to_string(), "365 days".to_string())],
                    error: call.field("days") }
                button { class: "btn", r#type: "submit", disabled: (call.pending)(), "Make a service account" }
            }
            }
        }
    }
}
