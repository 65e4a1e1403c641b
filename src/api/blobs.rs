//! `GET /v1/blobs/{id}`: downloads behind signed URLs (no API key: the signature is the
//! credential). Expired or forged links are a 403.

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::extract::QueryParams;
use super::AppState;
use crate::error::{ApiError, ApiResult};
use crate::problem::Problem;

#[utoipa::path(get, path = "/v1/blobs/{blobId}", tag = "Notifications", security(()),
    params(("blobId" = String, Path), ("expires" = i64, Query), ("signature" = String, Query)),
    responses((status = 200, description = "The JSON document"), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_blob(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: QueryParams,
) -> ApiResult<Response> {
    let (expires, signature) =
        crate::blobs::link_parts(query.string("expires"), query.string("signature"))
            .map_err(|denied| ApiError::Forbidden(denied.to_string()))?;
    state
        .blobs
        .verify(&id, expires, signature)
        .map_err(|denied| ApiError::Forbidden(denied.to_string()))?;
    let content = state
        .blobs
        .get(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("download", &id))?;
    Ok(([(CONTENT_TYPE, "application/json")], content).into_response())
}
