//! The access engine against cedar-policy and casbin-rs on one synthetic organisation: 10k users,
//! 500 roles in a hierarchy 6 deep, 200 departments, 50 groups (some nested), 20 companies,
//! 6 record modules and 100k records. The same rules (status, company boundary, license, grants
//! through role, department with sub-departments, group and nested group, direct grants, the
//! levels Own / Department / Department tree / All, the highest level winning, and the role
//! hierarchy for View and Edit) are written as Cedar policies and as a casbin model, and all three
//! must give the same answer on a sample of requests before anything is timed. Run with:
//!
//!     cargo bench --bench access_compare --features bench-compare --profile server-release --target x86_64-unknown-linux-gnu
//!
//! The comparison libraries sit behind the `bench-compare` feature, so neither the normal build
//! nor the test suite compiles them.

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use casbin::prelude::*;
use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use gatehouse::access::*;
use gatehouse::server::demo::Rng;
use serde::Serialize;
use serde_json::{json, Value};

const USERS: usize = 10_000;
const ROLES: usize = 500;
const DEPARTMENTS: usize = 200;
const GROUPS: usize = 50;
const COMPANIES: usize = 20;
const PROFILES: usize = 60;
const RECORDS: usize = 100_000;
const SAMPLE: usize = 512;
const RECORD_MODULES: [Module; 6] =
    [Module::Leads, Module::Customers, Module::Opportunities, Module::Tasks, Module::Projects, Module::SupportActivities];
const ACTIONS: [Action; 5] = [Action::View, Action::Create, Action::Edit, Action::Delete, Action::Export];
const LICENSED: [Module; 2] = [Module::Customers, Module::Opportunities];

struct Rec {
    id: String,
    module: Module,
    owner: usize,
    company: String,
}

fn key(m: Module) -> String {
    format!("{m:?}").to_lowercase()
}

fn act(a: Action) -> String {
    format!("{a:?}").to_lowercase()
}

fn lvl(l: Level) -> &'static str {
    match l {
        Level::None => "none",
        Level::Own => "own",
        Level::Department => "dept",
        Level::DepartmentTree => "tree",
        Level::All => "all",
    }
}

