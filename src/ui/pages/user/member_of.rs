//! Member of: the role and the groups a user belongs to. Groups are changed here too: joining
//! (until removed, or for a while) previews who gains what, leaving asks first with who loses
//! what (the same checked save as the Groups page).

use dioxus::prelude::*;

use crate::access::{Holding, OrgChange};
use crate::domain::*;
use crate::ui::components::{window_of, SelectField, WindowFields};
use crate::ui::preview_save::{ConfirmChange, PreviewSave};

#[component]
pub fn MemberOf(user_id: String, setup: UserAccessSetup, org: Option<AdminOrg>, on_changed: EventHandler<()>) -> Element {
    let chosen = use_signal(String::new);
    let error = use_signal(|| None::<ApiError>);
    // How long the new membership counts.
    let duration = use_signal(String::new);
    let from_text = use_signal(String::new);
    let until_text = use_signal(String::new);
    let now = crate::ui::browser::now_ms();
    // The group saved with its members changed: everything else about it stays as it is.
    let with_members = move |group: &crate::access::OrgGroup, join: bool, user: &str| {
        let mut users: Vec<String> = group.users.iter().filter(|u| *u != user).cloned().collect();
        if join {
            users.push(user.to_string());
        }
        OrgChange::SaveGroup { id: Some(group.id.clone()), name: group.name.clone(), users, groups: group.groups.clone() }
    };
    let joinable: Vec<(String, String)> = org
        .iter()
        .flat_map(|o| o.groups.iter())
        .filter(|g| !g.users.contains(&user_id))
        .map(|g| (g.id.clone(), g.name.clone()))
        .collect();
    let join = org.as_ref().and_then(|o| o.groups.iter().find(|g| g.id == chosen())).map(|g| {
        match window_of(&duration(), &from_text(), &until_text(), now) {
            (None, None) => with_members(g, true, &user_id),
            (from, until) => OrgChange::SetWindow { user: user_id.clone(), what: Holding::Group(g.id.clone()), from, until },
        }
    });
    let until_of = |group: &str| {
        setup.windows.iter().find(|w| w.what == Holding::Group(group.to_string())).and_then(|w| w.until).map(crate::ui::browser::local_time)
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-member",
            h2 { id: "w-member", "Member of" }
            p { "Role: " strong { "{setup.role.name}" } span { class: "muted", " (change it in Details)" } }
            if setup.groups.is_empty() {
                p { class: "muted", "No groups." }
            }
            ul { class: "list",
                for g in setup.groups.iter().cloned() {
                    li { key: "{g.id}", class: "list-item",
                        div { class: "list-main", "{g.name}"
                            if let Some(until) = until_of(&g.id) { " " span { class: "small muted", "(until {until})" } }
                        }
                        // Only groups held directly can be left here (not those reached through
                        // a nested group), and only by someone who may edit groups.
                        if let Some(group) = org.as_ref().and_then(|o| o.groups.iter().find(|x| x.id == g.id && x.users.contains(&user_id))) {
                            ConfirmChange {
                                change: with_members(group, false, &user_id),
                                label: "Remove",
                                name: "Remove from group {g.name}",
                                on_done: move |_| on_changed.call(()),
                            }
                        }
                    }
                }
            }
            if org.is_some() && !joinable.is_empty() {
                SelectField { id: "join-group", label: "Add to a group", value: chosen, options: joinable, placeholder: "Choose a group" }
                if let Some(change) = join {
                    WindowFields { id: "join", duration, from_text, until_text,
                        until_error: error().and_then(|e| e.field_message("until").map(str::to_string)) }
                    PreviewSave {
                        change,
                        error,
                        save_label: "Add to group",
                        preview_label: "Preview",
                        cancel: false,
                        on_done: move |_| on_changed.call(()),
                    }
                }
                crate::ui::components::FormBanner { error: error() }
            }
        }
    }
}
