//! Demo data: with `GATEHOUSE_DEMO=1`, an empty installation is filled at start-up with a
//! realistic organisation so a newcomer sees the access model at work: two companies, a
//! department tree with managers, a role hierarchy with profiles (one hiding amounts, one hiding
//! revenue), nested groups with a grant, licenses with seats, sharing defaults and a rule, a few
//! dozen people in every status and a few thousand records of the six modules.
//!
//! Everyone (the administrator too) signs in with [`DEMO_PASSWORD`]; the start-up log says so.
#![allow(clippy::indexing_slicing, reason = "demo data: indices are drawn below the lengths of constant, non-empty lists")]

use serde_json::{json, Value};

use super::auth;
use super::db::DbError;
use super::store::{install, Audit, Work};
use super::state::AppState;
use super::time::now_ms;
use crate::access::{self, Action, FieldRule, Level, Module};
use crate::domain::{ApiError, AuditAction, AuditTarget};

pub const DEMO_PASSWORD: &str = "harbour lantern demo 2026";
pub const DEMO_ADMIN: &str = "ada.admin@demo.gatehouse.test";
const RECORDS: usize = 3_000;

/// xorshift64*: a small deterministic generator, so the demo (and the benchmarks' synthetic
/// organisations) are the same every time.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn perms(list: &[(Module, &[Action], Level)]) -> Value {
    let out: Vec<access::Permission> = list
        .iter()
        .flat_map(|(m, actions, level)| actions.iter().map(move |a| access::Permission { module: *m, action: *a, level: *level }))
        .collect();
    json!(out)
}

fn rules(list: &[(Module, &str, FieldRule)]) -> Value {
    json!(list.iter().map(|(m, f, r)| json!({ "module": m, "field": f, "rule": r })).collect::<Vec<_>>())
}