fn synthetic() -> (Org, Vec<Rec>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let levels = [Level::None, Level::Own, Level::Own, Level::Department, Level::DepartmentTree, Level::All];
    let profiles: Vec<OrgProfile> = (0..PROFILES)
        .map(|p| {
            let mut permissions = Vec::new();
            for m in RECORD_MODULES {
                let view = levels[rng.below(levels.len())];
                permissions.push(Permission { module: m, action: Action::View, level: view });
                for a in &ACTIONS[1..] {
                    // Edit, Delete and Export never exceed View here, as in any sane profile.
                    let level = levels[rng.below(levels.len())].min(view);
                    permissions.push(Permission { module: m, action: *a, level });
                }
            }
            OrgProfile { id: format!("p{p}"), name: format!("Profile {p}"), permissions, field_rules: vec![] }
        })
        .collect();
    let roles: Vec<OrgRole> = (0..ROLES)
        .map(|r| {
            let mut profiles = vec![format!("p{}", r % PROFILES)];
            if r % 3 == 0 {
                profiles.push(format!("p{}", (r * 7 + 1) % PROFILES));
            }
            OrgRole {
                id: format!("r{r}"),
                name: format!("Role {r}"),
                // 1, 4, 16, 64, 256 and the last 159: six levels.
                parent: (r > 0).then(|| format!("r{}", (r - 1) / 4)),
                profiles,
            }
        })
        .collect();
    let departments: Vec<OrgDepartment> = (0..DEPARTMENTS)
        .map(|d| OrgDepartment {
            id: format!("d{d}"),
            name: format!("Department {d}"),
            parent: (d > 0).then(|| format!("d{}", (d - 1) / 4)),
            manager: None,
        })
        .collect();
    let companies: Vec<String> = (0..COMPANIES).map(|c| format!("c{c}")).collect();
    let statuses = |x: usize| match x % 100 {
        0..=2 => UserStatus::Inactive,
        3..=4 => UserStatus::Blocked,
        _ => UserStatus::Active,
    };
    let users: Vec<OrgUser> = (0..USERS)
        .map(|u| {
            let mut cs = vec![companies[rng.below(COMPANIES)].clone()];
            if rng.below(3) == 0 {
                let other = companies[rng.below(COMPANIES)].clone();
                if other != cs[0] {
                    cs.push(other);
                }
            }
            OrgUser {
                id: format!("u{u}"),
                name: format!("User {u}"),
                status: statuses(rng.below(100)),
                role: format!("r{}", rng.below(ROLES)),
                department: format!("d{}", rng.below(DEPARTMENTS)),
                companies: cs,
                licenses: if rng.below(5) == 0 { vec![] } else { vec!["sales".into()] },
                hidden_modules: vec![],
            }
        })
        .collect();
    let groups: Vec<OrgGroup> = (0..GROUPS)
        .map(|g| OrgGroup {
            id: format!("g{g}"),
            name: format!("Group {g}"),
            users: (0..30).map(|_| format!("u{}", rng.below(USERS))).collect(),
            // g0..g19 each hold a nested group, two levels deep for g0..g9.
            groups: if g < 20 { vec![format!("g{}", g + 10)] } else { vec![] },
        })
        .collect();
    let mut grants = Vec::new();
    for g in 0..20 {
        grants.push(OrgGrant { profile: format!("p{}", (g * 3) % PROFILES), to: Grantee::Group(format!("g{g}")), from: None, until: None });
    }
    for d in 0..20 {
        grants.push(OrgGrant {
            profile: format!("p{}", (d * 7) % PROFILES),
            to: Grantee::Department { id: format!("d{}", d * 10), with_subdepartments: true },
            from: None,
            until: None,
        });
    }
    for _ in 0..200 {
        grants.push(OrgGrant { profile: format!("p{}", rng.below(PROFILES)), to: Grantee::User(format!("u{}", rng.below(USERS))), from: None, until: None });
    }
    let records: Vec<Rec> = (0..RECORDS)
        .map(|i| {
            let owner = rng.below(USERS);
            let company = if rng.below(10) == 0 {
                companies[rng.below(COMPANIES)].clone()
            } else {
                users[owner].companies[0].clone()
            };
            Rec { id: format!("rec{i}"), module: RECORD_MODULES[rng.below(6)], owner, company }
        })
        .collect();
    let org = Org {
        users,
        roles,
        profiles,
        departments,
        groups,
        grants,
        licenses: vec![OrgLicense { id: "sales".into(), name: "Sales".into(), seats: USERS as u32, modules: LICENSED.to_vec() }],
        companies,
        defaults: vec![],
        sharing_rules: vec![],
        settings: AccessSettings { hierarchy: true, inactive_may_read: false, ..Default::default() },
        windows: Vec::new(),
        at: None,
    };
    (org, records)
}

fn license_of(m: Module) -> &'static str {
    if LICENSED.contains(&m) {
        "sales"
    } else {
        ""
    }
}

// ----------------------------------------------------------------------------------- Cedar --

fn uid(t: &str, id: &str) -> Value {
    json!({ "type": t, "id": id })
}

