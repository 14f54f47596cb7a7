//! Settings: how this installation is configured (mail, security, access, storage), each value
//! with where it comes from. The access switches are changed on the Sharing page; the rest is set
//! in the server's environment at start-up.

use dioxus::prelude::*;

use crate::api;
use crate::ui::components::pending;
use crate::ui::Route;

#[component]
pub fn Settings() -> Element {
    let overview = use_resource(api::settings_overview);
    let body = match &*overview.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(o)) => {
            let groups = [("Mail", o.mail.clone()), ("Security", o.security.clone()), ("Access", o.access.clone()), ("Storage", o.storage.clone())];
            rsx! {
                div { class: "widgets",
                    for (title, rows) in groups {
                        section { key: "{title}", class: "card widget", "aria-label": "{title}",
                            h2 { "{title}" }
                            dl { class: "facts settings",
                                for (name, value, from) in rows {
                                    div { key: "{name}",
                                        dt { "{name}" }
                                        dd { "{value}" span { class: "muted small from", " · {from}" } }
                                    }
                                }
                            }
                            if title == "Access" {
                                Link { class: "btn btn-small", to: Route::Sharing {}, "Change on the Sharing page" }
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        document::Title { "Settings · Gatehouse" }
        div { class: "page-head", h1 { "Settings" } }
        p { class: "muted", "Values marked with a GATEHOUSE_… name are read from the server's environment at start-up (see the README); passwords are never shown." }
        {body}
    }
}
