//! `POST /v1/inspect` (what a payload is and what is wrong with it and its signature) and
//! `POST /v1/diff` (two JSON values, by path). The work is `crate::inspect`'s; here the
//! request is read and a named destination's signing keys are fetched.

use axum::extract::State;
use axum::Json;

use super::extract::JsonObject;
use super::{destinations, projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::inspect::request::{parse_diff, parse_inspect};
use crate::inspect::{diff, inspect, Change, InspectReport, NamedSecret};
use crate::model::DestinationType;
use crate::problem::{Issue, Problem};

#[utoipa::path(post, path = "/v1/inspect", tag = "Inspect",
    request_body = crate::inspect::request::InspectRequest,
    responses((status = 200, body = InspectReport), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn inspect_payload(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<InspectReport>> {
    let (request, bytes) = parse_inspect(&body)?;
    let mut secrets: Vec<NamedSecret> = request
        .secrets
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| NamedSecret {
            label: format!("given {}", i + 1),
            secret: s.clone(),
        })
        .collect();
    if let Some(reference) = &request.destination {
        let project =
            projects::resolve(&state, request.project.as_deref().unwrap_or("default")).await?;
        let row = crate::store::destinations::find(&state.store, &project.id, reference)
            .await?
            .ok_or_else(|| ApiError::missing_reference("destination", "destination", reference))?;
        if row.kind != DestinationType::Webhook {
            return Err(ApiError::invalid(Issue::body(
                "destination",
                Some(&serde_json::Value::String(reference.clone())),
                "is not a webhook destination: only webhooks sign what they send",
            )));
        }
        let keys = destinations::load_secrets(&state, &row).await?;
        let named = [
            (format!("{}'s current", row.name), keys.webhook_signing_key),
            (
                format!("{}'s previous", row.name),
                keys.previous_webhook_signing_key,
            ),
        ];
        for (label, key) in named {
            if let Some(secret) = key {
                secrets.push(NamedSecret { label, secret });
            }
        }
    }
    let headers: Vec<(String, String)> = request.headers.unwrap_or_default().into_iter().collect();
    let now = state.config.clock.now_ms() / 1000;
    // Pure CPU work on a body of up to megabytes: off the async workers.
    let report = tokio::task::spawn_blocking(move || inspect(&bytes, &headers, &secrets, now))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(report))
}

#[utoipa::path(post, path = "/v1/diff", tag = "Inspect",
    request_body = crate::inspect::request::DiffRequest,
    responses((status = 200, body = [Change]), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn diff_values(JsonObject(body): JsonObject) -> ApiResult<Json<Vec<Change>>> {
    let request = parse_diff(&body)?;
    Ok(Json(diff(&request.before, &request.after)))
}
