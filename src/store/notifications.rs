//! Queries on `notifications`, and route resolution for a new one.

use serde::Serialize;
use sqlx::SqliteExecutor;

use super::destinations::DestinationRow;

/// A notification as stored; serialized as one element of a batch insert.
#[derive(Debug, Serialize)]
pub struct NotificationRow {
    pub id: String,
    pub project_id: String,
    pub event_type: String,
    pub payload: String,
    pub idempotency_key: Option<String>,
    pub response: String,
    pub create_time: i64,
}

/// Inserts many notifications in one statement: `rows_json` is a JSON array of
/// [`NotificationRow`]s. One statement instead of one per row, because every statement is
/// a round trip to SQLite's thread.
pub async fn insert_batch(ex: impl SqliteExecutor<'_>, rows_json: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (id, project_id, event_type, payload, idempotency_key, response, create_time)
         SELECT value ->> '$.id', value ->> '$.project_id', value ->> '$.event_type', value ->> '$.payload',
                value ->> '$.idempotency_key', value ->> '$.response', value ->> '$.create_time'
         FROM json_each(?)",
        rows_json
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Frees idempotency keys used before `cutoff` so they can be used again; `keys_json` is
/// a JSON array of `[project_id, key]` pairs.
pub async fn release_keys_before(
    ex: impl SqliteExecutor<'_>,
    keys_json: &str,
    cutoff: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET idempotency_key = NULL
         WHERE create_time < ?2
           AND (project_id, idempotency_key) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?1))",
        keys_json,
        cutoff
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The earlier responses to these idempotency keys (`[project_id, key]` pairs as JSON):
/// (project_id, key, response).
pub async fn responses_for_keys(
    ex: impl SqliteExecutor<'_>,
    keys_json: &str,
) -> sqlx::Result<Vec<(String, String, String)>> {
    let rows = sqlx::query!(
        r#"SELECT project_id, idempotency_key AS "idempotency_key!", response FROM notifications
           WHERE (project_id, idempotency_key) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?))"#,
        keys_json
    )
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.project_id, r.idempotency_key, r.response))
        .collect())
}

/// Destinations an event type reaches: event type → topics → destinations, each once.
pub async fn route(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    event_type: &str,
) -> sqlx::Result<Vec<DestinationRow>> {
    sqlx::query_as!(
        DestinationRow,
        "SELECT d.id, d.project_id, d.name, d.kind, d.metadata, d.status, d.disabled_reason, d.disabled_time,
                d.previous_key_expire_time, d.create_time, d.update_time, d.delivery
         FROM destinations d
         WHERE d.id IN (
             SELECT tdr.destination_id FROM event_topic_routes etr
             JOIN topic_destination_routes tdr ON tdr.topic_id = etr.topic_id
             WHERE etr.project_id = ? AND etr.event_type = ?)
         ORDER BY d.create_time, d.name",
        project_id,
        event_type
    )
    .fetch_all(ex)
    .await
}

pub async fn payload(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query!("SELECT payload FROM notifications WHERE id = ?", id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.payload))
}
