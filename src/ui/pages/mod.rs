//! The console's pages.

mod auth;
mod dashboard;
mod not_found;

pub use auth::{SetupPage, SetupRoute, SignInPage, SignInRoute};
pub use dashboard::Dashboard;
pub use not_found::NotFound;
