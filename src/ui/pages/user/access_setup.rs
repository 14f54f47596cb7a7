//! The access widgets of the user page, loaded together: Member of, Permissions, Licenses,
//! Time-limited access and Navigation.

use dioxus::prelude::*;

use crate::api;
use super::{LicensesWidget, MemberOf, NavigationWidget, PermissionsWidget, TimeLimitsWidget};

#[component]
pub fn AccessSetupWidgets(user_id: String) -> Element {
    let uid = user_id.clone();
    let mut saves = crate::ui::use_saves();
    let setup = use_resource(use_reactive!(|uid| async move {
        let _ = saves();
        api::user_access_setup(uid).await
    }));
    let org = use_resource(move || async move {
        let _ = saves();
        api::admin_org().await
    });
    let licenses = use_resource(api::list_licenses);
    let may_edit_groups = match use_context::<crate::ui::Session>().info() {
        Some(Ok(crate::domain::SessionInfo { me: Some(me), .. })) => me.modules.contains(&crate::access::Module::DepartmentsGroups) && me.viewed_by.is_none(),
        _ => false,
    };
    let Some(Ok(s)) = setup.read().clone() else {
        return rsx! {};
    };
    rsx! {
        MemberOf {
            user_id: user_id.clone(),
            setup: s.clone(),
            // Someone who may not edit groups sees the list without the controls.
            org: org.read().clone().and_then(|o| o.ok()).filter(|_| may_edit_groups),
            on_changed: move |_| saves += 1,
        }
        if let Some(Ok(o)) = org.read().clone() {
            PermissionsWidget { user_id: user_id.clone(), setup: s.clone(), org: o, on_changed: move |_| saves += 1 }
        }
        if let Some(Ok(l)) = licenses.read().clone() {
            LicensesWidget { key: "{s.licenses.join(\",\")}", user_id: user_id.clone(), setup: s.clone(), licenses: l, on_changed: move |_| saves += 1 }
        }
        TimeLimitsWidget { user_id: user_id.clone(), setup: s.clone(), on_changed: move |_| saves += 1 }
        NavigationWidget { user_id: user_id.clone(), setup: s, on_changed: move |_| saves += 1 }
    }
}
