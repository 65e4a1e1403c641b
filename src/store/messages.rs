//! Queries on `messages` and `attempts`: the outbox the dispatcher works from.

use serde::Serialize;
use sqlx::SqliteExecutor;

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub seq: i64,
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub destination_id: String,
    pub destination_name: String,
    pub event_type: String,
    pub status: String,
    pub attempt_count: i64,
    pub round_start: i64,
    pub next_attempt_time: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
    pub delivered_time: Option<i64>,
}

/// A message as created by publishing; serialized as one element of a batch insert.
#[derive(Debug, Serialize)]
pub struct NewMessage {
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub destination_id: String,
    pub event_type: String,
    pub status: &'static str,
    pub now: i64,
}

/// Inserts many messages in one statement (`rows_json`: a JSON array of [`NewMessage`]s),
/// in array order, which is the order their `seq` numbers follow.
pub async fn insert_batch(ex: impl SqliteExecutor<'_>, rows_json: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO messages (id, notification_id, project_id, destination_id, event_type, status,
                               next_attempt_time, create_time, update_time)
         SELECT value ->> '$.id', value ->> '$.notification_id', value ->> '$.project_id',
                value ->> '$.destination_id', value ->> '$.event_type', value ->> '$.status',
                value ->> '$.now', value ->> '$.now', value ->> '$.now'
         FROM json_each(?) ORDER BY key",
        rows_json
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// After a crash, messages that were being delivered are due again (at-least-once).
pub async fn requeue_in_flight(ex: impl SqliteExecutor<'_>, now: i64) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', next_attempt_time = ?1, update_time = ?1 WHERE status = 'delivering'",
        now
    )
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// When the next message of a destination is due (None: nothing waits).
pub async fn next_due(
    ex: impl SqliteExecutor<'_>,
    destination_id: &str,
) -> sqlx::Result<Option<i64>> {
    let row = sqlx::query!(
        r#"SELECT MIN(next_attempt_time) AS "due: i64" FROM messages
           WHERE destination_id = ? AND status IN ('pending', 'failed')"#,
        destination_id
    )
    .fetch_one(ex)
    .await?;
    Ok(row.due)
}

pub struct ClaimedRow {
    pub seq: i64,
    /// The notification's webhook body, `{notificationType, data}`.
    pub payload: String,
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub event_type: String,
    pub attempt_count: i64,
    pub round_start: i64,
    pub create_time: i64,
}

/// Marks up to `limit` due messages of a destination as being delivered and returns them
/// with their payloads, oldest due first.
pub async fn claim(
    ex: impl SqliteExecutor<'_>,
    destination_id: &str,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<ClaimedRow>> {
    let mut rows = sqlx::query_as!(
        ClaimedRow,
        r#"UPDATE messages SET status = 'delivering', update_time = ?2
         WHERE seq IN (SELECT seq FROM messages
                       WHERE destination_id = ?1 AND status IN ('pending', 'failed') AND next_attempt_time <= ?2
                       ORDER BY next_attempt_time, seq LIMIT ?3)
         RETURNING seq AS "seq!", id, notification_id, project_id, event_type, attempt_count, round_start, create_time,
                   (SELECT payload FROM notifications n WHERE n.id = messages.notification_id) AS "payload!: String""#,
        destination_id,
        now,
        limit
    )
    .fetch_all(ex)
    .await?;
    rows.sort_by_key(|r| r.seq);
    Ok(rows)
}

/// One finished attempt: the attempt row and the message's new state.
#[derive(Debug, Serialize)]
pub struct Outcome<'a> {
    pub message_id: &'a str,
    /// The attempt's number; also the message's new attempt count.
    pub number: i64,
    pub start_time: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<&'a str>,
    pub error_class: Option<&'a str>,
    pub error: Option<&'a str>,
    pub succeeded: bool,
    /// The headers sent, as a JSON object.
    pub request_headers: &'a serde_json::Map<String, serde_json::Value>,
    /// `delivered`, `failed` (retried at `next_attempt_time`) or `exhausted`.
    pub status: &'static str,
    pub next_attempt_time: Option<i64>,
}

