//! CRM records: a list per module (search, company filter, pages, export; cards on a phone),
//! the new-record form and the record page (edit, assign, delete). Every field shown is one the
//! server sent: hidden fields never reach the browser.

use std::collections::BTreeMap;

use dioxus::prelude::*;

use crate::access::{FieldRule, Module};
use crate::api;
use crate::domain::*;
use crate::ui::components::{FormBanner, Notice, Pager, SelectField, SortHeader, TextField};
use crate::ui::Route;

fn day(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

fn module_of(slug: &str) -> Option<Module> {
    module_from_slug(slug)
}

fn spec(module: Module, name: &str) -> Option<&'static FieldSpec> {
    record_fields(module).iter().find(|f| f.name == name)
}

/// How a stored value reads in a list or a read-only field.
fn shown(module: Module, name: &str, value: Option<&String>) -> String {
    let Some(v) = value.filter(|v| !v.is_empty()) else { return "—".into() };
    match spec(module, name).map(|s| s.kind) {
        Some(FieldKind::Flag) => if v == "true" { "Yes".into() } else { "No".into() },
        Some(FieldKind::Money) => {
            let (int, dec) = v.split_once('.').unwrap_or((v, "00"));
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            format!("{grouped}.{dec}")
        }
        _ => v.clone(),
    }
}

#[component]
pub fn Records(module: String) -> Element {
    let Some(m) = module_of(&module) else {
        return rsx! { div { class: "card", h1 { "No such module" } p { "There is no record module called “{module}”." } } };
    };
    // Keyed in a list, so another module is a new list (its own search, page and data), not the
    // previous module's list with a new heading.
    rsx! {
        for m in [m] {
            RecordList { key: "{module}", module: m }
        }
    }
}

