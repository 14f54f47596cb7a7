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
    if err == ApiError::StepUpNeeded {
        return rsx! { crate::ui::step_up::StepUpForm {} };
    }
    let text = match &err {
        ApiError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    };
    rsx! {
        div { class: "banner banner-error", role: "alert", "{text}" }
    }
}

/// A labelled select with an optional "any" first option and an inline error.
#[component]
pub fn SelectField(
    id: String,
    label: String,
    value: Signal<String>,
    options: Vec<(String, String)>,
    #[props(default)] placeholder: Option<String>,
    #[props(default)] error: Option<String>,
) -> Element {
    let mut value = value;
    let has_error = error.is_some();
    let error_id = format!("{id}-error");
    rsx! {
        div { class: if has_error { "field has-error" } else { "field" },
            label { r#for: "{id}", "{label}" }
            select {
                id: "{id}",
                name: "{id}",
                "aria-invalid": if has_error { "true" } else { "false" },
                "aria-describedby": if has_error { error_id.clone() } else { String::new() },
                onchange: move |e| value.set(e.value()),
                if let Some(p) = placeholder {
                    option { value: "", selected: value().is_empty(), "{p}" }
                }
                for (v, text) in options {
                    option { key: "{v}", value: "{v}", selected: value() == v, "{text}" }
                }
            }
            if let Some(e) = error {
                p { id: "{error_id}", class: "field-error", role: "alert", "{e}" }
            }
        }
    }
}

/// A group of checkboxes that edits a list of ids.
#[component]
pub fn CheckboxGroup(
    id: String,
    legend: String,
    selected: Signal<Vec<String>>,
    options: Vec<(String, String)>,
    #[props(default)] error: Option<String>,
) -> Element {
    let mut selected = selected;
    let has_error = error.is_some();
    rsx! {
        fieldset { class: if has_error { "field checks has-error" } else { "field checks" }, id: "{id}",
            legend { "{legend}" }
            for (v, text) in options {
                label { key: "{v}", class: "check",
                    input {
                        r#type: "checkbox",
                        name: "{id}",
                        value: "{v}",
                        checked: selected().contains(&v),
                        onchange: {
                            let v = v.clone();
                            move |e: FormEvent| {
                                let on = e.checked();
                                selected.with_mut(|s| {
                                    s.retain(|x| x != &v);
                                    if on {
                                        s.push(v.clone());
                                    }
                                });
                            }
                        },
                    }
                    span { "{text}" }
                }
            }
            if let Some(e) = error {
                p { class: "field-error", role: "alert", "{e}" }
            }
        }
    }
}

/// A status shown as a coloured pill.
#[component]
pub fn StatusBadge(status: crate::access::UserStatus) -> Element {
    rsx! { span { class: "badge badge-{status.as_str()}", "{status.label()}" } }
}

/// A page the person may not use: one clear refusal with the server's reason, instead of an
/// editor that refuses on submit or a "Loading…" that never ends.
#[component]
pub fn Refused(error: ApiError) -> Element {
    rsx! {
        div { class: "card refusal", role: "alert",
            h1 { "You cannot use this page" }
            p { "{error}" }
            p { class: "muted", "If you need it for your work, ask an administrator." }
        }
    }
}

/// The whole page's refusal when its main data was refused (403), in place of the page: one
/// clear answer rather than an editor that refuses on submit.
pub fn refusal<T>(state: &Option<Result<T, ApiError>>) -> Option<Element> {
    match state {
        Some(Err(e @ ApiError::Forbidden(_))) => Some(rsx! { Refused { error: e.clone() } }),
        _ => None,
    }
}

/// Why a change was refused, in a line for beside its button: the field messages of an invalid
/// change (without the generic heading), or the error itself.
pub fn refusal_reason(e: &ApiError) -> String {
    match e {
        ApiError::Invalid { fields, .. } if !fields.is_empty() => fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
        e => e.to_string(),
    }
}

/// The refusal page when the signed-in person may not open `module` (it is not in their menu): a
/// page listing what they may see but offering editors that would refuse on submit says so at
/// once instead. The server checks every call regardless.
pub fn without_module(module: crate::access::Module) -> Option<Element> {
    let session = try_consume_context::<crate::ui::Session>()?;
    match session.info() {
        Some(Ok(crate::domain::SessionInfo { me: Some(me), .. })) if !me.modules.contains(&module) => {
            let error = ApiError::Forbidden(format!("you need View on {} for this page", module.label()));
            Some(rsx! { Refused { error } })
        }
        _ => None,
    }
}

/// What a change would do, before it is saved: the preview's sentences, naming the people.
#[component]
pub fn PreviewList(diff: crate::access::AccessDiff) -> Element {
    rsx! {
        div { class: "why", role: "status",
            h3 { "If you save" }
            if diff.summary.is_empty() {
                p { "Nobody's effective access changes." }
            } else {
                ul { for s in diff.summary.iter() { li { key: "{s}", "{s}" } } }
            }
        }
    }
}

/// A message that confirms a finished action ("Saved", "Invitation sent"): inside the console it
/// is a toast, where the eye is whatever the page's scroll position, in the frame's live region;
/// on the public pages (no frame) it is a banner in place.
#[component]
pub fn Notice(text: Option<String>) -> Element {
    let toasts = try_use_context::<Toasts>();
    use_effect(use_reactive!(|text| {
        if let (Some(mut toasts), Some(t)) = (toasts, text) {
            toasts.show(t);
        }
    }));
    match (toasts, text) {
        (None, Some(t)) => rsx! { div { class: "banner banner-ok", role: "status", "{t}" } },
        _ => rsx! {},
    }
}

/// The console's toasts: the messages shown, newest last, each with its number.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: Signal<Vec<(u64, String)>>,
    next: Signal<u64>,
}

