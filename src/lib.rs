//! Gatehouse: user and access management for a CRM.
//!
//! One crate, two builds: `web` (the WASM single-page app) and `server` (axum + embedded
//! SurrealDB). `domain` and `access` are shared by both; `api` holds the typed server functions.

pub mod access;
pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "server")]
pub mod server;

pub use ui::App;
