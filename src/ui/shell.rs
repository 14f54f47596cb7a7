//! The app shell: a sidebar on desktop that folds into a menu button on a phone, the signed-in
//! user with sign-out, and the guard that shows setup or sign-in instead of a page when needed.

use dioxus::prelude::*;

use super::pages::{ChangePasswordPage, EnrolPage, SecondFactorPage, SetupPage, SignInPage};
use super::{Route, Session};
use crate::access::Module;
use crate::domain::{Me, SessionInfo};

#[component]
pub fn Shell() -> Element {
    let session = use_context::<Session>();
    match session.info() {
        None => rsx! { div { class: "page-loading", role: "status", "Loading…" } },
        Some(Err(err)) => rsx! {
            main { class: "center-page",
                div { class: "card narrow",
                    h1 { "Gatehouse is not answering" }
                    p { "{err}" }
                    button { class: "btn", onclick: move |_| { let mut s = session; s.reload(); }, "Try again" }
                }
            }
        },
        Some(Ok(SessionInfo { needs_setup: true, .. })) => rsx! { SetupPage {} },
        Some(Ok(SessionInfo { me: None, .. })) => rsx! { SignInPage { stay: true } },
        Some(Ok(SessionInfo { me: Some(me), .. })) if me.second_factor_pending => {
            rsx! { SecondFactorPage { name: me.full_name.clone() } }
        }
        Some(Ok(SessionInfo { me: Some(me), .. })) if me.must_change_password => {
            rsx! { ChangePasswordPage { name: me.full_name.clone(), email: me.email.clone() } }
        }
        Some(Ok(SessionInfo { me: Some(me), .. })) if me.must_enrol && me.viewed_by.is_none() => {
            rsx! { EnrolPage { name: me.full_name.clone(), user_id: me.id.clone() } }
        }
        Some(Ok(SessionInfo { me: Some(me), .. })) => rsx! { Frame { me } },
    }
}

