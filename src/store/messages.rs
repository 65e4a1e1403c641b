//! Queries on `messages` and `attempts`: the outbox the dispatcher works from.

use super::{Store, StoreError, WriteTx};

use crate::model::message::MessageStatus;

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub seq: i64,
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub destination_id: String,
    pub destination_name: String,
    /// Kept as stored: a type this node does not know is shown as it is, never relabelled.
    pub event_type: String,
    pub status: MessageStatus,
    pub attempt_count: i64,
    pub round_start: i64,
    pub next_attempt_time: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
    pub delivered_time: Option<i64>,
}

/// After a crash, messages that were being delivered are due again (at-least-once).
pub async fn requeue_in_flight(tx: &mut WriteTx, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', next_attempt_time = ?1, update_time = ?1 WHERE status = 'delivering'",
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Queues one message again for a full round of attempts, now.
pub async fn requeue(
    tx: &mut WriteTx,
    project_id: &str,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', round_start = attempt_count, next_attempt_time = ?3,
                             update_time = ?3, delivered_time = NULL
         WHERE project_id = ?1 AND id = ?2 AND status != 'delivering'",
        project_id,
        id,
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Queues again what a destination missed since `since`: failed, exhausted and skipped
/// messages, in their original order.
pub async fn recover(
    tx: &mut WriteTx,
    destination_id: &str,
    since: i64,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', round_start = attempt_count, next_attempt_time = ?3, update_time = ?3
         WHERE destination_id = ?1 AND create_time >= ?2 AND status IN ('failed', 'exhausted', 'skipped')
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.id = messages.notification_id AND n.payload_expired = 1)",
        destination_id,
        since,
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

pub struct MessageFilter<'a> {
    pub project_id: &'a str,
    pub destination_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub status: Option<MessageStatus>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Only messages older than this sequence number (the cursor).
    pub before_seq: Option<i64>,
    /// Only the message with this ID.
    pub id: Option<&'a str>,
    pub limit: i64,
}

/// Messages newest first.
pub async fn list(store: &Store, f: &MessageFilter<'_>) -> Result<Vec<MessageRow>, StoreError> {
    sqlx::query_as!(
        MessageRow,
        r#"SELECT m.seq AS "seq!", m.id, m.notification_id, m.project_id, m.destination_id, d.name AS destination_name,
                m.event_type, m.status AS "status: MessageStatus", m.attempt_count, m.round_start, m.next_attempt_time, m.last_status_code,
                m.last_error, m.last_error_class, m.create_time, m.update_time, m.delivered_time
         FROM messages m JOIN destinations d ON d.id = m.destination_id
         WHERE m.project_id = ?1
           AND (?2 IS NULL OR m.destination_id = ?2)
           AND (?3 IS NULL OR m.event_type = ?3)
           AND (?4 IS NULL OR m.status = ?4)
           AND (?5 IS NULL OR m.create_time >= ?5)
           AND (?6 IS NULL OR m.create_time < ?6)
           AND (?7 IS NULL OR m.seq < ?7)
           AND (?9 IS NULL OR m.id = ?9)
         ORDER BY m.seq DESC LIMIT ?8"#,
        f.project_id,
        f.destination_id,
        f.event_type,
        f.status,
        f.since,
        f.until,
        f.before_seq,
        f.limit,
        f.id
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

pub async fn find(
    store: &Store,
    project_id: &str,
    id: &str,
) -> Result<Option<MessageRow>, StoreError> {
    let filter = MessageFilter {
        project_id,
        destination_id: None,
        event_type: None,
        status: None,
        since: None,
        until: None,
        before_seq: None,
        id: Some(id),
        limit: 1,
    };
    Ok(list(store, &filter).await?.pop())
}

pub struct AttemptRow {
    pub id: i64,
    pub message_id: String,
    pub number: i64,
    pub start_time: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub error_class: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
    pub request_headers: String,
}

pub async fn attempts(store: &Store, message_id: &str) -> Result<Vec<AttemptRow>, StoreError> {
    sqlx::query_as!(
        AttemptRow,
        r#"SELECT id AS "id!", message_id, number, start_time, duration_ms, status_code, response_body, error_class, error,
                  succeeded AS "succeeded: bool", request_headers
           FROM attempts WHERE message_id = ? ORDER BY number, id"#,
        message_id
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

pub struct StatusCount {
    pub destination_id: String,
    pub status: MessageStatus,
    pub count: i64,
}

pub async fn counts_by_status(
    store: &Store,
    project_id: &str,
) -> Result<Vec<StatusCount>, StoreError> {
    sqlx::query_as!(
        StatusCount,
        r#"SELECT destination_id, status AS "status: MessageStatus", COUNT(*) AS "count!: i64" FROM messages
           WHERE project_id = ? GROUP BY destination_id, status"#,
        project_id
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

/// Publish → delivery latencies (ms) of a destination's deliveries since `since`, newest first.
pub async fn recent_latencies(
    store: &Store,
    destination_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT delivered_time - create_time AS "latency!: i64" FROM messages
           WHERE destination_id = ? AND status = 'delivered' AND delivered_time >= ?
           ORDER BY delivered_time DESC LIMIT ?"#,
        destination_id,
        since,
        limit
    )
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(|r| r.latency).collect())
}

pub async fn delivered_since(
    store: &Store,
    destination_id: &str,
    since: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "count!: i64" FROM messages
           WHERE destination_id = ? AND status = 'delivered' AND delivered_time >= ?"#,
        destination_id,
        since
    )
    .fetch_one(store.reads())
    .await?;
    Ok(row.count)
}

/// Across all projects: messages waiting for an attempt (pending or retrying), and the
/// earliest due time of those due by `now` (None: none is). Read from the index of waiting
/// messages only.
pub async fn queue_state(store: &Store, now: i64) -> Result<(i64, Option<i64>), StoreError> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MIN(CASE WHEN next_attempt_time <= ?1 THEN next_attempt_time END)
         FROM messages INDEXED BY messages_due WHERE status IN ('pending', 'failed')",
    )
    .bind(now)
    .fetch_one(store.reads())
    .await?)
}
