//! The first page after activation: in plain words, what the person can do here, who their
//! manager is and whom to ask about access.

use dioxus::prelude::*;

use crate::api;
use crate::ui::components::{pending, refusal};
use crate::ui::Route;

#[component]
pub fn Welcome() -> Element {
    let welcome = use_resource(api::welcome);
    if let Some(refused) = refusal(&*welcome.read()) {
        return refused;
    }
    let w = match &*welcome.read() {
        state @ (None | Some(Err(_))) => return pending(state),
        Some(Ok(w)) => w.clone(),
    };
    let first = w.name.split_whitespace().next().unwrap_or(&w.name).to_string();
    rsx! {
        crate::ui::components::PageTitle { title: "Welcome · Gatehouse" }
        div { class: "page-head", h1 { "Welcome, {first}" } }
        section { class: "card", "aria-labelledby": "welcome-you",
            h2 { id: "welcome-you", "You" }
            p { "You are {w.role} in {w.department}, working for {w.companies.join(\", \")}." }
        }
        section { class: "card", "aria-labelledby": "welcome-can",
            h2 { id: "welcome-can", "What you can do here" }
            if w.can.is_empty() {
                p { "Nothing yet: ask the people below for the access your work needs." }
            } else {
                ul { class: "access-lines", for line in w.can.iter() { li { "{line}" } } }
            }
        }
        section { class: "card", "aria-labelledby": "welcome-ask",
            h2 { id: "welcome-ask", "Whom to ask" }
            match &w.manager {
                Some(m) => rsx! { p { "Your manager is {m.name} (" a { href: "mailto:{m.email}", "{m.email}" } ")." } },
                None => rsx! { p { "Your department has no manager set." } },
            }
            if !w.ask.is_empty() {
                p { "If something you need is missing, these people can change your access:" }
                ul { for c in w.ask.iter() { li { "{c.name} (" a { href: "mailto:{c.email}", "{c.email}" } ")" } } }
            }
        }
        div { class: "form-actions", Link { class: "btn btn-primary", to: Route::Dashboard {}, "Go to the dashboard" } }
    }
}
