//! Queries on `secrets`: sealed values only (see `crate::secrets`).

use super::{Store, StoreError, WriteTx};

use crate::secrets::Sealed;

pub struct SecretRow {
    pub id: String,
    pub backend: String,
    pub sealed: Vec<u8>,
}

pub async fn upsert(
    tx: &mut WriteTx,
    id: &str,
    sealed: &Sealed,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO secrets (id, backend, sealed, create_time) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET backend = excluded.backend, sealed = excluded.sealed,
                                        create_time = excluded.create_time",
        id,
        sealed.backend,
        sealed.bytes,
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn get(store: &Store, id: &str) -> Result<Option<SecretRow>, StoreError> {
    sqlx::query_as!(
        SecretRow,
        "SELECT id, backend, sealed FROM secrets WHERE id = ?",
        id
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

/// IDs of the secrets whose ID starts with `prefix` (e.g. all secrets of one destination).
pub async fn ids_with_prefix(store: &Store, prefix: &str) -> Result<Vec<String>, StoreError> {
    let pattern = format!("{prefix}%");
    let rows = sqlx::query!(
        "SELECT id FROM secrets WHERE id LIKE ? ORDER BY id",
        pattern
    )
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

pub async fn delete(tx: &mut WriteTx, id: &str) -> Result<(), StoreError> {
    sqlx::query!("DELETE FROM secrets WHERE id = ?", id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes the secrets whose ID starts with `prefix`; returns their IDs.
pub async fn delete_with_prefix(tx: &mut WriteTx, prefix: &str) -> Result<Vec<String>, StoreError> {
    let pattern = format!("{prefix}%");
    let rows = sqlx::query!("DELETE FROM secrets WHERE id LIKE ? RETURNING id", pattern)
        .fetch_all(tx.conn())
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
