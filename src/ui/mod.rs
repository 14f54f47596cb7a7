//! The console's user interface: the root component, the routes, the app shell and pages.

mod browser;
mod call;
mod components;
mod pages;
mod passkey;
mod preview_save;
mod quick_find;
mod shell;
mod step_up;

use dioxus::prelude::*;

use crate::domain::{ApiError, SessionInfo};
use pages::{ApiDocs, ImportUsers, AccessReport, ReviewPage, Reviews, Welcome, Activate, Audit, Conflicts, Grants, Groups, Licenses, Roles, Companies, RecordNew, RecordPage, Records, Settings, Sharing, Dashboard, Departments, Expiring, Forgot, NewUser, NotFound, Reset, SetupRoute, SignInRoute, Security, UserPage, Users};
use shell::Shell;

const CSS: Asset = asset!("/assets/main.css");

#[derive(Routable, Clone, Debug, PartialEq)]
#[rustfmt::skip]
pub enum Route {
    #[route("/setup")]
    SetupRoute {},
    #[route("/sign-in")]
    SignInRoute {},
    #[route("/forgot")]
    Forgot {},
    #[route("/activate/:token")]
    Activate { token: String },
    #[route("/reset/:token")]
    Reset { token: String },
    #[layout(Shell)]
        #[route("/")]
        Dashboard {},
        #[route("/users?:..filters")]
        Users { filters: crate::domain::UserFilters },
        #[route("/users/new")]
        NewUser {},
        #[route("/users/import")]
        ImportUsers {},
        #[route("/users/:id")]
        UserPage { id: String },
        #[route("/companies")]
        Companies {},
        #[route("/departments")]
        Departments {},
        #[route("/audit?:..filter")]
        Audit { filter: crate::domain::AuditFilter },
        #[route("/roles")]
        Roles {},
        #[route("/groups")]
        Groups {},
        #[route("/conflicts")]
        Conflicts {},
        #[route("/reports/access?:..filter")]
        AccessReport { filter: crate::domain::ReportFilter },
        #[route("/reviews")]
        Reviews {},
        #[route("/welcome")]
        Welcome {},
        #[route("/reviews/:id")]
        ReviewPage { id: String },
        #[route("/grants")]
        Grants {},
        #[route("/expiring")]
        Expiring {},
        #[route("/licenses")]
        Licenses {},
        #[route("/sharing")]
        Sharing {},
        #[route("/settings")]
        Settings {},
        #[route("/security")]
        Security {},
        #[route("/api-docs")]
        ApiDocs {},
        #[route("/records/:module")]
        Records { module: String },
        #[route("/records/:module/new")]
        RecordNew { module: String },
        #[route("/records/:module/:id")]
        RecordPage { module: String, id: String },
    #[end_layout]
    #[route("/:..segments")]
    NotFound { segments: Vec<String> },
}

impl Route {
    /// The users list, unfiltered.
    pub fn users() -> Self {
        Route::Users { filters: crate::domain::UserFilters::default() }
    }
    /// The users list with `filters` in force (dashboard cards link to these).
    pub fn users_where(filters: crate::domain::UserFilters) -> Self {
        Route::Users { filters }
    }
    /// The audit log, everything.
    pub fn audit() -> Self {
        Route::Audit { filter: crate::domain::AuditFilter::default() }
    }
}

/// The session as every page sees it, loaded once (during server rendering when possible)
/// and reloaded after sign-in, setup and sign-out.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<SessionInfo, ApiError>>);

impl Session {
    pub fn info(&self) -> Option<Result<SessionInfo, ApiError>> {
        self.0.read().clone()
    }
    pub fn reload(&mut self) {
        self.0.restart();
    }
}

#[component]
pub fn App() -> Element {
    rsx! {
        components::PageTitle { title: "Gatehouse" }
        document::Meta { name: "viewport", content: "width=device-width, initial-scale=1" }
        document::Stylesheet { href: CSS }
        SuspenseBoundary {
            fallback: |_| rsx! { div { class: "page-loading", role: "status", "Loading…" } },
            SessionRoot {}
        }
    }
}

/// Bumped by every click in the main menu: lists read it, so choosing the page one is on
/// (Users while on Users) loads it afresh.
#[derive(Clone, Copy)]
pub struct Reload(pub Signal<u64>);

/// The reload count of the main menu (0 outside the signed-in frame); read it inside a resource
/// to load again on each menu click.
pub fn use_reload() -> Signal<u64> {
    let fallback = use_signal(|| 0);
    try_use_context::<Reload>().map(|r| r.0).unwrap_or(fallback)
}

/// Bumped by every save on a user's page, so every widget of the page shows the saved state.
#[derive(Clone, Copy)]
pub struct Saves(pub Signal<u64>);

pub fn use_saves() -> Signal<u64> {
    let fallback = use_signal(|| 0);
    try_use_context::<Saves>().map(|r| r.0).unwrap_or(fallback)
}

/// True once the WASM app has taken over the server-rendered page. Until then forms keep their
/// submit buttons disabled, so nothing is ever submitted natively (with a password in the URL).
#[derive(Clone, Copy)]
pub struct Hydrated(pub Signal<bool>);

pub fn use_hydrated() -> bool {
    use_context::<Hydrated>().0()
}

/// The viewer's time zone for date fields' labels ("UTC+01:00"): "UTC" until the app has taken
/// over the page, so the server's rendering and the first browser rendering agree.
pub fn use_zone() -> String {
    if use_hydrated() { browser::zone_label() } else { "UTC".to_string() }
}

#[component]
fn SessionRoot() -> Element {
    let mut hydrated = use_signal(|| false);
    use_context_provider(|| Hydrated(hydrated));
    use_effect(move || {
        hydrated.set(true);
        // Browser tests wait for this mark before they type.
        browser::mark_hydrated();
    });
    let session = use_server_future(crate::api::session_info)?;
    use_context_provider(|| Session(session));
    rsx! { Router::<Route> {} }
}