#[component]
fn RecordList(module: Module) -> Element {
    let search = use_signal(String::new);
    let company = use_signal(String::new);
    let mut page = use_signal(|| 1u32);
    // The column headers sort: "Updated" (newest first, a second click oldest first) or the title.
    let sort = use_signal(|| "Updated".to_string());
    let reversed = use_signal(|| false);
    let order = move || match (sort().as_str(), reversed()) {
        ("Title", false) => RecordSort::TitleAsc,
        ("Title", true) => RecordSort::TitleDesc,
        (_, false) => RecordSort::Newest,
        (_, true) => RecordSort::Oldest,
    };
    let mut error = use_signal(|| None::<ApiError>);
    let mut notice = use_signal(|| None::<String>);
    let reload = crate::ui::use_reload();
    let choices = use_resource(move || async move { api::record_choices(module, None).await });
    let records = use_resource(move || async move {
        let _ = reload();
        api::list_records(RecordQuery {
            module: Some(module),
            search: search(),
            company: Some(company()).filter(|c| !c.is_empty()),
            owner: None,
            page: page(),
            per_page: 25,
            sort: order(),
        })
        .await
    });
    use_effect(move || {
        let _ = (search(), company(), sort(), reversed());
        page.set(1);
    });
    let export = move |_| async move {
        let q = RecordQuery {
            module: Some(module),
            search: search(),
            company: Some(company()).filter(|c| !c.is_empty()),
            owner: None,
            page: 1,
            per_page: 25,
            sort: order(),
        };
        match api::export_records(q).await {
            Ok(csv) => {
                let rows = csv.lines().count().saturating_sub(1);
                let name = format!("{}.csv", module_slug(module));
                crate::ui::components::download_csv(&name, &csv);
                notice.set(Some(format!("Exported {} to {name}.", count(rows as u64, "record", "records"))));
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let companies: Vec<(String, String)> = match &*choices.read() {
        Some(Ok(c)) => c.companies.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        _ => vec![],
    };
    let slug = module_slug(module).to_string();
    let label = module.label();
    let body = match &*records.read() {
        None => rsx! { p { role: "status", "Loading {label}…" } },
        Some(Err(e)) => rsx! { div { class: "banner banner-error", role: "alert", "{e}" } },
        Some(Ok(p)) => {
            let columns = p.columns.clone();
            rsx! {
                p { class: "muted small", "Showing {p.reach}." }
                if p.page.items.is_empty() {
                    div { class: "card empty", p { "No {label} here. Change the search, or add one." } }
                } else {
                    table { class: "data records-table",
                        caption { class: "sr-only", "{label}" }
                        thead {
                            tr {
                                for (i, c) in columns.iter().enumerate() {
                                    if i == 0 && record_fields(module).iter().any(|f| f.title && f.name == c.name) {
                                        SortHeader { key: "{c.name}", label: c.label.clone(), by: "Title", sort, reversed }
                                    } else {
                                        th { key: "{c.name}", scope: "col", "{c.label}" }
                                    }
                                }
                                th { scope: "col", "Owner" }
                                th { scope: "col", "Company" }
                                SortHeader { label: "Updated", by: "Updated", sort, reversed, newest_first: true }
                            }
                        }
                        tbody {
                            for r in p.page.items.iter().cloned() {
                                tr { key: "{r.id}",
                                    for (i, c) in columns.iter().enumerate() {
                                        td { key: "{c.name}", "data-label": "{c.label}",
                                            if i == 0 {
                                                Link { to: Route::RecordPage { module: slug.clone(), id: r.id.clone() }, "{r.title}" }
                                            } else {
                                                "{shown(module, &c.name, r.values.get(&c.name))}"
                                            }
                                        }
                                    }
                                    if columns.is_empty() {
                                        td { "data-label": "Record",
                                            Link { to: Route::RecordPage { module: slug.clone(), id: r.id.clone() }, "Open record" }
                                        }
                                    }
                                    td { "data-label": "Owner", "{r.owner.name}" }
                                    td { "data-label": "Company", "{r.company.name}" }
                                    td { "data-label": "Updated", "{day(r.updated_at)}" }
                                }
                            }
                        }
                    }
                }
                Pager { page, at: p.page.page, per_page: p.page.per_page, total: p.page.total, one: "record", many: "records" }
            }
        }
    };
    let (can_create, can_export) = match &*records.read() {
        Some(Ok(p)) => (p.can_create, p.can_export),
        _ => (false, false),
    };
    rsx! {
        crate::ui::components::PageTitle { title: "{label} · Gatehouse" }
        div { class: "page-head",
            h1 { "{label}" }
            div { class: "row-actions",
                if can_export {
                    button { class: "btn", onclick: export, "Export CSV" }
                }
                if can_create {
                    Link { class: "btn btn-primary", to: Route::RecordNew { module: module_slug(module).to_string() }, "New record" }
                }
            }
        }
        section { class: "card filters", "aria-label": "Search and filters",
            TextField { id: "record-search", label: "Search by title", value: search, kind: "search" }
            div { class: "filter-row",
                SelectField { id: "record-company", label: "Company", value: company, options: companies, placeholder: "All my companies" }
            }
        }
        Notice { text: notice() }
        FormBanner { error: error() }
        {body}
    }
}

/// One input per field the user may see; read-only ones are shown but cannot be changed.
#[component]
fn FieldInput(module: Module, meta: FieldMeta, values: Signal<BTreeMap<String, String>>, error: Option<String>) -> Element {
    let mut values = values;
    let Some(s) = spec(module, &meta.name) else { return rsx! {} };
    let id = format!("field-{}", meta.name);
    let current = values().get(&meta.name).cloned().unwrap_or_default();
    let read_only = meta.rule == FieldRule::ReadOnly;
    let name = meta.name.clone();
    let error_id = format!("{id}-error");
    let mut set = move |v: String| values.with_mut(|m| {
        m.insert(name.clone(), v);
    });
    let control = match s.kind {
        FieldKind::Choice(options) => rsx! {
            select { id: "{id}", name: "{id}", disabled: read_only, "aria-invalid": if error.is_some() { "true" } else { "false" },
                onchange: move |e| set(e.value()),
                option { value: "", selected: current.is_empty(), "—" }
                for o in options.iter() {
                    option { key: "{o}", value: "{o}", selected: current == *o, "{o}" }
                }
            }
        },
        FieldKind::Flag => rsx! {
            select { id: "{id}", name: "{id}", disabled: read_only, onchange: move |e| set(e.value()),
                option { value: "false", selected: current != "true", "No" }
                option { value: "true", selected: current == "true", "Yes" }
            }
        },
        kind => {
            let input_type = match kind {
                FieldKind::Date => "date",
                FieldKind::Phone => "tel",
                FieldKind::Money => "text",
                _ => "text",
            };
            rsx! {
                input { id: "{id}", name: "{id}", r#type: input_type, value: "{current}", readonly: read_only,
                    inputmode: if kind == FieldKind::Money { "decimal" } else { "" },
                    required: s.title,
                    "aria-invalid": if error.is_some() { "true" } else { "false" },
                    "aria-describedby": if error.is_some() { error_id.clone() } else { String::new() },
                    oninput: move |e| set(e.value()),
                }
            }
        }
    };
    rsx! {
        div { class: if error.is_some() { "field has-error" } else { "field" },
            label { r#for: "{id}", "{meta.label}" if read_only { span { class: "muted small", " (read-only for you)" } } }
            {control}
            if let Some(e) = &error {
                p { id: "{error_id}", class: "field-error", role: "alert", "{e}" }
            }
        }
    }
}

/// Client-side checks of the values the user may write (the server checks them again).
fn local_errors(module: Module, fields: &[FieldMeta], values: &BTreeMap<String, String>) -> Vec<FieldError> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| f.rule == FieldRule::Editable) {
        if let Some(s) = spec(module, &f.name) {
            if let Err(m) = check_value(s, values.get(&f.name).map(String::as_str).unwrap_or("")) {
                out.push(FieldError::new(&f.name, m));
            }
        }
    }
    out
}

#[component]
pub fn RecordNew(module: String) -> Element {
    let Some(m) = module_of(&module) else {
        return rsx! { div { class: "card", h1 { "No such module" } } };
    };
    let company = use_signal(String::new);
    let owner = use_signal(String::new);
    let values = use_signal(BTreeMap::<String, String>::new);
    let mut error = use_signal(|| None::<ApiError>);
    let ready = crate::ui::use_hydrated();
    let choices = use_resource(move || async move {
        let c = company();
        api::record_choices(m, Some(c).filter(|c| !c.is_empty())).await
    });
    let slug = module.clone();
    let (companies, owners, fields) = match &*choices.read() {
        Some(Ok(c)) => (
            c.companies.iter().map(|c| (c.id.clone(), c.name.clone())).collect::<Vec<_>>(),
            c.owners.iter().map(|o| (o.id.clone(), o.name.clone())).collect::<Vec<_>>(),
            c.fields.clone(),
        ),
        _ => (vec![], vec![], vec![]),
    };
    let writable: Vec<FieldMeta> = fields.iter().filter(|f| f.rule == FieldRule::Editable).cloned().collect();
    let check_fields = writable.clone();
    let onsubmit = move |evt: FormEvent| {
        let slug = slug.clone();
        let check_fields = check_fields.clone();
        async move {
            evt.prevent_default();
            let mut errs = local_errors(m, &check_fields, &values());
            if company().is_empty() {
                errs.push(FieldError::new("company", "choose a company"));
            }
            if !errs.is_empty() {
                error.set(Some(ApiError::fields(errs)));
                return;
            }
            let input = RecordInput {
                values: values().into_iter().filter(|(k, v)| !v.is_empty() && check_fields.iter().any(|f| &f.name == k)).collect(),
                owner: Some(owner()).filter(|o| !o.is_empty()),
                company: Some(company()).filter(|c| !c.is_empty()),
            };
            match api::create_record(m, input).await {
                Ok(Some(d)) => {
                    navigator().push(Route::RecordPage { module: slug, id: d.record.id });
                }
                // Created for someone outside what this user may view: back to the list.
                Ok(None) => {
                    navigator().push(Route::Records { module: slug });
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    rsx! {
        crate::ui::components::PageTitle { title: "New record · {m.label()} · Gatehouse" }
        div { class: "page-head",
            h1 { "New record in {m.label()}" }
            Link { class: "btn btn-quiet", to: Route::Records { module: module.clone() }, "Back to {m.label()}" }
        }
        section { class: "card",
            FormBanner { error: err.clone() }
            form { class: "form", novalidate: true, onsubmit,
                SelectField { id: "company", label: "Company", value: company, options: companies, placeholder: "Choose a company",
                    error: err.as_ref().and_then(|e| e.field_message("company")).map(str::to_string) }
                SelectField { id: "owner", label: "Owner", value: owner, options: owners, placeholder: "Me",
                    error: err.as_ref().and_then(|e| e.field_message("owner")).map(str::to_string) }
                for f in writable.iter().cloned() {
                    FieldInput { key: "{f.name}", module: m, error: err.as_ref().and_then(|e| e.field_message(&f.name)).map(str::to_string), meta: f, values }
                }
                button { class: "btn btn-primary", r#type: "submit", disabled: !ready, "Create record" }
            }
        }
    }
}

#[component]
pub fn RecordPage(module: String, id: String) -> Element {
    let Some(m) = module_of(&module) else {
        return rsx! { div { class: "card", h1 { "No such module" } } };
    };
    let rid = id.clone();
    let mut record = use_resource(use_reactive!(|rid| async move { api::get_record(m, rid).await }));
    // Kept here: the editor starts afresh after each save, the confirmation stays.
    let notice = use_signal(|| None::<String>);
    let back = rsx! { Link { class: "btn btn-quiet", to: Route::Records { module: module.clone() }, "Back to {m.label()}" } };
    let content = match &*record.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! {
            div { class: "card", h1 { "Record not available" } p { "{e}" } {back} }
        },
        Some(Ok(d)) => {
            let d = d.clone();
            rsx! {
                RecordEditor { key: "{d.record.id}-{d.record.updated_at}", module: m, detail: d.clone(), notice, on_changed: move |_| record.restart() }
            }
        }
    };
    rsx! {
        crate::ui::components::PageTitle { title: "{m.label()} · Gatehouse" }
        {content}
    }
}

#[component]
fn RecordEditor(module: Module, detail: RecordDetail, notice: Signal<Option<String>>, on_changed: EventHandler<()>) -> Element {
    let mut notice = notice;
    let initial = detail.record.values.clone();
    let values = use_signal(|| initial.clone());
    let owner = use_signal(|| detail.record.owner.id.clone());
    let mut error = use_signal(|| None::<ApiError>);
    let mut confirm_delete = use_signal(|| false);
    let ready = crate::ui::use_hydrated();
    let company = detail.record.company.id.clone();
    let choices = use_resource(use_reactive!(|company| async move { api::record_choices(module, Some(company)).await }));
    let id = detail.record.id.clone();
    let fields = detail.fields.clone();
    let slug = module_slug(module).to_string();

    let save = {
        let id = id.clone();
        let fields = fields.clone();
        let initial = initial.clone();
        move |evt: FormEvent| {
            let id = id.clone();
            let fields = fields.clone();
            let initial = initial.clone();
            async move {
                evt.prevent_default();
                let errs = local_errors(module, &fields, &values());
                if !errs.is_empty() {
                    error.set(Some(ApiError::fields(errs)));
                    return;
                }
                // Only what changed, and only editable fields, is sent.
                let changed: BTreeMap<String, String> = values()
                    .into_iter()
                    .filter(|(k, v)| fields.iter().any(|f| &f.name == k && f.rule == FieldRule::Editable) && initial.get(k) != Some(v))
                    .collect();
                match api::update_record(module, id, RecordInput { values: changed, owner: None, company: None }).await {
                    Ok(_) => {
                        notice.set(Some("Saved.".into()));
                        error.set(None);
                        on_changed.call(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            }
        }
    };
    let assign = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            async move {
                match api::assign_record(module, id, owner()).await {
                    Ok(Some(d)) => {
                        notice.set(Some(format!("Assigned to {}.", d.record.owner.name)));
                        error.set(None);
                        on_changed.call(());
                    }
                    Ok(None) => {
                        navigator().push(Route::Records { module: module_slug(module).to_string() });
                    }
                    Err(e) => error.set(Some(e)),
                }
            }
        }
    };
    let delete = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let slug = slug.clone();
            async move {
                match api::delete_record(module, id).await {
                    Ok(()) => {
                        navigator().push(Route::Records { module: slug });
                    }
                    Err(e) => error.set(Some(e)),
                }
            }
        }
    };
    let owners: Vec<(String, String)> = match &*choices.read() {
        Some(Ok(c)) => c.owners.iter().map(|o| (o.id.clone(), o.name.clone())).collect(),
        _ => vec![(detail.record.owner.id.clone(), detail.record.owner.name.clone())],
    };
    let err = error();
    rsx! {
        crate::ui::components::Breadcrumbs {
            trail: vec![(module.label().to_string(), Route::Records { module: module_slug(module).to_string() })],
            here: detail.record.title.clone(),
        }
        div { class: "page-head",
            div {
                h1 { "{detail.record.title}" }
                p { class: "muted", "{module.label()} · owned by {detail.record.owner.name} · {detail.record.company.name}" }
            }
            Link { class: "btn btn-quiet", to: Route::Records { module: module_slug(module).to_string() }, "Back to {module.label()}" }
        }
        Notice { text: notice() }
        FormBanner { error: err.clone() }
        div { class: "widgets",
            section { class: "card widget widget-wide", "aria-labelledby": "w-details",
                h2 { id: "w-details", "Details" }
                if detail.can_edit {
                    form { class: "form", novalidate: true, onsubmit: save,
                        for f in fields.iter().cloned() {
                            FieldInput { key: "{f.name}", module, error: err.as_ref().and_then(|e| e.field_message(&f.name)).map(str::to_string), meta: f, values }
                        }
                        button { class: "btn btn-primary", r#type: "submit", disabled: !ready, "Save changes" }
                    }
                } else {
                    p { class: "muted", "You may view this record but not change it." }
                    dl { class: "facts",
                        for f in fields.iter() {
                            div { key: "{f.name}",
                                dt { "{f.label}" }
                                dd { "{shown(module, &f.name, detail.record.values.get(&f.name))}" }
                            }
                        }
                    }
                }
            }
            // Shown only when there is someone else to hand the record to.
            if detail.can_assign && owners.len() > 1 {
                section { class: "card widget", "aria-labelledby": "w-owner",
                    h2 { id: "w-owner", "Owner" }
                    p { class: "muted", "Hand this record to someone you may assign records to." }
                    SelectField { id: "new-owner", label: "Owner", value: owner, options: owners,
                        error: err.as_ref().and_then(|e| e.field_message("owner")).map(str::to_string) }
                    button { class: "btn", disabled: !ready, onclick: assign, "Assign" }
                }
            }
            if may_read_setups() {
                AudienceWidget { key: "{detail.record.id}", module, id: detail.record.id.clone() }
            }
            if detail.can_delete {
                section { class: "card widget", "aria-labelledby": "w-delete",
                    h2 { id: "w-delete", "Delete" }
                    if confirm_delete() {
                        div { class: "confirm", role: "alertdialog", "aria-label": "Confirm delete",
                            p { "Delete “{detail.record.title}” for good? The audit log keeps what it held." }
                            button { class: "btn btn-danger", onclick: delete, "Yes, delete" }
                            button { class: "btn", onclick: move |_| confirm_delete.set(false), "Keep it" }
                        }
                    } else {
                        button { class: "btn btn-danger", onclick: move |_| confirm_delete.set(true), "Delete record" }
                    }
                }
            }
        }
    }
}

/// True when the signed-in person may read access setups (Roles & profiles in their menu).
fn may_read_setups() -> bool {
    match try_consume_context::<crate::ui::Session>().and_then(|s| s.info()) {
        Some(Ok(SessionInfo { me: Some(me), .. })) => me.modules.contains(&Module::RolesProfiles),
        _ => false,
    }
}

/// "Who can see this record and why": asked on demand (it weighs every person against the
/// record), then each person with their access and the engine's reasons.
#[component]
fn AudienceWidget(module: Module, id: String) -> Element {
    let mut asked = use_signal(|| false);
    let rid = id.clone();
    let audience = use_resource(move || {
        let rid = rid.clone();
        async move {
            if !asked() {
                return None;
            }
            Some(crate::api::record_audience(module, rid).await)
        }
    });
    let body = match audience.read().clone().flatten() {
        None if !asked() => rsx! {
            button { class: "btn", onclick: move |_| asked.set(true), "Show who can see it" }
        },
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! { p { class: "field-error", role: "alert", "{e}" } },
        Some(Ok(a)) => rsx! {
            p { class: "muted",
                {crate::domain::count(a.total, "person can see this record", "people can see this record")}
                if a.total > a.people.len() as u64 { " (the first {a.people.len()} by name below)" }
            }
            ul { class: "list audience",
                for p in a.people.iter().cloned() {
                    li { key: "{p.id}", class: "list-item",
                        div { class: "list-main", Link { to: Route::UserPage { id: p.id.clone() }, "{p.name}" } span { class: "muted", " · {p.access}" } }
                        details {
                            summary { "Why" }
                            ul { class: "small", for r in p.reasons.iter() { li { key: "{r}", "{r}" } } }
                        }
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "card widget", "aria-labelledby": "w-audience",
            h2 { id: "w-audience", "Who can see this record" }
            {body}
        }
    }
}
