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
    let mut error = error;
    let for_preview = change.clone();
    rsx! {
        if let Some(d) = preview() {
            PreviewList { diff: d }
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
                disabled,
                onclick: move |_| {
                    let c = change.clone();
                    let saved = saved.clone();
                    async move {
                        match api::save_change(c).await {
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
    }
}
