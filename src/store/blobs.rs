//! Queries on `blobs`.

use sqlx::SqliteExecutor;

/// Stores (or refreshes) a blob; it lives at least until `expire`.
pub async fn put(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    content: &str,
    now: i64,
    expire: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO blobs (id, content, create_time, expire_time) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET content = excluded.content,
                                        expire_time = MAX(blobs.expire_time, excluded.expire_time)",
        id,
        content,
        now,
        expire
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn get(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query!("SELECT content FROM blobs WHERE id = ?", id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.content))
}

pub async fn delete_expired(ex: impl SqliteExecutor<'_>, now: i64) -> sqlx::Result<u64> {
    let done = sqlx::query!("DELETE FROM blobs WHERE expire_time < ?", now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
