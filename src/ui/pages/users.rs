//! The Users list (search, filters, sort, pages, bulk actions; cards on a phone), the add-user
//! form and the user page.

use dioxus::prelude::*;

use crate::api;
use crate::domain::*;
use crate::domain::civil_from_days;
use crate::access::{Action, Module};
use crate::ui::components::{download_csv, lacks, may, CheckboxGroup, SortHeader, FormBanner, Notice, Pager, SelectField, StatusBadge, TextField};
use crate::ui::preview_save::show_preview;
use crate::ui::Route;
use super::user::{AccessSetupWidgets, ActivityWidget, AdminPasswordWidget, EffectiveAccessWidget, InvitationWidget, LeaveState, OffboardWidget, ReassignWidget, SecondFactorWidget, SessionsWidget, TokensWidget, ViewAsWidget};

/// The choices every user form needs: roles, departments, companies.
#[derive(Clone, PartialEq)]
struct Choices {
    roles: Vec<(String, String)>,
    /// The roles the admin may give (the filters list every role).
    grantable_roles: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    companies: Vec<(String, String)>,
    licenses: Vec<(String, String)>,
    /// Only for admins who may see groups; others do not get the filter.
    groups: Vec<(String, String)>,
}

async fn load_choices() -> Result<Choices, ApiError> {
    let roles = api::list_roles().await?;
    let departments = api::list_departments().await?;
    let companies = api::list_companies().await?;
    // Only admins who may see licenses get the filter; others simply do not see it.
    let licenses = api::list_licenses().await.unwrap_or_default();
    let groups = api::admin_org().await.map(|o| o.groups).unwrap_or_default();
    Ok(Choices {
        groups: groups.into_iter().map(|g| (g.id, g.name)).collect(),
        licenses: licenses.into_iter().map(|l| (l.id, l.name)).collect(),
        grantable_roles: roles.iter().filter(|r| r.grantable).map(|r| (r.id.clone(), r.name.clone())).collect(),
        roles: roles.into_iter().map(|r| (r.id, r.name)).collect(),
        departments: departments.into_iter().map(|d| (d.id, d.name)).collect(),
        companies: companies.into_iter().filter(|c| !c.archived).map(|c| (c.id, c.name)).collect(),
    })
}

