//! Queries on `api_keys`.

use super::{Store, StoreError, WriteTx};
use rusqlite::OptionalExtension;

use crate::model::api_key::ApiKey;
use crate::time::to_datetime;

pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub hint: String,
    pub create_time: i64,
    pub revoke_time: Option<i64>,
    pub last_used_time: Option<i64>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        ApiKey {
            id: r.id,
            name: r.name,
            hint: r.hint,
            create_time: to_datetime(r.create_time),
            revoke_time: r.revoke_time.map(to_datetime),
            last_used_time: r.last_used_time.map(to_datetime),
        }
    }
}

pub async fn insert(
    tx: &mut WriteTx,
    id: &str,
    name: &str,
    hint: &str,
    key_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO api_keys (id, name, hint, key_hash, create_time) VALUES (?, ?, ?, ?, ?)",
        id,
        name,
        hint,
        key_hash,
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store) -> Result<Vec<ApiKeyRow>, StoreError> {
    sqlx::query_as!(
        ApiKeyRow,
        "SELECT id, name, hint, create_time, revoke_time, last_used_time FROM api_keys ORDER BY create_time, id"
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

/// The live (not revoked) key with this hash: its ID and when it was last used (an
/// inline read on the calling thread, see `store::reader`).
pub fn find_live_by_hash(
    store: &Store,
    key_hash: &str,
) -> Result<Option<(String, Option<i64>)>, StoreError> {
    Ok(store.read(|conn| {
        conn.prepare_cached(
            "SELECT id, last_used_time FROM api_keys WHERE key_hash = ?1 AND revoke_time IS NULL",
        )?
        .query_row([key_hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
    })?)
}

/// Records that a key was used.
pub async fn touch(tx: &mut WriteTx, id: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE api_keys SET last_used_time = ? WHERE id = ?",
        now,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn revoke(tx: &mut WriteTx, id_or_name: &str, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query!(
        "UPDATE api_keys SET revoke_time = ?1 WHERE (id = ?2 OR name = ?2) AND revoke_time IS NULL",
        now,
        id_or_name
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// IDs of the live keys with this ID or name, and how many live keys there are in all.
pub async fn live_matching(
    tx: &mut WriteTx,
    id_or_name: &str,
) -> Result<(Vec<String>, i64), StoreError> {
    let matching: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM api_keys WHERE (id = ?1 OR name = ?1) AND revoke_time IS NULL",
    )
    .bind(id_or_name)
    .fetch_all(tx.conn())
    .await?;
    let (live,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM api_keys WHERE revoke_time IS NULL")
        .fetch_one(tx.conn())
        .await?;
    Ok((matching.into_iter().map(|(id,)| id).collect(), live))
}
