//! The preview-then-save flow every access editor shares: "Preview changes" asks the server
//! what the change would do (the save's own checks, nothing written) and names the people it
//! reaches; the save button writes it. Errors go to the editor's own signal, so the editor shows
//! them at its fields.

use dioxus::prelude::*;

use crate::access::{AccessDiff, OrgChange};
use crate::api;
use crate::domain::ApiError;
use crate::ui::components::PreviewList;

/// What a saved change did, in a sentence for the confirmation.
pub fn saved_text(diff: &AccessDiff) -> String {
    if diff.summary.is_empty() {
        "Saved.".to_string()
    } else {
        format!("Saved: {}.", diff.summary.join("; "))
    }
}

/// Shows a preview's answer: the diff, or the error (and no stale diff).
pub fn show_preview(answer: Result<AccessDiff, ApiError>, mut preview: Signal<Option<AccessDiff>>, mut error: Signal<Option<ApiError>>) {
    match answer {
        Ok(d) => {
            error.set(None);
            preview.set(Some(d));
        }
        Err(e) => {
            preview.set(None);
            error.set(Some(e));
        }
    }
}

#[component]
pub fn PreviewSave(
    change: OrgChange,
    error: Signal<Option<ApiError>>,
    on_done: EventHandler<Option<String>>,
    #[props(default = "Save".to_string())] save_label: String,
    #[props(default = "Preview changes".to_string())] preview_label: String,
    /// The confirmation instead of "Saved: …" (the default names what changed).
    #[props(default)]
    saved: Option<String>,
    #[props(default = true)] cancel: bool,
    #[props(default)] disabled: bool,
) -> Element {
    let mut preview = use_signal(|| None::<AccessDiff>);
    let mut notify = use_signal(|| false);
    let mut error = error;
    let for_preview = change.clone();
    // A person without the permission sees why instead of a save that would be refused.
    let denied = crate::ui::components::denied_change(&change);
    rsx! {
        if let Some(d) = preview() {
            PreviewList { diff: d }
        }
        label { class: "check",
            input { r#type: "checkbox", checked: notify(), onchange: move |e: FormEvent| notify.set(e.checked()) }
            span { "Tell the people whose access changes, by email" }
        }
        div { class: "form-actions",
            button {
                class: "btn",
                r#type: "button",
                disabled,
                onclick: move |_| {
                    let c = for_preview.clone();
                    async move { show_preview(api::preview_change(c).await, preview, error) }
                },
                "{preview_label}"
            }
            button {
                class: "btn btn-primary",
                r#type: "button",
                disabled: disabled || denied.is_some(),
                title: denied.clone(),
                onclick: move |_| {
                    let c = change.clone();
                    let saved = saved.clone();
                    async move {
                        match api::save_change(c, Some(notify())).await {
                            Ok(d) => {
                                error.set(None);
                                preview.set(None);
                                on_done.call(Some(saved.unwrap_or_else(|| saved_text(&d))));
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                },
                "{save_label}"
            }
            if cancel {
                button { class: "btn btn-quiet", r#type: "button", onclick: move |_| on_done.call(None), "Cancel" }
            }
        }
        if let Some(why) = denied.clone() {
            p { class: "muted small", "{why}." }
        }
    }
}

/// A destructive change behind one button ("Remove"): the click asks the server what it would do
/// and shows it (who loses what) with "Yes" and "Cancel"; only "Yes" writes. A refusal shows in
/// red beside the button.
#[component]
pub fn ConfirmChange(
    change: OrgChange,
    /// The button's text ("Remove") and accessible name ("Remove grant Sales to Sales North").
    label: String,
    name: String,
    on_done: EventHandler<String>,
) -> Element {
    let mut preview = use_signal(|| None::<AccessDiff>);
    let mut refused = use_signal(|| None::<ApiError>);
    let for_preview = change.clone();
    let denied = crate::ui::components::denied_change(&change);
    rsx! {
        if let Some(d) = preview() {
            div { class: "confirm confirm-row", role: "alertdialog", "aria-label": "{name}?",
                p { class: "small", strong { "{name}?" } if d.summary.is_empty() { " Nobody's access changes." } }
                PreviewList { diff: d }
                button {
                    class: "btn btn-small btn-danger",
                    onclick: move |_| {
                        let c = change.clone();
                        async move {
                            match api::save_change(c, None).await {
                                Ok(d) => {
                                    preview.set(None);
                                    refused.set(None);
                                    on_done.call(if d.summary.is_empty() { "Removed.".into() } else { format!("Removed: {}.", d.summary.join("; ")) });
                                }
                                Err(e) => {
                                    preview.set(None);
                                    refused.set(Some(e));
                                }
                            }
                        }
                    },
                    "Yes, {label.to_lowercase()}"
                }
                button { class: "btn btn-small", onclick: move |_| preview.set(None), "Cancel" }
            }
        } else {
            button {
                class: "btn btn-small",
                "aria-label": "{name}",
                disabled: denied.is_some(),
                title: denied,
                onclick: move |_| {
                    let c = for_preview.clone();
                    async move {
                        match api::preview_change(c).await {
                            Ok(d) => { refused.set(None); preview.set(Some(d)) }
                            Err(e) => refused.set(Some(e)),
                        }
                    }
                },
                "{label}"
            }
        }
        if let Some(e) = refused() {
            p { class: "field-error", role: "alert", "Not done: {e}" }
        }
    }
}
