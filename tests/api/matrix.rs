//! The authorization matrix: every registered server function, called by every persona, gets the
//! answer written here. A server function with no entry fails the test, so a new one cannot ship
//! without someone deciding who may call it.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "amber harbour quietly folds";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    FullAdmin,
    /// Users (view, create, edit), Companies, Departments & Groups and Audit log views; company A only.
    DelegatedAdmin,
    /// Leads, Customers and Opportunities at Department tree (with Delete and Export); Users view.
    SalesManager,
    /// Leads and Opportunities at Own.
    SalesRep,
    /// Support activities at Own, Customers view.
    SupportAgent,
    Inactive,
    Blocked,
}

use Persona::*;

const PERSONAS: [Persona; 8] = [Anonymous, FullAdmin, DelegatedAdmin, SalesManager, SalesRep, SupportAgent, Inactive, Blocked];

/// What a call may come back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 401: no valid session.
    Unauthorized,
    /// 403, or 404 for a target outside the caller's reach.
    Denied,
    /// Past authorization: any other answer (200, or a 4xx about the request itself).
    Allowed,
    /// A public function: any answer but 401 (a bad token is still a 404).
    Answered,
}

/// Who may call a function.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Public,
    AnySession,
    Only(&'static [Persona]),
}

struct Ids {
    company: String,
    spare_company: String,
    dept: String,
    spare_dept: String,
    rep: String,
    manager: String,
    record: String,
    admin_role: String,
}

