//! Node-wide settings kept in the database (node ID, chosen secret backend).

use super::{Store, StoreError, WriteTx};

pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query!("SELECT value FROM node_meta WHERE key = ?", key)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.map(|r| r.value))
}

pub async fn set(tx: &mut WriteTx, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO node_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
