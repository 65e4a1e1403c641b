//! Queries on `blobs`.

use super::{Store, StoreError, WriteTx};

/// Stores a blob, or refreshes one with that ID, keeping the later expiry. The API's
/// transactions (`put`) and the writer thread's (`read_progress::put_blob`) share it.
pub(super) const UPSERT: &str =
    "INSERT INTO blobs (id, content, create_time, expire_time) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (id) DO UPDATE SET content = excluded.content,
                                    expire_time = MAX(blobs.expire_time, excluded.expire_time)";

/// Stores (or refreshes) a blob; it lives at least until `expire`.
pub async fn put(
    tx: &mut WriteTx,
    id: &str,
    content: &str,
    now: i64,
    expire: i64,
) -> Result<(), StoreError> {
    sqlx::query(UPSERT)
        .bind(id)
        .bind(content)
        .bind(now)
        .bind(expire)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn get(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query!("SELECT content FROM blobs WHERE id = ?", id)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.map(|r| r.content))
}

pub async fn delete_expired(tx: &mut WriteTx, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query!("DELETE FROM blobs WHERE expire_time < ?", now)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

/// Keeps a blob at least until `expire`; false when it is gone.
pub async fn extend(tx: &mut WriteTx, id: &str, expire: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE blobs SET expire_time = MAX(expire_time, ?) WHERE id = ?")
        .bind(expire)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}
