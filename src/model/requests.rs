//! Request bodies as typed structs: what clients send, and what the OpenAPI document shows.
//! The server reads bodies field by field (see `input`) to name every bad field; each parser
//! accepts exactly its type's `RequestBody::FIELDS`, and `api::schema_check` tests that the
//! document's properties of each type are those fields, so the two cannot drift apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::delivery::DeliveryPolicy;
use super::destination::{
    DestinationMetadata, DestinationType, AWS_KEY_ID, AWS_SECRET_KEY, AWS_SESSION_TOKEN,
};
use super::event_type::EventType;

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationSecretsInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_secret_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_session_token: Option<String>,
}

impl DestinationSecretsInput {
    /// The values given, by secret name (as the vault keeps them).
    pub fn values(&self) -> BTreeMap<String, String> {
        [
            (AWS_KEY_ID, &self.aws_key_id),
            (AWS_SECRET_KEY, &self.aws_secret_key),
            (AWS_SESSION_TOKEN, &self.aws_session_token),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.clone()?)))
        .collect()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateDestinationRequest {
    /// Letters, digits and dashes, at most 128.
    #[schema(pattern = "^[A-Za-z0-9-]{1,128}$")]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    pub metadata: DestinationMetadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<DestinationSecretsInput>,
    /// This destination's own retry schedule, concurrency, timeout and rate limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryPolicy>,
}

/// The fields of a destination that `updateMask` can name (`metadata.url`,
/// `delivery.retrySchedule`, … or the whole `delivery`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9-]{1,128}$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<DestinationMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<DestinationSecretsInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryPolicy>,
}

/// `PATCH .../destinations/{destination}`: the paths in `updateMask` take their value from
/// `destination` (or are cleared when it omits them).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDestinationRequest {
    pub update_mask: Vec<String>,
    pub destination: DestinationPatch,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NameRequest {
    /// Letters, digits and dashes, at most 64.
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    pub name: String,
}

/// `POST .../topics`: a topic, and optionally its routes, made in one transaction (all or
/// nothing), as the dashboard's topic form makes them. The route lists are a node
/// extension.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTopicRequest {
    /// Letters, digits and dashes, at most 64.
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    pub name: String,
    /// The event types routed into this topic.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_types: Option<Vec<EventType>>,
    /// The destinations (IDs or names) this topic's notifications go to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination_ids: Option<Vec<String>>,
}

impl CreateTopicRequest {
    /// A topic with no routes yet.
    pub fn named(name: impl Into<String>) -> Self {
        CreateTopicRequest {
            name: name.into(),
            event_types: None,
            destination_ids: None,
        }
    }
}

/// `PATCH .../topics/{topic}`: each field given replaces what the topic has: its name, the
/// exact set of event types routed into it, the exact set of destinations it routes to.
/// Routes that stay keep their IDs. One transaction: all or nothing.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTopicRequest {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_types: Option<Vec<EventType>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination_ids: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateEventTopicRouteRequest {
    pub event_type: EventType,
    /// Topic ID (a topic name is accepted too).
    pub topic_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTopicDestinationRouteRequest {
    /// Topic ID (a topic name is accepted too).
    pub topic_id: String,
    /// Destination ID (a destination name is accepted too).
    pub destination_id: String,
}

/// The top-level fields a request body type has on the wire: what its parser accepts.
pub trait RequestBody {
    const FIELDS: &'static [&'static str];
}

impl RequestBody for CreateDestinationRequest {
    const FIELDS: &'static [&'static str] = super::destination::CREATE_FIELDS;
}

impl RequestBody for UpdateDestinationRequest {
    const FIELDS: &'static [&'static str] = super::destination::UPDATE_FIELDS;
}

impl RequestBody for NameRequest {
    const FIELDS: &'static [&'static str] = &["name"];
}

impl RequestBody for CreateTopicRequest {
    const FIELDS: &'static [&'static str] = &["name", "eventTypes", "destinationIds"];
}

impl RequestBody for UpdateTopicRequest {
    const FIELDS: &'static [&'static str] = &["name", "eventTypes", "destinationIds"];
}

impl RequestBody for CreateEventTopicRouteRequest {
    const FIELDS: &'static [&'static str] = &["eventType", "topicId"];
}

impl RequestBody for CreateTopicDestinationRouteRequest {
    const FIELDS: &'static [&'static str] = &["topicId", "destinationId"];
}

/// Free-form string map, e.g. webhook headers.
pub type StringMap = BTreeMap<String, String>;