/// One entry per server function: method, path (with `{id}` filled in), body and rule.
fn matrix(ids: &Ids, persona: Persona) -> Vec<(&'static str, String, Option<Value>, Rule)> {
    const ADMIN: &[Persona] = &[FullAdmin];
    const USER_ADMINS: &[Persona] = &[FullAdmin, DelegatedAdmin];
    const USER_VIEWERS: &[Persona] = &[FullAdmin, DelegatedAdmin, SalesManager];
    const OPPORTUNITIES: &[Persona] = &[FullAdmin, SalesManager, SalesRep];
    const OPP_MANAGERS: &[Persona] = &[FullAdmin, SalesManager];
    let (rep, record) = (&ids.rep, &ids.record);
    let tag = format!("{persona:?}").to_lowercase();
    let opp = |extra: Value| {
        let mut body = json!({ "module": "Opportunities", "id": record });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        Some(body)
    };
    let new_group = json!({ "change": { "SaveGroup": { "id": null, "name": format!("Group {tag}"), "users": [], "groups": [] } } });
    vec![
        ("GET", "/api/session".into(), None, Rule::Public),
        ("POST", "/api/setup".into(), Some(json!({ "full_name": "X", "email": "x@example.com", "password": PASSWORD })), Rule::Public),
        ("POST", "/api/auth/sign-in".into(), Some(json!({ "email": "nobody@example.com", "password": "wrong password here" })), Rule::Public),
        ("POST", "/api/auth/forgot".into(), Some(json!({ "email": "nobody@example.com" })), Rule::Public),
        ("POST", "/api/links/info".into(), Some(json!({ "token": "0".repeat(64) })), Rule::Public),
        ("POST", "/api/links/complete".into(), Some(json!({ "token": "0".repeat(64), "password": PASSWORD })), Rule::Public),
        ("GET", "/api/auth/me".into(), None, Rule::AnySession),
        ("POST", "/api/find".into(), Some(json!({ "term": "Rita" })), Rule::AnySession),
        ("GET", "/api/dashboard".into(), None, Rule::Only(USER_VIEWERS)),
        ("GET", "/api/expiring".into(), None, Rule::Only(USER_VIEWERS)),
        ("GET", "/api/companies".into(), None, Rule::AnySession),
        ("POST", "/api/companies".into(), Some(json!({ "name": format!("New {tag}") })), Rule::Only(ADMIN)),
        ("POST", format!("/api/companies/{}/rename", ids.spare_company), Some(json!({ "name": format!("Spare {tag}") })), Rule::Only(ADMIN)),
        ("POST", format!("/api/companies/{}/archive", ids.spare_company), Some(json!({ "archived": false })), Rule::Only(ADMIN)),
        ("POST", format!("/api/companies/{}/delete", ids.spare_company), Some(json!({})), Rule::Only(ADMIN)),
        ("GET", "/api/departments".into(), None, Rule::AnySession),
        ("POST", "/api/departments".into(), Some(json!({ "input": { "name": format!("Dept {tag}"), "parent": null, "manager": null } })), Rule::Only(ADMIN)),
        ("POST", format!("/api/departments/{}", ids.dept), Some(json!({ "input": { "name": "Sales", "parent": null, "manager": null } })), Rule::Only(ADMIN)),
        ("POST", format!("/api/departments/{}/delete", ids.spare_dept), Some(json!({})), Rule::Only(ADMIN)),
        ("GET", "/api/roles".into(), None, Rule::AnySession),
        ("GET", "/api/licenses".into(), None, Rule::AnySession),
        ("POST", "/api/licenses".into(), Some(json!({ "id": null, "name": format!("Seat {tag}"), "seats": 3, "modules": [] })), Rule::Only(ADMIN)),
        ("POST", "/api/users/search".into(), Some(json!({ "query": {} })), Rule::Only(USER_VIEWERS)),
        ("GET", format!("/api/users/{rep}"), None, Rule::Only(USER_VIEWERS)),
        ("GET", format!("/api/users/{rep}/setup"), None, Rule::Only(USER_VIEWERS)),
        // The rep is the target here: anyone may list their own sessions.
        ("GET", format!("/api/users/{rep}/sessions"), None, Rule::Only(&[FullAdmin, DelegatedAdmin, SalesManager, SalesRep])),
        ("GET", format!("/api/users/{rep}/tokens"), None, Rule::Only(&[FullAdmin, DelegatedAdmin, SalesManager, SalesRep])),
        ("GET", format!("/api/users/{rep}/activity"), None, Rule::Only(USER_ADMINS)),
        (
            "POST",
            "/api/users".into(),
            Some(json!({ "input": { "full_name": "New Person", "email": format!("new-{tag}@example.com"), "mobile": "",
                "department": ids.dept, "role": ids.admin_role, "companies": [ids.company], "is_approver": false } })),
            Rule::Only(USER_ADMINS),
        ),
        (
            "POST",
            format!("/api/users/{rep}"),
            Some(json!({ "input": { "full_name": "Rita Rep", "email": "rita@example.com", "mobile": "", "department": ids.dept,
                "role": "no-such-role", "companies": [ids.company], "is_approver": false } })),
            Rule::Only(USER_ADMINS),
        ),
        (
            "POST",
            format!("/api/users/{rep}/preview"),
            Some(json!({ "input": { "full_name": "Rita Rep", "email": "rita@example.com", "mobile": "", "department": ids.dept,
                "role": "no-such-role", "companies": [ids.company], "is_approver": false } })),
            Rule::Only(USER_ADMINS),
        ),
        ("POST", format!("/api/users/{rep}/status"), Some(json!({ "status": "active" })), Rule::Only(USER_ADMINS)),
        // No takeover: the rep holds records the delegated admin does not, so the delegated admin
        // may not touch her credentials or sessions.
        ("POST", format!("/api/users/{rep}/resend-invite"), Some(json!({})), Rule::Only(ADMIN)),
        ("POST", format!("/api/users/{rep}/invite-link"), Some(json!({})), Rule::Only(ADMIN)),
        // Offboarding passes "no takeover": the delegated admin lacks the rep's record access.
        // The full administrator's calls stop at the request itself (a past date, the leaver as
        // new owner), so the rep stays for the rest of the matrix.
        ("POST", format!("/api/users/{rep}/offboarding/preview"), Some(json!({ "new_owner": null })), Rule::Only(ADMIN)),
        ("POST", format!("/api/users/{rep}/offboard"), Some(json!({ "new_owner": rep })), Rule::Only(ADMIN)),
        ("POST", format!("/api/users/{rep}/offboarding/schedule"), Some(json!({ "at": 1, "new_owner": null })), Rule::Only(ADMIN)),
        ("POST", "/api/users/bulk".into(), Some(json!({ "ids": [], "action": "Activate" })), Rule::Only(USER_ADMINS)),
        ("POST", format!("/api/users/{rep}/password"), Some(json!({ "change": "SendResetLink" })), Rule::Only(ADMIN)),
        // Ending one's own other sessions is self-service too.
        ("POST", format!("/api/users/{rep}/sessions/end"), Some(json!({ "session": null })), Rule::Only(&[FullAdmin, SalesRep])),
        // A token that does not exist is a 404 to everyone (who may revoke whose: tokens.rs).
        ("POST", format!("/api/users/{rep}/tokens/nosuchtoken/revoke"), Some(json!({})), Rule::Only(&[])),
        ("POST", format!("/api/users/{rep}/licenses"), Some(json!({ "licenses": ["no-such-license"] })), Rule::Only(USER_ADMINS)),
        ("POST", format!("/api/users/{rep}/navigation"), Some(json!({ "hidden": [] })), Rule::Only(USER_ADMINS)),
        ("POST", "/api/account/password".into(), Some(json!({ "current": "not my password at all", "password": "x" })), Rule::AnySession),
        ("POST", "/api/audit/search".into(), Some(json!({ "query": {} })), Rule::Only(USER_ADMINS)),
        ("POST", "/api/audit/export".into(), Some(json!({ "query": {} })), Rule::Only(ADMIN)),
        ("GET", "/api/admin/org".into(), None, Rule::Only(USER_ADMINS)),
        ("POST", "/api/admin/preview".into(), Some(new_group.clone()), Rule::Only(ADMIN)),
        ("POST", "/api/admin/save".into(), Some(new_group), Rule::Only(ADMIN)),
        ("GET", format!("/api/users/{rep}/access"), None, Rule::Only(ADMIN)),
        ("GET", "/api/admin/conflicts".into(), None, Rule::Only(ADMIN)),
        ("POST", "/api/reports/access".into(), Some(json!({ "query": {} })), Rule::Only(ADMIN)),
        // Reviews: anyone lists the campaigns they review in; only a full administrator starts
        // one; an unknown campaign or line is nobody's.
        ("GET", "/api/reviews".into(), None, Rule::AnySession),
        ("GET", "/api/welcome".into(), None, Rule::AnySession),
        ("POST", "/api/reviews".into(), Some(json!({ "input": { "name": "", "scope": "Everyone", "reviewer": null, "fallback": "", "due": "", "unanswered_keep": true } })), Rule::Only(ADMIN)),
        ("GET", "/api/reviews/x0".into(), None, Rule::Only(&[])),
        ("POST", "/api/review-lines/x0".into(), Some(json!({ "keep": true, "justification": "" })), Rule::Only(&[])),
        ("POST", "/api/reviews/x0/closing".into(), Some(json!({})), Rule::Only(&[])),
        ("POST", "/api/reviews/x0/close".into(), Some(json!({})), Rule::Only(&[])),
        ("POST", "/api/reviews/x0/export".into(), Some(json!({})), Rule::Only(&[])),
        ("POST", "/api/reports/access/export".into(), Some(json!({ "query": {} })), Rule::Only(ADMIN)),
        ("GET", "/api/settings".into(), None, Rule::Only(ADMIN)),
        ("POST", "/api/settings/test-email".into(), Some(json!({})), Rule::Only(ADMIN)),
        ("POST", "/api/records/search".into(), Some(json!({ "query": { "module": "Opportunities" } })), Rule::Only(OPPORTUNITIES)),
        ("POST", "/api/records/choices".into(), Some(json!({ "module": "Opportunities", "company": null })), Rule::Only(OPPORTUNITIES)),
        ("POST", "/api/records/get".into(), opp(json!({})), Rule::Only(OPPORTUNITIES)),
        // Who can see a record: the record and Roles & profiles / View.
        ("POST", "/api/records/audience".into(), opp(json!({})), Rule::Only(ADMIN)),
        ("POST", "/api/records/update".into(), opp(json!({ "input": { "values": { "stage": "Won" } } })), Rule::Only(OPPORTUNITIES)),
        ("POST", "/api/records/assign".into(), opp(json!({ "owner": rep })), Rule::Only(OPPORTUNITIES)),
        (
            "POST",
            "/api/records/create".into(),
            Some(json!({ "module": "Opportunities", "input": { "values": { "name": format!("Deal {tag}") }, "company": ids.company } })),
            Rule::Only(OPPORTUNITIES),
        ),
        ("POST", "/api/records/export".into(), Some(json!({ "query": { "module": "Opportunities" } })), Rule::Only(OPP_MANAGERS)),
        ("POST", "/api/records/reassign".into(), Some(json!({ "from": rep, "to": ids.manager })), Rule::Only(ADMIN)),
        ("POST", "/api/records/delete".into(), opp(json!({})), Rule::Only(OPP_MANAGERS)),
        ("POST", "/api/view-as".into(), Some(json!({ "user": rep })), Rule::Only(ADMIN)),
        ("POST", "/api/view-as/end".into(), Some(json!({})), Rule::AnySession),
        // Second factors: one's own is self-service; someone else's status is for those who see
        // them, a reset for those who may take over nothing by it.
        ("POST", "/api/auth/second-factor".into(), Some(json!({ "code": "123456" })), Rule::AnySession),
        ("POST", "/api/auth/confirm".into(), Some(json!({ "password": "not my password at all", "code": null })), Rule::AnySession),
        ("GET", format!("/api/users/{rep}/second-factor"), None, Rule::Only(&[FullAdmin, DelegatedAdmin, SalesManager, SalesRep])),
        ("POST", "/api/account/totp/start".into(), Some(json!({})), Rule::AnySession),
        ("POST", "/api/account/totp/confirm".into(), Some(json!({ "code": "000000" })), Rule::AnySession),
        ("POST", "/api/account/recovery-codes".into(), Some(json!({})), Rule::AnySession),
        ("POST", "/api/account/second-factor/off".into(), Some(json!({})), Rule::AnySession),
        ("POST", format!("/api/users/{rep}/second-factor/reset"), Some(json!({})), Rule::Only(ADMIN)),
        ("GET", "/api/second-factor/policy".into(), None, Rule::Only(ADMIN)),
        ("POST", "/api/second-factor/policy".into(), Some(json!({ "role": null, "required": false })), Rule::Only(ADMIN)),
        ("POST", "/api/account/passkeys/start".into(), Some(json!({ "name": "Laptop" })), Rule::AnySession),
        ("POST", "/api/account/passkeys/finish".into(), Some(json!({ "ceremony": "nope", "credential": {} })), Rule::AnySession),
        ("GET", format!("/api/users/{rep}/passkeys"), None, Rule::Only(&[FullAdmin, DelegatedAdmin, SalesManager, SalesRep])),
        ("POST", "/api/account/passkeys/remove".into(), Some(json!({ "passkey": "nope" })), Rule::AnySession),
        ("GET", "/api/tokens".into(), None, Rule::AnySession),
        ("GET", "/api/api-reference".into(), None, Rule::AnySession),
        // Users / Import and Export: the delegated admin's profile has neither.
        ("POST", "/api/users/import/preview".into(), Some(json!({ "csv": "full_name,email\n" })), Rule::Only(ADMIN)),
        ("POST", "/api/users/import".into(), Some(json!({ "file_name": "x.csv", "csv": "full_name,email\n" })), Rule::Only(ADMIN)),
        // Nobody sees an import that is not theirs.
        ("GET", "/api/imports/nope".into(), None, Rule::Only(&[])),
        ("POST", "/api/users/export".into(), Some(json!({ "query": {} })), Rule::Only(ADMIN)),
        ("POST", "/api/tokens".into(), Some(json!({ "input": { "name": "Matrix", "write": false, "days": 7 } })), Rule::AnySession),
        // Users / Create, judged like any new user.
        (
            "POST",
            "/api/service-accounts".into(),
            Some(json!({ "input": { "name": format!("Matrix {tag}"), "role": ids.admin_role, "provision_role": ids.admin_role, "days": 7 } })),
            Rule::Only(USER_ADMINS),
        ),
        // Nobody revokes a token that is not theirs.
        ("POST", "/api/tokens/nope/revoke".into(), Some(json!({})), Rule::Only(&[])),
        ("POST", "/api/auth/passkey/start".into(), Some(json!({})), Rule::Public),
        ("POST", "/api/auth/passkey/finish".into(), Some(json!({ "ceremony": "nope", "credential": {} })), Rule::Public),
        ("POST", "/api/auth/sign-out".into(), Some(json!({})), Rule::AnySession),
    ]
}

