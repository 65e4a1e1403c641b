//! `/v1/projects/{p}/messages`: what was sent where, every attempt, and resending.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::extract::QueryParams;
use super::{projects, AppState};
use crate::dispatch::policy::retry_plan;
use crate::error::{ApiError, ApiResult};
use crate::model::message::{
    Attempt, Message, MessageDetail, MessageKind, MessagePage, MessageStatus,
};
use crate::model::route::parse_event_type;
use crate::problem::{Issue, IssueLocation, Problem};
use crate::store::messages::{self, MessageFilter, MessageRow};
use crate::store::{destinations, notifications, retention};
use crate::time::{parse_rfc3339, to_datetime};

pub fn to_api(r: &MessageRow) -> Message {
    let waiting = matches!(r.status, MessageStatus::Pending | MessageStatus::Retrying);
    Message {
        id: r.id.clone(),
        notification_id: r.notification_id.clone(),
        project_id: r.project_id.clone(),
        destination_id: r.destination_id.clone(),
        destination_name: r.destination_name.clone(),
        event_type: r.event_type.clone(),
        status: r.status,
        attempt_count: r.attempt_count,
        next_attempt_time: waiting.then(|| to_datetime(r.next_attempt_time)),
        last_status_code: r.last_status_code,
        last_error: r.last_error.clone(),
        last_error_class: r.last_error_class.clone(),
        create_time: to_datetime(r.create_time),
        update_time: to_datetime(r.update_time),
        delivered_time: r.delivered_time.map(to_datetime),
    }
}

fn query_issue(name: &str, value: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid(Issue::at(
        IssueLocation::Query,
        name,
        Some(Value::String(value.into())),
        detail,
    ))
}

