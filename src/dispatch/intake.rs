//! Group commit for publishing: each publish hands its notification to one writer task,
//! which commits every notification waiting at that moment in a single transaction and
//! then answers them all.
//!
//! Why: write transactions take turns, so one transaction per publish capped the node at
//! under a thousand publishes a second. Batched, the cost of a transaction is shared by every
//! publish that arrived while the previous one committed. Nothing is answered before its
//! notification and messages are committed, so a 202 still means "stored".

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::{mpsc, oneshot};

use super::handoff::{Batch, HandedOver, Handoff};
use crate::error::ApiError;
use crate::model::message::{MessageKind, MessageStatus, PublishResponse, PublishedMessage};
use crate::model::{DestinationStatus, EventType};
use crate::problem::Issue;
use crate::store::destinations::DestinationRow;
use crate::store::outbox::{self, ClaimedRow, NewMessage, NotificationRow};
use crate::store::writer::{OutboxTx, WriterConn};
use crate::store::{self, Store};
use crate::time::Clock;

/// How long an `Idempotency-Key` keeps answering with the first response.
const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// The most publishes committed in one transaction.
const MAX_BATCH: usize = 1024;

/// Which destinations a notification goes to.
#[derive(Clone, Debug)]
pub enum Reach {
    /// Everything its event type routes to.
    Routes,
    /// The routes, except this destination (a disabled webhook announcing itself).
    RoutesExcept(String),
    /// This destination only, whatever the routes say (a test send).
    Only(Box<DestinationRow>),
}

pub fn new_message_id() -> String {
    // Time-ordered like Svix's message IDs, and for the same reason as `store::new_id`.
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// Why a notification was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The notification or its idempotency key is invalid: one issue per field.
    #[error("the notification is invalid")]
    Invalid(Vec<Issue>),
    #[error("the node is shutting down")]
    ShuttingDown,
    /// Storing it failed; the cause is for the log.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<PublishError> for ApiError {
    fn from(err: PublishError) -> Self {
        match err {
            PublishError::Invalid(issues) => ApiError::Invalid { issues },
            PublishError::ShuttingDown => ApiError::Unavailable(err.to_string()),
            PublishError::Storage(cause) => ApiError::Internal(cause),
        }
    }
}

/// A validated notification, ready to be stored.
pub struct Submission {
    pub project_id: String,
    pub event_type: EventType,
    /// The webhook body `{notificationType, data}`.
    pub payload: Arc<str>,
    pub idempotency_key: Option<String>,
    pub reach: Reach,
    pub time: i64,
}

pub enum Accepted {
    /// Stored now, with one message per destination.
    Stored(PublishResponse),
    /// The key was used within the window: the first response, nothing stored.
    Replayed(PublishResponse),
}

type Reply = oneshot::Sender<Result<Accepted, PublishError>>;

/// The publishing side of the writer task.
pub struct Intake {
    submissions: mpsc::Sender<(Submission, Reply)>,
}

impl Intake {
    /// Starts the writer task; it stops when the `Intake` is dropped.
    pub fn start(
        store: Store,
        handoff: Arc<Handoff>,
        clock: Clock,
        metrics: crate::metrics::Metrics,
    ) -> Intake {
        let (submissions, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_loop(store, handoff, clock, metrics, queue));
        Intake { submissions }
    }

