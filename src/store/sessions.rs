//! Queries on `sessions`: browser logins to the console (hashed tokens only).

use sqlx::SqliteExecutor;

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: i64,
    expire: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (token_hash, create_time, expire_time) VALUES (?, ?, ?)",
        token_hash,
        now,
        expire
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn is_live(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM sessions WHERE token_hash = ? AND expire_time > ?"#,
        token_hash,
        now
    )
    .fetch_one(ex)
    .await?;
    Ok(row.n > 0)
}

pub async fn delete(ex: impl SqliteExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = ?", token_hash)
        .execute(ex)
        .await?;
    Ok(())
}
