//! The node's live events (`GET .../stream`), described once: the dispatcher and the API
//! emit them, the client reads them back, the desktop shell forwards them, and the UI's
//! types are generated from this shape through the OpenAPI document.
//!
//! On the stream each event is one Server-Sent Event whose `event:` is the `kind` and
//! whose `data:` is the `data` object; as one JSON value it is `{"kind": …, "data": …}`.
//! Text fields borrow (`Cow`) so the dispatcher emits an event per attempt without copying
//! the strings it already holds.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::message::MessageStatus;

/// One live event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "data")]
pub enum LiveEvent<'a> {
    /// A message was stored for a destination.
    #[serde(rename = "message.created")]
    MessageCreated(MessageCreated<'a>),
    #[serde(rename = "attempt.succeeded")]
    AttemptSucceeded(AttemptSucceeded<'a>),
    /// An attempt failed; `nextAttemptTime` says when the next one is (null: none).
    #[serde(rename = "attempt.failed")]
    AttemptFailed(AttemptFailed<'a>),
    /// The message's last attempt failed: no more retries.
    #[serde(rename = "message.exhausted")]
    MessageExhausted(AttemptFailed<'a>),
    #[serde(rename = "destination.disabled")]
    DestinationDisabled(DestinationDisabled<'a>),
    #[serde(rename = "destination.enabled")]
    DestinationEnabled(DestinationChanged<'a>),
    #[serde(rename = "destination.paused")]
    DestinationPaused(DestinationChanged<'a>),
    #[serde(rename = "destination.resumed")]
    DestinationResumed(DestinationChanged<'a>),
    /// The reader missed events (it was too slow, or it reconnected without resuming):
    /// what it holds may be stale, so it reads its lists again.
    #[serde(rename = "stream.lagged")]
    StreamLagged(Lagged),
    /// A capture inbox received a request (and answered it).
    #[serde(rename = "capture.received")]
    CaptureReceived(CaptureReceived<'a>),
}

/// Every `kind`, for readers that subscribe by name (EventSource listens per name).
pub const LIVE_EVENT_KINDS: [&str; 10] = [
    "message.created",
    "attempt.succeeded",
    "attempt.failed",
    "message.exhausted",
    "destination.disabled",
    "destination.enabled",
    "destination.paused",
    "destination.resumed",
    "stream.lagged",
    "capture.received",
];

impl LiveEvent<'_> {
    /// The event's `kind` (its SSE event name).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MessageCreated(_) => "message.created",
            Self::AttemptSucceeded(_) => "attempt.succeeded",
            Self::AttemptFailed(_) => "attempt.failed",
            Self::MessageExhausted(_) => "message.exhausted",
            Self::DestinationDisabled(_) => "destination.disabled",
            Self::DestinationEnabled(_) => "destination.enabled",
            Self::DestinationPaused(_) => "destination.paused",
            Self::DestinationResumed(_) => "destination.resumed",
            Self::StreamLagged(_) => "stream.lagged",
            Self::CaptureReceived(_) => "capture.received",
        }
    }

    /// The event's `data` as JSON text (its SSE data).
    pub fn data_json(&self) -> String {
        let data = match self {
            Self::MessageCreated(d) => serde_json::to_string(d),
            Self::AttemptSucceeded(d) => serde_json::to_string(d),
            Self::AttemptFailed(d) | Self::MessageExhausted(d) => serde_json::to_string(d),
            Self::DestinationDisabled(d) => serde_json::to_string(d),
            Self::DestinationEnabled(d)
            | Self::DestinationPaused(d)
            | Self::DestinationResumed(d) => serde_json::to_string(d),
            Self::StreamLagged(d) => serde_json::to_string(d),
            Self::CaptureReceived(d) => serde_json::to_string(d),
        };
        // Serializing these plain structs cannot fail.
        data.unwrap_or_else(|_| "{}".into())
    }
}

/// What a capture inbox received: enough for a list row; the capture itself is at
/// `GET .../inboxes/{inbox}/captures`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaptureReceived<'a> {
    #[schema(value_type = String)]
    pub capture_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub inbox_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub inbox_name: Cow<'a, str>,
    #[schema(value_type = String)]
    pub method: Cow<'a, str>,
    #[schema(value_type = String)]
    pub path: Cow<'a, str>,
    /// The status the inbox answered with.
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(value_type = Option<String>)]
    pub webhook_id: Option<Cow<'a, str>>,
    pub body_size: i64,
    /// RFC 3339.
    #[schema(value_type = String)]
    pub time: Cow<'a, str>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageCreated<'a> {
    #[schema(value_type = String)]
    pub message_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub notification_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_name: Cow<'a, str>,
    #[schema(value_type = String)]
    pub event_type: Cow<'a, str>,
    pub status: MessageStatus,
    /// RFC 3339.
    #[schema(value_type = String)]
    pub create_time: Cow<'a, str>,
}

/// What every attempt event says about the attempt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempted<'a> {
    #[schema(value_type = String)]
    pub message_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub notification_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_name: Cow<'a, str>,
    #[schema(value_type = String)]
    pub event_type: Cow<'a, str>,
    /// This attempt's number, from 1.
    pub attempt: i64,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptSucceeded<'a> {
    #[serde(flatten)]
    pub attempt: Attempted<'a>,
    /// From the message's creation to this delivery.
    pub latency_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptFailed<'a> {
    #[serde(flatten)]
    pub attempt: Attempted<'a>,
    /// timeout, connect, tls, status, io, config or throttled.
    #[schema(value_type = Option<String>)]
    pub error_class: Option<Cow<'a, str>>,
    #[schema(value_type = String)]
    pub error: Cow<'a, str>,
    /// RFC 3339; null when there is no next attempt.
    pub next_attempt_time: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationDisabled<'a> {
    #[schema(value_type = String)]
    pub destination_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_name: Cow<'a, str>,
    #[schema(value_type = String)]
    pub reason: Cow<'a, str>,
    pub url: Option<String>,
    /// RFC 3339.
    pub disabled_time: String,
}

/// A destination an operator enabled, paused or resumed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationChanged<'a> {
    #[schema(value_type = String)]
    pub destination_id: Cow<'a, str>,
    #[schema(value_type = String)]
    pub destination_name: Cow<'a, str>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lagged {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_listed_and_reads_back_from_its_name_and_data() {
        let attempt = Attempted {
            message_id: "m".into(),
            notification_id: "n".into(),
            destination_id: "d".into(),
            destination_name: "hooks".into(),
            event_type: "connection.created".into(),
            attempt: 2,
            status_code: None,
            duration_ms: 3,
        };
        let changed = DestinationChanged {
            destination_id: "d".into(),
            destination_name: "hooks".into(),
        };
        let failed = AttemptFailed {
            attempt: attempt.clone(),
            error_class: Some("connect".into()),
            error: "refused".into(),
            next_attempt_time: None,
        };
        let events = [
            LiveEvent::MessageCreated(MessageCreated {
                message_id: "m".into(),
                notification_id: "n".into(),
                destination_id: "d".into(),
                destination_name: "hooks".into(),
                event_type: "connection.created".into(),
                status: MessageStatus::Pending,
                create_time: "2026-01-01T00:00:00Z".into(),
            }),
            LiveEvent::AttemptSucceeded(AttemptSucceeded {
                attempt,
                latency_ms: 7,
            }),
            LiveEvent::AttemptFailed(failed.clone()),
            LiveEvent::MessageExhausted(failed),
            LiveEvent::DestinationDisabled(DestinationDisabled {
                destination_id: "d".into(),
                destination_name: "hooks".into(),
                reason: "the receiver answered 410 Gone".into(),
                url: None,
                disabled_time: "2026-01-01T00:00:00Z".into(),
            }),
            LiveEvent::DestinationEnabled(changed.clone()),
            LiveEvent::DestinationPaused(changed.clone()),
            LiveEvent::DestinationResumed(changed),
            LiveEvent::StreamLagged(Lagged {}),
            LiveEvent::CaptureReceived(CaptureReceived {
                capture_id: "cap_1".into(),
                inbox_id: "i".into(),
                inbox_name: "box".into(),
                method: "POST".into(),
                path: "/".into(),
                status: 500,
                webhook_id: Some("msg_1".into()),
                body_size: 12,
                time: "2026-01-01T00:00:00Z".into(),
            }),
        ];
        assert_eq!(events.len(), LIVE_EVENT_KINDS.len());
        for (event, kind) in events.iter().zip(LIVE_EVENT_KINDS) {
            assert_eq!(event.kind(), kind);
            // What a reader of the stream has: the name and the data text.
            let data: serde_json::Value = serde_json::from_str(&event.data_json()).unwrap();
            let read: LiveEvent =
                serde_json::from_value(serde_json::json!({"kind": kind, "data": data})).unwrap();
            assert_eq!(&read, event);
        }
        // A failure's next attempt and error class are present even when null.
        let data: serde_json::Value = serde_json::from_str(&events[3].data_json()).unwrap();
        assert!(data.get("nextAttemptTime").is_some_and(|v| v.is_null()));
        assert_eq!(data["attempt"], 2);
    }
}