#[component]
fn Frame(me: Me) -> Element {
    let mut menu_open = use_signal(|| false);
    let mut session = use_context::<Session>();
    let mut reload = use_signal(|| 0u64);
    use_context_provider(|| super::Reload(reload));
    super::components::Toasts::provide();
    let mut signing_out = use_signal(|| false);
    let route = use_route::<Route>();
    // Close the phone menu whenever the page changes.
    use_effect(use_reactive!(|route| {
        let _ = route;
        menu_open.set(false);
    }));
    let sign_out = move |_| async move {
        signing_out.set(true);
        let _ = crate::api::sign_out().await;
        signing_out.set(false);
        session.reload();
        navigator().replace(Route::SignInRoute {});
    };
    // Back where the view started: the page of the person viewed (`me` is them meanwhile).
    let viewed = me.id.clone();
    let end_view_as = move |_| {
        let viewed = viewed.clone();
        async move {
            let _ = crate::api::end_view_as().await;
            session.reload();
            navigator().push(Route::UserPage { id: viewed });
        }
    };
    let initials: String = me.full_name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    rsx! {
        div { class: if menu_open() { "app menu-open" } else { "app" },
            header { class: "topbar",
                button {
                    class: "menu-button",
                    "aria-label": if menu_open() { "Close menu" } else { "Open menu" },
                    "aria-expanded": if menu_open() { "true" } else { "false" },
                    "aria-controls": "sidebar",
                    onclick: move |_| menu_open.toggle(),
                    span { class: "menu-icon", "aria-hidden": "true" }
                }
                Link { class: "brand", to: Route::Dashboard {}, "Gatehouse" }
            }
            nav { id: "sidebar", class: "sidebar", "aria-label": "Main",
                Link { class: "brand brand-side", to: Route::Dashboard {}, "Gatehouse" }
                super::quick_find::QuickFind {}
                ul { class: "nav-list", onclick: move |_| reload += 1,
                    li { Link { to: Route::Dashboard {}, active_class: "active", "Dashboard" } }
                    li { Link { to: Route::Reviews {}, active_class: "active", "Access reviews" } }
                    if Module::RECORDS.iter().any(|m| me.modules.contains(m)) {
                        li { class: "nav-heading", "aria-hidden": "true", "Records" }
                    }
                    for m in Module::RECORDS.into_iter().filter(|m| me.modules.contains(m)) {
                        li { key: "{m:?}",
                            Link { to: Route::Records { module: crate::domain::module_slug(m).to_string() }, active_class: "active", "{m.label()}" }
                        }
                    }
                    if me.modules.iter().any(|m| !m.is_record_module()) {
                        li { class: "nav-heading", "aria-hidden": "true", "Administration" }
                    }
                    if me.modules.contains(&Module::Users) {
                        // Active on every filtered list too (the link's own address is the unfiltered one).
                        li { Link { to: Route::users(), class: if matches!(route, Route::Users { .. }) { "active" } else { "" }, "Users" } }
                    }
                    if [Module::Users, Module::RolesProfiles, Module::DepartmentsGroups].iter().any(|m| me.modules.contains(m)) {
                        li { Link { to: Route::Expiring {}, active_class: "active", "Expiring soon" } }
                    }
                    if me.modules.contains(&Module::RolesProfiles) {
                        li { Link { to: Route::Roles {}, active_class: "active", "Roles & profiles" } }
                        li { Link { to: Route::Conflicts {}, active_class: "active", "Conflicts" } }
                        li { Link { to: Route::AccessReport { filter: Default::default() }, class: if matches!(route, Route::AccessReport { .. }) { "active" } else { "" }, "Who has what" } }
                    }
                    if me.modules.contains(&Module::Companies) {
                        li { Link { to: Route::Companies {}, active_class: "active", "Companies" } }
                    }
                    if me.modules.contains(&Module::DepartmentsGroups) {
                        li { Link { to: Route::Departments {}, active_class: "active", "Departments" } }
                    }
                    if me.modules.contains(&Module::DepartmentsGroups) {
                        li { Link { to: Route::Groups {}, active_class: "active", "Groups" } }
                        li { Link { to: Route::Grants {}, active_class: "active", "Grants" } }
                    }
                    if me.modules.contains(&Module::Settings) {
                        li { Link { to: Route::Licenses {}, active_class: "active", "Licenses" } }
                        li { Link { to: Route::Sharing {}, active_class: "active", "Sharing" } }
                        li { Link { to: Route::Settings {}, active_class: "active", "Settings" } }
                    }
                    if me.modules.contains(&Module::AuditLog) {
                        li { Link { to: Route::audit(), class: if matches!(route, Route::Audit { .. }) { "active" } else { "" }, "Audit log" } }
                    }
                }
                div { class: "sidebar-user",
                    div { class: "avatar", "aria-hidden": "true", "{initials}" }
                    div { class: "who",
                        div { class: "who-name", "{me.full_name}" }
                        div { class: "who-role", "{me.role}" }
                        Link { class: "who-link", to: Route::Security {}, "Sign-in and security" }
                    }
                    button {
                        class: "btn btn-quiet",
                        disabled: signing_out(),
                        onclick: sign_out,
                        if signing_out() { "Signing out…" } else { "Sign out" }
                    }
                }
            }
            div { class: "scrim", onclick: move |_| menu_open.set(false) }
            super::components::ToastHost {}
            main { class: "content", id: "content",
                if let Some(admin) = me.viewed_by.clone() {
                    div { class: "banner banner-view-as", role: "status",
                        span { "{admin}, you are viewing the console as " strong { "{me.full_name}" } " — read-only. Every answer here is theirs." }
                        button { class: "btn btn-small", onclick: end_view_as, "Back to {admin}" }
                    }
                }
                ErrorBoundary {
                    handle_error: |_errors: ErrorContext| rsx! {
                        div { class: "card",
                            h1 { "Something went wrong on this page" }
                            p { "Reload the page to try again. If it keeps happening, tell your administrator." }
                        }
                    },
                    Outlet::<Route> {}
                }
            }
        }
    }
}
