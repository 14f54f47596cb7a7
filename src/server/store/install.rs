//! The installation's first writes: first-run setup and the demo organisation.

use serde_json::json;

use super::Stmt;

/// The installation is set up already (setup and the demo refuse to run twice).
pub fn is_set_up() -> Stmt {
    Stmt::new("record::exists(installation:main)", json!({}))
}

/// The built-in profiles and roles, the first company and department, and the mark that setup
/// happened. The first administrator is written by [`super::user::create_first_admin`].
pub fn first_run(company: &str, department: &str, admin_perms: serde_json::Value, manager_perms: serde_json::Value, now: i64) -> Stmt {
    Stmt::new(
        "CREATE installation:main SET set_up_at = $now;
         CREATE profile:administrator SET name = 'Administrator', name_key = 'administrator', built_in = true,
            description = 'Full administration: All on every module and action',
            permissions = $admin_perms, field_rules = [], created_at = $now, updated_at = $now;
         CREATE profile:manager SET name = 'Manager', name_key = 'manager', built_in = false,
            description = 'Records of their department tree; no administration',
            permissions = $manager_perms, field_rules = [], created_at = $now, updated_at = $now;
         CREATE role:administrator SET name = 'Administrator', name_key = 'administrator', parent = NONE,
            profiles = [profile:administrator], built_in = true, created_at = $now;
         CREATE role:manager SET name = 'Manager', name_key = 'manager', parent = role:administrator,
            profiles = [profile:manager], built_in = true, created_at = $now;
         CREATE type::record('company', $company) SET name = 'My company', name_key = 'my company',
            archived = false, created_at = $now;
         CREATE type::record('department', $department) SET name = 'Head office', parent = NONE,
            manager = NONE, created_at = $now;",
        json!({ "company": company, "department": department, "admin_perms": admin_perms, "manager_perms": manager_perms, "now": now }),
    )
}

/// The department's manager.
pub fn set_department_manager(department: &str, user: &str) -> Stmt {
    Stmt::new(
        "UPDATE type::record('department', $department) SET manager = type::record('user', $user);",
        json!({ "department": department, "user": user }),
    )
}

/// The demo organisation (see `server::demo` for what `vars` holds).
pub fn demo(vars: serde_json::Value) -> Stmt {
    Stmt::new(
        "CREATE installation:main SET set_up_at = $now;
         FOR $p IN $profiles {
             CREATE type::record('profile', $p.id) SET name = $p.name, name_key = string::lowercase($p.name), built_in = $p.builtin,
                description = '', permissions = $p.perms, field_rules = $p.rules, created_at = $now, updated_at = $now;
         };
         FOR $r IN $roles {
             CREATE type::record('role', $r[0]) SET name = $r[1], name_key = string::lowercase($r[1]),
                parent = IF $r[2] { type::record('role', $r[2]) } ELSE { NONE },
                profiles = $r[3].map(|$p| type::record('profile', $p)), built_in = $r[0] IN ['administrator', 'manager'], created_at = $now;
         };
         CREATE company:northwind SET name = 'Northwind Traders', name_key = 'northwind traders', archived = false, created_at = $now;
         CREATE company:contoso SET name = 'Contoso Europe', name_key = 'contoso europe', archived = false, created_at = $now;
         FOR $d IN $departments {
             CREATE type::record('department', $d[0]) SET name = $d[1],
                parent = IF $d[2] { type::record('department', $d[2]) } ELSE { NONE }, manager = NONE, created_at = $now;
         };
         CREATE license:sales SET name = 'Sales', name_key = 'sales', seats = 30, modules = ['Leads', 'Opportunities'], created_at = $now;
         CREATE license:support SET name = 'Support', name_key = 'support', seats = 12, modules = ['SupportActivities'], created_at = $now;
         FOR $u IN $users {
             CREATE type::record('user', $u.id) SET full_name = $u.name, email = $u.email, email_key = $u.email, mobile = NONE,
                department = type::record('department', $u.dept), role = type::record('role', $u.role),
                companies = $u.companies.map(|$c| type::record('company', $c)), status = $u.status, is_approver = $u.role != 'sales_rep',
                password_hash = IF $u.status = 'invited' { NONE } ELSE { $hash }, must_change_password = false,
                licenses = $u.licenses.map(|$l| type::record('license', $l)), hidden_modules = [],
                created_at = $now, updated_at = $now, search_text = $u.search;
         };
         FOR $m IN $managers { UPDATE type::record('department', $m[0]) SET manager = type::record('user', $m[1]); };
         CREATE user_group:key_accounts SET name = 'Key accounts', name_key = 'key accounts',
            users = [user:rita_rep, user:pia_petrov, user:kai_kowalski], groups = [], created_at = $now;
         CREATE user_group:emea SET name = 'EMEA leadership', name_key = 'emea leadership',
            users = [user:victor_vance], groups = [user_group:key_accounts], created_at = $now;
         CREATE grant SET profile = profile:key_accounts, to_kind = 'group', to_id = 'key_accounts', with_subdepartments = false, created_at = $now;
         CREATE grant SET profile = profile:manager, to_kind = 'department', to_id = 'people', with_subdepartments = false, created_at = $now;
         UPSERT setting:access SET value = { defaults: [['Tasks', 'PublicRead']], hierarchy: true, inactive_may_read: false }, updated_at = $now;
         CREATE sharing_rule:support_to_sales SET module = 'SupportActivities',
            owners = { Role: { id: 'support_agent', with_subordinates: false } },
            recipients = { Role: { id: 'sales_manager', with_subordinates: true } }, access = 'Read', created_at = $now;
         FOR $r IN $records {
             CREATE type::record('crm_record', $r.id) SET module = $r.module, attrs = $r.attrs, search_text = $r.search,
                owner = type::record('user', $r.owner), company = type::record('company', $r.company),
                created_by = NONE, created_at = $r.at, updated_at = $r.at;
         };",
        vars,
    )
}