fn when(at: Option<i64>) -> String {
    match at {
        None => "never".into(),
        Some(ms) => {
            // Days since the epoch are enough for a list; the page shows the exact time.
            let days = ms / 86_400_000;
            let (y, m, d) = civil_from_days(days);
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

#[component]
pub fn Users(filters: UserFilters) -> Element {
    let mut search = use_signal(|| filters.search.clone());
    let mut status = use_signal(|| filters.status.clone());
    let mut role = use_signal(|| filters.role.clone());
    let mut department = use_signal(|| filters.department.clone());
    let mut company = use_signal(|| filters.company.clone());
    let mut license = use_signal(|| filters.license.clone());
    let mut group = use_signal(|| filters.group.clone());
    let mut second_factor = use_signal(|| filters.second_factor.clone());
    // The filters live in the address too, so a filtered list can be linked to, bookmarked and
    // reloaded. The address wins when it changes (a link, Back); a changed filter rewrites it.
    let mut in_address = use_signal(|| filters.clone());
    use_effect(use_reactive!(|filters| {
        in_address.set(filters.clone());
        for (mut signal, value) in [
            (search, &filters.search),
            (status, &filters.status),
            (role, &filters.role),
            (department, &filters.department),
            (company, &filters.company),
            (license, &filters.license),
            (group, &filters.group),
            (second_factor, &filters.second_factor),
        ] {
            if *signal.peek() != *value {
                signal.set(value.clone());
            }
        }
    }));
    let current_filters = move || UserFilters {
        search: search(),
        status: status(),
        role: role(),
        department: department(),
        company: company(),
        license: license(),
        group: group(),
        second_factor: second_factor(),
    };
    use_effect(move || {
        let now = current_filters();
        if now != *in_address.peek() {
            in_address.set(now.clone());
            navigator().replace(Route::Users { filters: now });
        }
    });
    let sort = use_signal(|| "Name".to_string());
    // A second click on the same column header reverses the order; another sort starts A to Z.
    let mut reversed = use_signal(|| false);
    use_effect(move || {
        let _ = sort();
        reversed.set(false);
    });
    let mut page = use_signal(|| 1u32);
    let mut selected = use_signal(Vec::<String>::new);
    let bulk_role = use_signal(String::new);
    let bulk_company = use_signal(String::new);
    let mut notice = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<ApiError>);
    // Deactivating or blocking several people asks first, saying what it does to them.
    let mut confirm_bulk = use_signal(|| None::<BulkAction>);
    let choices = use_resource(load_choices);
    let reload = crate::ui::use_reload();
    let me = match use_context::<crate::ui::Session>().info() {
        Some(Ok(SessionInfo { me: Some(me), .. })) => me.id,
        _ => String::new(),
    };

    // The list's query: what the table shows, and what "Export CSV" writes.
    let query = move || {
        let (sort_by, descending) = match sort().as_str() {
            "Newest" => (UserSort::Created, true),
            "LastSignIn" => (UserSort::LastSignIn, true),
            "Email" => (UserSort::Email, false),
            "Status" => (UserSort::Status, false),
            _ => (UserSort::Name, false),
        };
        let descending = descending != reversed();
        let opt = |s: String| (!s.is_empty()).then_some(s);
        UserQuery {
            search: search(),
            status: opt(status()),
            role: opt(role()),
            department: opt(department()),
            company: opt(company()),
            license: opt(license()),
            group: opt(group()),
            second_factor: opt(second_factor()),
            sort: sort_by,
            descending,
            page: page(),
            per_page: 25,
        }
    };
    let mut users = use_resource(move || async move {
        let _ = reload();
        api::list_users(query()).await
    });
    let mut selecting_all = use_signal(|| false);
    let mut exporting = use_signal(|| false);
    let export = move |_| async move {
        exporting.set(true);
        match api::export_users(query()).await {
            Ok(csv) => download_csv("users.csv", &csv),
            Err(e) => error.set(Some(e)),
        }
        exporting.set(false);
    };
    // A new search or filter starts again at page 1 with nothing selected.
    use_effect(move || {
        let _ = (search(), status(), role(), department(), company(), license(), group(), second_factor(), sort(), reversed());
        page.set(1);
        selected.set(Vec::new());
    });

    let run_bulk = move |action: BulkAction| async move {
        confirm_bulk.set(None);
        let ids = selected();
        match api::bulk_users(ids, action).await {
            Ok(r) => {
                let mut text = format!("{} updated.", crate::domain::count(r.done as u64, "user", "users"));
                if !r.refused.is_empty() {
                    text.push_str(&format!(" {} refused: {}", r.refused.len(), r.refused.iter().map(|(_, why)| why.as_str()).collect::<Vec<_>>().join("; ")));
                }
                notice.set(Some(text));
                error.set(None);
                selected.set(Vec::new());
                users.restart();
            }
            Err(e) => error.set(Some(e)),
        }
    };

    let opts = match &*choices.read() {
        Some(Ok(c)) => c.clone(),
        _ => Choices { roles: vec![], grantable_roles: vec![], departments: vec![], companies: vec![], licenses: vec![], groups: vec![] },
    };
    let statuses: Vec<(String, String)> =
        [crate::access::UserStatus::Active, crate::access::UserStatus::Invited, crate::access::UserStatus::Inactive, crate::access::UserStatus::Blocked].iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    let sorts: Vec<(String, String)> = [("Name", "Name"), ("Email", "Email"), ("Status", "Status"), ("LastSignIn", "Last sign-in"), ("Newest", "Newest first")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();

    let body = match &*users.read() {
        None => rsx! { p { role: "status", "Loading users…" } },
        Some(Err(e)) => rsx! { div { class: "banner banner-error", role: "alert", "{e}" } },
        Some(Ok(p)) => {
            let all_ids: Vec<String> = p.items.iter().map(|u| u.id.clone()).collect();
            let order = format!("{}-{}-{}", sort(), reversed(), page());
            let all_selected = !all_ids.is_empty() && all_ids.iter().all(|id| selected().contains(id));
            rsx! {
                if p.items.is_empty() {
                    div { class: "card empty", p { "No users match. Change the search or the filters." } }
                } else {
                    table { class: "data users-table",
                        caption { class: "sr-only", "Users" }
                        thead {
                            tr {
                                th { scope: "col", class: "select-col",
                                    input {
                                        r#type: "checkbox",
                                        "aria-label": "Select every user on this page",
                                        checked: all_selected,
                                        onchange: move |e: FormEvent| {
                                            if e.checked() { selected.set(all_ids.clone()) } else { selected.set(Vec::new()) }
                                        },
                                    }
                                }
                                SortHeader { label: "Name", by: "Name", sort, reversed }
                                SortHeader { label: "Email", by: "Email", sort, reversed }
                                th { scope: "col", "Role" }
                                th { scope: "col", "Department" }
                                SortHeader { label: "Status", by: "Status", sort, reversed }
                                SortHeader { label: "Last sign-in", by: "LastSignIn", sort, reversed, newest_first: true }
                                th { scope: "col", "Second factor" }
                            }
                        }
                        tbody {
                            for u in p.items.iter().cloned() {
                                // Keyed by the order too: sorting or paging afresh starts each row
                                // clean (no error from an earlier attempt under another row).
                                UserListRow { key: "{u.id}:{order}", is_me: u.id == me, user: u, selected, on_changed: move |_| users.restart() }
                            }
                        }
                    }
                }
                Pager { page, at: p.page, per_page: p.per_page, total: p.total, one: "user", many: "users" }
            }
        }
    };
    let count = selected().len();
    if let Some(refused) = crate::ui::components::refusal(&*users.read()) {
        return refused;
    }
    rsx! {
        crate::ui::components::PageTitle { title: "Users · Gatehouse" }
        div { class: "page-head",
            h1 { "Users" }
            // Only what the person may do: the rest is there, disabled, saying why.
            div { class: "head-actions",
                if may(Module::Users, Action::Export) {
                    button { class: "btn", disabled: exporting(), onclick: export, if exporting() { "Exporting…" } else { "Export CSV" } }
                } else {
                    button { class: "btn", disabled: true, title: lacks(Module::Users, Action::Export), "Export CSV" }
                }
                if may(Module::Users, Action::Import) {
                    Link { class: "btn", to: Route::ImportUsers {}, "Import CSV" }
                } else {
                    button { class: "btn", disabled: true, title: lacks(Module::Users, Action::Import), "Import CSV" }
                }
                if may(Module::Users, Action::Create) {
                    Link { class: "btn btn-primary", to: Route::NewUser {}, "Add user" }
                } else {
                    button { class: "btn btn-primary", disabled: true, title: lacks(Module::Users, Action::Create), "Add user" }
                }
            }
        }
        section { class: "card filters", "aria-label": "Search and filters",
            TextField { id: "search", label: "Search name, email or mobile", value: search, kind: "search" }
            div { class: "filter-row",
                SelectField { id: "f-status", label: "Status", value: status, options: statuses.clone(), placeholder: "Any status" }
                SelectField { id: "f-role", label: "Role", value: role, options: opts.roles.clone(), placeholder: "Any role" }
                SelectField { id: "f-department", label: "Department", value: department, options: opts.departments.clone(), placeholder: "Any department" }
                SelectField { id: "f-company", label: "Company", value: company, options: opts.companies.clone(), placeholder: "Any company" }
                if !opts.licenses.is_empty() {
                    SelectField { id: "f-license", label: "License", value: license, options: opts.licenses.clone(), placeholder: "Any license" }
                }
                if !opts.groups.is_empty() || !group().is_empty() {
                    SelectField { id: "f-group", label: "Group", value: group, options: opts.groups.clone(), placeholder: "Any group" }
                }
                SelectField { id: "f-second-factor", label: "Second factor", value: second_factor, options: second_factor_choices(), placeholder: "Any" }
                SelectField { id: "f-sort", label: "Sort by", value: sort, options: sorts }
            }
        }
        FilterChips {
            chips: {
                let name = |list: &Vec<(String, String)>, id: &str| list.iter().find(|(v, _)| v == id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.to_string());
                let mut chips = Vec::new();
                let f = current_filters();
                if !f.search.is_empty() { chips.push(("search".to_string(), format!("Search: {}", f.search))); }
                if !f.status.is_empty() { chips.push(("status".to_string(), format!("Status: {}", name(&statuses, &f.status)))); }
                if !f.role.is_empty() { chips.push(("role".to_string(), format!("Role: {}", name(&opts.roles, &f.role)))); }
                if !f.department.is_empty() { chips.push(("department".to_string(), format!("Department: {}", name(&opts.departments, &f.department)))); }
                if !f.company.is_empty() { chips.push(("company".to_string(), format!("Company: {}", name(&opts.companies, &f.company)))); }
                if !f.license.is_empty() { chips.push(("license".to_string(), format!("License: {}", name(&opts.licenses, &f.license)))); }
                if !f.group.is_empty() { chips.push(("group".to_string(), format!("Group: {}", name(&opts.groups, &f.group)))); }
                if !f.second_factor.is_empty() { chips.push(("second_factor".to_string(), format!("Second factor: {}", name(&second_factor_choices(), &f.second_factor)))); }
                chips
            },
            on_remove: move |key: String| match key.as_str() {
                "search" => search.set(String::new()),
                "status" => status.set(String::new()),
                "role" => role.set(String::new()),
                "department" => department.set(String::new()),
                "company" => company.set(String::new()),
                "license" => license.set(String::new()),
                "group" => group.set(String::new()),
                "second_factor" => second_factor.set(String::new()),
                _ => {
                    for mut s in [search, status, role, department, company, license, group, second_factor] {
                        s.set(String::new());
                    }
                }
            },
        }
        Notice { text: notice() }
        FormBanner { error: error() }
        if let Some(Ok(p)) = &*users.read() {
            if count > 0 && p.items.iter().all(|u| selected().contains(&u.id)) && p.total > count as u64 {
                div { class: "select-across", role: "status",
                    span { "All {count} on this page are selected." }
                    button {
                        class: "btn btn-small",
                        disabled: selecting_all(),
                        onclick: move |_| async move {
                            selecting_all.set(true);
                            match all_matching(query()).await {
                                Ok(ids) => selected.set(ids),
                                Err(e) => error.set(Some(e)),
                            }
                            selecting_all.set(false);
                        },
                        if selecting_all() { "Selecting…" } else { "Select all {p.total} users that match" }
                    }
                }
            } else if count as u64 > p.items.len() as u64 && count as u64 >= p.total {
                div { class: "select-across", role: "status",
                    span { "All {count} users that match are selected." }
                    button { class: "btn btn-small", onclick: move |_| selected.set(Vec::new()), "Clear the selection" }
                }
            }
        }
        if count > 0 {
            div { class: "bulk-bar", role: "region", "aria-label": "Bulk actions",
                strong { "{count} selected" }
                button { class: "btn", onclick: move |_| run_bulk(BulkAction::Activate), "Activate" }
                button { class: "btn", onclick: move |_| confirm_bulk.set(Some(BulkAction::Deactivate)), "Deactivate" }
                button { class: "btn btn-danger", onclick: move |_| confirm_bulk.set(Some(BulkAction::Block)), "Block" }
                button { class: "btn", onclick: move |_| run_bulk(BulkAction::ResendInvite), "Resend invite" }
                if let Some(action) = confirm_bulk() {
                    div { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-bulk-text",
                        p { id: "confirm-bulk-text",
                            {
                                let people = if count == 1 { "1 person".to_string() } else { format!("{count} people") };
                                if action == BulkAction::Block {
                                    format!("Block {people}? They are signed out everywhere at once, their links stop working, and they cannot sign in until unblocked.")
                                } else {
                                    format!("Deactivate {people}? They are signed out at once and cannot sign in until reactivated. Their records stay theirs.")
                                }
                            }
                        }
                        button { class: "btn btn-danger", onclick: move |_| run_bulk(action.clone()),
                            if matches!(confirm_bulk(), Some(BulkAction::Block)) { "Yes, block {count}" } else { "Yes, deactivate {count}" }
                        }
                        button { class: "btn", onclick: move |_| confirm_bulk.set(None), "Cancel" }
                    }
                }
                div { class: "bulk-assign",
                    SelectField { id: "bulk-role", label: "Role", value: bulk_role, options: opts.grantable_roles.clone(), placeholder: "Choose a role" }
                    button { class: "btn", disabled: bulk_role().is_empty(), onclick: move |_| run_bulk(BulkAction::AssignRole(bulk_role())), "Assign role" }
                }
                div { class: "bulk-assign",
                    SelectField { id: "bulk-company", label: "Company", value: bulk_company, options: opts.companies.clone(), placeholder: "Choose a company" }
                    button { class: "btn", disabled: bulk_company().is_empty(), onclick: move |_| run_bulk(BulkAction::AddCompany(bulk_company())), "Add company access" }
                }
            }
        }
        {body}
    }
}

#[component]
fn UserListRow(user: UserRow, is_me: bool, selected: Signal<Vec<String>>, on_changed: EventHandler<()>) -> Element {
    let mut selected = selected;
    let id = user.id.clone();
    let is_selected = selected().contains(&id);
    let mut busy = use_signal(|| false);
    let mut row_error = use_signal(|| None::<String>);
    let mut confirming = use_signal(|| false);
    // Nobody is offered to deactivate themselves (the server refuses it anyway).
    let toggle_to = match user.status {
        crate::access::UserStatus::Active if is_me => None,
        crate::access::UserStatus::Active => Some(("inactive", "Deactivate")),
        crate::access::UserStatus::Inactive => Some(("active", "Activate")),
        _ => None,
    };
    let uid = user.id.clone();
    let toggle = move |_| {
        let uid = uid.clone();
        async move {
            if let Some((to, _)) = toggle_to {
                busy.set(true);
                match api::set_user_status(uid, to.to_string()).await {
                    Ok(_) => {
                        row_error.set(None);
                        confirming.set(false);
                        on_changed.call(());
                    }
                    Err(e) => row_error.set(Some(e.to_string())),
                }
                busy.set(false);
            }
        }
    };
    rsx! {
        tr { class: if is_selected { "selected" } else { "" },
            td { class: "select-col",
                input {
                    r#type: "checkbox",
                    "aria-label": "Select {user.full_name}",
                    checked: is_selected,
                    onchange: move |e: FormEvent| {
                        let id = id.clone();
                        selected.with_mut(|s| {
                            s.retain(|x| x != &id);
                            if e.checked() { s.push(id); }
                        });
                    },
                }
            }
            td { "data-label": "Name", class: "name-cell",
                Link { to: Route::UserPage { id: user.id.clone() }, "{user.full_name}" }
                if let Some(problem) = &user.mail_problem {
                    span { class: "warn-text", title: "{problem}", " · invite not delivered" }
                }
            }
            td { "data-label": "Email", class: "wrap",
                // A long address may break after its "@", never inside a word.
                match user.email.split_once('@') {
                    Some((local, domain)) => rsx! { "{local}@" wbr {} "{domain}" },
                    None => rsx! { "{user.email}" },
                }
            }
            td { "data-label": "Role", "{user.role.name}" }
            td { "data-label": "Department", {user.department.as_ref().map(|d| d.name.clone()).unwrap_or_default()} }
            td { "data-label": "Status",
                StatusBadge { status: user.status }
                if let Some(at) = user.leave_at {
                    span { class: "leaving", title: "Scheduled offboarding", " Leaving {when(Some(at))}" }
                }
                if let Some((to, label)) = toggle_to {
                    if to == "inactive" && confirming() {
                        div { class: "confirm confirm-row", role: "alertdialog", "aria-label": "Deactivate {user.full_name}?",
                            p { class: "small", "Sign {user.full_name} out and stop their sign-in? Their records stay theirs." }
                            button { class: "btn btn-small btn-primary", disabled: busy(), onclick: toggle, "Yes, deactivate" }
                            button { class: "btn btn-small", onclick: move |_| confirming.set(false), "Cancel" }
                        }
                    } else if to == "inactive" {
                        button {
                            class: "btn btn-small",
                            "aria-label": "{label} {user.full_name}",
                            onclick: move |_| confirming.set(true),
                            "{label}…"
                        }
                    } else {
                        button {
                            class: "btn btn-small",
                            disabled: busy(),
                            "aria-label": "{label} {user.full_name}",
                            onclick: toggle,
                            "{label}"
                        }
                    }
                }
                if let Some(e) = row_error() { p { class: "field-error", role: "alert", "{e}" } }
            }
            td { "data-label": "Last sign-in", "{when(user.last_sign_in_at)}" }
            td { "data-label": "Second factor", SecondFactorBadge { on: user.second_factor, required: user.second_factor_required } }
        }
    }
}

/// Every id the list's query matches, across all its pages, for a bulk action on them all.
async fn all_matching(query: UserQuery) -> Result<Vec<String>, ApiError> {
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let p = api::list_users(UserQuery { page, per_page: 200, ..query.clone() }).await?;
        ids.extend(p.items.iter().map(|u| u.id.clone()));
        if p.items.is_empty() || ids.len() as u64 >= p.total {
            return Ok(ids);
        }
        page += 1;
    }
}

/// The filters in force as removable chips, and "Clear all" when there is more than one.
#[component]
pub fn FilterChips(chips: Vec<(String, String)>, on_remove: EventHandler<String>) -> Element {
    if chips.is_empty() {
        return rsx! {};
    }
    let many = chips.len() > 1;
    rsx! {
        div { class: "chips", role: "group", "aria-label": "Filters in force",
            for (key, text) in chips {
                button {
                    key: "{key}",
                    class: "chip",
                    "aria-label": "Remove the filter {text}",
                    onclick: { let key = key.clone(); move |_| on_remove.call(key.clone()) },
                    span { "{text}" }
                    span { class: "chip-x", "aria-hidden": "true", "×" }
                }
            }
            if many {
                button { class: "btn btn-quiet btn-small", onclick: move |_| on_remove.call(String::new()), "Clear all" }
            }
        }
    }
}

fn second_factor_choices() -> Vec<(String, String)> {
    [("on", "Set up"), ("off", "Not set up"), ("missing", "Required but not set up")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Whether a user has a second factor, and whether one is required of them.
#[component]
pub fn SecondFactorBadge(on: bool, required: bool) -> Element {
    rsx! {
        if on {
            span { class: "badge badge-active", "Set up" }
        } else if required {
            span { class: "badge badge-blocked", title: "Their role or the installation requires one", "Required, not set up" }
        } else {
            span { class: "muted", "Password only" }
        }
    }
}

/// The add-user and edit-user form, shared.
#[component]
fn UserForm(initial: UserInput, submit_label: String, on_saved: EventHandler<UserRow>, editing: Option<String>) -> Element {
    let full_name = use_signal(|| initial.full_name.clone());
    let email = use_signal(|| initial.email.clone());
    let mobile = use_signal(|| initial.mobile.clone());
    let mut department = use_signal(|| initial.department.clone());
    let role = use_signal(|| initial.role.clone());
    let mut companies = use_signal(|| initial.companies.clone());
    let mut is_approver = use_signal(|| initial.is_approver);
    let mut error = use_signal(|| None::<ApiError>);
    let mut pending = use_signal(|| false);
    let mut preview = use_signal(|| None::<crate::access::AccessDiff>);
    let choices = use_resource(load_choices);
    let ready = crate::ui::use_hydrated();
    let editing2 = editing.clone();
    let is_edit = editing.is_some();
    // Adding someone: the only company and the only department are chosen already; with several
    // departments, the admin's own. The person adding can still change them.
    let own_department = use_resource(move || async move {
        if is_edit {
            return None;
        }
        let info = api::session_info().await.ok()?;
        let me = info.me?;
        api::get_user(me.id).await.ok()?.department.map(|d| d.id)
    });
    use_effect(move || {
        if is_edit {
            return;
        }
        let Some(Ok(c)) = &*choices.read() else { return };
        if department.peek().is_empty() {
            let own = own_department.read().clone().flatten().filter(|d| c.departments.iter().any(|(id, _)| id == d));
            match (c.departments.as_slice(), own) {
                ([(only, _)], _) => department.set(only.clone()),
                (_, Some(own)) => department.set(own),
                _ => {}
            }
        }
        if companies.peek().is_empty() {
            if let [(only, _)] = c.companies.as_slice() {
                companies.set(vec![only.clone()]);
            }
        }
    });
    let input_now = move || UserInput {
        full_name: full_name(),
        email: email(),
        mobile: mobile(),
        department: department(),
        role: role(),
        companies: companies(),
        is_approver: is_approver(),
    };
    // A role, department or company change previews like a profile edit: who gains and loses what.
    let run_preview = move |_| {
        let id = editing2.clone();
        async move {
            let Some(id) = id else { return };
            show_preview(api::preview_user_update(id, input_now()).await, preview, error);
        }
    };

    let onsubmit = move |evt: FormEvent| {
        let editing = editing.clone();
        async move {
            evt.prevent_default();
            let input = input_now();
            // The same checks the server makes, for a quick answer; the server checks again.
            let mut fields = Vec::new();
            if let Err(m) = PersonName::parse(&input.full_name) {
                fields.push(FieldError::new("full_name", m));
            }
            if let Err(m) = Email::parse(&input.email) {
                fields.push(FieldError::new("email", m));
            }
            if !input.mobile.trim().is_empty() {
                if let Err(m) = Mobile::parse(&input.mobile) {
                    fields.push(FieldError::new("mobile", m));
                }
            }
            if input.role.is_empty() {
                fields.push(FieldError::new("role", "choose a role: every user needs one"));
            }
            if input.department.is_empty() {
                fields.push(FieldError::new("department", "choose a department"));
            }
            if input.companies.is_empty() {
                fields.push(FieldError::new("companies", "choose at least one company"));
            }
            if !fields.is_empty() {
                error.set(Some(ApiError::fields(fields)));
                return;
            }
            pending.set(true);
            let result = match editing {
                Some(id) => api::update_user(id, input).await,
                None => api::create_user(input).await,
            };
            pending.set(false);
            match result {
                Ok(u) => {
                    error.set(None);
                    preview.set(None);
                    on_saved.call(u);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let err = error();
    let field = |name: &str| err.as_ref().and_then(|e| e.field_message(name)).map(str::to_string);
    let c = match &*choices.read() {
        Some(Ok(c)) => c.clone(),
        _ => Choices { roles: vec![], grantable_roles: vec![], departments: vec![], companies: vec![], licenses: vec![], groups: vec![] },
    };
    // Only the roles the admin may give, plus the person's current one (kept as it is).
    let mut role_options = c.grantable_roles.clone();
    if let Some(current) = c.roles.iter().find(|(id, _)| *id == initial.role) {
        if !role_options.contains(current) {
            role_options.push(current.clone());
        }
    }
    rsx! {
        form { class: "form", method: "post", novalidate: true, onsubmit,
            FormBanner { error: err.clone() }
            div { class: "form-grid",
                TextField { id: "full_name", label: "Full name", value: full_name, autocomplete: "off", error: field("full_name"), required: true }
                TextField { id: "email", label: "Email address", value: email, kind: "email", autocomplete: "off", error: field("email"), required: true }
                TextField { id: "mobile", label: "Mobile (optional)", value: mobile, kind: "tel", hint: "International format, e.g. +44 7700 900123", error: field("mobile") }
                SelectField { id: "department", label: "Department", value: department, options: c.departments.clone(), placeholder: "Choose a department", error: field("department") }
                SelectField { id: "role", label: "Role", value: role, options: role_options, placeholder: "Choose a role", error: field("role") }
            }
            CheckboxGroup { id: "companies", legend: "Company access", selected: companies, options: c.companies.clone(), error: field("companies") }
            label { class: "check",
                input { r#type: "checkbox", name: "is_approver", checked: is_approver(), onchange: move |e: FormEvent| is_approver.set(e.checked()) }
                span { "Is approver (takes part in approval workflows)" }
            }
            if let Some(d) = preview() {
                crate::ui::components::PreviewList { diff: d }
            }
            div { class: "form-actions",
                if is_edit {
                    button { class: "btn", r#type: "button", disabled: !ready, onclick: run_preview, "Preview changes" }
                }
                button { class: "btn btn-primary", r#type: "submit", disabled: pending() || !ready,
                    if pending() { "Saving…" } else { "{submit_label}" }
                }
            }
        }
    }
}

#[component]
pub fn NewUser() -> Element {
    rsx! {
        crate::ui::components::PageTitle { title: "Add user · Gatehouse" }
        crate::ui::components::Breadcrumbs { trail: vec![("Users".to_string(), Route::users())], here: "Add user" }
        div { class: "page-head",
            h1 { "Add user" }
            Link { class: "btn btn-quiet", to: Route::Users { filters: UserFilters::default() }, "Back to users" }
        }
        section { class: "card",
            p { class: "muted", "The new user gets an email with a link to choose their password and activate the account." }
            UserForm {
                initial: UserInput::default(),
                submit_label: "Add user and send invitation",
                editing: None,
                on_saved: move |u: UserRow| { navigator().push(Route::UserPage { id: u.id }); },
            }
        }
    }
}

#[component]
pub fn UserPage(id: String) -> Element {
    let uid = id.clone();
    // Every save on this page bumps `saves`; the user and every widget read it, so all of them
    // show the saved state (role in "Member of", effective access, activity) without a reload.
    let mut saves = use_signal(|| 0u64);
    use_context_provider(|| crate::ui::Saves(saves));
    let user = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::get_user(uid).await
    }));
    let mut notice = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<ApiError>);
    // The status change waiting for "Yes" ("inactive" or "blocked").
    let mut confirm = use_signal(|| None::<&'static str>);
    let my_id = match use_context::<crate::ui::Session>().info() {
        Some(Ok(SessionInfo { me: Some(me), .. })) => me.id,
        _ => String::new(),
    };

    let change_status = move |id: String, to: &'static str, done: &'static str| async move {
        match api::set_user_status(id, to.to_string()).await {
            Ok(_) => {
                notice.set(Some(done.to_string()));
                error.set(None);
                confirm.set(None);
                saves += 1;
            }
            Err(e) => error.set(Some(e)),
        }
    };

    let content = match &*user.read() {
        None => rsx! { p { role: "status", "Loading…" } },
        Some(Err(e)) => rsx! {
            div { class: "card", h1 { "User not available" } p { "{e}" } Link { class: "btn", to: Route::Users { filters: UserFilters::default() }, "Back to users" } }
        },
        Some(Ok(u)) => {
            let u = u.clone();
            let initial = UserInput {
                full_name: u.full_name.clone(),
                email: u.email.clone(),
                mobile: u.mobile.clone().unwrap_or_default(),
                department: u.department.as_ref().map(|d| d.id.clone()).unwrap_or_default(),
                role: u.role.id.clone(),
                companies: u.companies.iter().map(|c| c.id.clone()).collect(),
                is_approver: u.is_approver,
            };
            let id1 = u.id.clone();
            let id2 = u.id.clone();
            let id4 = u.id.clone();
            let is_me = u.id == my_id;
            rsx! {
                crate::ui::components::PageTitle { title: "{u.full_name} · Users · Gatehouse" }
                crate::ui::components::Breadcrumbs { trail: vec![("Users".to_string(), Route::users())], here: u.full_name.clone() }
                div { class: "page-head",
                    div {
                        h1 { "{u.full_name}" }
                        p { class: "muted", "{u.email} · " StatusBadge { status: u.status }
                            if u.service_account {
                                " "
                                span { class: "badge", title: "Not a person: it acts through its token (SCIM provisioning, scripts) and never signs in", "Service account" }
                            }
                        }
                    }
                    Link { class: "btn btn-quiet", to: Route::Users { filters: UserFilters::default() }, "Back to users" }
                }
                Notice { text: notice() }
                FormBanner { error: error() }
                div { class: "widgets",
                    section { class: "card widget widget-wide", "aria-labelledby": "w-details",
                        h2 { id: "w-details", "Details and company access" }
                        UserForm {
                            initial,
                            submit_label: "Save changes",
                            editing: Some(id4),
                            on_saved: move |_| { notice.set(Some("Saved.".into())); saves += 1; },
                        }
                    }
                    section { class: "card widget", "aria-labelledby": "w-status",
                        h2 { id: "w-status", "Status" }
                        match u.status {
                            crate::access::UserStatus::Active => rsx! { p { "Active: can sign in and work." } },
                            crate::access::UserStatus::Inactive => rsx! {
                                p { "Inactive: cannot sign in." }
                                button { class: "btn", onclick: move |_| change_status(id1.clone(), "active", "The user is active again."), "Activate" }
                            },
                            crate::access::UserStatus::Invited => rsx! {
                                p { "Invited: waiting for the person to open the invitation and choose a password." }
                            },
                            _ => rsx! {
                                p { "Blocked: cannot sign in; every session was ended." }
                                button { class: "btn", onclick: move |_| change_status(id1.clone(), "active", "The user is unblocked and active."), "Unblock" }
                            },
                        }
                        if is_me {
                            p { class: "muted small", "This is your own account: nobody deactivates or blocks themselves." }
                        } else if let Some(to) = confirm() {
                            div { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-status-text",
                                p { id: "confirm-status-text",
                                    if to == "blocked" {
                                        "Block {u.full_name}? They are signed out everywhere at once, their links stop working, and they cannot sign in until unblocked."
                                    } else {
                                        "Deactivate {u.full_name}? They are signed out at once and cannot sign in until reactivated. Their records stay theirs."
                                    }
                                }
                                button {
                                    class: if to == "blocked" { "btn btn-danger" } else { "btn btn-primary" },
                                    onclick: move |_| {
                                        let id = id2.clone();
                                        let done = if to == "blocked" { "The user is blocked and was signed out everywhere." } else { "The user is now inactive and was signed out." };
                                        change_status(id, to, done)
                                    },
                                    if to == "blocked" { "Yes, block" } else { "Yes, deactivate" }
                                }
                                button { class: "btn", onclick: move |_| confirm.set(None), "Cancel" }
                            }
                        } else {
                            div { class: "form-actions",
                                if u.status == crate::access::UserStatus::Active {
                                    button { class: "btn", onclick: move |_| confirm.set(Some("inactive")), "Deactivate…" }
                                }
                                if u.status != crate::access::UserStatus::Blocked {
                                    button { class: "btn btn-danger", onclick: move |_| confirm.set(Some("blocked")), "Block…" }
                                }
                            }
                        }
                    }
                    if u.status == crate::access::UserStatus::Invited {
                        InvitationWidget {
                            user_id: u.id.clone(),
                            name: u.full_name.clone(),
                            mail_problem: u.mail_problem.clone(),
                            expires_at: u.invitation_expires_at,
                            on_changed: move |text: String| { notice.set(Some(text)); error.set(None); saves += 1; },
                        }
                    }
                    if matches!(u.status, crate::access::UserStatus::Active | crate::access::UserStatus::Inactive) {
                        AdminPasswordWidget { user_id: u.id.clone(), name: u.full_name.clone() }
                        ViewAsWidget { user_id: u.id.clone(), name: u.full_name.clone() }
                        ReassignWidget { user_id: u.id.clone(), name: u.full_name.clone() }
                    }
                    if !is_me {
                        OffboardWidget {
                            user_id: u.id.clone(),
                            name: u.full_name.clone(),
                            state: LeaveState::of(&u),
                            on_changed: move |text: String| { notice.set(Some(text)); error.set(None); saves += 1; },
                        }
                    }
                    if matches!(u.status, crate::access::UserStatus::Active | crate::access::UserStatus::Inactive) {
                        SecondFactorWidget { user_id: u.id.clone(), name: u.full_name.clone(), is_me }
                    }
                    SessionsWidget { user_id: u.id.clone() }
                    if u.status != crate::access::UserStatus::Invited {
                        TokensWidget { user_id: u.id.clone(), name: u.full_name.clone() }
                    }
                    ActivityWidget { user_id: u.id.clone() }
                    AccessSetupWidgets { user_id: u.id.clone() }
                    EffectiveAccessWidget { user_id: u.id.clone() }
                }
            }
        }
    };
    rsx! {
        crate::ui::components::PageTitle { title: "User · Gatehouse" }
        {content}
    }
}


