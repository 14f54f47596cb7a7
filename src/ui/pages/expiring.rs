//! "Expiring soon": granted profiles, group memberships, company access and licenses that end,
//! scheduled leavers and invitation links that lapse in the next two weeks, soonest first; what
//! ends can be extended from here (the same checked save as where it was given), and whatever is
//! not extended simply lapses.

use dioxus::prelude::*;

use crate::access::{OrgChange, OrgGrant};
use crate::api;
use crate::domain::*;
use crate::ui::components::{pending, Notice};
use crate::ui::Route;

const DAY: i64 = 86_400_000;

#[component]
pub fn Expiring() -> Element {
    let mut soon = use_resource(api::expiring_soon);
    let mut notice = use_signal(|| None::<String>);
    if let Some(refused) = crate::ui::components::refusal(&*soon.read()) {
        return refused;
    }
    let body = match &*soon.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(s)) => {
            let s = s.clone();
            rsx! {
                if let Some(grants) = s.grants.clone() {
                    section { class: "card", "aria-labelledby": "ending-grants",
                        h2 { id: "ending-grants", "Granted profiles that end" }
                        if grants.is_empty() {
                            p { class: "muted", "No granted profile ends in the next {s.days} days." }
                        } else {
                            p { class: "muted", "The people they reach, and their managers, are told by email 7 days and 1 day before. Extend what is still needed; the rest lapses at its end." }
                            ul { class: "list",
                                for g in grants {
                                    EndingRow {
                                        key: "{g.label}",
                                        label: capitalized(&g.label),
                                        until: g.grant.until.unwrap_or_default(),
                                        change: OrgChange::AddGrant { grant: OrgGrant { until: Some(g.grant.until.unwrap_or_default() + 14 * DAY), ..g.grant.clone() } },
                                        on_done: move |text: String| { notice.set(Some(text)); soon.restart(); },
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some(holdings) = s.holdings.clone() {
                    section { class: "card", "aria-labelledby": "ending-holdings",
                        h2 { id: "ending-holdings", "Groups, companies and licenses held for a while" }
                        if holdings.is_empty() {
                            p { class: "muted", "Nobody's group, company or license ends in the next {s.days} days." }
                        } else {
                            p { class: "muted", "The holders, and their managers, are told by email 7 days and 1 day before." }
                            ul { class: "list",
                                for h in holdings {
                                    EndingRow {
                                        key: "{h.name}{h.label}",
                                        label: format!("{}: {}", h.name, h.label),
                                        until: h.window.until.unwrap_or_default(),
                                        change: OrgChange::SetWindow {
                                            user: h.window.user.clone(),
                                            what: h.window.what.clone(),
                                            from: h.window.from,
                                            until: Some(h.window.until.unwrap_or_default() + 14 * DAY),
                                        },
                                        on_done: move |text: String| { notice.set(Some(text)); soon.restart(); },
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some(leavers) = s.leavers.clone() {
                    DatedPeople { heading_id: "leavers", heading: "Scheduled offboardings", people: leavers,
                        empty: format!("Nobody leaves in the next {} days.", s.days), before: "Offboarded on", after: "" }
                }
                if let Some(invitations) = s.invitations.clone() {
                    DatedPeople { heading_id: "lapsing-invitations", heading: "Invitations about to lapse", people: invitations,
                        empty: format!("No open invitation lapses in the next {} days.", s.days),
                        before: "The link stops working on", after: "; send a new one from their page." }
                }
            }
        }
    };
    rsx! {
        crate::ui::components::PageTitle { title: "Expiring soon · Gatehouse" }
        div { class: "page-head", h1 { "Expiring soon" } }
        p { class: "muted", "What ends or lapses in the next two weeks, soonest first." }
        Notice { text: notice() }
        {body}
    }
}

/// One thing that ends: when, and "Extend 2 weeks" (`change`, refused like any grant the person
/// may not give; the refusal shows beside the button).
#[component]
fn EndingRow(label: String, until: i64, change: OrgChange, on_done: EventHandler<String>) -> Element {
    let mut refused = use_signal(|| None::<String>);
    let denied = crate::ui::components::denied_change(&change);
    rsx! {
        li { class: "list-item",
            div { class: "list-main", "{label}" }
            div { class: "list-sub", "Ends on {crate::ui::browser::local_time(until)}" }
            div { class: "row-actions",
                button {
                    class: "btn btn-small",
                    "aria-label": "Extend 2 weeks: {label}",
                    disabled: denied.is_some(),
                    title: denied,
                    onclick: move |_| {
                        let c = change.clone();
                        async move {
                            match api::save_change(c, None).await {
                                Ok(_) => { refused.set(None); on_done.call(format!("Extended until {}.", crate::ui::browser::local_time(until + 14 * DAY))); }
                                Err(e) => refused.set(Some(crate::ui::components::refusal_reason(&e))),
                            }
                        }
                    },
                    "Extend 2 weeks"
                }
            }
            if let Some(why) = refused() {
                p { class: "field-error", role: "alert", "Not extended: {why}" }
            }
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// People with a moment each (a leave date, a link's end), linking to their pages.
#[component]
fn DatedPeople(heading_id: String, heading: String, empty: String, people: Vec<Dated>, before: String, after: String) -> Element {
    rsx! {
        section { class: "card", "aria-labelledby": "{heading_id}",
            h2 { id: "{heading_id}", "{heading}" }
            if people.is_empty() {
                p { class: "muted", "{empty}" }
            }
            ul { class: "list",
                for p in people {
                    li { key: "{p.id}", class: "list-item",
                        div { class: "list-main", Link { class: "list-link", to: Route::UserPage { id: p.id.clone() }, "{p.name}" } }
                        div { class: "list-sub", "{before} {crate::ui::browser::local_time(p.at)}{after}" }
                    }
                }
            }
        }
    }
}
