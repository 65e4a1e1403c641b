//! Notifications as published, and the messages and attempts that deliver them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::event_type::EventType;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// An attempt is under way.
    Delivering,
    Delivered,
    /// The last attempt failed; another is scheduled (`nextAttemptTime`). Not final:
    /// `exhausted` is.
    Retrying,
    /// Every attempt failed; `recover` or `resend` queues it again.
    Exhausted,
    /// The destination was disabled when the message was created.
    Skipped,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 6] = [
        Self::Pending,
        Self::Delivering,
        Self::Delivered,
        Self::Retrying,
        Self::Exhausted,
        Self::Skipped,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Retrying => "retrying",
            Self::Exhausted => "exhausted",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What a message carries: a notification of one of the 15 types, or a read action's
/// result (Ampersand's webhook message with `action: "read"`), stored in the message's
/// `event_type` column as `read`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Notification(EventType),
    ReadResult,
}

impl MessageKind {
    /// How a read result's kind is stored and shown (`Message.eventType`).
    pub const READ_RESULT: &'static str = "read";

    pub fn parse(s: &str) -> Option<MessageKind> {
        match s {
            Self::READ_RESULT => Some(MessageKind::ReadResult),
            other => EventType::parse(other).map(MessageKind::Notification),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            MessageKind::Notification(t) => t.as_str(),
            MessageKind::ReadResult => Self::READ_RESULT,
        }
    }
}

/// The 202 answer to a publish (and to a repeat with the same `Idempotency-Key`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishResponse {
    pub notification_id: String,
    pub notification_type: EventType,
    /// True when no route led anywhere: the notification is stored, nothing is sent.
    pub unrouted: bool,
    pub messages: Vec<PublishedMessage>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishedMessage {
    pub id: String,
    pub destination_id: String,
    pub destination_name: String,
    /// `delivering` when handed straight to delivery, `pending` when it waits in the
    /// outbox (paused destination, or others due first), `skipped` when the destination
    /// is disabled.
    pub status: MessageStatus,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub destination_id: String,
    pub destination_name: String,
    /// One of the notification types, or `read` for a read result; as stored, so a type
    /// this node does not know (a newer node's) is shown as it is rather than relabelled.
    pub event_type: String,
    pub status: MessageStatus,
    pub attempt_count: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_attempt_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_status_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
    /// The class of the last failed attempt: timeout, connect, tls, status, io, config or
    /// throttled (as on `Attempt.errorClass`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error_class: Option<String>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivered_time: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub number: i64,
    pub start_time: DateTime<Utc>,
    pub duration_ms: i64,
    pub succeeded: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub response_body: Option<String>,
    /// timeout, connect, tls, status, io, config or throttled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// The headers sent with this attempt.
    pub request_headers: Value,
}

/// A message with what was sent and every attempt.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageDetail {
    #[serde(flatten)]
    pub message: Message,
    /// The webhook body `{notificationType, data}`.
    pub payload: Value,
    /// The same body as the exact text that was signed and sent (an attempt over 300 KB
    /// sent its configs as download links instead), for checking a signature by hand.
    pub payload_text: String,
    /// True when retention removed the payload (then `payload` is null and the message
    /// cannot be sent again).
    #[serde(default)]
    pub payload_expired: bool,
    pub attempts: Vec<Attempt>,
    /// For a message that waits (`pending` or `retrying`): which attempt is next, when,
    /// and when retries end.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry: Option<RetryPlan>,
}

/// What happens next to a waiting message, under its destination's retry schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryPlan {
    /// The number the next attempt will have (counting all the message's attempts).
    pub next_attempt: i64,
    /// The number of this round's last attempt: if it fails too, the message is exhausted.
    pub last_attempt: i64,
    pub next_attempt_time: DateTime<Utc>,
    /// When the last attempt is due if every one before it fails: the schedule's delays
    /// without their random jitter, so an estimate.
    pub last_attempt_time: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePage {
    pub items: Vec<Message>,
    /// Pass as `cursor` to get the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<String>,
}
