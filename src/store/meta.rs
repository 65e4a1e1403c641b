//! Node-wide settings kept in the database (node ID, chosen secret backend).

use sqlx::SqliteExecutor;

pub async fn get(ex: impl SqliteExecutor<'_>, key: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query!("SELECT value FROM node_meta WHERE key = ?", key)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.value))
}

pub async fn set(ex: impl SqliteExecutor<'_>, key: &str, value: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO node_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value
    )
    .execute(ex)
    .await?;
    Ok(())
}
