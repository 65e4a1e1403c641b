//! The outbox statements the dispatcher runs on the writer thread (`store::writer`):
//! storing published notifications and their messages, claiming due messages, recording
//! attempts and moving destinations' failure clocks. Synchronous; each is prepared once
//! per connection and run per row inside the caller's transaction.

use std::sync::Arc;

use rusqlite::{params, OptionalExtension, Row};

use super::destinations::DestinationRow;
use super::writer::OutboxTx;
use super::{Store, StoreError};
use crate::model::message::MessageStatus;

/// A notification as published.
#[derive(Debug)]
pub struct NotificationRow<'a> {
    pub id: &'a str,
    pub project_id: &'a str,
    pub event_type: &'a str,
    /// The webhook body `{notificationType, data}`.
    pub payload: &'a str,
    pub idempotency_key: Option<&'a str>,
    /// The publish response, replayed for a repeated idempotency key (empty without one).
    pub response: &'a str,
    pub create_time: i64,
}

/// A message as created by publishing.
#[derive(Debug)]
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub notification_id: &'a str,
    pub project_id: &'a str,
    pub destination_id: &'a str,
    pub event_type: &'a str,
    pub status: MessageStatus,
    pub now: i64,
}

/// A message claimed for delivery.
pub struct ClaimedRow {
    pub seq: i64,
    /// The notification's webhook body, `{notificationType, data}`, shared by the
    /// notification's messages and the requests that carry it.
    pub payload: Arc<str>,
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub event_type: String,
    pub attempt_count: i64,
    pub round_start: i64,
    pub create_time: i64,
}

/// A destination's failure clock after recording attempts.
#[derive(Debug, PartialEq, Eq)]
pub struct FailureClock {
    pub failing_since: Option<i64>,
    pub last_exhausted_time: Option<i64>,
}

/// The columns [`destination_row`] reads, in its order.
pub(in crate::store) const DESTINATION_COLUMNS: &str =
    "d.id, d.project_id, d.name, d.kind, d.metadata, d.status, d.disabled_reason,
     d.disabled_time, d.previous_key_expire_time, d.create_time, d.update_time, d.delivery,
     d.failing_since, d.last_error, d.last_error_class, d.last_failure_time";

pub(in crate::store) fn destination_row(r: &Row) -> rusqlite::Result<DestinationRow> {
    Ok(DestinationRow {
        id: r.get(0)?,
        project_id: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        metadata: r.get(4)?,
        status: r.get(5)?,
        disabled_reason: r.get(6)?,
        disabled_time: r.get(7)?,
        previous_key_expire_time: r.get(8)?,
        create_time: r.get(9)?,
        update_time: r.get(10)?,
        delivery: r.get(11)?,
        failing_since: r.get(12)?,
        last_error: r.get(13)?,
        last_error_class: r.get(14)?,
        last_failure_time: r.get(15)?,
    })
}

/// Destinations whose messages are being delivered now (an inline read on the calling
/// thread, see `store::reader`).
pub fn active_destinations(store: &Store) -> Result<Vec<DestinationRow>, StoreError> {
    Ok(store.read(|conn| {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {DESTINATION_COLUMNS} FROM destinations d WHERE d.status = 'active'"
        ))?;
        let rows = statement.query_map([], destination_row)?;
        rows.collect()
    })?)
}

/// Destinations an event type reaches: event type → topics → destinations, each once.
pub fn route(
    tx: &OutboxTx,
    project_id: &str,
    event_type: &str,
) -> Result<Vec<DestinationRow>, StoreError> {
    let conn = tx.conn();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {DESTINATION_COLUMNS}
         FROM destinations d
         WHERE d.id IN (
             SELECT tdr.destination_id FROM event_topic_routes etr
             JOIN topic_destination_routes tdr ON tdr.topic_id = etr.topic_id
             WHERE etr.project_id = ?1 AND etr.event_type = ?2)
         ORDER BY d.create_time, d.name"
    ))?;
    let rows = statement.query_map(params![project_id, event_type], destination_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first response to an idempotency key used at or after `cutoff`; a use before the
/// cutoff is released (the key may be used again).
pub fn earlier_response(
    tx: &OutboxTx,
    project_id: &str,
    key: &str,
    cutoff: i64,
) -> Result<Option<String>, StoreError> {
    let conn = tx.conn();
    conn.prepare_cached(
        "UPDATE notifications SET idempotency_key = NULL
         WHERE project_id = ?1 AND idempotency_key = ?2 AND create_time < ?3",
    )?
    .execute(params![project_id, key, cutoff])?;
    Ok(conn
        .prepare_cached(
            "SELECT response FROM notifications WHERE project_id = ?1 AND idempotency_key = ?2",
        )?
        .query_row(params![project_id, key], |r| r.get(0))
        .optional()?)
}

pub fn insert_notification(tx: &OutboxTx, n: &NotificationRow) -> Result<(), StoreError> {
    let conn = tx.conn();
    conn.prepare_cached(
        "INSERT INTO notifications (id, project_id, event_type, payload, idempotency_key, response, create_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        n.id,
        n.project_id,
        n.event_type,
        n.payload,
        n.idempotency_key,
        n.response,
        n.create_time
    ])?;
    Ok(())
}

