//! Operator actions on a destination: pause, resume, re-enable, recover what it missed.

use std::borrow::Cow;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::destinations::resolve_destination;
use super::extract::JsonObject;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::input::{Fields, Issues};
use crate::model::live::{DestinationChanged, LiveEvent};
use crate::model::requests::RequestBody;
use crate::model::Destination;
use crate::model::DestinationStatus::{self, Active, Disabled, Paused};
use crate::problem::Problem;
use crate::store::{destinations, messages};
use crate::time::{parse_rfc3339, to_datetime, to_rfc3339};

/// Moves the destination to `to` if it is in one of `from`, and answers with it. The
/// check and the write are one conditional update: should the dispatcher disable the
/// destination meanwhile, the action loses with a 409 and the disable (and its reason)
/// stays.
async fn change_status(
    state: &AppState,
    project: &str,
    destination: &str,
    to: DestinationStatus,
    from: [DestinationStatus; 2],
) -> ApiResult<Destination> {
    let project = projects::resolve(state, project).await?;
    let row = resolve_destination(state, &project.id, destination).await?;
    let mut tx = state.store.begin_write().await?;
    let changed =
        destinations::change_status(&mut tx, &row.id, to, from, state.config.clock.now_ms())
            .await?;
    tx.commit().await?;
    let row = resolve_destination(state, &project.id, &row.id).await?;
    if !changed {
        return Err(ApiError::Conflict {
            detail: format!(
                "the destination is {}; this action applies to {} or {} destinations",
                row.status.as_str(),
                from[0].as_str(),
                from[1].as_str()
            ),
            issues: vec![],
        });
    }
    state.dispatcher.invalidate(&row.id);
    let destination = super::destinations::view(state, &row);
    let changed = DestinationChanged {
        destination_id: Cow::Borrowed(&destination.id),
        destination_name: Cow::Borrowed(&destination.name),
    };
    let event = match (from[0], to) {
        (Disabled, _) => LiveEvent::DestinationEnabled(changed),
        (_, Paused) => LiveEvent::DestinationPaused(changed),
        _ => LiveEvent::DestinationResumed(changed),
    };
    state
        .dispatcher
        .events()
        .emit(&destination.project_id, &event);
    Ok(destination)
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations/{destination}/pause", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path)),
    responses((status = 200, body = Destination, description = "Paused: messages wait, in order"),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn pause(
    State(state): State<AppState>,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<Json<Destination>> {
    Ok(Json(
        change_status(&state, &p, &d, Paused, [Active, Paused]).await?,
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations/{destination}/resume", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path)),
    responses((status = 200, body = Destination), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn resume(
    State(state): State<AppState>,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<Json<Destination>> {
    Ok(Json(
        change_status(&state, &p, &d, Active, [Paused, Active]).await?,
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations/{destination}/enable", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path)),
    responses((status = 200, body = Destination, description = "Re-enabled; its failure clock restarts"),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn enable(
    State(state): State<AppState>,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<Json<Destination>> {
    Ok(Json(
        change_status(&state, &p, &d, Active, [Disabled, Active]).await?,
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecoverRequest {
    /// Failed and skipped messages created at or after this time (RFC 3339) are queued
    /// again.
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Reads a `recover` body into its request type.
fn parse_recover(body: &serde_json::Map<String, Value>) -> ApiResult<RecoverRequest> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(RecoverRequest::FIELDS, &mut issues, "a recover request");
    let since = fields.string("since", true, &mut issues).and_then(|raw| {
        let parsed = parse_rfc3339(&raw);
        if parsed.is_none() {
            issues.add(
                "since",
                Some(&Value::String(raw)),
                "must be an RFC 3339 time such as 2026-01-01T00:00:00Z",
            );
        }
        parsed
    });
    let since = issues.finish(since.unwrap_or_default())?;
    Ok(RecoverRequest {
        since: to_datetime(since),
    })
}

impl RequestBody for RecoverRequest {
    const FIELDS: &'static [&'static str] = &["since"];
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecoverResponse {
    pub requeued: u64,
    pub since: String,
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations/{destination}/recover", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path)),
    request_body = RecoverRequest,
    responses((status = 202, body = RecoverResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn recover(
    State(state): State<AppState>,
    Path((p, d)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<RecoverResponse>)> {
    let since = parse_recover(&body)?.since.timestamp_millis();
    let project = projects::resolve(&state, &p).await?;
    let row = resolve_destination(&state, &project.id, &d).await?;
    let mut tx = state.store.begin_write().await?;
    let requeued = messages::recover(&mut tx, &row.id, since, state.config.clock.now_ms()).await?;
    tx.commit().await?;
    state.dispatcher.wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(RecoverResponse {
            requeued,
            since: to_rfc3339(since),
        }),
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations/{destination}/test", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path)),
    request_body(content = Value, description = "Optional `{eventType}` (default `connection.created`), or a whole `{notificationType, data}`"),
    responses((status = 202, body = crate::model::message::PublishResponse, description = "A test notification sent to this destination only"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn send_test(
    State(state): State<AppState>,
    Path((p, d)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<crate::model::message::PublishResponse>)> {
    let project = projects::resolve(&state, &p).await?;
    let row = resolve_destination(&state, &project.id, &d).await?;
    // The body is optional: an empty one sends the default test notification.
    let body = if raw.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        match serde_json::from_slice::<Value>(&raw) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(ApiError::Malformed {
                    detail: "the request body must be a JSON object".into(),
                    issues: vec![],
                })
            }
            Err(e) => {
                return Err(ApiError::Malformed {
                    detail: format!("the request body is not valid JSON: {e}"),
                    issues: vec![],
                })
            }
        }
    };
    let notification = if body.contains_key("notificationType") {
        Value::Object(body)
    } else {
        let mut issues = Issues::default();
        let fields = Fields::new(&body);
        fields.reject_unknown(&["eventType"], &mut issues, "a test send");
        let raw = fields.string("eventType", false, &mut issues);
        let event_type = match raw.as_deref() {
            None => Some(crate::model::EventType::ConnectionCreated),
            Some(r) => crate::model::route::parse_event_type(r)
                .map_err(|why| issues.add("eventType", Some(&Value::String(r.to_string())), why))
                .ok(),
        };
        let event_type = issues
            .finish(event_type)?
            .unwrap_or(crate::model::EventType::ConnectionCreated);
        json!({"notificationType": event_type.as_str(), "data": crate::payload::notification::example_data(event_type)})
    };
    let published = state
        .dispatcher
        .publish(
            &project,
            &notification,
            None,
            crate::dispatch::publish::Reach::Only(Box::new(row)),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(published.response)))
}
