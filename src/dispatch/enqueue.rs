//! Storing messages together with the caller's own writes, in one writer transaction:
//! the read runner commits a read's result messages with the read's progress (and a
//! `read.*` notification with the read's end), so a crash can neither lose a read's
//! messages nor send them twice.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::handoff::Batch;
use super::intake::{self, plan_messages, write_messages, Accepted, Reach, Stored, Submission};
use super::Dispatcher;
use crate::model::live::{LiveEvent, MessageCreated};
use crate::model::message::{MessageKind, MessageStatus, PublishResponse, PublishedMessage};
use crate::payload::notification::validate_notification;
use crate::store::destinations::DestinationRow;
use crate::store::writer::OutboxTx;
use crate::time::to_rfc3339;

/// What a job stored, announced after the commit.
enum Created {
    Notification(String, PublishResponse),
    ReadResult {
        project_id: String,
        notification_id: String,
        message: PublishedMessage,
    },
}

/// Stores messages in the job's transaction.
pub struct Enqueue<'b> {
    handed: &'b mut Batch,
    now: i64,
    created: Vec<Created>,
}

impl Enqueue<'_> {
    /// A notification `{notificationType, data}` to wherever its routes lead. It must be
    /// valid (the node writes it): an invalid one is an error of the node.
    pub fn notify(&mut self, tx: &OutboxTx, project_id: &str, body: &Value) -> anyhow::Result<()> {
        let valid = validate_notification(body).map_err(|issues| {
            anyhow::anyhow!("the node wrote an invalid notification: {issues:?}")
        })?;
        let submission = Submission {
            project_id: project_id.to_string(),
            event_type: valid.event_type,
            payload: serde_json::to_string(&valid)?.into(),
            idempotency_key: None,
            reach: Reach::Routes,
            time: self.now,
        };
        for accepted in intake::store(tx, self.handed, self.now, &[submission])? {
            if let Accepted::Stored(response) = accepted {
                self.created
                    .push(Created::Notification(project_id.to_string(), response));
            }
        }
        Ok(())
    }

    /// One read-result webhook message to `destination`.
    pub fn read_result(
        &mut self,
        tx: &OutboxTx,
        project_id: &str,
        destination: &DestinationRow,
        payload: Arc<str>,
    ) -> anyhow::Result<()> {
        let mut planned = plan_messages(tx, self.handed, &[destination])?;
        let notification_id = crate::store::new_id();
        let stored = Stored {
            project_id,
            kind: MessageKind::ReadResult,
            payload: &payload,
            idempotency_key: None,
            time: self.now,
        };
        write_messages(tx, self.handed, &stored, &notification_id, &planned, "")?;
        if let Some(message) = planned.pop() {
            self.created.push(Created::ReadResult {
                project_id: project_id.to_string(),
                notification_id,
                message,
            });
        }
        Ok(())
    }
}

impl Dispatcher {
    /// Runs `job` in one transaction on the writer thread; the messages it stored are
    /// delivered once it commits (and are not, should it fail).
    pub async fn commit_with_messages<T, F>(&self, job: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&OutboxTx, &mut Enqueue) -> anyhow::Result<T> + Send + 'static,
    {
        let handoff = self.inner.handoff.clone();
        let now = self.inner.clock.now_ms();
        let (value, created, handed) = self
            .inner
            .store
            .writer()
            .run(move |conn| {
                let mut batch = handoff.batch(now);
                let (value, created) = conn.transaction(|tx| {
                    let mut enqueue = Enqueue {
                        handed: &mut batch,
                        now,
                        created: Vec::new(),
                    };
                    let value = job(tx, &mut enqueue)?;
                    Ok::<_, anyhow::Error>((value, enqueue.created))
                })?;
                Ok((value, created, batch.into_handed()))
            })
            .await?;
        self.inner.handoff.give_to_workers(handed);
        let create_time = to_rfc3339(now);
        let mut waiting = false;
        for c in created {
            match c {
                Created::Notification(project_id, response) => {
                    self.announce_created(&project_id, &response, now)
                }
                Created::ReadResult {
                    project_id,
                    notification_id,
                    message,
                } => {
                    waiting |= message.status == MessageStatus::Pending;
                    let event = MessageCreated {
                        message_id: Cow::Borrowed(&message.id),
                        notification_id: Cow::Borrowed(&notification_id),
                        destination_id: Cow::Borrowed(&message.destination_id),
                        destination_name: Cow::Borrowed(&message.destination_name),
                        event_type: Cow::Borrowed(MessageKind::READ_RESULT),
                        status: message.status,
                        create_time: Cow::Borrowed(&create_time),
                    };
                    self.inner
                        .events
                        .emit(&project_id, &LiveEvent::MessageCreated(event));
                }
            }
        }
        if waiting {
            self.wake();
        }
        Ok(value)
    }

    /// What the dispatcher reads the time from (the read scheduler shares it).
    pub fn clock(&self) -> &crate::time::Clock {
        &self.inner.clock
    }

    pub fn blobs(&self) -> &crate::blobs::Blobs {
        &self.inner.blobs
    }
}
