//! Publishing: validate `{notificationType, data}`, then hand it to the intake, which
//! resolves the routes and commits the notification with one message per destination
//! before the publish is answered.

use std::borrow::Cow;

use serde_json::Value;

use super::intake::{Accepted, Submission};
pub use super::intake::{PublishError, Reach};
use super::Dispatcher;
use crate::model::live::{LiveEvent, MessageCreated};
use crate::model::message::{MessageStatus, PublishResponse};
use crate::payload::notification::validate_notification;
use crate::problem::{Issue, IssueLocation};
use crate::store::projects::ProjectRow;
use crate::time::to_rfc3339;

const IDEMPOTENCY_KEY_MAX: usize = 255;

pub struct Published {
    pub response: PublishResponse,
    /// True when this answers a repeated `Idempotency-Key` and nothing new was published.
    pub replayed: bool,
}

impl Dispatcher {
    /// Publishes a notification to the destinations `reach` names. Returns once the
    /// notification and its messages are committed (see [`super::intake`]).
    pub async fn publish(
        &self,
        project: &ProjectRow,
        body: &Value,
        idempotency_key: Option<&str>,
        reach: Reach,
    ) -> Result<Published, PublishError> {
        if let Some(key) = idempotency_key {
            if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX {
                return Err(PublishError::Invalid(vec![Issue::at(
                    IssueLocation::Header,
                    "Idempotency-Key",
                    Some(Value::String(key.chars().take(64).collect())),
                    format!("must be 1 to {IDEMPOTENCY_KEY_MAX} characters"),
                )]));
            }
        }
        let valid = validate_notification(body).map_err(PublishError::Invalid)?;
        let event_type = valid.event_type;
        // The webhook body `{notificationType, data}`, written from the validated parts
        // without copying them first.
        let payload = serde_json::to_string(&valid).map_err(|e| PublishError::Storage(e.into()))?;
        let now = self.inner.clock.now_ms();
        let submission = Submission {
            project_id: project.id.clone(),
            event_type,
            payload: payload.into(),
            idempotency_key: idempotency_key.map(str::to_string),
            reach,
            time: now,
        };
        let response = match self.inner.intake.submit(submission).await? {
            Accepted::Replayed(response) => {
                return Ok(Published {
                    response,
                    replayed: true,
                })
            }
            Accepted::Stored(response) => response,
        };
        self.announce_created(&project.id, &response, now);
        Ok(Published {
            response,
            replayed: false,
        })
    }

    /// After a commit: tells live listeners of the messages a notification created, and
    /// wakes the claim loop for those left waiting in the outbox.
    pub(super) fn announce_created(&self, project_id: &str, response: &PublishResponse, time: i64) {
        let create_time = to_rfc3339(time);
        for m in &response.messages {
            let created = MessageCreated {
                message_id: Cow::Borrowed(&m.id),
                notification_id: Cow::Borrowed(&response.notification_id),
                destination_id: Cow::Borrowed(&m.destination_id),
                destination_name: Cow::Borrowed(&m.destination_name),
                event_type: Cow::Borrowed(response.notification_type.as_str()),
                status: m.status,
                create_time: Cow::Borrowed(&create_time),
            };
            self.inner
                .events
                .emit(project_id, &LiveEvent::MessageCreated(created));
        }
        if response
            .messages
            .iter()
            .any(|m| m.status == MessageStatus::Pending)
        {
            self.wake();
        }
    }
}
