//! `POST /v1/projects/{p}/notifications`: publish `{notificationType, data}` — exactly the
//! webhook payload shape, so a captured payload can be replayed as is.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;

use super::extract::JsonObject;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::message::PublishResponse;
use crate::problem::{Issue, IssueLocation, Problem};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/notifications", tag = "Notifications",
    params(("projectIdOrName" = String, Path),
           ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[\t -~]+$", description = "A repeat within 24 h returns the first response and publishes nothing")),
    request_body(content = Value, description = "`{notificationType, data}` as in notifications.yaml"),
    responses((status = 202, body = PublishResponse, description = "Stored and queued (or unrouted)"),
              (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    Path(project): Path<String>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, HeaderMap, Json<PublishResponse>)> {
    let started = std::time::Instant::now();
    let project = projects::resolve(&state, &project).await?;
    let key = match headers.get(IDEMPOTENCY_KEY) {
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::invalid(Issue::at(
                IssueLocation::Header,
                "Idempotency-Key",
                None,
                "must be visible ASCII",
            ))
        })?),
        None => None,
    };
    let published = state
        .dispatcher
        .publish(
            &project,
            &Value::Object(body),
            key,
            crate::dispatch::publish::Reach::Routes,
        )
        .await?;
    state.dispatcher.metrics().published(started.elapsed());
    let mut out = HeaderMap::new();
    if published.replayed {
        out.insert(
            "idempotent-replayed",
            "true".parse().expect("static header"),
        );
    }
    Ok((StatusCode::ACCEPTED, out, Json(published.response)))
}
