//! Licenses a user holds.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

#[component]
pub fn LicensesWidget(user_id: String, setup: UserAccessSetup, licenses: Vec<LicenseDto>, on_changed: EventHandler<()>) -> Element {
    let selected = use_signal(|| setup.licenses.clone());
    let mut error = use_signal(|| None::<ApiError>);
    let options: Vec<(String, String)> = licenses.iter().map(|l| (l.id.clone(), format!("{} ({} of {} seats used)", l.name, l.used, l.seats))).collect();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-licenses",
            h2 { id: "w-licenses", "Licenses" }
            if licenses.is_empty() {
                p { class: "muted", "No license types are defined." }
            } else {
                FormBanner { error: error() }
                CheckboxGroup { id: "licenses", legend: "Licenses held", selected, options,
                    error: error().as_ref().and_then(|e| e.field_message("licenses")).map(str::to_string) }
                button {
                    class: "btn",
                    onclick: move |_| {
                        let uid = user_id.clone();
                        async move {
                            match api::set_user_licenses(uid, selected()).await {
                                Ok(()) => { error.set(None); on_changed.call(()); }
                                Err(e) => error.set(Some(e)),
                            }
                        }
                    },
                    "Save licenses"
                }
            }
        }
    }
}
