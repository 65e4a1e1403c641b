//! `/v1/projects/{p}/topics`: topics, named channels between event types and destinations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::JsonObject;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::topic::parse_topic_name;
use crate::model::Topic;
use crate::problem::Problem;
use crate::store::{self, topics, topics::TopicRow};

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

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/topics", tag = "Topics",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::requests::NameRequest,
    responses((status = 201, body = Topic), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_topic(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    let project = projects::resolve(&state, &project).await?;
    let name = parse_topic_name(&body)?.name;
    let now = state.config.clock.now_ms();
    let row = TopicRow {
        id: store::new_id(),
        project_id: project.id,
        name,
        create_time: now,
        update_time: now,
    };
    let mut tx = state.store.begin_write().await?;
    match topics::insert(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => return Err(conflict(&row.name)),
        other => other?,
    }
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
    request_body = crate::model::requests::NameRequest,
    responses((status = 200, body = Topic), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_topic(
    State(state): State<AppState>,
    Path((project, topic)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Topic>> {
    let project = projects::resolve(&state, &project).await?;
    let current = resolve_topic(&state, &project.id, &topic).await?;
    let name = parse_topic_name(&body)?.name;
    let mut tx = state.store.begin_write().await?;
    match topics::rename(&mut tx, &current.id, &name, state.config.clock.now_ms()).await {
        Err(e) if store::is_unique_violation(&e) => return Err(conflict(&name)),
        other => other?,
    }
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