/// How long a toast stays (it can be dismissed sooner).
const TOAST_MS: u32 = 10_000;

impl Toasts {
    /// Provides the console's toasts to everything below (the frame calls it once).
    pub fn provide() -> Self {
        use_context_provider(|| Toasts { items: Signal::new(Vec::new()), next: Signal::new(0) })
    }

    pub fn show(&mut self, text: String) {
        let id = *self.next.peek();
        self.next.set(id + 1);
        let mut items = self.items;
        items.with_mut(|list| {
            list.retain(|(_, t)| t != &text);
            list.push((id, text));
            // Three at most: older ones make room.
            let extra = list.len().saturating_sub(3);
            list.drain(..extra);
        });
        // On the app's root: the page that showed it may be gone by then.
        dioxus::core::spawn_forever(async move {
            crate::ui::browser::sleep(TOAST_MS).await;
            items.with_mut(|list| list.retain(|(i, _)| *i != id));
        });
    }
}

/// Where the console's toasts appear: a polite live region that is always present (so screen
/// readers announce what is added), fixed at the bottom of the window.
#[component]
pub fn ToastHost() -> Element {
    let mut items = use_context::<Toasts>().items;
    rsx! {
        div { class: "toasts", role: "status", "aria-live": "polite",
            for (id, text) in items() {
                div { key: "{id}", class: "toast",
                    span { "{text}" }
                    button {
                        class: "toast-close",
                        "aria-label": "Dismiss this message",
                        onclick: move |_| items.with_mut(|list| list.retain(|(i, _)| *i != id)),
                        "×"
                    }
                }
            }
        }
    }
}

/// People to pick from: up to 200 matching `search` (everyone when it is empty), asked of the
/// server as the search changes, so an organisation of any size can be searched.
pub fn use_people(search: Signal<String>, active_only: bool) -> Vec<(String, String)> {
    let people = use_resource(move || async move {
        crate::api::list_users(crate::domain::UserQuery {
            search: search(),
            per_page: 200,
            status: active_only.then(|| "active".to_string()),
            ..Default::default()
        })
        .await
    });
    let found = match &*people.read() {
        Some(Ok(p)) => p.items.iter().map(|u| (u.id.clone(), u.full_name.clone())).collect(),
        _ => Vec::new(),
    };
    found
}


