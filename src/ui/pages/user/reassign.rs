//! Offboarding: every record of this user that the admin may edit goes to someone else.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

/// Offboarding: hand every record of this person (that you may edit) to someone else.
#[component]
pub fn ReassignWidget(user_id: String, name: String) -> Element {
    let to = use_signal(String::new);
    let mut notice = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<ApiError>);
    let ready = crate::ui::use_hydrated();
    let find = use_signal(String::new);
    let options: Vec<(String, String)> =
        crate::ui::components::use_people(find, true).into_iter().filter(|(id, _)| *id != user_id).collect();
    let names = options.clone();
    let options_name = move |id: String| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| "the new owner".into());
    // First what it would do (the same selection, counted, nothing written), then "Yes".
    let mut plan = use_signal(|| None::<(ReassignResult, String)>);
    let (from, from2) = (user_id.clone(), user_id.clone());
    let preview = move |_| {
        let from = from.clone();
        let who = options_name(to());
        async move {
            if to().is_empty() {
                error.set(Some(ApiError::field("to", "choose who takes the records over")));
                return;
            }
            match api::reassign_records(UserId::new(from), UserId::new(to()), Some(true)).await {
                Ok(r) => {
                    plan.set(Some((r, who)));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let reassign = move |_| {
        let from = from2.clone();
        async move {
            plan.set(None);
            match api::reassign_records(UserId::new(from), UserId::new(to()), None).await {
                Ok(r) => {
                    let moved: Vec<String> = r.moved.iter().filter(|(_, n)| *n > 0).map(|(m, n)| format!("{n} {m}")).collect();
                    let mut text = if moved.is_empty() { "No records were moved.".to_string() } else { format!("Moved {}.", moved.join(", ")) };
                    if r.left > 0 {
                        text.push_str(&format!(" {} stay: you may not edit them, or the new owner has no access to their company.", count(r.left, "record", "records")));
                    }
                    notice.set(Some(text));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-reassign",
            h2 { id: "w-reassign", "Records" }
            p { class: "muted", "When {name} leaves or changes job, hand all their records to someone else in one step." }
            Notice { text: notice() }
            FormBanner { error: err.clone() }
            TextField { id: "reassign-find", label: "Find the new owner", value: find, kind: "search" }
            SelectField { id: "reassign-to", label: "New owner", value: to, options, placeholder: "Choose a person",
                error: err.as_ref().and_then(|e| e.field_message("to")).map(str::to_string) }
            if let Some((r, who)) = plan() {
                div { class: "confirm", role: "alertdialog", "aria-labelledby": "reassign-plan",
                    p { id: "reassign-plan",
                        {
                            let total: u64 = r.moved.iter().map(|(_, n)| *n).sum();
                            let parts: Vec<String> = r.moved.iter().filter(|(_, n)| *n > 0).map(|(m, n)| format!("{n} {m}")).collect();
                            let mut text = if total == 0 {
                                format!("None of {name}'s records can go to {who}.")
                            } else {
                                format!("Move {} to {who}: {}?", count(total, "record", "records"), parts.join(", "))
                            };
                            if r.left > 0 {
                                text.push_str(&format!(" {} stay with {name}: you may not edit them, or {who} has no access to their company.", count(r.left, "record", "records")));
                            }
                            text
                        }
                    }
                    if r.moved.iter().any(|(_, n)| *n > 0) {
                        button { class: "btn btn-danger", onclick: reassign, "Yes, reassign" }
                    }
                    button { class: "btn", onclick: move |_| plan.set(None), "Cancel" }
                }
            } else {
                button { class: "btn", disabled: !ready, onclick: preview, "Reassign all records…" }
            }
        }
    }
}
