//! CRM records of the six record modules.

use dioxus::prelude::*;

use crate::access::Module;
use crate::domain::{ApiError, RecordAudience, RecordChoices, RecordDetail, RecordInput, RecordPage, RecordQuery, ReassignResult, UserId};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, records};

#[post("/api/records/search")]
pub async fn list_records(query: RecordQuery) -> Result<RecordPage, ApiError> {
    records::list(&RequestCtx::read()?, &query).await
}

#[post("/api/records/get")]
pub async fn get_record(module: Module, id: String) -> Result<RecordDetail, ApiError> {
    records::get(&RequestCtx::read()?, module, &id).await
}

#[post("/api/records/create")]
/// The new record as its creator sees it; None when it is outside the creator's View reach.
pub async fn create_record(module: Module, input: RecordInput) -> Result<Option<RecordDetail>, ApiError> {
    records::create(&RequestCtx::write()?, module, &input).await
}

#[post("/api/records/update")]
pub async fn update_record(module: Module, id: String, input: RecordInput) -> Result<RecordDetail, ApiError> {
    records::update(&RequestCtx::write()?, module, &id, &input).await
}

#[post("/api/records/delete")]
pub async fn delete_record(module: Module, id: String) -> Result<(), ApiError> {
    records::delete(&RequestCtx::write()?, module, &id).await
}

#[post("/api/records/assign")]
/// The record after the assignment; None when it left the assigner's reach.
pub async fn assign_record(module: Module, id: String, owner: String) -> Result<Option<RecordDetail>, ApiError> {
    records::assign(&RequestCtx::write()?, module, &id, &owner).await
}

/// Companies and owners a new record (or a reassignment) may take.
#[post("/api/records/choices")]
pub async fn record_choices(module: Module, company: Option<String>) -> Result<RecordChoices, ApiError> {
    records::choices(&RequestCtx::read()?, module, company.as_deref()).await
}

/// Who can see a record and why (View on the record and on Roles & profiles).
#[post("/api/records/audience")]
pub async fn record_audience(module: Module, id: String) -> Result<RecordAudience, ApiError> {
    records::audience(&RequestCtx::read()?, module, &id).await
}

/// Offboarding: hands every record of one user that the caller may edit to another.
#[post("/api/records/reassign")]
pub async fn reassign_records(from: UserId, to: UserId, preview: Option<bool>) -> Result<ReassignResult, ApiError> {
    records::reassign_all(&RequestCtx::write()?, &from, &to, preview.unwrap_or(false)).await
}

#[post("/api/records/export")]
pub async fn export_records(query: RecordQuery) -> Result<String, ApiError> {
    records::export(&RequestCtx::write()?, &query).await
}
