//! The user page's account widgets (change password, sessions, activity), the forced password
//! change after a temporary password, and the audit log page.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{CardForm, pending, FormBanner, Notice, Pager, SelectField, TextField};
use crate::ui::{use_hydrated, Session};
use super::user::changes_text;

/// Shown instead of the console after a sign-in with a temporary password.
#[component]
pub fn ChangePasswordPage(name: String, email: String) -> Element {
    let mut session = use_context::<Session>();
    let current = use_signal(String::new);
    let password = use_signal(String::new);
    let confirm = use_signal(String::new);
    let call = use_call();
    let ready = use_hydrated();
    let onsubmit = move |evt: FormEvent| {
        let (name, email) = (name.clone(), email.clone());
        async move {
            evt.prevent_default();
            let mut fields = new_password_errors(&password(), &confirm(), &name, &email);
            if current().is_empty() {
                fields.insert(0, FieldError::new("current", "enter the temporary password you signed in with"));
            }
            if !fields.is_empty() {
                return call.refuse(ApiError::fields(fields));
            }
            if call.run(api::change_own_password(current(), password())).await.is_some() {
                session.reload();
            }
        }
    };
    let (err, field) = ((call.error)(), |n: &str| call.field(n));
    rsx! {
        CardForm { title: "Choose a new password", eyebrow: "Gatehouse", onsubmit,
            p { class: "muted", "You signed in with a temporary password. Choose your own to continue." }
            FormBanner { error: err.clone() }
            TextField { id: "current", label: "Temporary password", value: current, kind: "password", autocomplete: "current-password", error: field("current") }
            TextField { id: "password", label: "New password", value: password, kind: "password", autocomplete: "new-password",
                hint: format!("At least {PASSWORD_MIN_CHARS} characters. A short sentence works well."), error: field("password") }
            TextField { id: "confirm", label: "Repeat the new password", value: confirm, kind: "password", autocomplete: "new-password", error: field("confirm") }
            button { class: "btn btn-primary btn-block", r#type: "submit", disabled: !ready || (call.pending)(),
                if (call.pending)() { "Saving…" } else { "Save and continue" }
            }
        }
    }
}

