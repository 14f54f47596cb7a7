use dioxus::prelude::*;

use crate::domain::SessionInfo;
use crate::ui::{Route, Session};

#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let session = use_context::<Session>();
    // An empty installation leads every address to setup.
    if let Some(Ok(SessionInfo { needs_setup: true, .. })) = session.info() {
        return rsx! { super::SetupPage {} };
    }
    #[cfg(feature = "server")]
    dioxus::fullstack::FullstackContext::commit_http_status(dioxus::fullstack::StatusCode::NOT_FOUND, None);
    let path = format!("/{}", segments.join("/"));
    rsx! {
        crate::ui::components::PageTitle { title: "Page not found · Gatehouse" }
        main { class: "center-page",
            div { class: "card narrow",
                p { class: "eyebrow", "404" }
                h1 { "This page does not exist" }
                p { "Nothing lives at " code { "{path}" } ". It may have moved, or the link may be mistyped." }
                Link { class: "btn", to: Route::Dashboard {}, "Go to the dashboard" }
            }
        }
    }
}
