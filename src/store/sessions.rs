//! Queries on `sessions`: browser logins to the console (hashed tokens only).

use super::{Store, StoreError, WriteTx};

pub async fn insert(
    tx: &mut WriteTx,
    token_hash: &str,
    now: i64,
    expire: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO sessions (token_hash, create_time, expire_time) VALUES (?, ?, ?)",
        token_hash,
        now,
        expire
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn is_live(store: &Store, token_hash: &str, now: i64) -> Result<bool, StoreError> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM sessions WHERE token_hash = ? AND expire_time > ?"#,
        token_hash,
        now
    )
    .fetch_one(store.reads())
    .await?;
    Ok(row.n > 0)
}

pub async fn delete(tx: &mut WriteTx, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = ?", token_hash)
        .execute(tx.conn())
        .await?;
    Ok(())
}