/// What a resource shows until it has a value: "Loading…", or its error as a banner. Used as the
/// first arm of a match: `state @ (None | Some(Err(_))) => pending(state),`.
pub fn pending<T>(state: &Option<Result<T, ApiError>>) -> Element {
    match state {
        Some(Err(e)) => rsx! { div { class: "banner banner-error", role: "alert", "{e}" } },
        _ => rsx! { p { role: "status", "Loading…" } },
    }
}

/// Previous / next under a paged list, with where one is and how many there are in all.
#[component]
pub fn Pager(page: Signal<u32>, at: u32, per_page: u32, total: u64, one: String, many: String) -> Element {
    let mut page = page;
    let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
    let noun = if total == 1 { one } else { many };
    rsx! {
        nav { class: "pager", "aria-label": "Pages",
            button { class: "btn", disabled: at <= 1, onclick: move |_| page.set(at.saturating_sub(1).max(1)), "Previous page" }
            span { class: "muted", "Page {at} of {pages} · {total} {noun}" }
            button { class: "btn", disabled: u64::from(at) >= pages, onclick: move |_| page.set(at + 1), "Next page" }
        }
    }
}

/// A table with a row per module and a column per action; `cell` renders each cell (a `td`).
#[component]
pub fn ModuleActionTable(caption: String, cell: Callback<(crate::access::Module, crate::access::Action), Element>) -> Element {
    use crate::access::{Action, Module};
    rsx! {
        div { class: "matrix-wrap",
            table { class: "matrix",
                caption { class: "sr-only", "{caption}" }
                thead { tr { th { scope: "col", "Module" } for a in Action::ALL { th { scope: "col", "{a.label()}" } } } }
                tbody {
                    for m in Module::ALL {
                        tr { key: "{m.label()}",
                            th { scope: "row", "{m.label()}" }
                            for a in Action::ALL {
                                {cell.call((m, a))}
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A page holding one centred form (setup, sign-in, a forced password change): the tab's title,
/// a small line above the heading, and the form's fields as children.
#[component]
pub fn CardForm(title: String, eyebrow: String, #[props(default)] heading: Option<String>, onsubmit: EventHandler<FormEvent>, children: Element) -> Element {
    let heading = heading.unwrap_or_else(|| title.clone());
    rsx! {
        crate::ui::components::PageTitle { title: "{title} · Gatehouse" }
        main { class: "center-page",
            form { class: "card narrow", method: "post", novalidate: true, onsubmit: move |e| onsubmit.call(e),
                p { class: "eyebrow", "{eyebrow}" }
                h1 { "{heading}" }
                {children}
            }
        }
    }
}

/// Hands `csv` to the browser as a downloaded file called `name`.
pub fn download_csv(name: &str, csv: &str) {
    crate::ui::browser::download(name, csv, "text/csv");
}

/// The tab's title ("Users · Gatehouse"): into the page's head when rendered on the server, set
/// directly in the browser afterwards (not through `document::Title`, which evaluates text).
#[component]
pub fn PageTitle(title: String) -> Element {
    let last = use_hook(|| {
        crate::ui::browser::set_title(&title);
        std::rc::Rc::new(std::cell::RefCell::new(title.clone()))
    });
    if *last.borrow() != title {
        crate::ui::browser::set_title(&title);
        *last.borrow_mut() = title;
    }
    rsx! {}
}

/// Where a detail page sits ("Users › Ada Admin"): each level above it as a link, the page
/// itself last, marked as the current one.
#[component]
pub fn Breadcrumbs(trail: Vec<(String, crate::ui::Route)>, here: String) -> Element {
    rsx! {
        nav { class: "breadcrumbs", "aria-label": "Breadcrumb",
            ol {
                for (label, to) in trail {
                    li { key: "{label}", Link { to, "{label}" } span { class: "crumb-sep", "aria-hidden": "true", "›" } }
                }
                li { span { "aria-current": "page", "{here}" } }
            }
        }
    }
}

/// Whether the signed-in person may take `action` in `module` at all (their session's menu
/// data): pages offer only the controls that will work. Never a security check: the server
/// decides every call.
pub fn may(module: crate::access::Module, action: crate::access::Action) -> bool {
    match try_consume_context::<crate::ui::Session>().and_then(|s| s.info()) {
        Some(Ok(crate::domain::SessionInfo { me: Some(me), .. })) => me.viewed_by.is_none() && me.can.contains(&(module, action)),
        _ => false,
    }
}

/// Why a control is not offered, for its tooltip: "You need Create on Users".
pub fn lacks(module: crate::access::Module, action: crate::access::Action) -> String {
    format!("You need {} on {}; ask an administrator", action.label(), module.label())
}

/// Why a control is turned off for this person (its tooltip), or `None` when it is offered:
/// the missing permission, or that a "view as" session changes nothing.
pub fn denied(module: crate::access::Module, action: crate::access::Action) -> Option<String> {
    if may(module, action) {
        return None;
    }
    let viewing = matches!(
        try_consume_context::<crate::ui::Session>().and_then(|s| s.info()),
        Some(Ok(crate::domain::SessionInfo { me: Some(crate::domain::Me { viewed_by: Some(_), .. }), .. }))
    );
    Some(if viewing { "You are viewing as someone else: nothing can be changed".into() } else { lacks(module, action) })
}

/// [`denied`] for the permission a change of the access setup needs.
pub fn denied_change(change: &crate::access::OrgChange) -> Option<String> {
    let (module, action) = change.permission();
    denied(module, action)
}

/// A column header that sorts the list by its column (a second click reverses the order) and
/// tells assistive technology how the list is sorted.
#[component]
pub fn SortHeader(
    label: String,
    by: String,
    sort: Signal<String>,
    reversed: Signal<bool>,
    /// A column of moments lists the most recent first; the others go A to Z.
    #[props(default)]
    newest_first: bool,
) -> Element {
    let (mut sort, mut reversed) = (sort, reversed);
    let active = sort() == by;
    let descending = newest_first != (active && reversed());
    let state = match (active, descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = match state {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "",
    };
    rsx! {
        th { scope: "col", "aria-sort": "{state}",
            button {
                class: "sort-button",
                r#type: "button",
                "aria-label": "Sort by {label.to_lowercase()}",
                onclick: move |_| {
                    if sort() == by {
                        reversed.set(!reversed());
                    } else {
                        sort.set(by.clone());
                        reversed.set(false);
                    }
                },
                "{label}"
                span { "aria-hidden": "true", class: "sort-arrow", " {arrow}" }
            }
        }
    }
}

/// How long something given counts: "How long" (until removed, 1 week, 2 weeks, 30 or 90 days,
/// or until a date) and an optional start, in the viewer's time zone. `id` prefixes the fields'
/// ids; read the answer with [`window_of`].
#[component]
pub fn WindowFields(
    id: String,
    duration: Signal<String>,
    from_text: Signal<String>,
    until_text: Signal<String>,
    #[props(default)] until_error: Option<String>,
) -> Element {
    let zone = crate::ui::use_zone();
    let durations: Vec<(String, String)> = [
        ("", "Until removed"),
        ("7", "For 1 week"),
        ("14", "For 2 weeks"),
        ("30", "For 30 days"),
        ("90", "For 90 days"),
        ("date", "Until a date…"),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    rsx! {
        div { class: "form-grid",
            SelectField { id: "{id}-duration", label: "How long", value: duration, options: durations }
            if duration() == "date" {
                TextField { id: "{id}-until", label: "Until ({zone})", value: until_text, kind: "datetime-local", error: until_error }
            }
            TextField { id: "{id}-from", label: "Starts ({zone}, optional)", value: from_text, kind: "datetime-local",
                hint: "Leave empty to start now." }
        }
    }
}

/// The (from, until) a [`WindowFields`] answer means at `now` (ms since the epoch).
pub fn window_of(duration: &str, from_text: &str, until_text: &str, now: i64) -> (Option<i64>, Option<i64>) {
    const DAY: i64 = 86_400_000;
    let from = crate::ui::browser::local_input_ms(from_text);
    let until = match duration {
        "date" => crate::ui::browser::local_input_ms(until_text),
        days => days.parse::<i64>().ok().map(|d| from.unwrap_or(now) + d * DAY),
    };
    (from, until)
}
