//! Gatehouse: user and access management for a CRM.
//!
//! One crate, two builds: `web` (the WASM single-page app) and `server` (axum + embedded
//! SurrealDB). `domain` and `access` are shared by both; `api` holds the typed server functions.

// A request never takes the server down: no unwrap, expect, panic or unchecked indexing outside
// tests (checked by `cargo clippy` in `scripts/test`; allowed locally where an invariant holds,
// with the reason).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

pub mod access;
pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "server")]
pub mod server;

pub use ui::App;
