//! Access reviews: the campaigns (a full administrator starts and closes them) and a campaign's
//! page, where each reviewer keeps or revokes the lines of their people, on a phone too.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::{download_csv, pending, refusal, FormBanner, Notice, SelectField, TextField};
use crate::ui::Route;

fn progress(s: &ReviewSummary) -> String {
    let status = match s.closed_at {
        Some(at) => format!("closed {}", crate::ui::browser::local_time(at)),
        None => format!("due {}", format_utc(s.due_at)),
    };
    let repeat = match s.repeat {
        ReviewRepeat::Never => String::new(),
        r => format!(" · repeats: {}", r.label().to_lowercase()),
    };
    format!("{} · {} of {} answered · {status}{repeat}", s.scope, s.answered, s.lines)
}

/// What closing did, in words, with the next campaign of a repeating one.
fn closed_text(c: &ReviewClosing) -> String {
    let next = match &c.next {
        Some(NextReview::Started { due, .. }) => format!(" The next review started, due {due}; its reviewers were sent an email."),
        Some(NextReview::NotStarted(why)) => format!(" The next review did not start: {why}."),
        None => String::new(),
    };
    format!("Review closed: {}{next}", c.sentence())
}

#[component]
pub fn Reviews() -> Element {
    let mut reviews = use_resource(api::list_reviews);
    let session = use_context::<crate::ui::Session>();
    let full_admin = matches!(session.info(), Some(Ok(SessionInfo { me: Some(ref me), .. })) if me.full_admin);
    if let Some(refused) = refusal(&*reviews.read()) {
        return refused;
    }
    let body = match &*reviews.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(list)) if list.is_empty() => rsx! { div { class: "card empty", p { "No access reviews for you." } } },
        Some(Ok(list)) => rsx! {
            ul { class: "list card",
                for s in list.iter() {
                    li { key: "{s.id}", class: "list-item",
                        div { class: "list-main",
                            Link { class: "list-link", to: Route::ReviewPage { id: s.id.clone() }, "{s.name}" }
                            div { class: "small muted", "{progress(s)}" }
                        }
                        if s.mine_open > 0 {
                            span { class: "leaving", "{count(s.mine_open, \"line waits for you\", \"lines wait for you\")}" }
                        }
                    }
                }
            }
        },
    };
    rsx! {
        crate::ui::components::PageTitle { title: "Access reviews · Gatehouse" }
        div { class: "page-head", h1 { "Access reviews" } }
        p { class: "muted", "Every few months, the people who know best confirm who still needs what. Closing a review removes what was revoked." }
        if full_admin {
            NewReview { on_created: move |_| reviews.restart() }
        }
        {body}
    }
}

