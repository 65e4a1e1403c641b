//! Both kinds of routes: `notification-event-topic-routes` and `topic-destination-routes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::extract::{JsonObject, QueryParams};
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::requests::{CreateEventTopicRouteRequest, CreateTopicDestinationRouteRequest};
use crate::model::route::{
    parse_event_topic_route, parse_event_type, parse_topic_destination_route,
};
use crate::model::{EventTopicRoute, TopicDestinationRoute};
use crate::problem::{Issue, IssueLocation, Problem};
use crate::store::{self, destinations, routes, topics};

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/notification-event-topic-routes", tag = "Routes",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::requests::CreateEventTopicRouteRequest,
    responses((status = 201, body = EventTopicRoute), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_event_topic_route(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<EventTopicRoute>)> {
    let project = projects::resolve(&state, &project).await?;
    let CreateEventTopicRouteRequest {
        event_type,
        topic_id: topic_ref,
    } = parse_event_topic_route(&body)?;
    let topic = topics::find(&state.store, &project.id, &topic_ref)
        .await?
        .ok_or_else(|| ApiError::missing_reference("topicId", "topic", &topic_ref))?;
    let now = state.config.clock.now_ms();
    let row = routes::EventTopicRouteRow {
        id: store::new_id(),
        project_id: project.id,
        event_type,
        topic_id: topic.id,
        create_time: now,
        update_time: now,
    };
    let mut tx = state.store.begin_write().await?;
    match routes::insert_event_topic(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => {
            return Err(ApiError::conflict(
                "eventType",
                event_type.as_str(),
                format!(
                    "event type {event_type} is already routed to topic '{}'",
                    topic.name
                ),
            ))
        }
        Err(e) if store::is_foreign_key_violation(&e) => {
            return Err(ApiError::missing_reference("topicId", "topic", &topic_ref))
        }
        other => other?,
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.to_api())))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/notification-event-topic-routes", tag = "Routes",
    params(("projectIdOrName" = String, Path),
           ("topicId" = Option<String>, Query, description = "Only routes into this topic"),
           ("eventType" = Option<String>, Query, description = "Only routes of this event type (empty: all)")),
    responses((status = 200, body = [EventTopicRoute]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_event_topic_routes(
    State(state): State<AppState>,
    Path(project): Path<String>,
    query: QueryParams,
) -> ApiResult<Json<Vec<EventTopicRoute>>> {
    let project = projects::resolve(&state, &project).await?;
    let event_type = match query.string("eventType") {
        Some(raw) => Some(parse_event_type(raw).map_err(|why| {
            ApiError::invalid(Issue::at(
                IssueLocation::Query,
                "eventType",
                Some(Value::String(raw.into())),
                why,
            ))
        })?),
        None => None,
    };
    let rows = routes::list_event_topic(
        &state.store,
        &project.id,
        query.string("topicId"),
        event_type.map(|e| e.as_str()),
    )
    .await?;
    Ok(Json(rows.iter().map(|r| r.to_api()).collect()))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/notification-event-topic-routes/{routeId}", tag = "Routes",
    params(("projectIdOrName" = String, Path), ("routeId" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem)))]
pub async fn delete_event_topic_route(
    State(state): State<AppState>,
    Path((project, route)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let mut tx = state.store.begin_write().await?;
    if !routes::delete_event_topic(&mut tx, &project.id, &route).await? {
        return Err(ApiError::not_found("event-topic route", &route));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/topic-destination-routes", tag = "Routes",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::requests::CreateTopicDestinationRouteRequest,
    responses((status = 201, body = TopicDestinationRoute), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_topic_destination_route(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<TopicDestinationRoute>)> {
    let project = projects::resolve(&state, &project).await?;
    let CreateTopicDestinationRouteRequest {
        topic_id: topic_ref,
        destination_id: destination_ref,
    } = parse_topic_destination_route(&body)?;
    let topic = topics::find(&state.store, &project.id, &topic_ref).await?;
    let destination = destinations::find(&state.store, &project.id, &destination_ref).await?;
    let (topic, destination) = match (topic, destination) {
        (Some(t), Some(d)) => (t, d),
        (t, d) => {
            let mut issues = Vec::new();
            if t.is_none() {
                issues.push(Issue::body(
                    "topicId",
                    Some(&Value::String(topic_ref.clone())),
                    "no topic with this ID or name exists in the project",
                ));
            }
            if d.is_none() {
                issues.push(Issue::body(
                    "destinationId",
                    Some(&Value::String(destination_ref.clone())),
                    "no destination with this ID or name exists in the project",
                ));
            }
            return Err(ApiError::NotFound {
                detail: "the route refers to something that does not exist".into(),
                issues,
            });
        }
    };
    let row = routes::TopicDestinationRouteRow {
        id: store::new_id(),
        project_id: project.id,
        topic_id: topic.id,
        destination_id: destination.id,
        create_time: state.config.clock.now_ms(),
    };
    let mut tx = state.store.begin_write().await?;
    match routes::insert_topic_destination(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => {
            return Err(ApiError::conflict(
                "destinationId",
                &destination_ref,
                format!(
                    "topic '{}' already routes to destination '{}'",
                    topic.name, destination.name
                ),
            ))
        }
        Err(e) if store::is_foreign_key_violation(&e) => {
            return Err(ApiError::NotFound {
                detail: "the topic or destination was deleted meanwhile".into(),
                issues: vec![],
            })
        }
        other => other?,
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/topic-destination-routes", tag = "Routes",
    params(("projectIdOrName" = String, Path),
           ("topicId" = Option<String>, Query, description = "Only routes from this topic"),
           ("destinationId" = Option<String>, Query, description = "Only routes to this destination")),
    responses((status = 200, body = [TopicDestinationRoute]), (status = 404, body = Problem)))]
pub async fn list_topic_destination_routes(
    State(state): State<AppState>,
    Path(project): Path<String>,
    query: QueryParams,
) -> ApiResult<Json<Vec<TopicDestinationRoute>>> {
    let project = projects::resolve(&state, &project).await?;
    let rows = routes::list_topic_destination(
        &state.store,
        &project.id,
        query.string("topicId"),
        query.string("destinationId"),
    )
    .await?;
    Ok(Json(
        rows.into_iter().map(TopicDestinationRoute::from).collect(),
    ))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/topic-destination-routes/{routeId}", tag = "Routes",
    params(("projectIdOrName" = String, Path), ("routeId" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem)))]
pub async fn delete_topic_destination_route(
    State(state): State<AppState>,
    Path((project, route)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let mut tx = state.store.begin_write().await?;
    if !routes::delete_topic_destination(&mut tx, &project.id, &route).await? {
        return Err(ApiError::not_found("topic-destination route", &route));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
