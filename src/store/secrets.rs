//! Queries on `secrets`: sealed values only (see `crate::secrets`).

use sqlx::SqliteExecutor;

use crate::secrets::Sealed;

pub struct SecretRow {
    pub id: String,
    pub backend: String,
    pub sealed: Vec<u8>,
}

pub async fn upsert(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    sealed: &Sealed,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO secrets (id, backend, sealed, create_time) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET backend = excluded.backend, sealed = excluded.sealed,
                                        create_time = excluded.create_time",
        id,
        sealed.backend,
        sealed.bytes,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn get(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<Option<SecretRow>> {
    sqlx::query_as!(
        SecretRow,
        "SELECT id, backend, sealed FROM secrets WHERE id = ?",
        id
    )
    .fetch_optional(ex)
    .await
}

/// IDs of the secrets whose ID starts with `prefix` (e.g. all secrets of one destination).
pub async fn ids_with_prefix(
    ex: impl SqliteExecutor<'_>,
    prefix: &str,
) -> sqlx::Result<Vec<String>> {
    let pattern = format!("{prefix}%");
    let rows = sqlx::query!(
        "SELECT id FROM secrets WHERE id LIKE ? ORDER BY id",
        pattern
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

pub async fn delete(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM secrets WHERE id = ?", id)
        .execute(ex)
        .await?;
    Ok(())
}
