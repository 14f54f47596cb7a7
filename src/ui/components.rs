//! Small building blocks shared by pages: labelled fields with their messages, banners.

use dioxus::prelude::*;

use crate::domain::ApiError;

/// A labelled input with an optional hint and an inline error message.
#[component]
pub fn TextField(
    id: String,
    label: String,
    value: Signal<String>,
    #[props(default = "text".to_string())] kind: String,
    #[props(default)] autocomplete: Option<String>,
    #[props(default)] hint: Option<String>,
    #[props(default)] error: Option<String>,
    #[props(default)] required: bool,
) -> Element {
    let mut value = value;
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_error = error.is_some();
    let described = match (&hint, &error) {
        (Some(_), Some(_)) => format!("{hint_id} {error_id}"),
        (Some(_), None) => hint_id.clone(),
        (None, Some(_)) => error_id.clone(),
        (None, None) => String::new(),
    };
    rsx! {
        div { class: if has_error { "field has-error" } else { "field" },
            label { r#for: "{id}", "{label}" }
            input {
                id: "{id}",
                name: "{id}",
                r#type: "{kind}",
                value: "{value}",
                autocomplete: autocomplete.clone().unwrap_or_default(),
                required,
                "aria-invalid": if has_error { "true" } else { "false" },
                "aria-describedby": "{described}",
                oninput: move |e| value.set(e.value()),
            }
            if let Some(h) = hint {
                p { id: "{hint_id}", class: "hint", "{h}" }
            }
            if let Some(e) = error {
                p { id: "{error_id}", class: "field-error", role: "alert", "{e}" }
            }
        }
    }
}

/// A message above a form for errors that belong to no single field.
#[component]
pub fn FormBanner(error: Option<ApiError>) -> Element {
    let Some(err) = error else { return rsx! {} };
    let text = match &err {
        ApiError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    };
    rsx! {
        div { class: "banner banner-error", role: "alert", "{text}" }
    }
}
