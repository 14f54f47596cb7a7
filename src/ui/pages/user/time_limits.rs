//! Time-limited access: a group, a company or a license given for a while, or from a later
//! start; extended, or kept without an end. Each change is previewed and judged like a grant
//! that counts now.

use dioxus::prelude::*;

use crate::access::{Holding, OrgChange};
use crate::domain::*;
use crate::ui::components::*;
use crate::ui::preview_save::{ConfirmChange, PreviewSave};

const DAY: i64 = 86_400_000;

fn key(what: &Holding) -> String {
    format!("{}:{}", what.kind(), what.id())
}

#[component]
pub fn TimeLimitsWidget(user_id: String, setup: UserAccessSetup, on_changed: EventHandler<()>) -> Element {
    let mut notice = use_signal(|| None::<String>);
    let error = use_signal(|| None::<ApiError>);
    let what = use_signal(String::new);
    let duration = use_signal(|| "14".to_string());
    let from_text = use_signal(String::new);
    let until_text = use_signal(String::new);
    let now = crate::ui::browser::now_ms();
    let local_time = crate::ui::browser::local_time;
    let offers = setup.offers.clone();
    let chosen = offers.iter().find(|o| key(&o.what) == what()).map(|o| o.what.clone());
    let uid = user_id.clone();
    let proposed = move || {
        let (from, until) = window_of(&duration(), &from_text(), &until_text(), now);
        OrgChange::SetWindow {
            user: uid.clone(),
            what: chosen.clone().unwrap_or(Holding::Group(String::new())),
            from,
            until,
        }
    };
    let options: Vec<(String, String)> = offers
        .iter()
        .map(|o| (key(&o.what), if o.held { format!("{} (held)", o.name) } else { o.name.clone() }))
        .collect();
    let window = |w: &HeldFor| -> String {
        match (w.from.filter(|f| *f > now), w.until) {
            (Some(f), Some(u)) => format!("from {} until {}", local_time(f), local_time(u)),
            (Some(f), None) => format!("from {}", local_time(f)),
            (None, Some(u)) if u <= now => format!("ended {}", local_time(u)),
            (None, Some(u)) => format!("until {}", local_time(u)),
            (None, None) => String::new(),
        }
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-time-limits",
            h2 { id: "w-time-limits", "Time-limited access" }
            Notice { text: notice() }
            if setup.windows.is_empty() {
                p { class: "muted", "Nothing is held for a limited time. Give a group, a company or a license for a while below." }
            } else {
                ul { class: "list",
                    for w in setup.windows.iter().cloned() {
                        li { key: "{key(&w.what)}", class: "list-item",
                            div { class: "list-main", "{w.name} "
                                span { class: "small muted", "({window(&w)})" }
                            }
                            div { class: "actions",
                                ConfirmChange {
                                    change: OrgChange::SetWindow {
                                        user: user_id.clone(),
                                        what: w.what.clone(),
                                        from: w.from,
                                        until: Some(w.until.unwrap_or(now).max(now) + 14 * DAY),
                                    },
                                    label: "Extend 2 weeks",
                                    name: "Extend 2 weeks: {w.name}",
                                    on_done: move |text: String| { notice.set(Some(text)); on_changed.call(()); },
                                }
                                ConfirmChange {
                                    change: OrgChange::SetWindow { user: user_id.clone(), what: w.what.clone(), from: None, until: None },
                                    label: "Keep without end",
                                    name: "Keep without end: {w.name}",
                                    on_done: move |text: String| { notice.set(Some(text)); on_changed.call(()); },
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Give for a while" }
            div { class: "form-grid",
                SelectField { id: "window-what", label: "Group, company or license", value: what, options, placeholder: "Choose",
                    error: error().and_then(|e| e.field_message("what").map(str::to_string)) }
            }
            WindowFields { id: "window", duration, from_text, until_text,
                until_error: error().and_then(|e| e.field_message("until").map(str::to_string)) }
            PreviewSave {
                change: proposed(),
                error,
                save_label: "Give",
                preview_label: "Preview what it gives",
                saved: "Saved.",
                cancel: false,
                disabled: what().is_empty(),
                on_done: move |text| {
                    notice.set(text);
                    on_changed.call(());
                },
            }
        }
    }
}