fn expected(rule: Rule, persona: Persona) -> Outcome {
    match (rule, persona) {
        (Rule::Public, _) => Outcome::Answered,
        (_, Anonymous | Inactive | Blocked) => Outcome::Unauthorized,
        (Rule::AnySession, _) => Outcome::Allowed,
        (Rule::Only(who), p) if who.contains(&p) => Outcome::Allowed,
        _ => Outcome::Denied,
    }
}

fn outcome(a: &Answer) -> Outcome {
    match a.status {
        401 if a.error_kind() == "Unauthorized" => Outcome::Unauthorized,
        403 | 404 => Outcome::Denied,
        _ => Outcome::Allowed,
    }
}

/// Whether a concrete path is an instance of a registered pattern (`/api/users/{id}`).
fn instance_of(pattern: &str, path: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || (x.starts_with('{') && x.ends_with('}')))
}

/// An installation with every persona in it; returns the ids and a client signed in as `persona`.
async fn installation(persona: Persona) -> (TestApp, Ids, reqwest::Client) {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let b = app.post("/api/companies", json!({ "name": "Bravo Ltd" })).await.body["id"].as_str().unwrap().to_string();
    let spare_company = app.post("/api/companies", json!({ "name": "Spare Co" })).await.body["id"].as_str().unwrap().to_string();
    let spare_dept =
        app.post("/api/departments", json!({ "input": { "name": "Spare", "parent": null, "manager": null } })).await.body.as_str().unwrap().to_string();
    let admin_role = app
        .define_role(
            "Company Admin",
            &[
                ("Users", "View", "All"),
                ("Users", "Create", "All"),
                ("Users", "Edit", "All"),
                ("Companies", "View", "All"),
                ("DepartmentsGroups", "View", "All"),
                ("AuditLog", "View", "All"),
            ],
        )
        .await;
    let mut manager_perms = vec![("Users", "View", "Department")];
    for m in ["Leads", "Customers", "Opportunities"] {
        for a in ["View", "Create", "Edit", "Delete", "Export"] {
            manager_perms.push((m, a, "DepartmentTree"));
        }
    }
    let manager_role = app.define_role("Sales Manager", &manager_perms).await;
    let rep_role = app
        .define_role(
            "Sales Rep",
            &[("Leads", "View", "Own"), ("Leads", "Create", "Own"), ("Leads", "Edit", "Own"), ("Opportunities", "View", "Own"), ("Opportunities", "Create", "Own"), ("Opportunities", "Edit", "Own")],
        )
        .await;
    let support_role = app
        .define_role(
            "Support Agent",
            &[("SupportActivities", "View", "Own"), ("SupportActivities", "Create", "Own"), ("SupportActivities", "Edit", "Own"), ("Customers", "View", "All")],
        )
        .await;
    let both = [company.as_str(), b.as_str()];
    let (_, deleg) = app.onboard("Dana Delegate", "dana@example.com", PASSWORD, &admin_role, &[&company], &dept).await;
    let (manager, mgr) = app.onboard("Max Manager", "max@example.com", PASSWORD, &manager_role, &both, &dept).await;
    let (rep, rep_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let (_, sup) = app.onboard("Sue Support", "sue@example.com", PASSWORD, &support_role, &[&company], &dept).await;
    let (inactive, inactive_client) = app.onboard("Ian Inactive", "ian@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let (blocked, blocked_client) = app.onboard("Bea Blocked", "bea@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    for (id, status) in [(&inactive, "inactive"), (&blocked, "blocked")] {
        let a = app.post(&format!("/api/users/{id}/status"), json!({ "status": status })).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    let rec = app
        .call_with(
            &rep_client,
            "POST",
            "/api/records/create",
            Some(json!({ "module": "Opportunities", "input": { "values": { "name": "Rita's deal" }, "company": company } })),
        )
        .await;
    assert_eq!(rec.status, 200, "{:?}", rec.body);
    let ids = Ids {
        company,
        spare_company,
        dept,
        spare_dept,
        rep,
        manager,
        record: rec.body["record"]["id"].as_str().unwrap().to_string(),
        admin_role,
    };
    let client = match persona {
        Anonymous => new_client(),
        FullAdmin => app.client.clone(),
        DelegatedAdmin => deleg,
        SalesManager => mgr,
        SalesRep => rep_client,
        SupportAgent => sup,
        Inactive => inactive_client,
        Blocked => blocked_client,
    };
    (app, ids, client)
}

#[tokio::test]
async fn every_server_function_answers_every_persona_as_the_matrix_says() {
    let mut failures = Vec::new();
    for persona in PERSONAS {
        let (app, ids, client) = installation(persona).await;
        let entries = matrix(&ids, persona);
        // Every registered function has an entry, and every entry is a registered function.
        for f in dioxus::server::ServerFunction::collect() {
            let method = f.method().to_string();
            let known = entries.iter().any(|(m, p, _, _)| *m == method && instance_of(f.path(), p));
            assert!(known, "{method} {} has no entry in the authorization matrix: decide who may call it", f.path());
        }
        for (method, path, _, _) in &entries {
            let registered = dioxus::server::ServerFunction::collect().iter().any(|f| f.method().as_str() == *method && instance_of(f.path(), path));
            assert!(registered, "matrix entry {method} {path} is not a registered server function");
        }
        for (method, path, body, rule) in &entries {
            let a = app.call_with(&client, method, path, body.clone()).await;
            assert_ne!(a.status, 500, "{method} {path} as {persona:?} answered 500: {:?}", a.body);
            let want = expected(*rule, persona);
            let got = match outcome(&a) {
                Outcome::Unauthorized => Outcome::Unauthorized,
                _ if want == Outcome::Answered => Outcome::Answered,
                other => other,
            };
            if want != got {
                failures.push(format!("{persona:?} {method} {path}: expected {want:?}, got {} {}", a.status, a.body));
            }
        }
    }
    assert!(failures.is_empty(), "{} cell(s) differ:\n{}", failures.len(), failures.join("\n"));
}

/// The functions that only read, and so run while a full administrator views the console as
/// someone: written out here on purpose, like the public list. Everything else (every write,
/// every export) is refused during "view as", whichever way it is reached.
const EXPECTED_VIEW_AS_READS: &[(&str, &str)] = &[
    ("GET", "/api/admin/conflicts"),
    ("GET", "/api/admin/org"),
    ("GET", "/api/auth/me"),
    ("GET", "/api/companies"),
    ("GET", "/api/dashboard"),
    ("GET", "/api/expiring"),
    ("GET", "/api/departments"),
    ("GET", "/api/licenses"),
    ("GET", "/api/roles"),
    ("GET", "/api/second-factor/policy"),
    ("GET", "/api/settings"),
    ("GET", "/api/users/{id}"),
    ("GET", "/api/users/{id}/access"),
    ("GET", "/api/users/{id}/activity"),
    ("GET", "/api/users/{id}/passkeys"),
    ("GET", "/api/users/{id}/second-factor"),
    ("GET", "/api/users/{id}/sessions"),
    ("GET", "/api/users/{id}/tokens"),
    ("GET", "/api/users/{id}/setup"),
    ("POST", "/api/admin/preview"),
    ("POST", "/api/find"),
    ("POST", "/api/audit/search"),
    ("POST", "/api/auth/sign-out"),
    ("POST", "/api/records/choices"),
    ("POST", "/api/records/audience"),
    ("POST", "/api/records/get"),
    ("POST", "/api/records/search"),
    ("POST", "/api/reports/access"),
    ("GET", "/api/reviews"),
    ("GET", "/api/welcome"),
    ("GET", "/api/tokens"),
    ("GET", "/api/api-reference"),
    ("POST", "/api/users/import/preview"),
    ("GET", "/api/imports/{id}"),
    ("GET", "/api/reviews/{id}"),
    ("POST", "/api/reviews/{id}/closing"),
    ("POST", "/api/users/search"),
    ("POST", "/api/users/{id}/offboarding/preview"),
    ("POST", "/api/users/{id}/preview"),
    ("POST", "/api/view-as/end"),
];

#[tokio::test]
async fn while_viewing_as_someone_only_the_functions_declared_as_reads_run() {
    let (app, ids, admin) = installation(FullAdmin).await;
    assert_eq!(app.call_with(&admin, "POST", "/api/view-as", Some(json!({ "user": ids.rep }))).await.status, 200);
    let mut refused = 0;
    for (method, path, body, _) in matrix(&ids, FullAdmin) {
        // Ending "view as" or signing out would end the test's own view.
        if path == "/api/view-as/end" || path == "/api/auth/sign-out" {
            continue;
        }
        let read = EXPECTED_VIEW_AS_READS.iter().any(|(m, p)| *m == method && instance_of(p, &path));
        let a = app.call_with(&admin, method, &path, body).await;
        let viewing = a.status == 403 && a.message().contains("viewing the console as");
        // The steps of signing in are no part of the view (finishing one needs a session that
        // waits for its code); confirming one's identity is a write and is refused.
        let signing_in = ["/api/auth/sign-in", "/api/auth/forgot", "/api/auth/second-factor", "/api/auth/me", "/api/auth/passkey/start", "/api/auth/passkey/finish"].contains(&path.as_str());
        if read || path.starts_with("/api/setup") || path.starts_with("/api/links") || signing_in || path == "/api/session" {
            assert!(!viewing, "{method} {path} only reads and runs during view as: {:?}", a.body);
        } else {
            assert!(viewing, "{method} {path} must be refused during view as: {} {:?}", a.status, a.body);
            refused += 1;
        }
    }
    assert!(refused >= 25, "the writes were checked: {refused}");
    assert_eq!(app.call_with(&admin, "POST", "/api/view-as/end", Some(json!({}))).await.status, 200);
}