    /// Stores `submission`; returns once it is committed (or was a replay).
    pub async fn submit(&self, submission: Submission) -> Result<Accepted, PublishError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || PublishError::ShuttingDown;
        self.submissions
            .send((submission, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_loop(
    store: Store,
    handoff: Arc<Handoff>,
    clock: Clock,
    metrics: crate::metrics::Metrics,
    mut queue: mpsc::Receiver<(Submission, Reply)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (submissions, replies): (Vec<Submission>, Vec<Reply>) = batch.drain(..).unzip();
        let count = submissions.len();
        metrics.committed_publishes(count);
        let job_handoff = handoff.clone();
        let now = clock.now_ms();
        let outcomes = match store
            .writer()
            .run(move |conn| Ok(commit_batch(conn, &job_handoff, now, &submissions)))
            .await
        {
            Ok((outcomes, handed)) => {
                handoff.give_to_workers(handed);
                outcomes
            }
            Err(e) => (0..count)
                .map(|_| Err(PublishError::Storage(anyhow::anyhow!("{e:#}"))))
                .collect(),
        };
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            // The requester may have gone away; its notification is stored all the same.
            let _ = reply.send(outcome);
        }
    }
}

/// Stores `submissions` in one transaction, answering each in order. Should that fail, one
/// bad submission (its project deleted meanwhile, say) must not fail the others: they are
/// stored one by one. Also returns the messages handed straight to the workers (see
/// `handoff`).
fn commit_batch(
    conn: &mut WriterConn,
    handoff: &Arc<Handoff>,
    now: i64,
    submissions: &[Submission],
) -> (Vec<Result<Accepted, PublishError>>, Vec<HandedOver>) {
    match commit(conn, handoff, now, submissions) {
        Ok((accepted, handed)) => (accepted.into_iter().map(Ok).collect(), handed),
        Err(e) if submissions.len() > 1 => {
            tracing::warn!(error = ?e, count = submissions.len(), "batched publish failed; publishing one by one");
            let mut handed = Vec::new();
            let outcomes = submissions
                .iter()
                .map(|s| {
                    let (mut one, more) = commit(conn, handoff, now, std::slice::from_ref(s))?;
                    handed.extend(more);
                    Ok(one.remove(0))
                })
                .collect();
            (outcomes, handed)
        }
        Err(e) => (vec![Err(PublishError::Storage(e))], Vec::new()),
    }
}

/// Stores `submissions` in one transaction, answering each in order; also returns the
/// messages handed straight to the workers.
fn commit(
    conn: &mut WriterConn,
    handoff: &Arc<Handoff>,
    now: i64,
    submissions: &[Submission],
) -> anyhow::Result<(Vec<Accepted>, Vec<HandedOver>)> {
    // The hand-over outlives the transaction only when it commits (dropped, it gives the
    // lane places back).
    let mut handed = handoff.batch(now);
    let accepted = conn.transaction(|tx| store(tx, &mut handed, now, submissions))?;
    Ok((accepted, handed.into_handed()))
}

/// Stores `submissions` (notifications and their messages) in the transaction `tx` is in,
/// answering each in order. The caller commits, then gives `handed` to the workers: the
/// recorder uses this to store `destination.webhook.disabled` with the disable itself.
pub(super) fn store(
    tx: &OutboxTx,
    handed: &mut Batch,
    now: i64,
    submissions: &[Submission],
) -> anyhow::Result<Vec<Accepted>> {
    let cutoff = now - IDEMPOTENCY_WINDOW_MS;
    // Responses given in this batch, for a key repeated within it.
    let mut given: HashMap<(&str, &str), String> = HashMap::new();
    let mut routes: HashMap<(&str, EventType), Vec<DestinationRow>> = HashMap::new();
    let mut accepted = Vec::with_capacity(submissions.len());
    for s in submissions {
        if let Some(key) = s.idempotency_key.as_deref() {
            let earlier = match given.get(&(s.project_id.as_str(), key)) {
                Some(response) => Some(response.clone()),
                None => outbox::earlier_response(tx, &s.project_id, key, cutoff)?,
            };
            if let Some(response) = earlier {
                let response =
                    serde_json::from_str(&response).context("a stored publish response")?;
                accepted.push(Accepted::Replayed(response));
                continue;
            }
        }
        let destinations = match &s.reach {
            Reach::Only(destination) => vec![destination.as_ref().clone()],
            Reach::Routes | Reach::RoutesExcept(_) => {
                match routes.entry((s.project_id.as_str(), s.event_type)) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(slot) => slot
                        .insert(outbox::route(tx, &s.project_id, s.event_type.as_str())?)
                        .clone(),
                }
            }
        };
        let excluded = match &s.reach {
            Reach::RoutesExcept(id) => Some(id.as_str()),
            _ => None,
        };
        let reached: Vec<&DestinationRow> = destinations
            .iter()
            .filter(|d| Some(d.id.as_str()) != excluded)
            .collect();
        let stored = Stored {
            project_id: &s.project_id,
            kind: MessageKind::Notification(s.event_type),
            payload: &s.payload,
            idempotency_key: s.idempotency_key.as_deref(),
            time: s.time,
        };
        // The response is stored with a key (a repeat replays it), so it is known before
        // the rows are written: message IDs and statuses are decided first.
        let published = plan_messages(tx, handed, &reached)?;
        let notification_id = store::new_id();
        let response = PublishResponse {
            notification_id: notification_id.clone(),
            notification_type: s.event_type,
            unrouted: published.is_empty(),
            messages: published,
        };
        // Kept only where a repeat can ask for it: most publishes carry no key.
        let response_json = match s.idempotency_key {
            Some(_) => serde_json::to_string(&response)?,
            None => String::new(),
        };
        write_messages(
            tx,
            handed,
            &stored,
            &notification_id,
            &response.messages,
            &response_json,
        )?;
        if let Some(key) = s.idempotency_key.as_deref() {
            given.insert((s.project_id.as_str(), key), response_json);
        }
        accepted.push(Accepted::Stored(response));
    }
    Ok(accepted)
}

