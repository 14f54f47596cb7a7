//! "View as": a full administrator sees the console as this user, read-only.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::*;
use crate::ui::Route;

/// "View as": a full administrator sees the console exactly as this user would, read-only.
#[component]
pub fn ViewAsWidget(user_id: String, name: String) -> Element {
    let mut session = use_context::<crate::ui::Session>();
    let mut error = use_signal(|| None::<ApiError>);
    let me = match session.info() {
        Some(Ok(SessionInfo { me: Some(me), .. })) => me,
        _ => return rsx! {},
    };
    if !me.full_admin || me.id == user_id || me.viewed_by.is_some() {
        return rsx! {};
    }
    let start = move |_| {
        let id = user_id.clone();
        async move {
            match api::view_as(id).await {
                Ok(()) => {
                    session.reload();
                    navigator().push(Route::Dashboard {});
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-view-as",
            h2 { id: "w-view-as", "View as" }
            p { class: "muted", "See the console exactly as {name} would: their menu, their records, their hidden fields. Nothing can be changed meanwhile; starting and ending are audited." }
            FormBanner { error: error() }
            button { class: "btn", onclick: start, "View as {name}" }
        }
    }
}