#[component]
fn NewReview(on_created: EventHandler<String>) -> Element {
    let name = use_signal(String::new);
    let scope_kind = use_signal(|| "everyone".to_string());
    let scope_id = use_signal(String::new);
    let reviewer = use_signal(String::new);
    let fallback = use_signal(String::new);
    let due = use_signal(String::new);
    let unanswered = use_signal(|| "keep".to_string());
    let repeat = use_signal(|| ReviewRepeat::Never.key().to_string());
    let find = use_signal(String::new);
    let mut error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let people = crate::ui::components::use_people(find, true);
    let choices = use_resource(|| async move {
        let (c, d, r) = (api::list_companies().await, api::list_departments().await, api::list_roles().await);
        (
            c.unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect::<Vec<_>>(),
            d.unwrap_or_default().into_iter().map(|d| (d.id, d.name)).collect::<Vec<_>>(),
            r.unwrap_or_default().into_iter().map(|r| (r.id, r.name)).collect::<Vec<_>>(),
        )
    });
    let (companies, departments, roles) = choices.read().clone().unwrap_or_default();
    let targets = match scope_kind().as_str() {
        "company" => companies,
        "department" => departments,
        "role" => roles,
        _ => Vec::new(),
    };
    let kinds = vec![
        ("everyone".to_string(), "Everyone".to_string()),
        ("company".to_string(), "One company".to_string()),
        ("department".to_string(), "One department".to_string()),
        ("role".to_string(), "One role".to_string()),
        ("admins".to_string(), "Everyone holding an administration module".to_string()),
    ];
    let start = move |_| async move {
        let scope = match scope_kind().as_str() {
            "company" => ReviewScope::Company(scope_id()),
            "department" => ReviewScope::Department(scope_id()),
            "role" => ReviewScope::Role(scope_id()),
            "admins" => ReviewScope::Administrators,
            _ => ReviewScope::Everyone,
        };
        let input = ReviewInput {
            name: name(),
            scope,
            reviewer: Some(reviewer()).filter(|r| !r.is_empty()),
            fallback: fallback(),
            due: due(),
            unanswered_keep: unanswered() == "keep",
            repeat: ReviewRepeat::from_key(&repeat()),
        };
        match api::create_review(input).await {
            Ok(id) => {
                error.set(None);
                notice.set(Some("The review started; every reviewer was sent an email.".into()));
                on_created.call(id);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = error();
    let field = move |f: &str| err.as_ref().and_then(|e| e.field_message(f)).map(str::to_string);
    rsx! {
        section { class: "card", "aria-labelledby": "new-review",
            h2 { id: "new-review", "Start a review" }
            Notice { text: notice() }
            FormBanner { error: error() }
            div { class: "form-grid",
                TextField { id: "review-name", label: "Name", value: name, error: field("name") }
                SelectField { id: "review-scope", label: "Who is reviewed", value: scope_kind, options: kinds }
                if matches!(scope_kind().as_str(), "company" | "department" | "role") {
                    SelectField { id: "review-scope-id", label: "Which one", value: scope_id, options: targets, placeholder: "Choose", error: field("scope") }
                }
                TextField { id: "review-due", label: "Answers due", value: due, kind: "date", error: field("due") }
                TextField { id: "review-find", label: "Find people", value: find, kind: "search" }
                SelectField { id: "review-reviewer", label: "Reviewer", value: reviewer, options: people.clone(),
                    placeholder: "Each person's department manager", error: field("reviewer") }
                SelectField { id: "review-fallback", label: "Reviewer when there is no manager", value: fallback, options: people,
                    placeholder: "Choose a person", error: field("fallback") }
                SelectField { id: "review-unanswered", label: "Lines nobody answers", value: unanswered,
                    options: vec![("keep".to_string(), "Keep the access".to_string()), ("revoke".to_string(), "Remove the access".to_string())] }
                SelectField { id: "review-repeat", label: "Repeat", value: repeat,
                    options: ReviewRepeat::ALL.iter().map(|r| (r.key().to_string(), r.label().to_string())).collect::<Vec<_>>() }
            }
            div { class: "form-actions", button { class: "btn btn-primary", onclick: start, "Start the review" } }
        }
    }
}

#[component]
pub fn ReviewPage(id: String) -> Element {
    let rid = id.clone();
    let mut detail = use_resource(use_reactive!(|rid| async move { api::review_detail(rid).await }));
    let mut notice = use_signal(|| None::<String>);
    let mut closing = use_signal(|| None::<ReviewClosing>);
    let mut error = use_signal(|| None::<ApiError>);
    if let Some(refused) = refusal(&*detail.read()) {
        return refused;
    }
    let d = match &*detail.read() {
        state @ (None | Some(Err(_))) => return pending(state),
        Some(Ok(d)) => d.clone(),
    };
    let rid = d.summary.id.clone();
    let (rid1, rid2, rid3) = (rid.clone(), rid.clone(), rid.clone());
    let open = d.summary.closed_at.is_none();
    rsx! {
        crate::ui::components::PageTitle { title: "{d.summary.name} · Access reviews · Gatehouse" }
        crate::ui::components::Breadcrumbs { trail: vec![("Access reviews".to_string(), Route::Reviews {})], here: d.summary.name.clone() }
        div { class: "page-head",
            div {
                h1 { "{d.summary.name}" }
                p { class: "muted", "{progress(&d.summary)}" }
            }
            Link { class: "btn btn-quiet no-print", to: Route::Reviews {}, "All reviews" }
        }
        Notice { text: notice() }
        FormBanner { error: error() }
        if d.may_close {
            section { class: "card no-print", "aria-labelledby": "close-review",
                h2 { id: "close-review", "Close the review" }
                if let Some(c) = closing() {
                    div { class: "confirm", role: "alertdialog", "aria-labelledby": "closing-text",
                        p { id: "closing-text", strong { "{c.sentence()}" } }
                        if !c.details.is_empty() {
                            ul { class: "plan-steps", for line in c.details.iter() { li { "{line}" } } }
                        }
                        if !c.role_changes.is_empty() {
                            p { "Roles to change yourself:" }
                            ul { class: "plan-steps",
                                for r in c.role_changes.iter() {
                                    li { Link { class: "list-link", to: Route::UserPage { id: r.user.id.clone() }, "{r.user.name}: {r.label}" } }
                                }
                            }
                        }
                        div { class: "form-actions",
                            button { class: "btn btn-danger",
                                onclick: move |_| {
                                    let id = rid1.clone();
                                    async move {
                                        match api::close_review(id).await {
                                            Ok(done) => { closing.set(None); error.set(None); notice.set(Some(closed_text(&done))); detail.restart(); }
                                            Err(e) => { closing.set(None); error.set(Some(e)); }
                                        }
                                    }
                                },
                                "Yes, close and apply"
                            }
                            button { class: "btn", onclick: move |_| closing.set(None), "Cancel" }
                        }
                    }
                } else {
                    p { class: "muted", "Closing applies every revocation at once, and the default to unanswered lines: you see what first." }
                    div { class: "form-actions",
                        button { class: "btn",
                            onclick: move |_| {
                                let id = rid2.clone();
                                async move {
                                    match api::review_closing(id).await {
                                        Ok(c) => { error.set(None); closing.set(Some(c)); }
                                        Err(e) => error.set(Some(e)),
                                    }
                                }
                            },
                            "Close the review…"
                        }
                    }
                }
            }
        }
        if !open || d.may_close {
            div { class: "form-actions no-print",
                button { class: "btn",
                    onclick: move |_| {
                        let id = rid3.clone();
                        async move {
                            match api::export_review(id).await {
                                Ok(csv) => { download_csv("access-review.csv", &csv); notice.set(Some("The CSV file was downloaded.".into())); }
                                Err(e) => error.set(Some(e)),
                            }
                        }
                    },
                    "Download the report (CSV)"
                }
                button { class: "btn", onclick: move |_| crate::ui::browser::print_page(), "Print" }
            }
        }
        if d.people.is_empty() {
            div { class: "card empty", p { "Nobody to review here." } }
        }
        for p in d.people.iter().cloned() {
            ReviewPersonCard { key: "{p.user.id}", person: p, open, on_saved: move |text: String| { notice.set(Some(text)); detail.restart(); } }
        }
    }
}

#[component]
fn ReviewPersonCard(person: ReviewPerson, open: bool, on_saved: EventHandler<String>) -> Element {
    let p = person;
    let heading = format!("review-{}", p.user.id);
    rsx! {
        section { class: "card review-person", "aria-labelledby": "{heading}",
            h2 { id: "{heading}", Link { to: Route::UserPage { id: p.user.id.clone() }, "{p.user.name}" } }
            p { class: "muted small",
                "{p.role} · {p.department} · "
                {p.last_sign_in_at.map(|t| format!("last sign-in {}", crate::ui::browser::local_time(t))).unwrap_or_else(|| "never signed in".into())}
            }
            if !p.recommendations.is_empty() {
                ul { class: "recommendations", for r in p.recommendations.iter() { li { class: "warn-text", "{r}" } } }
            }
            details { class: "access-details",
                summary { "What {p.user.name} may do, and why" }
                ul { class: "access-lines",
                    for line in p.access.iter() {
                        li { strong { "{line.module.label()}" } ": {line.actions_text()}"
                            if !line.why.is_empty() { span { class: "small muted", " · {line.why.join(\"; \")}" } }
                        }
                    }
                }
            }
            for line in p.lines.iter().cloned() {
                ReviewLineForm { key: "{line.id}", line, open, on_saved }
            }
        }
    }
}

#[component]
fn ReviewLineForm(line: ReviewLine, open: bool, on_saved: EventHandler<String>) -> Element {
    let mut choice = use_signal(|| match line.keep {
        Some(true) => "keep".to_string(),
        Some(false) => "revoke".to_string(),
        None => String::new(),
    });
    let why = use_signal(|| line.justification.clone());
    let mut error = use_signal(|| None::<ApiError>);
    let group = format!("choice-{}", line.id);
    let lid = line.id.clone();
    let label = line.label.clone();
    let save = move |_| {
        let (id, label) = (lid.clone(), label.clone());
        async move {
            if choice().is_empty() {
                error.set(Some(ApiError::field("keep", "choose Keep or Revoke")));
                return;
            }
            let keep = choice() == "keep";
            match api::decide_review_line(id, keep, why()).await {
                Ok(()) => { error.set(None); on_saved.call(format!("{label}: {}.", if keep { "kept" } else { "to be revoked" })); }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let answered = match line.keep {
        Some(true) => "Kept",
        Some(false) => "Revoke",
        None => "Not answered yet",
    };
    rsx! {
        div { class: "review-line",
            fieldset { class: "review-choice",
                legend { "{line.label}" }
                p { class: "small muted", "{answered} · reviewer {line.reviewer.name}" }
                if open {
                    label { class: "check",
                        input { r#type: "radio", name: "{group}", value: "keep", checked: choice() == "keep", onchange: move |_| choice.set("keep".into()) }
                        span { "Keep" }
                    }
                    label { class: "check",
                        input { r#type: "radio", name: "{group}", value: "revoke", checked: choice() == "revoke", onchange: move |_| choice.set("revoke".into()) }
                        span { "Revoke" }
                    }
                    TextField { id: "why-{line.id}", label: "Justification (optional)", value: why,
                        error: error().and_then(|e| e.field_message("justification").map(str::to_string)) }
                    if let Some(e) = error().filter(|e| e.field_message("justification").is_none()) {
                        p { class: "field-error", role: "alert", {e.field_message("keep").map(str::to_string).unwrap_or_else(|| e.to_string())} }
                    }
                    button { class: "btn btn-small", "aria-label": "Save the answer for {line.label}", onclick: save, "Save answer" }
                } else if !line.justification.is_empty() {
                    p { class: "small", "“{line.justification}”" }
                }
            }
        }
    }
}
