//! `/v1/projects/{p}/inboxes`: capture inboxes and what they captured. The capture URL
//! itself is `api::capture`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};

use super::extract::{JsonObject, QueryParams};
use super::{destinations, projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::inbox::{
    parse_create_inbox, parse_update_inbox, Capture, Inbox, ResponseRule, DEFAULT_BODY_LIMIT,
    DEFAULT_MAX_AGE_SECONDS, DEFAULT_MAX_CAPTURES,
};
use crate::problem::{Issue, IssueLocation, Problem};
use crate::store::inboxes::{self, CaptureRow, InboxRow};
use crate::store::{self};
use crate::time::to_datetime;

fn view(state: &AppState, row: &InboxRow) -> Inbox {
    Inbox {
        id: row.id.clone(),
        name: row.name.clone(),
        project_id: row.project_id.clone(),
        capture_url: format!("{}/in/{}", state.public_url, row.token),
        rules: serde_json::from_str(&row.rules).unwrap_or_default(),
        max_captures: row.max_captures as u32,
        max_age_seconds: (row.max_age_ms / 1000) as u32,
        body_limit: row.body_limit as u32,
        destination_id: row.destination_id.clone(),
        create_time: to_datetime(row.create_time),
        update_time: to_datetime(row.update_time),
    }
}

fn capture_view(row: CaptureRow) -> Capture {
    let truncated = (row.body.len() as i64) < row.body_size;
    let (body, body_base64) = match String::from_utf8(row.body) {
        Ok(text) => (Some(text), None),
        Err(e) => (None, Some(BASE64.encode(e.into_bytes()))),
    };
    Capture {
        id: row.id,
        inbox_id: row.inbox_id,
        method: row.method,
        path: row.path,
        query: row.query,
        headers: serde_json::from_str(&row.headers).unwrap_or_default(),
        body,
        body_base64,
        body_size: row.body_size,
        truncated,
        remote_addr: row.remote_addr,
        status: row.status,
        webhook_id: row.webhook_id,
        time: to_datetime(row.time),
    }
}

/// 24 random bytes, URL-safe: the capture URL's only protection.
fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn resolve(state: &AppState, project_id: &str, inbox: &str) -> ApiResult<InboxRow> {
    inboxes::find(&state.store, project_id, inbox)
        .await?
        .ok_or_else(|| ApiError::not_found("inbox", inbox))
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::conflict(
        "name",
        name,
        "an inbox with this name already exists in this project",
    )
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/inboxes", tag = "Inboxes",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::inbox::CreateInboxRequest,
    responses((status = 201, body = Inbox), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_inbox(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Inbox>)> {
    let project = projects::resolve(&state, &project).await?;
    let request = parse_create_inbox(&body)?;
    let now = state.config.clock.now_ms();
    let mut row = InboxRow {
        id: store::new_id(),
        project_id: project.id.clone(),
        name: request.name.clone(),
        token: new_token(),
        rules: serde_json::to_string(&request.rules.unwrap_or_else(|| vec![ResponseRule::ok()]))
            .map_err(anyhow::Error::from)?,
        max_captures: i64::from(request.max_captures.unwrap_or(DEFAULT_MAX_CAPTURES)),
        max_age_ms: i64::from(request.max_age_seconds.unwrap_or(DEFAULT_MAX_AGE_SECONDS)) * 1000,
        body_limit: i64::from(request.body_limit.unwrap_or(DEFAULT_BODY_LIMIT)),
        destination_id: None,
        create_time: now,
        update_time: now,
    };
    let mut tx = state.store.begin_write().await?;
    match inboxes::insert(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => return Err(name_conflict(&row.name)),
        other => other?,
    }
    tx.commit().await?;
    if request.create_destination == Some(true) {
        // "Send to a new inbox": a webhook destination to the capture URL, made exactly as
        // the destinations API makes one (signing key and all).
        let url = view(&state, &row).capture_url;
        let made = destinations::create_destination(
            State(state.clone()),
            Path(project.id.clone()),
            JsonObject(
                json!({"name": row.name, "type": "webhook", "metadata": {"url": url}})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        )
        .await;
        match made {
            Ok((_, Json(destination))) => {
                row.destination_id = Some(destination.id);
                let mut tx = state.store.begin_write().await?;
                inboxes::update(&mut tx, &row).await?;
                tx.commit().await?;
                state.inbox_cache.forget(&row.token);
            }
            Err(e) => {
                // All or nothing: the inbox goes again if its destination cannot be made.
                let mut tx = state.store.begin_write().await?;
                inboxes::delete(&mut tx, &row.id).await?;
                tx.commit().await?;
                return Err(e);
            }
        }
    }
    Ok((StatusCode::CREATED, Json(view(&state, &row))))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/inboxes", tag = "Inboxes",
    params(("projectIdOrName" = String, Path)),
    responses((status = 200, body = [Inbox]), (status = 404, body = Problem)))]
pub async fn list_inboxes(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Vec<Inbox>>> {
    let project = projects::resolve(&state, &project).await?;
    let rows = inboxes::list(&state.store, &project.id).await?;
    Ok(Json(rows.iter().map(|r| view(&state, r)).collect()))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path, description = "Inbox ID or name")),
    responses((status = 200, body = Inbox), (status = 404, body = Problem)))]
pub async fn get_inbox(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
) -> ApiResult<Json<Inbox>> {
    let project = projects::resolve(&state, &project).await?;
    Ok(Json(view(
        &state,
        &resolve(&state, &project.id, &inbox).await?,
    )))
}

#[utoipa::path(patch, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path)),
    request_body = crate::model::inbox::UpdateInboxRequest,
    responses((status = 200, body = Inbox), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_inbox(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Inbox>> {
    let project = projects::resolve(&state, &project).await?;
    let mut row = resolve(&state, &project.id, &inbox).await?;
    let request = parse_update_inbox(&body)?;
    if let Some(name) = request.name {
        row.name = name;
    }
    if let Some(rules) = request.rules {
        row.rules = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
    }
    if let Some(n) = request.max_captures {
        row.max_captures = i64::from(n);
    }
    if let Some(n) = request.max_age_seconds {
        row.max_age_ms = i64::from(n) * 1000;
    }
    if let Some(n) = request.body_limit {
        row.body_limit = i64::from(n);
    }
    // A new update time starts the rules' sequence again, at once.
    row.update_time = state.config.clock.now_ms().max(row.update_time + 1);
    let mut tx = state.store.begin_write().await?;
    match inboxes::update(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => return Err(name_conflict(&row.name)),
        other => other?,
    }
    tx.commit().await?;
    state.inbox_cache.forget(&row.token);
    Ok(Json(view(&state, &row)))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path)),
    responses((status = 204, description = "Deleted, with its captures"), (status = 404, body = Problem)))]
