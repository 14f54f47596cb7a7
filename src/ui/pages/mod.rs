//! The console's pages.

mod account;
mod auth;
mod dashboard;
mod groups;
mod links;
mod not_found;
mod org;
mod passkeys;
mod tokens;
mod records;
mod reports;
mod reviews;
mod roles;
mod security;
mod settings;
mod sharing;
mod user;
mod users;
mod welcome;

pub use account::{Audit, ChangePasswordPage};
pub use auth::{SetupPage, SetupRoute, SignInPage, SignInRoute};
pub use dashboard::Dashboard;
pub use groups::{Groups, Licenses};
pub use links::{Activate, Forgot, Reset};
pub use not_found::NotFound;
pub use org::{Companies, Departments};
pub use records::{RecordNew, RecordPage, Records};
pub use reports::AccessReport;
pub use reviews::{ReviewPage, Reviews};
pub use security::{EnrolPage, SecondFactorPage, Security};
pub use settings::Settings;
pub use sharing::Sharing;
pub use roles::{Conflicts, Grants, Roles};
pub use users::{NewUser, UserPage, Users};
pub use welcome::Welcome;
