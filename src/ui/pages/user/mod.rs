//! The user page's widgets, one per file.

mod admin_password;
mod sessions;
mod activity;
mod effective_access;
mod access_setup;
mod member_of;
mod permissions;
mod licenses;
mod navigation;
mod view_as;
mod reassign;
mod offboarding;
mod second_factor;
mod invitation;
mod tokens;
mod time_limits;

pub use admin_password::AdminPasswordWidget;
pub use sessions::SessionsWidget;
pub use activity::changes_text;
pub use activity::ActivityWidget;
pub use effective_access::EffectiveAccessWidget;
pub use access_setup::AccessSetupWidgets;
pub use member_of::MemberOf;
pub use permissions::PermissionsWidget;
pub use licenses::LicensesWidget;
pub use navigation::NavigationWidget;
pub use view_as::ViewAsWidget;
pub use reassign::ReassignWidget;
pub use offboarding::{LeaveState, OffboardWidget};
pub use second_factor::SecondFactorWidget;
pub use invitation::InvitationWidget;
pub use tokens::TokensWidget;
pub use time_limits::TimeLimitsWidget;
