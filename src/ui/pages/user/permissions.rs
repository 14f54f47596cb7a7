//! Permissions: profiles granted to the user directly, previewed before they are granted.

use dioxus::prelude::*;

use crate::access::*;
use crate::domain::*;
use crate::ui::components::*;
use crate::ui::preview_save::{ConfirmChange, PreviewSave};

#[component]
pub fn PermissionsWidget(user_id: String, setup: UserAccessSetup, org: AdminOrg, on_changed: EventHandler<()>) -> Element {
    let chosen = use_signal(String::new);
    let error = use_signal(|| None::<ApiError>);
    let options: Vec<(String, String)> = org
        .profiles
        .iter()
        .filter(|p| !setup.direct_profiles.iter().any(|d| d.id == p.id))
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let grant_of = |profile: String, user: String| OrgChange::AddGrant { grant: OrgGrant { profile, to: Grantee::User(user), from: None, until: None } };
    let uid = user_id.clone();
    let uid2 = user_id.clone();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-perms",
            h2 { id: "w-perms", "Permissions" }
            p { class: "muted", "Profiles granted to this user directly, on top of their role." }
            FormBanner { error: error() }
            ul { class: "list",
                for p in setup.direct_profiles.iter().cloned() {
                    li { key: "{p.id}", class: "list-item",
                        div { class: "list-main", "{p.name}" }
                        ConfirmChange {
                            change: OrgChange::RemoveGrant { grant: OrgGrant { profile: p.id.clone(), to: Grantee::User(uid.clone()), from: None, until: None } },
                            label: "Remove",
                            name: "Remove profile {p.name}",
                            on_done: move |_| on_changed.call(()),
                        }
                    }
                }
            }
            SelectField { id: "grant-profile", label: "Grant a profile", value: chosen, options, placeholder: "Choose a profile" }
            PreviewSave {
                change: grant_of(chosen(), uid2.clone()),
                error,
                save_label: "Grant",
                preview_label: "Preview the grant",
                cancel: false,
                disabled: chosen().is_empty(),
                on_done: move |_| on_changed.call(()),
            }
        }
    }
}
