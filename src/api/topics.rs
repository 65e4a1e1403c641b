//! `/v1/projects/{p}/topics`: topics, named channels between event types and destinations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::extract::JsonObject;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::topic::{parse_create_topic, parse_update_topic};
use crate::model::{EventType, Topic};
use crate::problem::{Issue, Problem};
use crate::store::{self, destinations, routes, topics, topics::TopicRow, WriteTx};

fn conflict(name: &str) -> ApiError {
    ApiError::conflict(
        "name",
        name,
        "a topic with this name already exists in this project; choose a different name",
    )
}

async fn resolve_topic(state: &AppState, project_id: &str, topic: &str) -> ApiResult<TopicRow> {
    topics::find(&state.store, project_id, topic)
        .await?
        .ok_or_else(|| ApiError::not_found("topic", topic))
}

/// The IDs of the destinations `refs` names (IDs or names), or a 404 naming each
/// `destinationIds[i]` that names none.
async fn resolve_destinations(
    state: &AppState,
    project_id: &str,
    refs: &[String],
) -> ApiResult<Vec<String>> {
    let mut ids = Vec::with_capacity(refs.len());
    let mut issues = Vec::new();
    for (i, reference) in refs.iter().enumerate() {
        match destinations::find(&state.store, project_id, reference).await? {
            Some(d) if !ids.contains(&d.id) => ids.push(d.id),
            Some(_) => issues.push(Issue::body(
                format!("destinationIds[{i}]"),
                Some(&Value::String(reference.clone())),
                "names a destination already listed",
            )),
            None => issues.push(Issue::body(
                format!("destinationIds[{i}]"),
                Some(&Value::String(reference.clone())),
                "no destination with this ID or name exists in the project",
            )),
        }
    }
    if issues.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::NotFound {
            detail: "the topic's routes name destinations that do not exist".into(),
            issues,
        })
    }
}

/// Writes the topic's routes as the request lists them, in the caller's transaction.
async fn set_routes(
    tx: &mut WriteTx,
    topic: &TopicRow,
    event_types: Option<&[EventType]>,
    destination_ids: Option<&[String]>,
    now: i64,
) -> ApiResult<()> {
    if let Some(event_types) = event_types {
        routes::set_topic_event_types(tx, &topic.project_id, &topic.id, event_types, now).await?;
    }
    if let Some(ids) = destination_ids {
        match routes::set_topic_destinations(tx, &topic.project_id, &topic.id, ids, now).await {
            Err(e) if store::is_foreign_key_violation(&e) => {
                return Err(ApiError::Conflict {
                    detail: "a destination was deleted meanwhile; nothing was changed".into(),
                    issues: vec![],
                })
            }
            other => other?,
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/topics", tag = "Topics",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::requests::CreateTopicRequest,
    responses((status = 201, body = Topic), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_topic(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    let project = projects::resolve(&state, &project).await?;
    let request = parse_create_topic(&body)?;
    let destination_ids = match &request.destination_ids {
        Some(refs) => Some(resolve_destinations(&state, &project.id, refs).await?),
        None => None,
    };
    let now = state.config.clock.now_ms();
    let row = TopicRow {
        id: store::new_id(),
        project_id: project.id,
        name: request.name,
        create_time: now,
        update_time: now,
    };
    let mut tx = state.store.begin_write().await?;
    match topics::insert(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => return Err(conflict(&row.name)),
        other => other?,
    }
    set_routes(
        &mut tx,
        &row,
        request.event_types.as_deref(),
        destination_ids.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/topics", tag = "Topics",
    params(("projectIdOrName" = String, Path)),
    responses((status = 200, body = [Topic]), (status = 404, body = Problem)))]
pub async fn list_topics(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Vec<Topic>>> {
    let project = projects::resolve(&state, &project).await?;
    let rows = topics::list(&state.store, &project.id).await?;
    Ok(Json(rows.into_iter().map(Topic::from).collect()))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/topics/{topicId}", tag = "Topics",
    params(("projectIdOrName" = String, Path), ("topicId" = String, Path, description = "Topic ID or name")),
    responses((status = 200, body = Topic), (status = 404, body = Problem)))]
pub async fn get_topic(
    State(state): State<AppState>,
    Path((project, topic)): Path<(String, String)>,
) -> ApiResult<Json<Topic>> {
    let project = projects::resolve(&state, &project).await?;
    Ok(Json(
        resolve_topic(&state, &project.id, &topic).await?.into(),
    ))
}

#[utoipa::path(patch, path = "/v1/projects/{projectIdOrName}/topics/{topicId}", tag = "Topics",
    params(("projectIdOrName" = String, Path), ("topicId" = String, Path)),
    request_body = crate::model::requests::UpdateTopicRequest,
    responses((status = 200, body = Topic), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_topic(
    State(state): State<AppState>,
    Path((project, topic)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Topic>> {
    let project = projects::resolve(&state, &project).await?;
    let current = resolve_topic(&state, &project.id, &topic).await?;
    let request = parse_update_topic(&body)?;
    let destination_ids = match &request.destination_ids {
        Some(refs) => Some(resolve_destinations(&state, &project.id, refs).await?),
        None => None,
    };
    let now = state.config.clock.now_ms();
    let mut tx = state.store.begin_write().await?;
    if let Some(name) = &request.name {
        match topics::rename(&mut tx, &current.id, name, now).await {
            Err(e) if store::is_unique_violation(&e) => return Err(conflict(name)),
            other => other?,
        }
    }
    set_routes(
        &mut tx,
        &current,
        request.event_types.as_deref(),
        destination_ids.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        resolve_topic(&state, &project.id, &current.id)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/topics/{topicId}", tag = "Topics",
    params(("projectIdOrName" = String, Path), ("topicId" = String, Path)),
    responses((status = 204, description = "Deleted, with its routes"), (status = 404, body = Problem)))]
pub async fn delete_topic(
    State(state): State<AppState>,
    Path((project, topic)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let current = resolve_topic(&state, &project.id, &topic).await?;
    let mut tx = state.store.begin_write().await?;
    if !topics::delete(&mut tx, &current.id).await? {
        return Err(ApiError::not_found("topic", &topic));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
