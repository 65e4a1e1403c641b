//! Queries on `notifications`, and route resolution for a new one.

use sqlx::SqliteExecutor;

use super::destinations::DestinationRow;

pub struct NotificationRow {
    pub id: String,
    pub project_id: String,
    pub event_type: String,
    pub payload: String,
    pub idempotency_key: Option<String>,
    pub response: String,
    pub create_time: i64,
}

pub async fn insert(ex: impl SqliteExecutor<'_>, row: &NotificationRow) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (id, project_id, event_type, payload, idempotency_key, response, create_time)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.event_type,
        row.payload,
        row.idempotency_key,
        row.response,
        row.create_time
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The earlier notification published with this idempotency key: (id, response, time).
pub async fn find_by_idempotency_key(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    key: &str,
) -> sqlx::Result<Option<(String, String, i64)>> {
    let row = sqlx::query!(
        "SELECT id, response, create_time FROM notifications WHERE project_id = ? AND idempotency_key = ?",
        project_id,
        key
    )
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| (r.id, r.response, r.create_time)))
}

/// Frees an expired idempotency key for reuse.
pub async fn release_idempotency_key(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET idempotency_key = NULL WHERE id = ?",
        id
    )
    .execute(ex)
    .await?;
    Ok(())
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

/// Payloads of several notifications at once, by ID.
pub async fn payloads(
    ex: impl SqliteExecutor<'_>,
    ids_json: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        "SELECT id, payload FROM notifications WHERE id IN (SELECT value FROM json_each(?))",
        ids_json
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.payload)).collect())
}

pub async fn payload(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query!("SELECT payload FROM notifications WHERE id = ?", id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.payload))
}