pub async fn delete_inbox(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let row = resolve(&state, &project.id, &inbox).await?;
    let mut tx = state.store.begin_write().await?;
    inboxes::delete(&mut tx, &row.id).await?;
    tx.commit().await?;
    state.inbox_cache.forget(&row.token);
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}/captures", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path),
           ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "1 to 1000, default 100")),
    responses((status = 200, body = [Capture], description = "Newest first"), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list_captures(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Json<Vec<Capture>>> {
    let project = projects::resolve(&state, &project).await?;
    let row = resolve(&state, &project.id, &inbox).await?;
    let limit = query.whole_number("limit", 1, 1000, 100)?;
    let rows = inboxes::captures(&state.store, &row.id, limit).await?;
    Ok(Json(rows.into_iter().map(capture_view).collect()))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}/export", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path),
           ("format" = Option<String>, Query, pattern = "^(|har|curl|ndjson)$", description = "har (default), curl or ndjson"),
           ("ids" = Option<String>, Query, description = "Capture IDs, comma-separated (default: the newest 1000)")),
    responses((status = 200, description = "The captures, oldest first, credentials redacted: HAR 1.2 (JSON), curl commands or NDJSON",
               content((serde_json::Value = "application/json"), (String = "text/plain"), (String = "application/x-ndjson"))),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export_captures(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let project = projects::resolve(&state, &project).await?;
    let row = resolve(&state, &project.id, &inbox).await?;
    let format = query.string("format").unwrap_or("har");
    let wanted: Option<Vec<&str>> = query.string("ids").map(|ids| ids.split(',').collect());
    let mut chosen: Vec<Capture> = inboxes::captures(&state.store, &row.id, 1000)
        .await?
        .into_iter()
        .filter(|c| {
            wanted
                .as_ref()
                .is_none_or(|ids| ids.contains(&c.id.as_str()))
        })
        .map(capture_view)
        .collect();
    chosen.reverse(); // oldest first
    let url = view(&state, &row).capture_url;
    let (content_type, text) = match format {
        "har" => (
            "application/json",
            serde_json::to_string_pretty(&crate::capture_export::har(&chosen, &url))
                .map_err(anyhow::Error::from)?,
        ),
        "curl" => (
            "text/plain; charset=utf-8",
            chosen
                .iter()
                .map(|c| crate::capture_export::curl(c, &url))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        "ndjson" => (
            "application/x-ndjson",
            crate::capture_export::ndjson(&chosen),
        ),
        other => {
            return Err(ApiError::invalid(Issue::at(
                IssueLocation::Query,
                "format",
                Some(Value::String(other.into())),
                "must be har, curl or ndjson",
            )))
        }
    };
    Ok(([(axum::http::header::CONTENT_TYPE, content_type)], text).into_response())
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}/captures/{capture}/replay", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path), ("capture" = String, Path)),
    request_body = crate::model::inbox::ReplayRequest,
    responses((status = 200, body = crate::model::inbox::ReplayResult,
               description = "Sent (the answer, or why it failed, is in the result)"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn replay_capture(
    State(state): State<AppState>,
    Path((project, inbox, capture)): Path<(String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<crate::model::inbox::ReplayResult>> {
    use crate::model::inbox::{parse_replay, ReplayResult};
    use crate::payload::signing;
    let project = projects::resolve(&state, &project).await?;
    let row = resolve(&state, &project.id, &inbox).await?;
    let request = parse_replay(&body)?;
    let captured = inboxes::capture(&state.store, &row.id, &capture)
        .await?
        .map(capture_view)
        .ok_or_else(|| ApiError::not_found("capture", &capture))?;
    let body = match &request.body {
        Some(text) => text.clone().into_bytes(),
        None => crate::capture_export::body_bytes(&captured),
    };
    const HOP: &[&str] = &["host", "content-length", "connection", "transfer-encoding"];
    let mut headers: Vec<(String, String)> = captured
        .headers
        .iter()
        .filter(|(n, _)| !HOP.contains(&n.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    if let Some(reference) = &request.resign_with {
        let destination = crate::store::destinations::find(&state.store, &project.id, reference)
            .await?
            .ok_or_else(|| ApiError::missing_reference("resignWith", "destination", reference))?;
        let key = destinations::load_secrets(&state, &destination)
            .await?
            .webhook_signing_key
            .ok_or_else(|| {
                ApiError::invalid(Issue::body(
                    "resignWith",
                    Some(&Value::String(reference.clone())),
                    "has no signing key: only webhook destinations sign",
                ))
            })?;
        let id = match (request.new_id, &captured.webhook_id) {
            (Some(false) | None, Some(id)) => id.clone(),
            _ => format!("msg_{}", store::new_id().replace('-', "")),
        };
        let timestamp = state.config.clock.now_ms() / 1000;
        let signature = signing::signature_header(&[&key], &id, timestamp, &body)
            .map_err(|e| ApiError::Internal(e.into()))?;
        headers.retain(|(n, _)| {
            let n = n.to_ascii_lowercase();
            !(n.starts_with("webhook-") || n.starts_with("svix-"))
        });
        for prefix in ["webhook", "svix"] {
            headers.push((format!("{prefix}-id"), id.clone()));
            headers.push((format!("{prefix}-timestamp"), timestamp.to_string()));
            headers.push((format!("{prefix}-signature"), signature.clone()));
        }
    }
    let method =
        reqwest::Method::from_bytes(captured.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    // A replay goes where deliveries may go: the network policy judges the address (a
    // literal one here, a name as it resolves), and a redirect is not followed, since it
    // could lead anywhere.
    let policy = std::sync::Arc::new(state.dispatcher.config().network.clone());
    let host = url::Url::parse(&request.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    if let Some(why) = host.and_then(|h| policy.literal_refusal(&h)) {
        return Err(ApiError::invalid(Issue::body(
            "url",
            Some(&Value::String(request.url.clone())),
            why,
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .dns_resolver(std::sync::Arc::new(
            crate::sinks::policy::PolicyResolver::new(policy),
        ))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut outgoing = client
        .request(method.clone(), &request.url)
        .body(body.clone());
    for (name, value) in &headers {
        outgoing = outgoing.header(name, value);
    }
    let started = std::time::Instant::now();
    let (status, response_body, error) = match outgoing.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap_or_default();
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
            (Some(status), Some(shown), None)
        }
        Err(e) => (None, None, Some(crate::sinks::http::describe(&e))),
    };
    let now = state.config.clock.now_ms();
    let result = ReplayResult {
        id: format!("rpl_{}", store::new_id().replace('-', "")),
        url: request.url.clone(),
        method: method.to_string(),
        sent_headers: crate::capture_export::redacted_headers(&Capture {
            headers,
            ..captured.clone()
        }),
        body_size: body.len(),
        status,
        response_body,
        error,
        duration_ms: started.elapsed().as_millis() as u64,
        time: to_datetime(now),
    };
    let mut tx = state.store.begin_write().await?;
    let stored = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
    inboxes::add_replay(&mut tx, &result.id, &captured.id, &result.url, &stored, now).await?;
    tx.commit().await?;
    Ok(Json(result))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/inboxes/{inbox}/messages", tag = "Inboxes",
    params(("projectIdOrName" = String, Path), ("inbox" = String, Path)),
    responses((status = 200, body = [crate::model::inbox::CapturedMessage],
               description = "The newest captures grouped by webhook-id, newest message first"),
              (status = 404, body = Problem)))]
pub async fn list_captured_messages(
    State(state): State<AppState>,
    Path((project, inbox)): Path<(String, String)>,
) -> ApiResult<Json<Vec<crate::model::inbox::CapturedMessage>>> {
    use crate::model::inbox::{CapturedAttempt, CapturedMessage};
    use crate::model::message::MessageStatus;
    let project = projects::resolve(&state, &project).await?;
    let row = resolve(&state, &project.id, &inbox).await?;
    let mut rows = inboxes::captures(&state.store, &row.id, 1000).await?;
    rows.reverse(); // oldest first: attempts in order
    let mut grouped: Vec<CapturedMessage> = Vec::new();
    for c in rows {
        let Some(id) = c.webhook_id.clone() else {
            continue;
        };
        let at = grouped
            .iter()
            .position(|m| m.webhook_id == id)
            .unwrap_or_else(|| {
                grouped.push(CapturedMessage {
                    webhook_id: id,
                    attempts: Vec::new(),
                    duplicate: false,
                    next_attempt_time: None,
                    status: None,
                });
                grouped.len() - 1
            });
        let message = &mut grouped[at];
        let gap_ms = message
            .attempts
            .last()
            .map(|p| c.time - p.time.timestamp_millis());
        message.attempts.push(CapturedAttempt {
            capture_id: c.id,
            time: to_datetime(c.time),
            status: c.status,
            gap_ms,
        });
        let successes = message
            .attempts
            .iter()
            .filter(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
            .count();
        message.duplicate = successes > 1;
    }
    // What the dispatcher says of its own messages: their state and next retry.
    for message in &mut grouped {
        if let Some(m) =
            crate::store::messages::find(&state.store, &project.id, &message.webhook_id).await?
        {
            let waiting = matches!(m.status, MessageStatus::Pending | MessageStatus::Retrying);
            message.next_attempt_time = waiting.then(|| to_datetime(m.next_attempt_time));
            message.status = Some(m.status);
        }
    }
    grouped.reverse();
    Ok(Json(grouped))
}