fn cedar_entities(org: &Org, records: &[Rec]) -> Entities {
    let mut out = Vec::new();
    for p in &org.profiles {
        out.push(json!({ "uid": uid("Profile", &p.id), "attrs": {}, "parents": [] }));
    }
    let mut dept_profiles: HashMap<&str, Vec<Value>> = HashMap::new();
    let mut group_profiles: HashMap<&str, Vec<Value>> = HashMap::new();
    let mut user_profiles: HashMap<&str, Vec<Value>> = HashMap::new();
    for g in &org.grants {
        let p = uid("Profile", &g.profile);
        match &g.to {
            Grantee::Department { id, .. } => dept_profiles.entry(id).or_default().push(p),
            Grantee::Group(id) => group_profiles.entry(id).or_default().push(p),
            Grantee::User(id) => user_profiles.entry(id).or_default().push(p),
        }
    }
    for r in &org.roles {
        let parents: Vec<Value> = r.profiles.iter().map(|p| uid("Profile", p)).collect();
        out.push(json!({ "uid": uid("Role", &r.id), "attrs": {}, "parents": parents }));
        // The hierarchy lives on its own entity type so that a role does not inherit the
        // profiles of the roles above it.
        let up: Vec<Value> = r.parent.iter().map(|p| uid("RoleNode", p)).collect();
        out.push(json!({ "uid": uid("RoleNode", &r.id), "attrs": {}, "parents": up }));
    }
    for d in &org.departments {
        let mut parents: Vec<Value> = d.parent.iter().map(|p| uid("Department", p)).collect();
        parents.extend(dept_profiles.remove(d.id.as_str()).unwrap_or_default());
        out.push(json!({ "uid": uid("Department", &d.id), "attrs": {}, "parents": parents }));
    }
    let mut outer: HashMap<&str, Vec<Value>> = HashMap::new();
    for g in &org.groups {
        for inner in &g.groups {
            outer.entry(inner).or_default().push(uid("Group", &g.id));
        }
    }
    let mut user_groups: HashMap<&str, Vec<Value>> = HashMap::new();
    for g in &org.groups {
        let mut parents = outer.remove(g.id.as_str()).unwrap_or_default();
        parents.extend(group_profiles.remove(g.id.as_str()).unwrap_or_default());
        out.push(json!({ "uid": uid("Group", &g.id), "attrs": {}, "parents": parents }));
        for u in &g.users {
            user_groups.entry(u).or_default().push(uid("Group", &g.id));
        }
    }
    for u in &org.users {
        let mut parents = vec![uid("Role", &u.role), uid("Department", &u.department)];
        parents.extend(user_groups.remove(u.id.as_str()).unwrap_or_default());
        parents.extend(user_profiles.remove(u.id.as_str()).unwrap_or_default());
        out.push(json!({
            "uid": uid("User", &u.id),
            "attrs": {
                "active": u.status == UserStatus::Active,
                "dept": { "__entity": uid("Department", &u.department) },
                "rnode": { "__entity": uid("RoleNode", &u.role) },
                "companies": u.companies,
                "licenses": u.licenses,
            },
            "parents": parents,
        }));
    }
    for m in RECORD_MODULES {
        out.push(json!({ "uid": uid("Module", &key(m)), "attrs": {}, "parents": [] }));
    }
    for r in records {
        out.push(json!({
            "uid": uid("Record", &r.id),
            "attrs": {
                "module": key(r.module),
                "owner": { "__entity": uid("User", &org.users[r.owner].id) },
                "company": r.company,
            },
            "parents": [],
        }));
    }
    Entities::from_json_value(Value::Array(out), None).expect("entities load")
}

