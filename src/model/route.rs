//! The two kinds of routes: event type → topic, and topic → destination.

use super::requests::{
    CreateEventTopicRouteRequest, CreateTopicDestinationRouteRequest, RequestBody,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::event_type::EventType;
use super::input::{Fields, Issues};
use crate::error::ApiError;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventTopicRoute {
    pub id: String,
    pub event_type: EventType,
    pub topic_id: String,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicDestinationRoute {
    pub id: String,
    pub topic_id: String,
    pub destination_id: String,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
}

pub fn parse_event_type(raw: &str) -> Result<EventType, String> {
    EventType::parse(raw).ok_or_else(|| {
        format!(
            "'{raw}' is not a notification event type; expected one of: {}",
            EventType::ALL.map(|t| t.as_str()).join(", ")
        )
    })
}

/// Reads `{eventType, topicId}`; the topic reference is resolved by the caller.
pub fn parse_event_topic_route(
    body: &Map<String, Value>,
) -> Result<CreateEventTopicRouteRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        CreateEventTopicRouteRequest::FIELDS,
        &mut issues,
        "an event-topic route",
    );
    let event_type = fields
        .string("eventType", true, &mut issues)
        .and_then(|raw| {
            parse_event_type(&raw)
                .map_err(|why| issues.add("eventType", Some(&Value::String(raw)), why))
                .ok()
        });
    let topic = fields.string("topicId", true, &mut issues);
    match (event_type, topic) {
        (Some(event_type), Some(topic_id)) if issues.is_empty() => {
            Ok(CreateEventTopicRouteRequest {
                event_type,
                topic_id,
            })
        }
        _ => Err(ApiError::Invalid { issues: issues.0 }),
    }
}

/// Reads `{topicId, destinationId}`; both references are resolved by the caller.
pub fn parse_topic_destination_route(
    body: &Map<String, Value>,
) -> Result<CreateTopicDestinationRouteRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        CreateTopicDestinationRouteRequest::FIELDS,
        &mut issues,
        "a topic-destination route",
    );
    let topic = fields.string("topicId", true, &mut issues);
    let destination = fields.string("destinationId", true, &mut issues);
    match (topic, destination) {
        (Some(topic_id), Some(destination_id)) if issues.is_empty() => {
            Ok(CreateTopicDestinationRouteRequest {
                topic_id,
                destination_id,
            })
        }
        _ => Err(ApiError::Invalid { issues: issues.0 }),
    }
}