/// Inserts a message; messages get their `seq` in insertion order.
pub fn insert_message(tx: &OutboxTx, m: &NewMessage) -> Result<i64, StoreError> {
    let conn = tx.conn();
    conn.prepare_cached(
        "INSERT INTO messages (id, notification_id, project_id, destination_id, event_type, status,
                               next_attempt_time, create_time, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
    )?
    .execute(params![
        m.id,
        m.notification_id,
        m.project_id,
        m.destination_id,
        m.event_type,
        m.status,
        m.now
    ])?;
    // Its seq: the hand-over keeps it to record the attempt against.
    Ok(conn.last_insert_rowid())
}

/// Marks up to `limit` due messages of a destination as being delivered and returns them
/// with their payloads, oldest due first.
pub fn claim(
    tx: &OutboxTx,
    destination_id: &str,
    now: i64,
    limit: i64,
) -> Result<Vec<ClaimedRow>, StoreError> {
    let conn = tx.conn();
    let mut statement = conn.prepare_cached(
        "UPDATE messages SET status = 'delivering', update_time = ?2
         WHERE seq IN (SELECT seq FROM messages
                       WHERE destination_id = ?1 AND status IN ('pending', 'failed') AND next_attempt_time <= ?2
                       ORDER BY next_attempt_time, seq LIMIT ?3)
         RETURNING seq, id, notification_id, project_id, event_type, attempt_count, round_start, create_time,
                   (SELECT payload FROM notifications n WHERE n.id = messages.notification_id)",
    )?;
    let rows = statement.query_map(params![destination_id, now, limit], |r| {
        Ok(ClaimedRow {
            seq: r.get(0)?,
            id: r.get(1)?,
            notification_id: r.get(2)?,
            project_id: r.get(3)?,
            event_type: r.get(4)?,
            attempt_count: r.get(5)?,
            round_start: r.get(6)?,
            create_time: r.get(7)?,
            payload: Arc::from(r.get_ref(8)?.as_str()?),
        })
    })?;
    let mut claimed = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    claimed.sort_by_key(|c| c.seq);
    Ok(claimed)
}

/// Returns a claimed message to the outbox untried: `failed` when this round already
/// has failed attempts (so it shows as being retried), else `pending`.
pub fn unclaim(tx: &OutboxTx, seq: i64) -> Result<(), StoreError> {
    let conn = tx.conn();
    conn.prepare_cached(
        "UPDATE messages SET status = CASE WHEN attempt_count > round_start THEN 'failed' ELSE 'pending' END
         WHERE seq = ?1 AND status = 'delivering'",
    )?
    .execute([seq])?;
    Ok(())
}

/// When the next message of a destination is due (None: nothing waits).
pub fn next_due(tx: &OutboxTx, destination_id: &str) -> Result<Option<i64>, StoreError> {
    let conn = tx.conn();
    Ok(conn
        .prepare_cached(
            "SELECT MIN(next_attempt_time) FROM messages
         WHERE destination_id = ?1 AND status IN ('pending', 'failed')",
        )?
        .query_row([destination_id], |r| r.get(0))?)
}

/// One finished attempt: the attempt row and the message's new state.
#[derive(Debug)]
pub struct Outcome {
    pub message_seq: i64,
    pub message_id: String,
    /// The attempt's number; also the message's new attempt count.
    pub number: i64,
    pub start_time: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub error_class: Option<&'static str>,
    pub error: Option<String>,
    pub succeeded: bool,
    /// The headers sent, as a JSON object.
    pub request_headers: String,
    /// `Delivered`, `Retrying` (retried at `next_attempt_time`) or `Exhausted`.
    pub status: MessageStatus,
    pub next_attempt_time: Option<i64>,
}