/// One module-level and one record-level policy per (profile, action, level, license), covering
/// every module the profile grants at that level.
fn cedar_policies(org: &Org) -> PolicySet {
    let mut text = String::new();
    for p in &org.profiles {
        for a in ACTIONS {
            let mut by_level: BTreeMap<(Level, &str), Vec<Module>> = BTreeMap::new();
            for m in RECORD_MODULES {
                let l = p.level(m, a);
                if l > Level::None {
                    by_level.entry((l, license_of(m))).or_default().push(m);
                }
            }
            for ((level, license), modules) in by_level {
                let module_uids: Vec<String> = modules.iter().map(|m| format!("Module::\"{}\"", key(*m))).collect();
                let module_keys: Vec<String> = modules.iter().map(|m| format!("\"{}\"", key(*m))).collect();
                let license = if license.is_empty() { String::new() } else { format!(" && principal.licenses.contains(\"{license}\")") };
                let reach = match level {
                    Level::Own => "resource.owner == principal",
                    Level::Department => "resource.owner.dept == principal.dept",
                    Level::DepartmentTree => "resource.owner.dept in principal.dept",
                    _ => "true",
                };
                let hierarchy = if matches!(a, Action::View | Action::Edit) {
                    " || (resource.owner.rnode in principal.rnode && resource.owner.rnode != principal.rnode)"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "permit(principal in Profile::\"{pid}\", action == Action::\"{a}\", resource)\n  when {{ [{mods}].contains(resource) && principal.active{license} }};\n\
                     permit(principal in Profile::\"{pid}\", action == Action::\"{a}\", resource is Record)\n  when {{ [{keys}].contains(resource.module) && principal.active{license}\n    && principal.companies.contains(resource.company) && ({reach}{hierarchy}) }};\n",
                    pid = p.id,
                    a = act(a),
                    mods = module_uids.join(", "),
                    keys = module_keys.join(", "),
                ));
            }
        }
    }
    PolicySet::from_str(&text).expect("policies parse")
}

// ---------------------------------------------------------------------------------- casbin --

const CASBIN_MODEL: &str = r#"
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, mod, act, lvl

[role_definition]
g = _, _
g2 = _, _
g3 = _, _
g4 = _, _
g5 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub.active && r.obj.kind == p.mod && r.act == p.act && g(r.sub.id, p.sub) && (r.obj.license == "" || g5(r.sub.id, r.obj.license)) && (r.obj.record == false || (g2(r.sub.id, r.obj.company) && (p.lvl == "all" || (p.lvl == "own" && r.obj.owner == r.sub.id) || (p.lvl == "dept" && r.obj.odept == r.sub.dept) || (p.lvl == "tree" && g3(r.obj.odept, r.sub.dept)) || ((r.act == "view" || r.act == "edit") && r.obj.orole != r.sub.role && g4(r.obj.orole, r.sub.role)))))
"#;

#[derive(Serialize, Hash, Clone)]
struct CSub {
    id: String,
    active: bool,
    dept: String,
    role: String,
}

#[derive(Serialize, Hash, Clone)]
struct CObj {
    kind: String,
    license: String,
    record: bool,
    owner: String,
    odept: String,
    orole: String,
    company: String,
}

async fn casbin_enforcer(org: &Org) -> Enforcer {
    let model = DefaultModel::from_str(CASBIN_MODEL).await.expect("model parses");
    let mut e = Enforcer::new(model, MemoryAdapter::default()).await.expect("enforcer");
    let mut policies = Vec::new();
    for p in &org.profiles {
        for m in RECORD_MODULES {
            for a in ACTIONS {
                let l = p.level(m, a);
                if l > Level::None {
                    policies.push(vec![p.id.clone(), key(m), act(a), lvl(l).to_string()]);
                }
            }
        }
    }
    e.add_policies(policies).await.expect("policies");
    // g: who holds which profile, through roles, departments (up the tree), groups (up the
    // nesting) and direct grants.
    let mut g = Vec::new();
    for u in &org.users {
        g.push(vec![u.id.clone(), format!("role:{}", u.role)]);
        g.push(vec![u.id.clone(), format!("dept:{}", u.department)]);
    }
    for r in &org.roles {
        for p in &r.profiles {
            g.push(vec![format!("role:{}", r.id), p.clone()]);
        }
    }
    for d in &org.departments {
        if let Some(parent) = &d.parent {
            g.push(vec![format!("dept:{}", d.id), format!("dept:{parent}")]);
        }
    }
    for grp in &org.groups {
        for u in &grp.users {
            g.push(vec![u.clone(), format!("group:{}", grp.id)]);
        }
        for inner in &grp.groups {
            g.push(vec![format!("group:{inner}"), format!("group:{}", grp.id)]);
        }
    }
    for grant in &org.grants {
        let who = match &grant.to {
            Grantee::User(u) => u.clone(),
            Grantee::Department { id, .. } => format!("dept:{id}"),
            Grantee::Group(id) => format!("group:{id}"),
        };
        g.push(vec![who, grant.profile.clone()]);
    }
    g.sort();
    g.dedup();
    e.add_named_grouping_policies("g", g).await.expect("g");
    let g2: Vec<Vec<String>> = org.users.iter().flat_map(|u| u.companies.iter().map(|c| vec![u.id.clone(), c.clone()])).collect();
    e.add_named_grouping_policies("g2", g2).await.expect("g2");
    let g3: Vec<Vec<String>> =
        org.departments.iter().filter_map(|d| d.parent.as_ref().map(|p| vec![d.id.clone(), p.clone()])).collect();
    e.add_named_grouping_policies("g3", g3).await.expect("g3");
    let g4: Vec<Vec<String>> = org.roles.iter().filter_map(|r| r.parent.as_ref().map(|p| vec![r.id.clone(), p.clone()])).collect();
    e.add_named_grouping_policies("g4", g4).await.expect("g4");
    let g5: Vec<Vec<String>> = org.users.iter().flat_map(|u| u.licenses.iter().map(|l| vec![u.id.clone(), l.clone()])).collect();
    e.add_named_grouping_policies("g5", g5).await.expect("g5");
    e
}

