//! Queries on `api_keys`.

use super::{Store, StoreError, WriteTx};
use rusqlite::OptionalExtension;

use crate::model::api_key::{ApiKey, KeyScope};
use crate::time::to_datetime;

#[derive(sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub hint: String,
    pub create_time: i64,
    pub revoke_time: Option<i64>,
    pub last_used_time: Option<i64>,
    pub read_only: bool,
    pub project_id: Option<String>,
    pub expire_time: Option<i64>,
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
            read_only: r.read_only,
            project_id: r.project_id,
            expire_time: r.expire_time.map(to_datetime),
        }
    }
}

/// A new key's row.
pub struct NewKey<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub hint: &'a str,
    pub key_hash: &'a str,
    pub scope: &'a KeyScope,
}

pub async fn insert(tx: &mut WriteTx, key: NewKey<'_>, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_keys (id, name, hint, key_hash, create_time, read_only, project_id, expire_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(key.id)
    .bind(key.name)
    .bind(key.hint)
    .bind(key.key_hash)
    .bind(now)
    .bind(key.scope.read_only)
    .bind(key.scope.project_id.as_deref())
    .bind(key.scope.expire_time)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store) -> Result<Vec<ApiKeyRow>, StoreError> {
    sqlx::query_as::<_, ApiKeyRow>(
        "SELECT id, name, hint, create_time, revoke_time, last_used_time, read_only, project_id,
                expire_time
         FROM api_keys ORDER BY create_time, id",
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

/// A live (not revoked) key as a request meets it.
#[derive(Clone, Debug)]
pub struct LiveKey {
    pub id: String,
    pub last_used: Option<i64>,
    pub scope: KeyScope,
}

/// The live (not revoked) key with this hash (an inline read on the calling thread, see
/// `store::reader`); whether it expired is the caller's to judge, on its clock.
pub fn find_live_by_hash(store: &Store, key_hash: &str) -> Result<Option<LiveKey>, StoreError> {
    Ok(store.read(|conn| {
        conn.prepare_cached(
            "SELECT id, last_used_time, read_only, project_id, expire_time FROM api_keys
             WHERE key_hash = ?1 AND revoke_time IS NULL",
        )?
        .query_row([key_hash], |r| {
            Ok(LiveKey {
                id: r.get(0)?,
                last_used: r.get(1)?,
                scope: KeyScope {
                    read_only: r.get(2)?,
                    project_id: r.get(3)?,
                    expire_time: r.get(4)?,
                },
            })
        })
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

/// IDs of the live keys with this ID or name, and how many live unscoped, unexpiring
/// (admin) keys there are in all.
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
    // Only keys that may do everything, for good, can stand in for a revoked admin key.
    let (live,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM api_keys WHERE revoke_time IS NULL AND read_only = 0
           AND project_id IS NULL AND expire_time IS NULL",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok((matching.into_iter().map(|(id,)| id).collect(), live))
}
