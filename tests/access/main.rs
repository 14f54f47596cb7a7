//! The access engine against ACCESS-MODEL.md: one table-driven scenario per rule (each checks
//! the decision and its reasons), and property tests against a small reference model.

mod fixtures;
mod judge;
mod properties;
mod scenarios;
