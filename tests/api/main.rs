//! Integration tests over HTTP against a real server and a real (in-memory) SurrealDB.

mod helpers;

mod abuse;
mod admin;
mod auth;
mod cluster;
mod demo;
mod escalation;
mod expiry;
mod gate;
mod heads_up;
mod import;
mod matrix;
mod offboarding;
mod org;
mod records;
mod rest;
mod scim;
mod reports;
mod reviews;
mod second_factor;
mod setup;
mod storage;
mod users;
mod welcome;
mod windows;
