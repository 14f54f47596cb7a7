//! Member of: the role and the groups a user belongs to.

use dioxus::prelude::*;

use crate::domain::*;

#[component]
pub fn MemberOf(setup: UserAccessSetup) -> Element {
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-member",
            h2 { id: "w-member", "Member of" }
            p { "Role: " strong { "{setup.role.name}" } }
            if setup.groups.is_empty() {
                p { class: "muted", "No groups." }
            } else {
                p { "Groups: " {setup.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", ")} }
            }
            p { class: "muted", "Change the role in Details below; groups are managed on the Roles & profiles pages." }
        }
    }
}
