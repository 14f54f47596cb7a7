//! "Who has what, and why": the people in reach with their access per module and its reasons,
//! filtered by company, department and role; CSV for a spreadsheet and a clean printed page.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::{download_csv, pending, refusal, Notice, Pager, SelectField, StatusBadge};
use crate::ui::Route;

#[derive(Clone, PartialEq, Default)]
struct Filters {
    companies: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    profiles: Vec<(String, String)>,
}

async fn filters() -> Filters {
    let (companies, departments, roles) = (api::list_companies().await, api::list_departments().await, api::list_roles().await);
    // Profiles come with the access setup (Roles & profiles / View, which the report needs too).
    let profiles = api::admin_org().await.map(|o| o.profiles.into_iter().map(|p| (p.id, p.name)).collect()).unwrap_or_default();
    Filters {
        profiles,
        companies: companies.unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect(),
        departments: departments.unwrap_or_default().into_iter().map(|d| (d.id, d.name)).collect(),
        roles: roles.unwrap_or_default().into_iter().map(|r| (r.id, r.name)).collect(),
    }
}

#[component]
pub fn AccessReport(filter: ReportFilter) -> Element {
    let company = use_signal(String::new);
    let department = use_signal(String::new);
    let role = use_signal(String::new);
    // The profile can come from the address (a profile's "People" link on the Roles page).
    let mut profile = use_signal(|| filter.profile.clone());
    use_effect(use_reactive!(|filter| {
        if *profile.peek() != filter.profile {
            profile.set(filter.profile.clone());
        }
    }));
    let per_page = use_signal(|| "25".to_string());
    let mut page = use_signal(|| 1u32);
    let mut notice = use_signal(|| None::<String>);
    let choices = use_resource(filters);
    let query = move || AccessReportQuery {
        company: Some(company()).filter(|s| !s.is_empty()),
        department: Some(department()).filter(|s| !s.is_empty()),
        role: Some(role()).filter(|s| !s.is_empty()),
        profile: Some(profile()).filter(|s| !s.is_empty()),
        page: page(),
        per_page: per_page().parse().unwrap_or(25),
    };
    let report = use_resource(move || async move { api::access_report(query()).await });
    use_effect(move || {
        let _ = (company(), department(), role(), profile(), per_page());
        page.set(1);
    });
    let export = move |_| async move {
        match api::export_access_report(query()).await {
            Ok(csv) => {
                download_csv("who-has-what.csv", &csv);
                notice.set(Some("The CSV file was downloaded.".into()));
            }
            Err(e) => notice.set(Some(e.to_string())),
        }
    };
    if let Some(refused) = refusal(&*report.read()) {
        return refused;
    }
    let f = choices.read().clone().unwrap_or_default();
    let body = match &*report.read() {
        state @ (None | Some(Err(_))) => pending(state),
        Some(Ok(p)) if p.items.is_empty() => rsx! { div { class: "card empty", p { "Nobody matches these filters." } } },
        Some(Ok(p)) => {
            let (at, size, total) = (p.page, p.per_page, p.total);
            rsx! {
                table { class: "data report",
                    caption { class: "sr-only", "Who has what, and why" }
                    thead { tr {
                        th { scope: "col", "Person" }
                        th { scope: "col", "Role and department" }
                        th { scope: "col", "Companies and licenses" }
                        th { scope: "col", "Sign-in" }
                        th { scope: "col", "Access, and why" }
                    } }
                    tbody {
                        for r in p.items.iter() {
                            tr { key: "{r.id}",
                                td { "data-label": "Person",
                                    Link { to: Route::UserPage { id: r.id.clone() }, "{r.name}" }
                                    div { class: "small muted wrap", "{r.email}" }
                                    StatusBadge { status: r.status }
                                }
                                td { "data-label": "Role and department", "{r.role}" div { class: "small muted", "{r.department}" } }
                                td { "data-label": "Companies and licenses",
                                    "{r.companies.join(\", \")}"
                                    div { class: "small muted",
                                        if r.licenses.is_empty() { "No license" } else { "Licenses: {r.licenses.join(\", \")}" }
                                    }
                                }
                                td { "data-label": "Sign-in",
                                    {r.last_sign_in_at.map(crate::ui::browser::local_time).unwrap_or_else(|| "Never signed in".to_string())}
                                    div { class: "small muted", if r.second_factor { "Second factor set up" } else { "Password only" } }
                                }
                                td { "data-label": "Access, and why",
                                    if r.access.is_empty() {
                                        span { class: "muted", "No access to any module" }
                                    } else {
                                        ul { class: "access-lines",
                                            for line in r.access.iter() {
                                                li { key: "{line.module:?}",
                                                    strong { "{line.module.label()}" }
                                                    ": {line.actions_text()}"
                                                    if !line.why.is_empty() {
                                                        span { class: "small muted", " · {line.why.join(\"; \")}" }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div { class: "no-print",
                    Pager { page, at, per_page: size, total, one: "person".to_string(), many: "people".to_string() }
                }
            }
        }
    };
    rsx! {
        crate::ui::components::PageTitle { title: "Who has what · Gatehouse" }
        div { class: "page-head",
            div {
                h1 { "Who has what, and why" }
                p { class: "muted", "Everyone you can see, with what they may do in each module and where it comes from. Print it or download it to keep as the reference of who has access and why." }
            }
        }
        Notice { text: notice() }
        section { class: "card filters no-print", "aria-label": "Filters",
            div { class: "filter-row",
                SelectField { id: "report-company", label: "Company", value: company, options: f.companies, placeholder: "All companies" }
                SelectField { id: "report-department", label: "Department", value: department, options: f.departments, placeholder: "All departments" }
                SelectField { id: "report-role", label: "Role", value: role, options: f.roles, placeholder: "All roles" }
                SelectField { id: "report-profile", label: "Holding the profile", value: profile, options: f.profiles, placeholder: "Any profile" }
                SelectField { id: "report-per-page", label: "People per page", value: per_page,
                    options: vec![("25".to_string(), "25".to_string()), ("100".to_string(), "100".to_string())] }
            }
            div { class: "form-actions",
                button { class: "btn", onclick: export, "Download CSV" }
                button { class: "btn", onclick: move |_| crate::ui::browser::print_page(), "Print" }
            }
        }
        {body}
    }
}
