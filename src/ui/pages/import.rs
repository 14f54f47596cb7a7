//! Importing people from a CSV file: choose the file, see what it would do (a dry run: who is
//! added, who changes and how, and every refused cell with its line and column), then import it
//! and watch the progress bar; the job goes on on the server if the page is closed.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::call::use_call;
use crate::ui::components::{FormBanner, Notice};
use crate::ui::Route;

use crate::ui::browser::sleep as pause;

fn column_label(c: &str) -> &str {
    match c {
        "" => "whole row",
        "full_name" => "full_name",
        other => other,
    }
}

/// The import page.
#[component]
pub fn ImportUsers() -> Element {
    let mut file_name = use_signal(String::new);
    let mut text = use_signal(String::new);
    let mut plan = use_signal(|| None::<ImportPlan>);
    let mut job = use_signal(|| None::<ImportJob>);
    let mut notice = use_signal(|| None::<String>);
    let call = use_call();
    let choose = move |evt: FormEvent| async move {
        plan.set(None);
        job.set(None);
        notice.set(None);
        let Some(file) = evt.files().into_iter().next() else { return };
        file_name.set(file.name());
        match file.read_string().await {
            Ok(csv) => {
                text.set(csv.clone());
                if let Some(p) = call.run(api::import_users_preview(csv)).await {
                    plan.set(Some(p));
                }
            }
            Err(_) => call.refuse(ApiError::field("file", "this file could not be read; save it as CSV (UTF-8) and choose it again")),
        }
    };
    let start = move |_| async move {
        let Some(started) = call.run(api::import_users_start(file_name(), text())).await else { return };
        let id = started.id.clone();
        job.set(Some(started));
        // The bar follows the job on the server until it is done.
        loop {
            pause(400).await;
            match api::import_status(id.clone()).await {
                Ok(j) => {
                    let finished = j.status == "done";
                    job.set(Some(j));
                    if finished {
                        break;
                    }
                }
                Err(e) => {
                    call.refuse(e);
                    break;
                }
            }
        }
        plan.set(None);
    };
    let summary = plan().map(|p| {
        let refused = p.errors();
        let applying = p.create + p.update;
        rsx! {
            section { class: "card widget", "aria-labelledby": "dry-run",
                h2 { id: "dry-run", "What importing “{file_name}” would do" }
                ul { class: "import-counts",
                    li { strong { "{p.create}" } " to add (each gets an invitation)" }
                    li { strong { "{p.update}" } " to change" }
                    li { strong { "{p.unchanged}" } " already as in the file" }
                    li { class: if p.refused > 0 { "bad" } else { "" }, strong { "{p.refused}" } " refused" }
                }
                if !refused.is_empty() {
                    div { class: "table-wrap",
                        table { class: "table", "aria-label": "Refused cells",
                            thead { tr { th { scope: "col", "Line" } th { scope: "col", "Column" } th { scope: "col", "Problem" } } }
                            tbody {
                                for (i, e) in refused.iter().enumerate() {
                                    tr { key: "{i}", td { "{e.line}" } td { "{column_label(&e.column)}" } td { "{e.message}" } }
                                }
                            }
                        }
                    }
                }
                {
                    let changes: Vec<RowPlan> = p.rows.iter().filter(|r| matches!(r.outcome, RowOutcome::Update(_))).take(50).cloned().collect();
                    rsx! {
                        if !changes.is_empty() {
                            h3 { "Changes" }
                            ul { class: "list", "aria-label": "People who would change",
                                for r in changes {
                                    li { key: "{r.line}", class: "list-item",
                                        div { class: "list-main", "{r.email}" }
                                        if let RowOutcome::Update(fields) = &r.outcome {
                                            div { class: "list-sub", "line {r.line}: {fields.join(\", \")}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                if applying > 0 {
                    button { class: "btn btn-primary", disabled: (call.pending)(), onclick: start,
                        {format!("Import {}", count(applying, "person", "people"))}
                    }
                    if p.refused > 0 {
                        p { class: "muted", "Refused rows are left out; correct them and import the file again (people already imported stay as they are)." }
                    }
                } else {
                    p { class: "muted", "Nothing to import." }
                }
            }
        }
    });
    let progress = job().map(|j| {
        let pct = j.percent();
        let done = j.status == "done";
        rsx! {
            section { class: "card widget", "aria-labelledby": "progress-h",
                h2 { id: "progress-h", if done { "Import done" } else { "Importing…" } }
                progress { id: "import-progress", max: "100", value: "{pct}", "aria-label": "Import progress", "{pct} %" }
                p { role: "status", "{j.done} of {j.total} rows · {pct} %" }
                if done {
                    p { "{count(j.created, \"person added\", \"people added\")}, {count(j.updated, \"person changed\", \"people changed\")}, {j.unchanged} unchanged." }
                    if !j.failed.is_empty() {
                        div { class: "banner banner-error", role: "alert",
                            p { "Some rows could not be applied:" }
                            ul { for (i, e) in j.failed.iter().enumerate() { li { key: "{i}", "line {e.line}: {e.message}" } } }
                        }
                    }
                    Link { class: "btn", to: Route::users(), "See the users list" }
                }
            }
        }
    });
    rsx! {
        crate::ui::components::PageTitle { title: "Import people · Gatehouse" }
        crate::ui::components::Breadcrumbs { trail: vec![("Users".to_string(), Route::users())], here: "Import people" }
        div { class: "page-head",
            h1 { "Import people" }
            Link { class: "btn btn-quiet", to: Route::users(), "Back to users" }
        }
        div { class: "widgets",
            section { class: "card widget", "aria-labelledby": "import-file",
                h2 { id: "import-file", "Choose a file" }
                p { class: "muted",
                    "The first line names the columns: "
                    code { {USER_CSV_COLUMNS.join(", ")} }
                    ". Only full_name and email are required; role, department and companies are written by name, several companies separated by “;”. "
                    "A person whose email is already here is updated (empty cells keep what they have); the same file imported twice changes nothing the second time. "
                    "The users list's “Export CSV” writes these same columns."
                }
                Notice { text: notice() }
                FormBanner { error: (call.error)() }
                div { class: "field",
                    label { r#for: "import-csv", "CSV file" }
                    input { id: "import-csv", r#type: "file", accept: ".csv,text/csv", onchange: choose }
                    if let Some(m) = call.field("file") {
                        p { class: "field-error", role: "alert", "{m}" }
                    }
                }
                if (call.pending)() && plan().is_none() && job().is_none() {
                    p { role: "status", "Reading the file…" }
                }
            }
            {summary}
            {progress}
        }
    }
}