/// What one stored notification (or read result) is.
pub(super) struct Stored<'a> {
    pub project_id: &'a str,
    pub kind: MessageKind,
    pub payload: &'a Arc<str>,
    pub idempotency_key: Option<&'a str>,
    pub time: i64,
}

/// One message per destination: skipped for a disabled one, handed straight to delivery
/// when its lane has room, else left pending in the outbox.
pub(super) fn plan_messages(
    tx: &OutboxTx,
    handed: &mut Batch,
    destinations: &[&DestinationRow],
) -> anyhow::Result<Vec<PublishedMessage>> {
    let mut published = Vec::with_capacity(destinations.len());
    for d in destinations {
        let status = if d.status == DestinationStatus::Disabled {
            MessageStatus::Skipped
        } else if handed.admit(tx, d)? {
            MessageStatus::Delivering
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
    Ok(published)
}

/// Writes the notification row and its planned messages; those planned `delivering` join
/// the hand-over.
pub(super) fn write_messages(
    tx: &OutboxTx,
    handed: &mut Batch,
    stored: &Stored,
    notification_id: &str,
    messages: &[PublishedMessage],
    response_json: &str,
) -> anyhow::Result<()> {
    let kind = stored.kind.as_str();
    outbox::insert_notification(
        tx,
        &NotificationRow {
            id: notification_id,
            project_id: stored.project_id,
            event_type: kind,
            payload: stored.payload,
            idempotency_key: stored.idempotency_key,
            response: response_json,
            create_time: stored.time,
        },
    )?;
    for m in messages {
        let seq = outbox::insert_message(
            tx,
            &NewMessage {
                id: &m.id,
                notification_id,
                project_id: stored.project_id,
                destination_id: &m.destination_id,
                event_type: kind,
                status: m.status,
                now: stored.time,
            },
        )?;
        if m.status == MessageStatus::Delivering {
            handed.add(
                &m.destination_id,
                ClaimedRow {
                    seq,
                    payload: stored.payload.clone(),
                    id: m.id.clone(),
                    notification_id: notification_id.to_string(),
                    project_id: stored.project_id.to_string(),
                    event_type: kind.to_string(),
                    attempt_count: 0,
                    round_start: 0,
                    create_time: stored.time,
                },
            );
        }
    }
    Ok(())
}