/// Records a batch of finished attempts (`outcomes_json`: a JSON array of [`Outcome`]s)
/// in two statements, whatever the batch size: the attempt rows, then the messages'
/// states. Set-based because every statement is a round trip to SQLite's thread.
pub async fn record_outcomes(
    ex: &mut sqlx::SqliteConnection,
    outcomes_json: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO attempts (message_id, number, start_time, duration_ms, status_code, response_body,
                               error_class, error, succeeded, request_headers)
         SELECT value ->> '$.message_id', value ->> '$.number', value ->> '$.start_time',
                value ->> '$.duration_ms', value ->> '$.status_code', value ->> '$.response_body',
                value ->> '$.error_class', value ->> '$.error', value ->> '$.succeeded',
                value -> '$.request_headers'
         FROM json_each(?) ORDER BY key",
        outcomes_json
    )
    .execute(&mut *ex)
    .await?;
    sqlx::query!(
        "UPDATE messages SET status = o.status, attempt_count = o.number, last_status_code = o.status_code,
                             last_error = o.error,
                             next_attempt_time = COALESCE(o.next_attempt_time, messages.next_attempt_time),
                             delivered_time = CASE o.status WHEN 'delivered' THEN ?2 ELSE messages.delivered_time END,
                             update_time = ?2
         FROM (SELECT value ->> '$.message_id' AS message_id, value ->> '$.number' AS number,
                      value ->> '$.status' AS status, value ->> '$.status_code' AS status_code,
                      value ->> '$.error' AS error, value ->> '$.next_attempt_time' AS next_attempt_time
               FROM json_each(?1)) AS o
         WHERE messages.id = o.message_id",
        outcomes_json,
        now
    )
    .execute(&mut *ex)
    .await?;
    Ok(())
}

/// Queues one message again for a full round of attempts, now.
pub async fn requeue(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', round_start = attempt_count, next_attempt_time = ?3,
                             update_time = ?3, delivered_time = NULL
         WHERE project_id = ?1 AND id = ?2 AND status != 'delivering'",
        project_id,
        id,
        now
    )
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Queues again what a destination missed since `since`: failed, exhausted and skipped
/// messages, in their original order.
pub async fn recover(
    ex: impl SqliteExecutor<'_>,
    destination_id: &str,
    since: i64,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE messages SET status = 'pending', round_start = attempt_count, next_attempt_time = ?3, update_time = ?3
         WHERE destination_id = ?1 AND create_time >= ?2 AND status IN ('failed', 'exhausted', 'skipped')",
        destination_id,
        since,
        now
    )
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub struct MessageFilter<'a> {
    pub project_id: &'a str,
    pub destination_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Only messages older than this sequence number (the cursor).
    pub before_seq: Option<i64>,
    /// Only the message with this ID.
    pub id: Option<&'a str>,
    pub limit: i64,
}

/// Messages newest first.
pub async fn list(
    ex: impl SqliteExecutor<'_>,
    f: &MessageFilter<'_>,
) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as!(
        MessageRow,
        r#"SELECT m.seq AS "seq!", m.id, m.notification_id, m.project_id, m.destination_id, d.name AS destination_name,
                m.event_type, m.status, m.attempt_count, m.round_start, m.next_attempt_time, m.last_status_code,
                m.last_error, m.create_time, m.update_time, m.delivered_time
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
    .fetch_all(ex)
    .await
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    id: &str,
) -> sqlx::Result<Option<MessageRow>> {
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
    Ok(list(ex, &filter).await?.pop())
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

pub async fn attempts(
    ex: impl SqliteExecutor<'_>,
    message_id: &str,
) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as!(
        AttemptRow,
        r#"SELECT id AS "id!", message_id, number, start_time, duration_ms, status_code, response_body, error_class, error,
                  succeeded AS "succeeded: bool", request_headers
           FROM attempts WHERE message_id = ? ORDER BY number, id"#,
        message_id
    )
    .fetch_all(ex)
    .await
}

pub struct StatusCount {
    pub destination_id: String,
    pub status: String,
    pub count: i64,
}

pub async fn counts_by_status(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
) -> sqlx::Result<Vec<StatusCount>> {
    sqlx::query_as!(
        StatusCount,
        r#"SELECT destination_id, status, COUNT(*) AS "count!: i64" FROM messages
           WHERE project_id = ? GROUP BY destination_id, status"#,
        project_id
    )
    .fetch_all(ex)
    .await
}

/// Publish → delivery latencies (ms) of a destination's deliveries since `since`, newest first.
pub async fn recent_latencies(
    ex: impl SqliteExecutor<'_>,
    destination_id: &str,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    let rows = sqlx::query!(
        r#"SELECT delivered_time - create_time AS "latency!: i64" FROM messages
           WHERE destination_id = ? AND status = 'delivered' AND delivered_time >= ?
           ORDER BY delivered_time DESC LIMIT ?"#,
        destination_id,
        since,
        limit
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| r.latency).collect())
}

pub async fn delivered_since(
    ex: impl SqliteExecutor<'_>,
    destination_id: &str,
    since: i64,
) -> sqlx::Result<i64> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "count!: i64" FROM messages
           WHERE destination_id = ? AND status = 'delivered' AND delivered_time >= ?"#,
        destination_id,
        since
    )
    .fetch_one(ex)
    .await?;
    Ok(row.count)
}