/// Fills the installation if it is empty; says what it did. Does nothing on a set-up one.
pub async fn fill_if_empty(state: &AppState) -> Result<bool, DbError> {
    let exists: Option<bool> = state.db.query("RETURN record::exists(installation:main);", json!({})).await?.first(0)?;
    if exists == Some(true) {
        tracing::info!("GATEHOUSE_DEMO: the installation is already set up; no demo data added");
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| DbError::Other(anyhow::anyhow!("hashing the demo password: {e}")))?;
    let now = now_ms();
    use Action::*;
    use Level::{All, Department, DepartmentTree, Own};
    use Module::*;
    const VIEW_EDIT: &[Action] = &[View, Create, Edit];
    const FULL: &[Action] = &[View, Create, Edit, Delete, Export];
    let profiles = json!([
        { "id": "administrator", "name": "Administrator", "builtin": true, "perms": access::administrator_permissions(), "rules": [] },
        { "id": "manager", "name": "Manager", "builtin": false, "perms": access::manager_permissions(), "rules": [] },
        { "id": "sales_director", "name": "Sales Director", "builtin": false,
          "perms": perms(&[(Leads, FULL, All), (Customers, FULL, All), (Opportunities, FULL, All), (Tasks, FULL, All), (Users, &[View], All), (AuditLog, &[View], All)]), "rules": [] },
        { "id": "sales_manager", "name": "Sales Manager", "builtin": false,
          "perms": perms(&[(Leads, FULL, DepartmentTree), (Customers, FULL, DepartmentTree), (Opportunities, FULL, DepartmentTree), (Tasks, FULL, DepartmentTree), (Users, &[View], Department), (SupportActivities, &[View], Own)]), "rules": [] },
        { "id": "sales_rep", "name": "Sales Rep", "builtin": false,
          "perms": perms(&[(Leads, VIEW_EDIT, Own), (Customers, VIEW_EDIT, Own), (Opportunities, VIEW_EDIT, Own), (Tasks, VIEW_EDIT, Own)]), "rules": [] },
        { "id": "assistant", "name": "Sales Assistant", "builtin": false,
          "perms": perms(&[(Opportunities, &[View, Edit], Department), (Tasks, VIEW_EDIT, Own), (Customers, &[View], Department)]),
          "rules": rules(&[(Opportunities, "amount", FieldRule::Hidden), (Customers, "annual_revenue", FieldRule::Hidden), (Opportunities, "stage", FieldRule::ReadOnly)]) },
        { "id": "support_lead", "name": "Support Lead", "builtin": false,
          "perms": perms(&[(SupportActivities, FULL, DepartmentTree), (Customers, &[View], All), (Tasks, VIEW_EDIT, Department)]),
          "rules": rules(&[(Customers, "annual_revenue", FieldRule::Hidden)]) },
        { "id": "support_agent", "name": "Support Agent", "builtin": false,
          "perms": perms(&[(SupportActivities, VIEW_EDIT, Own), (Customers, &[View], All), (Tasks, VIEW_EDIT, Own)]),
          "rules": rules(&[(Customers, "annual_revenue", FieldRule::Hidden)]) },
        { "id": "key_accounts", "name": "Key Accounts", "builtin": false,
          "perms": perms(&[(Customers, &[View, Edit], All), (Projects, FULL, All)]), "rules": [] },
        { "id": "people_admin", "name": "People Admin", "builtin": false,
          "perms": perms(&[(Users, &[View, Create, Edit], All), (DepartmentsGroups, &[View], All), (AuditLog, &[View], All)]), "rules": [] },
    ]);
    // (id, name, parent, profiles)
    let roles = json!([
        ["administrator", "Administrator", null, ["administrator"]],
        ["manager", "Manager", "administrator", ["manager"]],
        ["sales_director", "Sales Director", "administrator", ["sales_director"]],
        ["sales_manager", "Sales Manager", "sales_director", ["sales_manager"]],
        ["sales_rep", "Sales Rep", "sales_manager", ["sales_rep"]],
        ["assistant", "Sales Assistant", "sales_manager", ["assistant"]],
        ["support_lead", "Support Lead", "administrator", ["support_lead"]],
        ["support_agent", "Support Agent", "support_lead", ["support_agent"]],
        ["people_admin", "People Admin", "administrator", ["people_admin"]],
    ]);
    // (id, name, parent)
    let departments = json!([
        ["head_office", "Head office", null], ["sales", "Sales", "head_office"], ["sales_north", "Sales North", "sales"],
        ["sales_south", "Sales South", "sales"], ["support", "Customer Support", "head_office"], ["people", "People & Finance", "head_office"],
    ]);
    // (key, full name, role, department, companies, status, licenses)
    let people: Vec<(&str, &str, &str, &str, &[&str], &str, &[&str])> = vec![
        ("ada.admin", "Ada Admin", "administrator", "head_office", &["northwind", "contoso"], "active", &["sales", "support"]),
        ("victor.vance", "Victor Vance", "sales_director", "sales", &["northwind", "contoso"], "active", &["sales"]),
        ("nora.north", "Nora North", "sales_manager", "sales_north", &["northwind"], "active", &["sales", "support"]),
        ("sam.south", "Sam South", "sales_manager", "sales_south", &["contoso"], "active", &["sales", "support"]),
        ("rita.rep", "Rita Rep", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("omar.okafor", "Omar Okafor", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("lena.larsen", "Lena Larsen", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("kai.kowalski", "Kai Kowalski", "sales_rep", "sales_north", &["northwind", "contoso"], "active", &["sales"]),
        ("pia.petrov", "Pia Petrov", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("ivan.ibrahim", "Ivan Ibrahim", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("tara.tanaka", "Tara Tanaka", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("gus.garcia", "Gus Garcia", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("milo.moreau", "Milo Moreau", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("hana.haddad", "Hana Haddad", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("eli.evans", "Eli Evans", "sales_rep", "sales_north", &["northwind"], "inactive", &[]),
        ("bo.berg", "Bo Berg", "sales_rep", "sales_south", &["contoso"], "blocked", &[]),
        ("fay.fischer", "Fay Fischer", "sales_rep", "sales_north", &["northwind"], "invited", &[]),
        ("ann.assistant", "Ann Assistant", "assistant", "sales_north", &["northwind"], "active", &["sales"]),
        ("dev.desai", "Dev Desai", "assistant", "sales_south", &["contoso"], "active", &["sales"]),
        ("sue.support", "Sue Support", "support_lead", "support", &["northwind", "contoso"], "active", &["support"]),
        ("cara.costa", "Cara Costa", "support_agent", "support", &["northwind"], "active", &["support"]),
        ("jo.jensen", "Jo Jensen", "support_agent", "support", &["northwind"], "active", &["support"]),
        ("quin.quist", "Quin Quist", "support_agent", "support", &["contoso"], "active", &["support"]),
        ("rosa.rossi", "Rosa Rossi", "support_agent", "support", &["contoso"], "active", &["support"]),
        ("wes.walsh", "Wes Walsh", "support_agent", "support", &["northwind", "contoso"], "active", &["support"]),
        ("yara.young", "Yara Young", "support_agent", "support", &["contoso"], "invited", &[]),
        ("peter.people", "Peter People", "people_admin", "people", &["northwind"], "active", &[]),
        ("fiona.finance", "Fiona Finance", "manager", "people", &["northwind", "contoso"], "active", &[]),
        ("liam.lee", "Liam Lee", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("mia.moller", "Mia Møller", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("noah.novak", "Noah Novak", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("olga.orlov", "Olga Orlov", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("ravi.rao", "Ravi Rao", "support_agent", "support", &["northwind"], "active", &["support"]),
        ("zoe.zhang", "Zoe Zhang", "sales_rep", "sales_south", &["contoso"], "active", &["sales"]),
        ("uma.usman", "Uma Usman", "sales_rep", "sales_north", &["northwind"], "active", &["sales"]),
        ("theo.thomas", "Theo Thomas", "support_agent", "support", &["contoso"], "active", &["support"]),
    ];
    let users: Vec<Value> = people
        .iter()
        .map(|(key, name, role, dept, companies, status, licenses)| {
            let email = format!("{key}@demo.gatehouse.test");
            json!({ "id": key.replace('.', "_"), "name": name, "email": email, "role": role, "dept": dept, "companies": companies,
                "status": status, "licenses": licenses, "search": format!("{} {email}", name.to_lowercase()) })
        })
        .collect();
    let managers = json!([["head_office", "ada_admin"], ["sales", "victor_vance"], ["sales_north", "nora_north"], ["sales_south", "sam_south"], ["support", "sue_support"], ["people", "fiona_finance"]]);

    // Records: owners are the people whose profile lets them own records of that module.
    let owners_of = |m: Module| -> Vec<(String, Vec<String>)> {
        people
            .iter()
            .filter(|(_, _, role, _, _, status, _)| {
                *status != "invited"
                    && match m {
                        SupportActivities => matches!(*role, "support_agent" | "support_lead"),
                        Projects => matches!(*role, "sales_director" | "sales_manager"),
                        Tasks => *role != "people_admin",
                        _ => matches!(*role, "sales_rep" | "sales_manager" | "sales_director"),
                    }
            })
            .map(|(key, _, _, _, companies, _, _)| (key.replace('.', "_"), companies.iter().map(|c| c.to_string()).collect()))
            .collect()
    };
    const ORGS: &[&str] = &["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell", "Aperture", "Gringotts", "Oceanic", "Pied Piper", "Monarch", "Dunder Mifflin", "Blue Sun", "Massive Dynamic"];
    const DEALS: &[&str] = &["renewal", "expansion", "upsell", "pilot", "migration", "support plan", "new region", "framework deal"];
    const TASKS: &[&str] = &["Call", "Send quote to", "Book demo with", "Follow up with", "Prepare proposal for", "Review contract of"];
    const ISSUES: &[&str] = &["Login problem at", "Invoice question from", "Outage report from", "Feature request by", "Data export for", "Training for"];
    let mut rng = Rng(0x5EED_2026);
    let mut records = Vec::with_capacity(RECORDS);
    let day = 86_400_000i64;
    for i in 0..RECORDS {
        let m = Module::RECORDS[i % 6];
        let owners = owners_of(m);
        let (owner, companies) = &owners[rng.below(owners.len())];
        let company = companies[rng.below(companies.len())].clone();
        let org = rng.pick(ORGS);
        let date = |rng: &mut Rng| {
            let (y, mo, d) = crate::domain::civil_from_days((now / day) + rng.below(180) as i64 - 30);
            format!("{y:04}-{mo:02}-{d:02}")
        };
        let attrs = match m {
            Leads => json!({ "name": format!("{org} – {}", rng.pick(&["inbound", "webinar", "trade show", "referral"])),
                "source": rng.pick(&["Web", "Referral", "Event", "Cold call", "Partner"]), "status": rng.pick(&["New", "Contacted", "Qualified", "Lost"]) }),
            Customers => json!({ "name": format!("{org} {}", rng.pick(&["GmbH", "Ltd", "Inc", "SA", "BV"])),
                "phone": format!("+44 20 7946 {:04}", rng.below(10_000)), "annual_revenue": format!("{}.00", (rng.below(500) + 1) * 100_000) }),
            Opportunities => json!({ "name": format!("{org} {}", rng.pick(DEALS)), "amount": format!("{}.00", (rng.below(400) + 5) * 500),
                "stage": rng.pick(&["Prospecting", "Proposal", "Negotiation", "Won", "Lost"]), "close_date": date(&mut rng) }),
            Tasks => json!({ "title": format!("{} {org}", rng.pick(TASKS)), "due_date": date(&mut rng), "done": if rng.below(3) == 0 { "true" } else { "false" } }),
            Projects => json!({ "name": format!("{org} {}", rng.pick(&["rollout", "integration", "onboarding", "data clean-up"])),
                "budget": format!("{}.00", (rng.below(200) + 10) * 1_000), "status": rng.pick(&["Planned", "Active", "On hold", "Done"]) }),
            _ => json!({ "subject": format!("{} {org}", rng.pick(ISSUES)), "priority": rng.pick(&["Low", "Normal", "High", "Urgent"]),
                "status": rng.pick(&["Open", "Waiting", "Resolved"]) }),
        };
        let title_field = crate::domain::record_fields(m).iter().find(|f| f.title).map(|f| f.name).unwrap_or("name");
        let title = attrs.get(title_field).and_then(Value::as_str).unwrap_or_default().to_lowercase();
        records.push(json!({ "id": format!("demo{i:05}"), "module": format!("{m:?}"), "attrs": attrs, "search": title,
            "owner": owner, "company": company, "at": now - (rng.below(90 * 24) as i64) * 3_600_000 }));
    }
    let mut work = Work::from_address("local");
    work.refuse_if(install::is_set_up(), ApiError::Conflict("this installation is already set up".into()))
        .run(install::demo(json!({
            "now": now, "hash": hash, "profiles": profiles, "roles": roles, "departments": departments, "users": users,
            "managers": managers, "records": records,
        })))
        // A scheduled leaver: Liam leaves in two weeks; Nora takes his records over.
        .run(super::store::user::schedule_leave("liam_lee", Some(now + 14 * day), Some("nora_north"), &[], "ada_admin", now))
        .audit(
            Audit::user(AuditAction::UserOffboardScheduled, "liam_lee")
                .by(super::store::Actor::new("ada_admin", "Ada Admin"))
                .label("liam.lee@demo.gatehouse.test")
                .after(json!({ "leave_at": now + 14 * day, "new_owner": "nora_north" })),
        )
        .audit(
            Audit::new(AuditAction::InstallationDemo, AuditTarget::Installation, None)
                .label("demo data")
                .after(json!({ "users": users.len(), "records": RECORDS })),
        )
        .bump_access();
    // An expiring grant: Kai helps the key accounts team for ten more days.
    let kai = crate::access::OrgChange::AddGrant {
        grant: crate::access::OrgGrant {
            profile: "key_accounts".into(),
            to: crate::access::Grantee::User("kai_kowalski".into()),
            from: None,
            until: Some(now + 10 * day),
        },
    };
    // A membership held for a while: Pia stays in Key accounts for twelve more days.
    let pia = crate::access::OrgChange::SetWindow {
        user: "pia_petrov".into(),
        what: crate::access::Holding::Group("key_accounts".into()),
        from: None,
        until: Some(now + 12 * day),
    };
    for stmt in [&kai, &pia].into_iter().filter_map(|c| super::store::access::write(c, "", now)) {
        work.run(stmt);
    }
    work.commit_to(&state.db).await.map_err(|e| DbError::Other(anyhow::anyhow!("writing the demo organisation: {e}")))?;
    open_review(state, now).await?;
    tracing::info!(
        admin = DEMO_ADMIN,
        password = DEMO_PASSWORD,
        users = people.len(),
        records = RECORDS,
        "GATEHOUSE_DEMO: demo organisation created; every demo person signs in with the same password (try rita.rep@demo.gatehouse.test, ann.assistant@… or sue.support@…)"
    );
    Ok(true)
}

/// An open access review that comes back every quarter: each person's department manager (Ada
/// for whoever has none) keeps or revokes everyone's direct grants, groups, second companies and
/// licenses, due in three weeks.
async fn open_review(state: &AppState, now: i64) -> Result<(), DbError> {
    use crate::domain::{civil_from_days, ReviewInput, ReviewRepeat, ReviewScope};
    let engine = state.access.engine(&state.db).await?;
    #[derive(serde::Deserialize)]
    struct Named {
        id: String,
        name: String,
    }
    let companies: Vec<Named> = state.db.query("SELECT record::id(id) AS id, name FROM company;", json!({})).await?.all(0)?;
    let companies = companies.into_iter().map(|c| (c.id, c.name)).collect();
    let (y, m, d) = civil_from_days((now + 21 * 86_400_000).div_euclid(86_400_000));
    let input = ReviewInput {
        name: "Everyone's access, every quarter".into(),
        scope: ReviewScope::Everyone,
        reviewer: None,
        fallback: "ada_admin".into(),
        due: format!("{y:04}-{m:02}-{d:02}"),
        unanswered_keep: true,
        repeat: ReviewRepeat::Quarterly,
    };
    let plan = super::reviews::plan(&engine, &input, &companies, now)
        .map_err(|e| DbError::Other(anyhow::anyhow!("planning the demo review: {e}")))?;
    let mut work = Work::from_address("local");
    let id = super::reviews::write(&mut work, &plan, &input, "ada_admin", now);
    work.audit(
        Audit::new(AuditAction::ReviewCreate, AuditTarget::Review, Some(id.as_str()))
            .by(super::store::Actor::new("ada_admin", "Ada Admin"))
            .label(input.name.as_str())
            .after(json!({ "scope": "Everyone", "repeat": input.repeat.key() })),
    );
    work.commit_to(&state.db).await.map_err(|e| DbError::Other(anyhow::anyhow!("writing the demo review: {e}")))?;
    Ok(())
}
