//! `Engine::record_reach` (which owners' records a list may show) at 100,000 users: 20 companies,
//! each a division with three regions of two teams; reps (Own), regional managers (Department
//! tree, through the region they manage) and an administrator (All); the role hierarchy on, and
//! a sharing rule from one region to a team of another. p50 / p95 / max per call over 2,000 calls for
//! each persona, after compiling the engine once. Run with:
//!
//!     cargo bench --bench record_reach --features server --profile server-release --target x86_64-unknown-linux-gnu

use std::hint::black_box;
use std::time::Instant;

use gatehouse::access::*;

const USERS: usize = 100_000;
const COMPANIES: usize = 20;
const DEPTS_PER_COMPANY: usize = 10;
const CALLS: usize = 2_000;

fn profile(id: &str, level: Level) -> OrgProfile {
    let permissions = [Action::View, Action::Edit]
        .into_iter()
        .map(|action| Permission { module: Module::Opportunities, action, level })
        .collect();
    OrgProfile { id: id.into(), name: id.into(), permissions, field_rules: vec![] }
}

fn org() -> Org {
    let companies: Vec<String> = (0..COMPANIES).map(|c| format!("co{c:02}")).collect();
    // Department d of company c: 0 division, 1..=3 regions, 4..=9 teams (two per region).
    let dept = |c: usize, d: usize| format!("d{c:02}_{d}");
    let mut departments = Vec::new();
    for c in 0..COMPANIES {
        for d in 0..DEPTS_PER_COMPANY {
            let parent = match d {
                0 => None,
                1..=3 => Some(dept(c, 0)),
                _ => Some(dept(c, (d - 4) / 2 + 1)),
            };
            // Each region is managed by its company's user number (region); see below.
            let manager = (1..=3).contains(&d).then(|| format!("u{}", c + COMPANIES * d));
            departments.push(OrgDepartment { id: dept(c, d), name: dept(c, d), parent, manager });
        }
    }
    let users: Vec<OrgUser> = (0..USERS)
        .map(|u| {
            let c = u % COMPANIES;
            let slot = u / COMPANIES;
            // The first four of each company: the division's head and the three region managers.
            let (role, d) = match slot {
                0 => (ADMINISTRATOR, 0),
                1..=3 => ("manager", slot),
                _ => ("rep", 4 + slot % 6),
            };
            OrgUser {
                id: format!("u{u}"),
                name: format!("User {u}"),
                status: UserStatus::Active,
                role: role.into(),
                department: dept(c, d),
                companies: vec![companies[c].clone()],
                licenses: vec![],
                hidden_modules: vec![],
            }
        })
        .collect();
    let roles = vec![
        OrgRole { id: ADMINISTRATOR.into(), name: "Administrator".into(), parent: None, profiles: vec!["admin".into()] },
        OrgRole { id: "manager".into(), name: "Manager".into(), parent: Some(ADMINISTRATOR.into()), profiles: vec!["tree".into()] },
        OrgRole { id: "rep".into(), name: "Rep".into(), parent: Some(ADMINISTRATOR.into()), profiles: vec!["own".into()] },
    ];
    Org {
        users,
        roles,
        profiles: vec![profile("admin", Level::All), profile("tree", Level::DepartmentTree), profile("own", Level::Own)],
        departments,
        groups: vec![],
        grants: vec![],
        licenses: vec![],
        companies,
        defaults: vec![(Module::Opportunities, OrgDefault::Private)],
        sharing_rules: vec![SharingRule {
            id: "share".into(),
            module: Module::Opportunities,
            owners: Party::Department { id: dept(0, 1), with_subdepartments: true },
            recipients: Party::Department { id: dept(0, 6), with_subdepartments: false },
            access: ShareAccess::Read,
        }],
        settings: AccessSettings { hierarchy: true, ..Default::default() },
        windows: Vec::new(),
        at: None,
    }
}

fn main() {
    let started = Instant::now();
    let engine = Engine::compile(org());
    println!("{USERS} users compiled in {} ms", started.elapsed().as_millis());
    // User u is company u % 20's number u / 20: u86 a rep of company 6; u160 a rep in company 0's
    // team d00_6, with which region d00_1 shares; u20 the manager of company 0's region d00_1;
    // u0 company 0's administrator.
    let personas = [
        ("sales rep (Own)", "u86"),
        ("rep with a sharing rule (Own + a region)", "u160"),
        ("region manager (Department tree)", "u20"),
        ("administrator (All)", "u0"),
    ];
    println!("| who | owners in reach | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    for (who, id) in personas {
        let reach = engine.record_reach(id, Module::Opportunities, Action::View).expect("the persona may view opportunities");
        let owners = reach.owners.as_ref().map_or("all".to_string(), |o| o.len().to_string());
        let mut times = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            let t = Instant::now();
            black_box(engine.record_reach(black_box(id), Module::Opportunities, Action::View));
            times.push(t.elapsed().as_nanos() as f64 / 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!("| {who} | {owners} | {:.1} µs | {:.1} µs | {:.1} µs |", at(0.5), at(0.95), at(1.0));
    }
}
