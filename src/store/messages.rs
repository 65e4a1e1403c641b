//! Queries on `messages` and `attempts`: the outbox the dispatcher works from.

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

pub struct NewMessage<'a> {
    pub id: &'a str,
    pub notification_id: &'a str,
    pub project_id: &'a str,
    pub destination_id: &'a str,
    pub event_type: &'a str,
    pub status: &'a str,
    pub now: i64,
}

pub async fn insert(ex: impl SqliteExecutor<'_>, m: &NewMessage<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO messages (id, notification_id, project_id, destination_id, event_type, status,
                               next_attempt_time, create_time, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
        m.id,
        m.notification_id,
        m.project_id,
        m.destination_id,
        m.event_type,
        m.status,
        m.now
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
    pub id: String,
    pub notification_id: String,
    pub project_id: String,
    pub event_type: String,
    pub attempt_count: i64,
    pub round_start: i64,
    pub create_time: i64,
}

/// Marks up to `limit` due messages of a destination as being delivered and returns them,
/// oldest due first.
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
         RETURNING seq AS "seq!", id, notification_id, project_id, event_type, attempt_count, round_start, create_time"#,
        destination_id,
        now,
        limit
    )
    .fetch_all(ex)
    .await?;
    rows.sort_by_key(|r| r.seq);
    Ok(rows)
}

pub struct NewAttempt<'a> {
    pub message_id: &'a str,
    pub number: i64,
    pub start_time: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<&'a str>,
    pub error_class: Option<&'a str>,
    pub error: Option<&'a str>,
    pub succeeded: bool,
    pub request_headers: &'a str,
}

pub async fn insert_attempt(ex: impl SqliteExecutor<'_>, a: &NewAttempt<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO attempts (message_id, number, start_time, duration_ms, status_code, response_body,
                               error_class, error, succeeded, request_headers)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        a.message_id,
        a.number,
        a.start_time,
        a.duration_ms,
        a.status_code,
        a.response_body,
        a.error_class,
        a.error,
        a.succeeded,
        a.request_headers
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_delivered(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    attempts: i64,
    status_code: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE messages SET status = 'delivered', attempt_count = ?2, last_status_code = ?3, last_error = NULL,
                             delivered_time = ?4, update_time = ?4
         WHERE id = ?1",
        id,
        attempts,
        status_code,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Records a failed attempt: `next` is when to retry, None when the message is exhausted.
pub async fn mark_failed(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    attempts: i64,
    status_code: Option<i64>,
    error: &str,
    next: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    let status = if next.is_some() {
        "failed"
    } else {
        "exhausted"
    };
    let next_time = next.unwrap_or(now);
    sqlx::query!(
        "UPDATE messages SET status = ?2, attempt_count = ?3, last_status_code = ?4, last_error = ?5,
                             next_attempt_time = ?6, update_time = ?7
         WHERE id = ?1",
        id,
        status,
        attempts,
        status_code,
        error,
        next_time,
        now
    )
    .execute(ex)
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
         ORDER BY m.seq DESC LIMIT ?8"#,
        f.project_id,
        f.destination_id,
        f.event_type,
        f.status,
        f.since,
        f.until,
        f.before_seq,
        f.limit
    )
    .fetch_all(ex)
    .await
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    id: &str,
) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as!(
        MessageRow,
        r#"SELECT m.seq AS "seq!", m.id, m.notification_id, m.project_id, m.destination_id, d.name AS destination_name,
                m.event_type, m.status, m.attempt_count, m.round_start, m.next_attempt_time, m.last_status_code,
                m.last_error, m.create_time, m.update_time, m.delivered_time
         FROM messages m JOIN destinations d ON d.id = m.destination_id
         WHERE m.project_id = ? AND m.id = ?"#,
        project_id,
        id
    )
    .fetch_optional(ex)
    .await
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