/// Records a finished attempt: its message's new state, and its row.
pub fn record_outcome(tx: &OutboxTx, o: &Outcome, now: i64) -> Result<(), StoreError> {
    let conn = tx.conn();
    let updated = conn
        .prepare_cached(
            "UPDATE messages SET status = ?2, attempt_count = ?3, last_status_code = ?4, last_error = ?5,
                                 last_error_class = ?8,
                                 next_attempt_time = COALESCE(?6, next_attempt_time),
                                 delivered_time = CASE ?2 WHEN 'delivered' THEN ?7 ELSE delivered_time END,
                                 update_time = ?7
             WHERE seq = ?1",
        )?
        .execute(params![
            o.message_seq,
            o.status,
            o.number,
            o.status_code,
            o.error,
            o.next_attempt_time,
            now,
            o.error_class
        ])?;
    // A message deleted meanwhile (with its destination) keeps no attempts. Checked here
    // rather than with `INSERT … SELECT … WHERE EXISTS`, which SQLite runs with a
    // statement journal (it may insert many rows): ~1.5 % of the CPU while draining.
    if updated == 0 {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO attempts (message_id, number, start_time, duration_ms, status_code, response_body,
                               error_class, error, succeeded, request_headers)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        o.message_id,
        o.number,
        o.start_time,
        o.duration_ms,
        o.status_code,
        o.response_body,
        o.error_class,
        o.error,
        o.succeeded,
        o.request_headers,
    ])?;
    Ok(())
}

/// Moves a destination's failure clock, and keeps its `last_failure` if this batch had
/// one. `reset`: a success happened, so the clock
/// restarts from the failures after the last success (`first_failure`, `exhausted_at`,
/// both possibly None); otherwise the failures extend the running clock. None: the
/// destination was deleted meanwhile.
///
/// Written only when it changed: nearly every batch of a healthy destination "resets" a
/// clock that is not running, and rewriting the row anyway put one more page into every
/// commit of the recorder.
pub fn move_failure_clock(
    tx: &OutboxTx,
    destination_id: &str,
    reset: bool,
    first_failure: Option<i64>,
    exhausted_at: Option<i64>,
    last_failure: Option<&LastFailure>,
) -> Result<Option<FailureClock>, StoreError> {
    let conn = tx.conn();
    let current = conn
        .prepare_cached(
            "SELECT failing_since, last_exhausted_time FROM destinations WHERE id = ?1",
        )?
        .query_row([destination_id], |r| {
            Ok(FailureClock {
                failing_since: r.get(0)?,
                last_exhausted_time: r.get(1)?,
            })
        })
        .optional()?;
    let Some(current) = current else {
        return Ok(None);
    };
    let moved = match reset {
        true => FailureClock {
            failing_since: first_failure,
            last_exhausted_time: exhausted_at,
        },
        false => FailureClock {
            failing_since: current.failing_since.or(first_failure),
            last_exhausted_time: exhausted_at.or(current.last_exhausted_time),
        },
    };
    if moved != current {
        conn.prepare_cached(
            "UPDATE destinations SET failing_since = ?2, last_exhausted_time = ?3 WHERE id = ?1",
        )?
        .execute(params![
            destination_id,
            moved.failing_since,
            moved.last_exhausted_time
        ])?;
    }
    if let Some(failure) = last_failure {
        conn.prepare_cached(
            "UPDATE destinations SET last_error = ?2, last_error_class = ?3, last_failure_time = ?4
             WHERE id = ?1",
        )?
        .execute(params![
            destination_id,
            failure.error,
            failure.class,
            failure.time
        ])?;
    }
    Ok(Some(moved))
}

/// A destination's latest failed attempt, shown while it is failing.
#[derive(Clone, Debug)]
pub struct LastFailure {
    pub error: String,
    pub class: Option<&'static str>,
    pub time: i64,
}

/// Disables a destination unless it already is; true when this call disabled it.
pub fn disable(tx: &OutboxTx, id: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
    let conn = tx.conn();
    let changed = conn
        .prepare_cached(
            "UPDATE destinations SET status = 'disabled', disabled_reason = ?2, disabled_time = ?3, update_time = ?3
             WHERE id = ?1 AND status != 'disabled'",
        )?
        .execute(params![id, reason, now])?;
    Ok(changed > 0)
}