fn time_param(query: &QueryParams, name: &str) -> ApiResult<Option<i64>> {
    // Given empty, it is no time (not "no filter").
    match query.0.get(name).map(String::as_str) {
        None => Ok(None),
        Some(raw) => parse_rfc3339(raw).map(Some).ok_or_else(|| {
            query_issue(
                name,
                raw,
                "must be an RFC 3339 time such as 2026-01-01T00:00:00Z",
            )
        }),
    }
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/messages", tag = "Messages",
    params(("projectIdOrName" = String, Path),
           ("destinationId" = Option<String>, Query, description = "Destination ID or name"),
           ("eventType" = Option<String>, Query, description = "A notification type, or `read` for read results"),
           ("status" = Option<String>, Query, pattern = "^(|pending|delivering|delivered|retrying|exhausted|skipped)$", description = "A message status (empty: all)"),
           ("since" = Option<String>, Query, format = DateTime, description = "Created at or after (RFC 3339)"),
           ("until" = Option<String>, Query, format = DateTime, description = "Created before (RFC 3339)"),
           ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "1 to 500, default 50")),
    responses((status = 200, body = MessagePage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_messages(
    State(state): State<AppState>,
    Path(project): Path<String>,
    query: QueryParams,
) -> ApiResult<Json<MessagePage>> {
    let project = projects::resolve(&state, &project).await?;
    let destination = match query.string("destinationId") {
        Some(d) => Some(
            destinations::find(&state.store, &project.id, d)
                .await?
                .ok_or_else(|| {
                    query_issue("destinationId", d, "no destination with this ID or name")
                })?
                .id,
        ),
        None => None,
    };
    // A notification type, or `read` for read results.
    let event_type = match query.string("eventType") {
        Some(raw) => Some(match MessageKind::parse(raw) {
            Some(kind) => kind,
            None => {
                let why = parse_event_type(raw).err().unwrap_or_default();
                return Err(query_issue("eventType", raw, format!("{why}, or read")));
            }
        }),
        None => None,
    };
    let status = match query.string("status") {
        Some(raw) => Some(MessageStatus::parse(raw).ok_or_else(|| {
            let known: Vec<&str> = MessageStatus::ALL.iter().map(|s| s.as_str()).collect();
            query_issue(
                "status",
                raw,
                format!("must be one of {}", known.join(", ")),
            )
        })?),
        None => None,
    };
    let limit = query.whole_number("limit", 1, 500, 50)?;
    let before_seq = match query.string("cursor") {
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| query_issue("cursor", raw, "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let rows = messages::list(
        &state.store,
        &MessageFilter {
            project_id: &project.id,
            destination_id: destination.as_deref(),
            event_type: event_type.map(|e| e.as_str()),
            status,
            since: time_param(&query, "since")?,
            until: time_param(&query, "until")?,
            before_seq,
            id: None,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<&MessageRow> = rows.iter().take(limit as usize).collect();
    Ok(Json(MessagePage {
        next_cursor: if more {
            items.last().map(|r| r.seq.to_string())
        } else {
            None
        },
        items: items.into_iter().map(to_api).collect(),
    }))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/messages/{messageId}", tag = "Messages",
    params(("projectIdOrName" = String, Path), ("messageId" = String, Path)),
    responses((status = 200, body = MessageDetail), (status = 404, body = Problem)))]
pub async fn get_message(
    State(state): State<AppState>,
    Path((project, id)): Path<(String, String)>,
) -> ApiResult<Json<MessageDetail>> {
    let project = projects::resolve(&state, &project).await?;
    let pool = &state.store;
    let row = messages::find(pool, &project.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("message", &id))?;
    let payload = notifications::payload(pool, &row.notification_id)
        .await?
        .unwrap_or_default();
    let payload_expired = retention::payload_expired(pool, &row.notification_id).await?;
    let attempts = messages::attempts(pool, &row.id)
        .await?
        .into_iter()
        .map(|a| Attempt {
            number: a.number,
            start_time: to_datetime(a.start_time),
            duration_ms: a.duration_ms,
            succeeded: a.succeeded,
            status_code: a.status_code,
            response_body: a.response_body,
            error_class: a.error_class,
            error: a.error,
            request_headers: serde_json::from_str(&a.request_headers).unwrap_or(Value::Null),
        })
        .collect();
    let retry = match row.status {
        MessageStatus::Pending | MessageStatus::Retrying => {
            let policy = destinations::find(pool, &project.id, &row.destination_id)
                .await?
                .and_then(|d| d.to_api().delivery)
                .unwrap_or_default();
            let schedule = state.dispatcher.config().schedule_for(&policy);
            retry_plan(
                &schedule,
                row.attempt_count,
                row.round_start,
                row.next_attempt_time,
            )
        }
        _ => None,
    };
    Ok(Json(MessageDetail {
        message: to_api(&row),
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        payload_text: payload,
        payload_expired,
        attempts,
        retry,
    }))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/messages/{messageId}/resend", tag = "Messages",
    params(("projectIdOrName" = String, Path), ("messageId" = String, Path)),
    responses((status = 202, body = Message, description = "Queued for a new round of attempts"),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn resend_message(
    State(state): State<AppState>,
    Path((project, id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let project = projects::resolve(&state, &project).await?;
    let pool = &state.store;
    let found = messages::find(pool, &project.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("message", &id))?;
    if retention::payload_expired(pool, &found.notification_id).await? {
        return Err(ApiError::Conflict {
            detail: "its payload was removed after the retention period; it cannot be sent again"
                .into(),
            issues: vec![],
        });
    }
    let mut tx = state.store.begin_write().await?;
    if !messages::requeue(&mut tx, &project.id, &id, state.config.clock.now_ms()).await? {
        return Err(ApiError::Conflict {
            detail: "the message is being delivered right now; resend it once the attempt ends"
                .into(),
            issues: vec![],
        });
    }
    tx.commit().await?;
    state.dispatcher.wake();
    let row = messages::find(pool, &project.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("message", &id))?;
    Ok((StatusCode::ACCEPTED, Json(to_api(&row))))
}
