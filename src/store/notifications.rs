//! Queries on `notifications` (they are stored by `outbox`).

use sqlx::SqliteExecutor;

pub async fn payload(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query!("SELECT payload FROM notifications WHERE id = ?", id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.payload))
}
