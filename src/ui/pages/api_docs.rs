//! The REST API's reference inside the console: every operation of `/api/v1`, grouped, with its
//! parameters, body and answers, read from the OpenAPI document the server generates. Nothing
//! is loaded from elsewhere, so it works offline.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::ui::components::pending;

fn group_title(tag: &str) -> &'static str {
    match tag {
        "users" => "People",
        "organisation" => "Organisation",
        "access" => "Profiles and grants",
        "records" => "Records",
        "audit" => "Audit log",
        _ => "Other",
    }
}

/// The API reference page.
#[component]
pub fn ApiDocs() -> Element {
    let reference = use_resource(|| async move { api::api_reference().await });
    let body = match &*reference.read() {
        Some(Ok(r)) => {
            let r = r.clone();
            let mut groups: Vec<(String, Vec<ApiOperation>)> = Vec::new();
            for op in r.operations {
                match groups.iter_mut().find(|(t, _)| *t == op.tag) {
                    Some((_, ops)) => ops.push(op),
                    None => groups.push((op.tag.clone(), vec![op])),
                }
            }
            rsx! {
                section { class: "card widget", "aria-labelledby": "api-start",
                    h2 { id: "api-start", "Getting started" }
                    p { "{r.description}" }
                    p {
                        "Make a token on your "
                        Link { to: crate::ui::Route::Security {}, "Sign-in and security" }
                        " page, then send it with every request:"
                    }
                    pre { class: "code-block", "curl -H \"Authorization: Bearer gh_…\" /api/v1/users?status=active&limit=50" }
                    p { class: "muted",
                        "The machine-readable description (OpenAPI {r.version}) is at "
                        a { href: "/api/v1/openapi.json", "/api/v1/openapi.json" }
                        "."
                    }
                }
                super::service_accounts::ServiceAccountsCard {}
                for (tag, ops) in groups {
                    section { key: "{tag}", class: "card widget", "aria-labelledby": "api-{tag}",
                        h2 { id: "api-{tag}", "{group_title(&tag)}" }
                        for op in ops {
                            article { key: "{op.method} {op.path}", class: "api-op",
                                h3 { class: "api-op-title",
                                    span { class: "api-method api-method-{op.method.to_lowercase()}", "{op.method}" }
                                    code { "{op.path}" }
                                }
                                p { "{op.summary}" }
                                if !op.description.is_empty() {
                                    p { class: "muted", "{op.description}" }
                                }
                                if !op.parameters.is_empty() {
                                    dl { class: "api-params", "aria-label": "Parameters of {op.method} {op.path}",
                                        for p in op.parameters.iter() {
                                            dt { key: "{p.location}-{p.name}",
                                                code { "{p.name}" }
                                                span { class: "muted", {format!(" ({}{})", p.location, if p.required { ", required" } else { "" })} }
                                            }
                                            dd { "{p.description}" }
                                        }
                                    }
                                }
                                if let Some(b) = &op.body {
                                    p { "Body: a JSON " code { "{b}" } " object." }
                                }
                                ul { class: "api-answers", "aria-label": "Answers of {op.method} {op.path}",
                                    for (code, what) in op.answers.iter() {
                                        li { key: "{code}", strong { "{code}" } " {what}" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        other => pending(other),
    };
    rsx! {
        crate::ui::components::PageTitle { title: "API reference · Gatehouse" }
        div { class: "page-head", h1 { "API reference" } }
        div { class: "widgets", {body} }
    }
}