// ------------------------------------------------------------------------------- requests --

struct Req {
    user: usize,
    module: Module,
    action: Action,
    record: Option<usize>,
}

/// Record-level requests mix the record's owner, a colleague of the owner's department and
/// anyone, so that the sample holds both answers and every level is exercised.
fn requests(rng: &mut Rng, org: &Org, records: &[Rec], with_record: bool) -> Vec<Req> {
    let mut by_dept: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in org.users.iter().enumerate() {
        by_dept.entry(u.department.as_str()).or_default().push(i);
    }
    (0..SAMPLE)
        .map(|_| {
            if with_record {
                let r = rng.below(RECORDS);
                let owner = records[r].owner;
                let user = match rng.below(3) {
                    0 => owner,
                    1 => {
                        let colleagues = &by_dept[org.users[owner].department.as_str()];
                        colleagues[rng.below(colleagues.len())]
                    }
                    _ => rng.below(USERS),
                };
                Req { user, module: records[r].module, action: [Action::View, Action::Edit, Action::Delete][rng.below(3)], record: Some(r) }
            } else {
                let user = rng.below(USERS);
                Req { user, module: RECORD_MODULES[rng.below(6)], action: ACTIONS[rng.below(5)], record: None }
            }
        })
        .collect()
}

fn cedar_request(org: &Org, records: &[Rec], r: &Req) -> Request {
    let principal = EntityUid::from_str(&format!("User::\"{}\"", org.users[r.user].id)).unwrap();
    let action = EntityUid::from_str(&format!("Action::\"{}\"", act(r.action))).unwrap();
    let resource = match r.record {
        Some(i) => EntityUid::from_str(&format!("Record::\"{}\"", records[i].id)).unwrap(),
        None => EntityUid::from_str(&format!("Module::\"{}\"", key(r.module))).unwrap(),
    };
    Request::new(principal, action, resource, Context::empty(), None).unwrap()
}

fn casbin_request(org: &Org, records: &[Rec], r: &Req) -> (CSub, CObj, String) {
    let u = &org.users[r.user];
    let sub = CSub { id: u.id.clone(), active: u.status == UserStatus::Active, dept: u.department.clone(), role: u.role.clone() };
    let obj = match r.record {
        Some(i) => {
            let rec = &records[i];
            let owner = &org.users[rec.owner];
            CObj {
                kind: key(rec.module),
                license: license_of(rec.module).into(),
                record: true,
                owner: owner.id.clone(),
                odept: owner.department.clone(),
                orole: owner.role.clone(),
                company: rec.company.clone(),
            }
        }
        None => CObj {
            kind: key(r.module),
            license: license_of(r.module).into(),
            record: false,
            owner: String::new(),
            odept: String::new(),
            orole: String::new(),
            company: String::new(),
        },
    };
    (sub, obj, act(r.action))
}

