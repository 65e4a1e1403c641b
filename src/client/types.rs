//! What the client reads from a node: the API's resources as any Ampersand-compatible
//! server may send them.
//!
//! The server's model types (`crate::model`) describe what *this* node sends and are strict
//! about it; a remote Ampersand API may omit fields the reference spec leaves optional
//! (`updateTime`, `projectId`), send fields of destination types Switchboard does not
//! deliver to (`s3`, `bigquery`, ...), and has no Switchboard extensions (`status`). The
//! types here accept all of that and keep what they do not know in `extra` maps. Request
//! bodies reuse `crate::model::requests`.
//!
//! The dispatcher's answers (publish, messages, attempts) are node extensions that only a
//! Switchboard node serves, so the model's own types are used for them as they are.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::model::api_key::{ApiKey, CreatedApiKey};
pub use crate::model::destination::{DestinationMetadata, DestinationSecrets, DestinationStatus};
pub use crate::model::inbox::{
    Capture, CreateInboxRequest, Inbox, ReplayRequest, ReplayResult, ResponseRule,
    UpdateInboxRequest,
};
pub use crate::model::message::{
    Attempt, Message, MessageDetail, MessagePage, MessageStatus, PublishResponse, PublishedMessage,
};
pub use crate::model::requests::{
    CreateDestinationRequest, CreateTopicRequest, DestinationPatch, DestinationSecretsInput,
    UpdateDestinationRequest, UpdateTopicRequest,
};
pub use crate::model::{EventType, Project, TopicDestinationRoute};

/// `GET /healthz`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    #[serde(default)]
    pub version: Option<String>,
}

/// A destination's `metadata`: the fields Switchboard knows, plus any others as sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(flatten)]
    pub known: DestinationMetadata,
    /// Fields of destination types Switchboard does not deliver to (`bucket`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A destination (Ampersand's `Destination` / `DestinationWithSecrets`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    pub id: String,
    pub name: String,
    /// `webhook`, `kinesis`, `log` on a Switchboard node; any of Ampersand's types remotely.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub create_time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
    /// Switchboard extension: active, paused or disabled. Absent on Ampersand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DestinationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_time: Option<DateTime<Utc>>,
    /// Only with `includeSecrets` or `rotate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<DestinationSecrets>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Destination {
    /// Where it delivers to, in one line: the URL, the stream or the file.
    pub fn target(&self) -> String {
        let m = &self.metadata.known;
        if let Some(url) = &m.url {
            return url.clone();
        }
        if let Some(stream) = &m.stream_name {
            return match &m.region {
                Some(region) => format!("{stream} ({region})"),
                None => stream.clone(),
            };
        }
        if let Some(path) = &m.path {
            return path.clone();
        }
        String::new()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Topic {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub create_time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTopicRoute {
    pub id: String,
    /// Kept as sent, so an event type added upstream does not break listing.
    pub event_type: String,
    pub topic_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub create_time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
}

/// Options of `GET .../destinations/{d}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GetDestination {
    /// Include the signing key (and the AWS key ID).
    pub include_secrets: bool,
    /// Rotate the signing key first. Not idempotent, so never retried.
    pub rotate: bool,
}

#[derive(Clone, Debug, Default)]
pub struct EventTopicRouteFilter {
    pub topic_id: Option<String>,
    pub event_type: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct TopicDestinationRouteFilter {
    pub topic_id: Option<String>,
    pub destination_id: Option<String>,
}

// ---- Dispatcher (node extensions) ----

/// A notification exactly as a webhook receives it, so a captured payload replays as is.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub notification_type: String,
    pub data: Value,
}

/// Filters of `GET .../messages`.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub destination_id: Option<String>,
    pub event_type: Option<String>,
    pub status: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// `202` of `POST .../destinations/{d}/recover`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoverResult {
    pub requeued: u64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_foreign_destination_keeps_its_fields() {
        let d: Destination = serde_json::from_value(json!({
            "id": "d1", "name": "lake", "type": "s3",
            "metadata": {"bucket": "b", "region": "us-east-1", "headers": null, "tls": true},
            "createTime": "2024-04-22T18:55:28.456076Z",
        }))
        .unwrap();
        assert_eq!(d.kind, "s3");
        assert_eq!(d.metadata.known.region.as_deref(), Some("us-east-1"));
        assert_eq!(d.metadata.extra["bucket"], "b");
        assert!(!d.metadata.extra.contains_key("region"));
        assert_eq!(d.status, None);
        let back = serde_json::to_value(&d).unwrap();
        assert_eq!(back["metadata"]["bucket"], "b");
        assert_eq!(back["metadata"]["region"], "us-east-1");
    }
}