#[component]
pub fn Audit(filter: AuditFilter) -> Element {
    let actor = use_signal(String::new);
    let target = use_signal(String::new);
    let mut action = use_signal(|| filter.action.clone());
    // The action picked is in the address too (`/audit?action=…`), so the dashboard can link to
    // what it counts; a link or Back sets the picker, a new pick rewrites the address.
    let mut in_address = use_signal(|| filter.clone());
    use_effect(use_reactive!(|filter| {
        in_address.set(filter.clone());
        if *action.peek() != filter.action {
            action.set(filter.action.clone());
        }
    }));
    use_effect(move || {
        let now = AuditFilter::action(&action());
        if now != *in_address.peek() {
            in_address.set(now.clone());
            navigator().replace(crate::ui::Route::Audit { filter: now });
        }
    });
    let from = use_signal(String::new);
    let to = use_signal(String::new);
    let mut page = use_signal(|| 1u32);
    let mut notice = use_signal(|| None::<String>);
    let query = move || {
        let opt = |s: String| (!s.trim().is_empty()).then_some(s);
        AuditQuery {
            actor: opt(actor()),
            target: opt(target()),
            action: opt(action()),
            from: parse_date_ms(&from()),
            // "To" includes the whole day.
            to: parse_date_ms(&to()).map(|ms| ms + 86_400_000),
            page: page(),
        }
    };
    let rows = use_resource(move || async move { api::list_audit(query()).await });
    use_effect(move || {
        let _ = (actor(), target(), action(), from(), to());
        page.set(1);
    });
    let export = move |_| async move {
        match api::export_audit(query()).await {
            Ok(csv) => {
                crate::ui::components::download_csv("audit-log.csv", &csv);
                notice.set(Some("The CSV file was downloaded.".into()));
            }
            Err(e) => notice.set(Some(e.to_string())),
        }
    };
    let body = match &*rows.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(p)) => {
            rsx! {
                table { class: "data",
                    caption { class: "sr-only", "Audit log" }
                    thead { tr { th { scope: "col", "When" } th { scope: "col", "What happened" } th { scope: "col", "Changes" } } }
                    tbody {
                        for e in p.items.iter().cloned() {
                            tr { key: "{e.id}",
                                td { "data-label": "When", class: "nowrap", "{crate::ui::browser::local_time(e.at)}" }
                                td { "data-label": "What happened", class: "wrap",
                                    "{e.sentence}"
                                    if let (Some(to), Some(label)) = (audit_target_route(&e), e.target_label.clone()) {
                                        div { class: "target-link", Link { to, "{label}" } }
                                    }
                                }
                                td { "data-label": "Changes", class: "wrap small", "{changes_text(&e)}" }
                            }
                        }
                    }
                }
                Pager { page, at: p.page, per_page: p.per_page, total: p.total, one: "entry", many: "entries" }
            }
        }
    };
    if let Some(refused) = crate::ui::components::refusal(&*rows.read()) {
        return refused;
    }
    rsx! {
        crate::ui::components::PageTitle { title: "Audit log · Gatehouse" }
        div { class: "page-head",
            h1 { "Audit log" }
            button { class: "btn", onclick: export, "Export CSV" }
        }
        Notice { text: notice() }
        section { class: "card filters", "aria-label": "Filters",
            div { class: "filter-row",
                TextField { id: "a-actor", label: "Who did it (name)", value: actor }
                TextField { id: "a-target", label: "To whom or what (name or email)", value: target }
                SelectField { id: "a-action", label: "What happened", value: action, options: action_choices(), placeholder: "Anything" }
                TextField { id: "a-from", label: "From", value: from, kind: "date" }
                TextField { id: "a-to", label: "To", value: to, kind: "date" }
            }
        }
        {body}
    }
}


/// Where an audit row's subject can be opened, when it still has a page of its own: a person,
/// a record, a review; the list pages for the rest.
pub fn audit_target_route(e: &AuditEntry) -> Option<crate::ui::Route> {
    use crate::ui::Route;
    let id = e.target_id.clone()?;
    Some(match e.target_kind.as_str() {
        "user" => Route::UserPage { id },
        "record" => {
            let module = [&e.after, &e.before]
                .into_iter()
                .flatten()
                .find_map(|side| side.get("module").cloned())
                .and_then(|m| serde_json::from_value::<crate::access::Module>(m).ok())?;
            if e.action == "record.delete" {
                return None;
            }
            Route::RecordPage { module: crate::domain::module_slug(module).to_string(), id }
        }
        "review" => Route::ReviewPage { id },
        "company" => Route::Companies {},
        "department" => Route::Departments {},
        "role" | "profile" => Route::Roles {},
        "group" => Route::Groups {},
        "grant" => Route::Grants {},
        "license" => Route::Licenses {},
        "sharing_rule" => Route::Sharing {},
        _ => return None,
    })
}

/// The audit page's action picker: each area as a whole ("Anything about users"), then every
/// action in words. The server filters on the stored name's beginning, so an area is its prefix.
fn action_choices() -> Vec<(String, String)> {
    let areas = [
        ("auth.", "Any sign-in or sign-out"),
        ("second_factor.", "Anything about second factors"),
        ("user.", "Anything about users"),
        ("company.", "Anything about companies"),
        ("department.", "Anything about departments"),
        ("role.", "Anything about roles"),
        ("profile.", "Anything about profiles"),
        ("group.", "Anything about groups"),
        ("grant.", "Any grant"),
        ("sharing.", "Anything about sharing"),
        ("record.", "Anything about records"),
    ];
    let mut choices: Vec<(String, String)> = areas.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    choices.extend(crate::domain::AuditAction::ALL.iter().map(|a| (a.as_str().to_string(), a.label().to_string())));
    choices
}
