//! Offboarding, now or on a date: who takes the records over, when, and every effect listed
//! before anything happens.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;

/// What the person's offboarding stands at, from their user row.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaveState {
    pub leave_at: Option<i64>,
    pub leave_owner: Option<String>,
    /// Modules whose records go to someone else: (module, name).
    pub leave_owners: Vec<(String, String)>,
    pub leave_problem: Option<String>,
    pub offboarded_at: Option<i64>,
}

impl LeaveState {
    pub fn of(u: &UserRow) -> LeaveState {
        LeaveState {
            leave_at: u.leave_at,
            leave_owner: u.leave_owner.as_ref().map(|o| o.name.clone()),
            leave_owners: u.leave_owners.iter().map(|o| (o.module.label().to_string(), o.owner.name.clone())).collect(),
            leave_problem: u.leave_problem.clone(),
            offboarded_at: u.offboarded_at,
        }
    }
}

/// Offboard now, or on a leave date; `on_changed` gets the sentence to show once it is done.
#[component]
pub fn OffboardWidget(user_id: String, name: String, state: LeaveState, on_changed: EventHandler<String>) -> Element {
    let find = use_signal(String::new);
    let owner = use_signal(String::new);
    let when = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    // The preview waiting for confirmation, and whether it is for now or for the date.
    let mut pending = use_signal(|| None::<(OffboardPlan, Option<i64>)>);
    let mut busy = use_signal(|| false);
    let ready = crate::ui::use_hydrated();
    let zone = crate::ui::use_zone();
    let options: Vec<(String, String)> = use_people(find, true).into_iter().filter(|(id, _)| *id != user_id).collect();
    // A different new owner per record module (empty: the same as above), found apart.
    let find_more = use_signal(String::new);
    let more: Vec<(String, String)> = use_people(find_more, true).into_iter().filter(|(id, _)| *id != user_id).collect();
    let per_module: [Signal<String>; 6] = std::array::from_fn(|_| use_signal(String::new));
    let owners = move || -> Option<Vec<ModuleOwner>> {
        let chosen: Vec<ModuleOwner> = crate::access::Module::RECORDS
            .into_iter()
            .zip(per_module)
            .filter(|(_, o)| !o().is_empty())
            .map(|(module, o)| ModuleOwner { module, owner: o() })
            .collect();
        Some(chosen).filter(|c| !c.is_empty())
    };

    let id_preview = user_id.clone();
    let review = move |scheduled: bool| {
        let id = id_preview.clone();
        async move {
            let at = if scheduled {
                match crate::ui::browser::local_input_ms(&when()) {
                    Some(at) => Some(at),
                    None => {
                        error.set(Some(ApiError::field("leave_at", "enter the leave date and time")));
                        return;
                    }
                }
            } else {
                None
            };
            let new_owner = Some(owner()).filter(|o| !o.is_empty());
            busy.set(true);
            match api::preview_offboarding(id, new_owner, owners()).await {
                Ok(plan) => {
                    error.set(None);
                    pending.set(Some((plan, at)));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        }
    };
    let review_now = review.clone();
    let id_confirm = user_id.clone();
    let confirm = move |_| {
        let id = id_confirm.clone();
        async move {
            let Some((plan, at)) = pending() else { return };
            let new_owner = Some(owner()).filter(|o| !o.is_empty());
            busy.set(true);
            let outcome = match at {
                None => api::offboard_user(id, new_owner, owners()).await.map(|done| {
                    format!("{} was offboarded. {}", done.name, done.steps().into_iter().skip(1).collect::<Vec<_>>().join(" "))
                }),
                Some(at) => api::schedule_offboarding(id, Some(at), new_owner, owners())
                    .await
                    .map(|_| format!("{} will be offboarded on {}.", plan.name, crate::ui::browser::local_time(at))),
            };
            busy.set(false);
            match outcome {
                Ok(text) => {
                    pending.set(None);
                    error.set(None);
                    on_changed.call(text.trim().to_string());
                }
                Err(e) => {
                    pending.set(None);
                    error.set(Some(e));
                }
            }
        }
    };
    let id_cancel = user_id.clone();
    let cancel_schedule = move |_| {
        let id = id_cancel.clone();
        async move {
            match api::schedule_offboarding(id, None, None, None).await {
                Ok(_) => on_changed.call("The scheduled offboarding was cancelled.".to_string()),
                Err(e) => error.set(Some(e)),
            }
        }
    };

    let err = error();
    if let Some(at) = state.offboarded_at {
        return rsx! {
            section { class: "card widget", "aria-labelledby": "w-offboard",
                h2 { id: "w-offboard", "Offboarding" }
                p { "{name} was offboarded on {crate::ui::browser::local_time(at)}: blocked, signed out, licenses, direct grants and groups given back." }
            }
        };
    }
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-offboard",
            h2 { id: "w-offboard", "Offboarding" }
            if let Some(at) = state.leave_at {
                div { class: "leave-note",
                    p {
                        strong { "Leaving on {crate::ui::browser::local_time(at)}." }
                        match &state.leave_owner {
                            Some(o) => rsx! { " Their records go to {o}." },
                            None if state.leave_owners.is_empty() => rsx! { " Their records stay theirs." },
                            None => rsx! {},
                        }
                        for (module, o) in state.leave_owners.iter() {
                            " {module}: to {o}."
                        }
                    }
                    if let Some(problem) = &state.leave_problem {
                        div { class: "banner banner-error", role: "alert", "It could not be carried out: {problem}. Cancel it, or offboard now." }
                    }
                    button { class: "btn", disabled: !ready, onclick: cancel_schedule, "Cancel scheduled offboarding" }
                }
            } else {
                p { class: "muted", "When {name} leaves: block the account, end every session, hand the records over and give back licenses, grants and groups, in one step, now or on a date." }
            }
            FormBanner { error: err.clone() }
            if let Some((plan, at)) = pending() {
                div { class: "confirm", role: "alertdialog", "aria-labelledby": "offboard-confirm-title",
                    p { id: "offboard-confirm-title", strong {
                        match at {
                            None => rsx! { "Offboard {plan.name} now?" },
                            Some(at) => rsx! { "On {crate::ui::browser::local_time(at)}, offboarding {plan.name} will:" },
                        }
                    } }
                    ul { class: "plan-steps",
                        for step in plan.steps() {
                            li { "{step}" }
                        }
                    }
                    if at.is_some() {
                        p { class: "muted small", "What happens is worked out again at that moment, with the records and access they hold then." }
                    }
                    div { class: "form-actions",
                        button { class: "btn btn-danger", disabled: busy(), onclick: confirm,
                            if at.is_some() { "Yes, schedule it" } else { "Yes, offboard now" }
                        }
                        button { class: "btn", onclick: move |_| pending.set(None), "Cancel" }
                    }
                }
            } else {
                TextField { id: "offboard-find", label: "Find who takes the records over", value: find, kind: "search" }
                SelectField { id: "offboard-owner", label: "New owner of their records", value: owner, options,
                    placeholder: "Nobody: the records stay theirs",
                    error: err.as_ref().and_then(|e| e.field_message("new_owner")).map(str::to_string) }
                details { class: "module-owners",
                    summary { "A different new owner for some modules" }
                    TextField { id: "offboard-find-more", label: "Find who takes some modules over", value: find_more, kind: "search" }
                    for (module, value) in crate::access::Module::RECORDS.into_iter().zip(per_module) {
                        SelectField { key: "{module:?}", id: "offboard-owner-{module:?}", label: "{module.label()} go to", value, options: more.clone(),
                            placeholder: "The new owner above" }
                    }
                    if let Some(why) = err.as_ref().and_then(|e| e.field_message("owners")) {
                        p { class: "field-error", role: "alert", "{why}" }
                    }
                }
                TextField { id: "offboard-when", label: "Leave date and time ({zone})", value: when, kind: "datetime-local",
                    hint: "Leave empty to offboard now.",
                    error: err.as_ref().and_then(|e| e.field_message("leave_at")).map(str::to_string) }
                div { class: "form-actions",
                    if when().is_empty() {
                        button { class: "btn btn-danger", disabled: !ready || busy(), onclick: move |_| review_now(false), "Offboard now…" }
                    } else {
                        button { class: "btn btn-primary", disabled: !ready || busy(), onclick: move |_| review(true), "Schedule offboarding…" }
                    }
                }
            }
        }
    }
}
