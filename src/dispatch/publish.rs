//! Publishing: validate `{notificationType, data}`, resolve the routes, and commit the
//! notification with one message per destination in one transaction before answering.

use serde_json::{json, Value};

use super::Dispatcher;
use crate::model::message::{MessageStatus, PublishResponse, PublishedMessage};
use crate::payload::notification::validate_notification;
use crate::problem::{ApiError, Issue, IssueLocation};
use crate::store::notifications::{self, NotificationRow};
use crate::store::projects::ProjectRow;
use crate::store::{self, messages, messages::NewMessage};
use crate::time::{now_ms, to_rfc3339};

/// How long an `Idempotency-Key` keeps answering with the first response.
const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3600 * 1000;
const IDEMPOTENCY_KEY_MAX: usize = 255;

pub struct Published {
    pub response: PublishResponse,
    /// True when this answers a repeated `Idempotency-Key` and nothing new was published.
    pub replayed: bool,
}

pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// Which destinations a notification goes to.
#[derive(Clone, Copy, Debug)]
pub enum Reach<'a> {
    /// Everything its event type routes to.
    Routes,
    /// The routes, except this destination (a disabled webhook announcing itself).
    RoutesExcept(&'a str),
    /// This destination only, whatever the routes say (a test send).
    Only(&'a str),
}

impl Dispatcher {
    /// Publishes a notification to the destinations `reach` names.
    pub async fn publish(
        &self,
        project: &ProjectRow,
        body: &Value,
        idempotency_key: Option<&str>,
        reach: Reach<'_>,
    ) -> Result<Published, ApiError> {
        if let Some(key) = idempotency_key {
            if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX {
                return Err(ApiError::invalid(Issue::at(
                    IssueLocation::Header,
                    "Idempotency-Key",
                    Some(Value::String(key.chars().take(64).collect())),
                    format!("must be 1 to {IDEMPOTENCY_KEY_MAX} characters"),
                )));
            }
        }
        let valid = validate_notification(body).map_err(|issues| ApiError::Invalid { issues })?;
        let now = now_ms();
        if let Some(key) = idempotency_key {
            if let Some(earlier) = self.replay(project, key, now).await? {
                return Ok(earlier);
            }
        }
        let event_type = valid.event_type;
        let payload =
            json!({"notificationType": event_type.as_str(), "data": Value::Object(valid.data)})
                .to_string();

        let mut tx = self.inner.store.begin_write().await?;
        let destinations = match reach {
            Reach::Only(id) => crate::store::destinations::find(&mut *tx, &project.id, id)
                .await?
                .into_iter()
                .collect(),
            _ => notifications::route(&mut *tx, &project.id, event_type.as_str()).await?,
        };
        let exclude = match reach {
            Reach::RoutesExcept(id) => Some(id),
            _ => None,
        };
        let notification_id = store::new_id();
        let mut published = Vec::new();
        for d in destinations
            .iter()
            .filter(|d| Some(d.id.as_str()) != exclude)
        {
            let status = if d.status == "disabled" {
                MessageStatus::Skipped
            } else {
                MessageStatus::Pending
            };
            published.push(PublishedMessage {
                id: new_message_id(),
                destination_id: d.id.clone(),
                destination_name: d.name.clone(),
                status,
            });
        }
        let response = PublishResponse {
            notification_id: notification_id.clone(),
            notification_type: event_type,
            unrouted: published.is_empty(),
            messages: published,
        };
        let row = NotificationRow {
            id: notification_id.clone(),
            project_id: project.id.clone(),
            event_type: event_type.as_str().to_string(),
            payload,
            idempotency_key: idempotency_key.map(str::to_string),
            response: serde_json::to_string(&response).map_err(anyhow::Error::from)?,
            create_time: now,
        };
        match notifications::insert(&mut *tx, &row).await {
            Err(e) if store::is_unique_violation(&e) => {
                // Another request with the same key won the race: answer as it did.
                drop(tx);
                if let Some(earlier) = self
                    .replay(project, idempotency_key.unwrap_or_default(), now)
                    .await?
                {
                    return Ok(earlier);
                }
                return Err(ApiError::Conflict {
                    detail: "a notification with this Idempotency-Key is being published".into(),
                    issues: vec![],
                });
            }
            other => other?,
        }
        for m in &response.messages {
            messages::insert(
                &mut *tx,
                &NewMessage {
                    id: &m.id,
                    notification_id: &notification_id,
                    project_id: &project.id,
                    destination_id: &m.destination_id,
                    event_type: event_type.as_str(),
                    status: m.status.as_str(),
                    now,
                },
            )
            .await?;
        }
        tx.commit().await?;

        for m in &response.messages {
            self.inner.events.emit(
                &project.id,
                "message.created",
                json!({"messageId": m.id, "notificationId": notification_id, "destinationId": m.destination_id,
                       "destinationName": m.destination_name, "eventType": event_type.as_str(),
                       "status": m.status, "createTime": to_rfc3339(now)}),
            );
        }
        if response
            .messages
            .iter()
            .any(|m| m.status == MessageStatus::Pending)
        {
            self.wake();
        }
        Ok(Published {
            response,
            replayed: false,
        })
    }

    /// The first response to `key`, if it was used within the window; an older use of the
    /// key is released so it can be used again.
    async fn replay(
        &self,
        project: &ProjectRow,
        key: &str,
        now: i64,
    ) -> Result<Option<Published>, ApiError> {
        let pool = &self.inner.store.pool;
        let Some((id, response, created)) =
            notifications::find_by_idempotency_key(pool, &project.id, key).await?
        else {
            return Ok(None);
        };
        if now - created > IDEMPOTENCY_WINDOW_MS {
            notifications::release_idempotency_key(pool, &id).await?;
            return Ok(None);
        }
        let response: PublishResponse =
            serde_json::from_str(&response).map_err(anyhow::Error::from)?;
        Ok(Some(Published {
            response,
            replayed: true,
        }))
    }
}
