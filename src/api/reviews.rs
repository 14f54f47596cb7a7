//! Access reviews: campaigns, a reviewer's answers, closing with its preview, the report.

use dioxus::prelude::*;

use crate::domain::{ApiError, ReviewClosing, ReviewDetail, ReviewInput, ReviewSummary};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, reviews};

/// The campaigns the caller reviews in (every one, for a full administrator).
#[get("/api/reviews")]
pub async fn list_reviews() -> Result<Vec<ReviewSummary>, ApiError> {
    reviews::list(&RequestCtx::read()?).await
}

/// Starts a campaign (full administrators); answers its id.
#[post("/api/reviews")]
pub async fn create_review(input: ReviewInput) -> Result<String, ApiError> {
    reviews::create(&RequestCtx::write()?, &input).await
}

/// A campaign with the people the caller reviews.
#[get("/api/reviews/{id}")]
pub async fn review_detail(id: String) -> Result<ReviewDetail, ApiError> {
    reviews::detail(&RequestCtx::read()?, &id).await
}

/// A reviewer keeps or revokes one of their lines.
#[post("/api/review-lines/{id}")]
pub async fn decide_review_line(id: String, keep: bool, justification: String) -> Result<(), ApiError> {
    reviews::decide(&RequestCtx::write()?, &id, keep, &justification).await
}

/// What closing the campaign now would do; nothing is written.
#[post("/api/reviews/{id}/closing")]
pub async fn review_closing(id: String) -> Result<ReviewClosing, ApiError> {
    reviews::close_preview(&RequestCtx::read()?, &id).await
}

/// Closes the campaign and applies its removals.
#[post("/api/reviews/{id}/close")]
pub async fn close_review(id: String) -> Result<ReviewClosing, ApiError> {
    reviews::close(&RequestCtx::write()?, &id).await
}

/// The campaign's report as CSV (audited).
#[post("/api/reviews/{id}/export")]
pub async fn export_review(id: String) -> Result<String, ApiError> {
    reviews::export(&RequestCtx::write()?, &id).await
}
