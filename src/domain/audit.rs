//! What an audit row records, as one closed list: every action the server writes, its name in
//! the stored row (`user.invite`) and its label for people ("Invited a user"). The server writes
//! only these; the audit page offers them in its action picker.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($( $variant:ident = $name:literal, $label:literal; )*) => {
        /// One kind of audited event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum AuditAction {
            $( #[serde(rename = $name)] $variant, )*
        }

        impl AuditAction {
            /// Every action, in the order the audit page lists them.
            pub const ALL: &'static [AuditAction] = &[ $( AuditAction::$variant, )* ];

            /// The name stored in the row (`user.invite`).
            pub fn as_str(self) -> &'static str {
                match self { $( AuditAction::$variant => $name, )* }
            }

            /// The action a stored name stands for; unknown names (from a newer or older
            /// version) are `None`.
            pub fn parse(name: &str) -> Option<AuditAction> {
                match name { $( $name => Some(AuditAction::$variant), )* _ => None }
            }

            /// A few words people read in the action picker.
            pub fn label(self) -> &'static str {
                match self { $( AuditAction::$variant => $label, )* }
            }
        }
    };
}

actions! {
    InstallationSetUp = "installation.set_up", "Set up the installation";
    InstallationDemo = "installation.demo", "Filled in the demo organisation";
    SignIn = "auth.sign_in", "Signed in";
    SignInFailed = "auth.sign_in_failed", "Sign-in failed";
    SignInRefused = "auth.sign_in_refused", "Sign-in refused (account not active)";
    SignOut = "auth.sign_out", "Signed out";
    SignInSecondFactorFailed = "auth.second_factor_failed", "A second-factor code was refused";
    Reauthenticated = "auth.reauthenticated", "Confirmed their identity again";
    SecondFactorAdded = "second_factor.added", "Set up a second factor";
    SecondFactorRemoved = "second_factor.removed", "Turned off their second factor";
    SecondFactorReset = "second_factor.reset", "Reset a user's second factor";
    RecoveryCodesRenewed = "second_factor.recovery_renewed", "Made new recovery codes";
    RecoveryCodeUsed = "second_factor.recovery_used", "Signed in with a recovery code";
    SecondFactorPolicy = "second_factor.policy", "Changed who must use a second factor";
    ApiTokenCreate = "api_token.create", "Made an API token";
    ApiTokenRevoke = "api_token.revoke", "Revoked an API token";
    ServiceAccountCreate = "service_account.create", "Made a service account";
    UserInvite = "user.invite", "Invited a user";
    UserInviteResent = "user.invite_resent", "Sent a new invitation";
    UserInviteLinkCopied = "user.invite_link", "Made an invitation link to hand over";
    UserActivated = "user.activated", "Activated their account";
    UserUpdate = "user.update", "Changed a user's details";
    UserLicenses = "user.licenses", "Changed a user's licenses";
    UserNavigation = "user.navigation", "Changed a user's menu";
    UserBlock = "user.block", "Blocked a user";
    UserUnblock = "user.unblock", "Unblocked a user";
    UserActivate = "user.activate", "Reactivated a user";
    UserDeactivate = "user.deactivate", "Deactivated a user";
    UserOffboard = "user.offboard", "Offboarded a user";
    UserOffboardScheduled = "user.offboard_scheduled", "Scheduled a user's offboarding";
    UserOffboardCancelled = "user.offboard_cancelled", "Cancelled a scheduled offboarding";
    UserOffboardFailed = "user.offboard_failed", "A scheduled offboarding could not run";
    UsersImport = "user.import", "Imported people from a file";
    UsersExport = "user.export", "Exported the users list";
    UserCheckIn = "user.check_in", "Reminded a manager to check in with a new person";
    UserTemporaryPassword = "user.temporary_password", "Set a temporary password";
    UserResetLinkSent = "user.reset_link_sent", "Sent a password reset link";
    UserResetRequested = "user.reset_requested", "Asked for a password reset link";
    UserPasswordReset = "user.password_reset", "Chose a new password from a link";
    UserPasswordChanged = "user.password_changed", "Changed their own password";
    UserSessionsEnded = "user.sessions_ended", "Ended other sessions";
    UserSessionEnded = "user.session_ended", "Ended a session";
    ViewAsStart = "view_as.start", "Started viewing as someone";
    ViewAsEnd = "view_as.end", "Stopped viewing as someone";
    CompanyCreate = "company.create", "Created a company";
    CompanyRename = "company.rename", "Renamed a company";
    CompanyArchive = "company.archive", "Archived a company";
    CompanyRestore = "company.restore", "Restored a company";
    CompanyDelete = "company.delete", "Deleted a company";
    DepartmentCreate = "department.create", "Created a department";
    DepartmentUpdate = "department.update", "Changed a department";
    DepartmentDelete = "department.delete", "Deleted a department";
    RoleSave = "role.save", "Saved a role";
    RoleDelete = "role.delete", "Deleted a role";
    ProfileSave = "profile.save", "Saved a profile";
    ProfileDelete = "profile.delete", "Deleted a profile";
    GroupSave = "group.save", "Saved a group";
    GroupDelete = "group.delete", "Deleted a group";
    GrantAdd = "grant.add", "Granted a profile";
    GrantRemove = "grant.remove", "Removed a granted profile";
    GrantEndingReminder = "grant.ending_reminder", "Reminded people that a granted profile ends";
    AccessWindowSet = "access.window", "Set how long someone holds a group, company or license";
    AccessWindowReminder = "access.window_reminder", "Reminded people that a group, company or license ends";
    SharingSettings = "sharing.settings", "Changed the sharing defaults";
    SharingRuleSave = "sharing.rule.save", "Saved a sharing rule";
    SharingRuleDelete = "sharing.rule.delete", "Deleted a sharing rule";
    LicenseSave = "license.save", "Saved a license";
    SettingsTestEmail = "settings.test_email", "Sent a test email";
    SettingsLifetimes = "settings.lifetimes", "Changed invitation and session lifetimes";
    RecordCreate = "record.create", "Created a record";
    RecordUpdate = "record.update", "Changed a record";
    RecordDelete = "record.delete", "Deleted a record";
    RecordAssign = "record.assign", "Assigned a record";
    RecordReassign = "record.reassign", "Reassigned someone's records";
    RecordExport = "record.export", "Exported records";
    AuditExport = "audit.export", "Exported the audit log";
    AccessReportExport = "report.access_export", "Exported the who-has-what report";
    ReviewCreate = "review.create", "Started an access review";
    ReviewDecide = "review.decide", "Answered a line of an access review";
    ReviewRevoke = "review.revoke", "Lost access in an access review";
    ReviewClose = "review.close", "Closed an access review";
    ReviewExport = "review.export", "Exported an access review";
}

/// What kind of thing an audit row is about (stored as `target_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditTarget {
    Installation,
    User,
    Company,
    Department,
    Role,
    Profile,
    Group,
    Grant,
    Setting,
    SharingRule,
    License,
    Record,
    /// A record module as a whole (exports).
    Module,
    Audit,
    /// An access review (campaign).
    Review,
}

impl AuditTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditTarget::Installation => "installation",
            AuditTarget::User => "user",
            AuditTarget::Company => "company",
            AuditTarget::Department => "department",
            AuditTarget::Role => "role",
            AuditTarget::Profile => "profile",
            AuditTarget::Group => "group",
            AuditTarget::Grant => "grant",
            AuditTarget::Setting => "setting",
            AuditTarget::SharingRule => "sharing_rule",
            AuditTarget::License => "license",
            AuditTarget::Record => "record",
            AuditTarget::Module => "module",
            AuditTarget::Audit => "audit",
            AuditTarget::Review => "review",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_stored_name_and_has_a_label() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(a.as_str()));
            assert!(!a.label().is_empty());
        }
        assert_eq!(AuditAction::parse("user.unknown"), None);
    }
}