fn bench(c: &mut Criterion) {
    let (org, records) = synthetic();
    let engine = Engine::compile(org.clone());
    let entities = cedar_entities(&org, &records);
    let policies = cedar_policies(&org);
    let authorizer = Authorizer::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let enforcer = runtime.block_on(casbin_enforcer(&org));
    println!(
        "org: {} users, {} roles, {} departments, {} groups, {} companies, {} profiles, {} grants, {} records; {} Cedar policies",
        org.users.len(),
        org.roles.len(),
        org.departments.len(),
        org.groups.len(),
        org.companies.len(),
        org.profiles.len(),
        org.grants.len(),
        records.len(),
        policies.policies().count()
    );

    let mut rng = Rng(42);
    for (name, with_record) in [("module-level", false), ("record-level", true)] {
        let reqs = requests(&mut rng, &org, &records, with_record);
        let ours: Vec<(u32, Module, Action, Option<RecordKey>)> = reqs
            .iter()
            .map(|r| {
                let u = engine.user_index(&org.users[r.user].id).unwrap();
                let key = r.record.map(|i| {
                    let rec = &records[i];
                    engine.record_key(RecordRef { owner: &org.users[rec.owner].id, company: &rec.company })
                });
                (u, r.module, r.action, key)
            })
            .collect();
        let cedar: Vec<Request> = reqs.iter().map(|r| cedar_request(&org, &records, r)).collect();
        let casbin: Vec<(CSub, CObj, String)> = reqs.iter().map(|r| casbin_request(&org, &records, r)).collect();

        // The three must agree on every sampled request before any of them is timed.
        let mut allowed = 0;
        for i in 0..reqs.len() {
            let (u, m, a, k) = ours[i];
            let a_ours = engine.allows(u, m, a, k);
            let a_cedar = authorizer.is_authorized(&cedar[i], &policies, &entities).decision() == Decision::Allow;
            let a_casbin = enforcer.enforce(casbin[i].clone()).expect("casbin evaluates");
            assert_eq!((a_ours, a_ours), (a_cedar, a_casbin), "{name} request {i} differs");
            allowed += a_ours as usize;
        }
        println!("{name}: all three agree on {} requests ({allowed} allowed)", reqs.len());

        let mut group = c.benchmark_group(name);
        group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(20);
        let mut i = 0;
        group.bench_function("gatehouse", |b| {
            b.iter(|| {
                i = (i + 1) % ours.len();
                let (u, m, a, k) = ours[i];
                black_box(engine.allows(u, m, a, k))
            })
        });
        let mut i = 0;
        group.bench_function("gatehouse with reasons", |b| {
            b.iter(|| {
                i = (i + 1) % reqs.len();
                let r = &reqs[i];
                let rec = r.record.map(|x| RecordRef { owner: &org.users[records[x].owner].id, company: &records[x].company });
                black_box(engine.decide(&org.users[r.user].id, r.module, r.action, rec))
            })
        });
        let mut i = 0;
        group.bench_function("cedar-policy", |b| {
            b.iter(|| {
                i = (i + 1) % cedar.len();
                black_box(authorizer.is_authorized(&cedar[i], &policies, &entities).decision())
            })
        });
        let mut i = 0;
        group.bench_function("casbin", |b| {
            b.iter(|| {
                i = (i + 1) % casbin.len();
                black_box(enforcer.enforce(casbin[i].clone()).unwrap())
            })
        });
        group.finish();
    }

    let mut group = c.benchmark_group("rebuild");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("gatehouse compile, whole org", |b| b.iter_batched(|| org.clone(), Engine::compile, BatchSize::LargeInput));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
