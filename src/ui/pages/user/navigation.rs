//! Navigation permissions: modules hidden from a user's menu (hiding never grants).

use dioxus::prelude::*;

use crate::access::*;
use crate::api;
use crate::domain::*;
use crate::ui::components::*;

#[component]
pub fn NavigationWidget(user_id: String, setup: UserAccessSetup, on_changed: EventHandler<()>) -> Element {
    let shown = use_signal(|| {
        Module::ALL.iter().filter(|m| !setup.hidden_modules.contains(m)).map(|m| format!("{m:?}")).collect::<Vec<_>>()
    });
    let mut error = use_signal(|| None::<ApiError>);
    // Each module says whether the person could open it at all: checking one they hold no View
    // on changes nothing.
    let options: Vec<(String, String)> = Module::ALL
        .iter()
        .map(|m| {
            let label = if setup.grantable_modules.contains(m) { m.label().to_string() } else { format!("{} (not granted: stays closed)", m.label()) };
            (format!("{m:?}"), label)
        })
        .collect();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-nav",
            h2 { id: "w-nav", "Navigation permissions" }
            p { class: "muted", "Unchecked modules disappear from this user's menu and are refused everywhere. Checking a module never grants it." }
            FormBanner { error: error() }
            CheckboxGroup { id: "nav", legend: "Modules in the menu", selected: shown, options }
            button {
                class: "btn",
                onclick: move |_| {
                    let uid = user_id.clone();
                    let hidden: Vec<Module> = Module::ALL.iter().copied().filter(|m| !shown().contains(&format!("{m:?}"))).collect();
                    async move {
                        match api::set_hidden_modules(uid, hidden).await {
                            Ok(()) => { error.set(None); on_changed.call(()); }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                },
                "Save navigation"
            }
        }
    }
}
