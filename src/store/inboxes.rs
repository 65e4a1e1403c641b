//! Queries on `inboxes` and `captures`.

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct InboxRow {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub token: String,
    /// JSON array of response rules.
    pub rules: String,
    pub max_captures: i64,
    pub max_age_ms: i64,
    pub body_limit: i64,
    pub destination_id: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
}

#[derive(Clone, Debug)]
pub struct CaptureRow {
    pub seq: i64,
    pub id: String,
    pub inbox_id: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// JSON array of [name, value] pairs.
    pub headers: String,
    pub body: Vec<u8>,
    pub body_size: i64,
    pub remote_addr: Option<String>,
    pub status: Option<i64>,
    pub webhook_id: Option<String>,
    pub time: i64,
}

pub async fn insert(tx: &mut WriteTx, row: &InboxRow) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO inboxes (id, project_id, name, token, rules, max_captures, max_age_ms,
                              body_limit, destination_id, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.name,
        row.token,
        row.rules,
        row.max_captures,
        row.max_age_ms,
        row.body_limit,
        row.destination_id,
        row.create_time,
        row.update_time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store, project_id: &str) -> Result<Vec<InboxRow>, StoreError> {
    sqlx::query_as!(
        InboxRow,
        "SELECT id, project_id, name, token, rules, max_captures, max_age_ms, body_limit, destination_id,
                create_time, update_time
         FROM inboxes WHERE project_id = ? ORDER BY name",
        project_id
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

/// An inbox of the project by ID or, failing that, by name.
pub async fn find(
    store: &Store,
    project_id: &str,
    id_or_name: &str,
) -> Result<Option<InboxRow>, StoreError> {
    sqlx::query_as!(
        InboxRow,
        "SELECT id, project_id, name, token, rules, max_captures, max_age_ms, body_limit, destination_id,
                create_time, update_time
         FROM inboxes WHERE project_id = ?1 AND (id = ?2 OR name = ?2)
         ORDER BY id = ?2 DESC LIMIT 1",
        project_id,
        id_or_name
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

/// The inbox a capture URL's token names.
pub async fn by_token(store: &Store, token: &str) -> Result<Option<InboxRow>, StoreError> {
    sqlx::query_as!(
        InboxRow,
        "SELECT id, project_id, name, token, rules, max_captures, max_age_ms, body_limit, destination_id,
                create_time, update_time
         FROM inboxes WHERE token = ?",
        token
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

pub async fn update(tx: &mut WriteTx, row: &InboxRow) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE inboxes SET name = ?, rules = ?, max_captures = ?, max_age_ms = ?, body_limit = ?,
                            destination_id = ?, update_time = ?
         WHERE id = ?",
        row.name,
        row.rules,
        row.max_captures,
        row.max_age_ms,
        row.body_limit,
        row.destination_id,
        row.update_time,
        row.id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut WriteTx, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query!("DELETE FROM inboxes WHERE id = ?", id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Stores a capture, in the caller's transaction.
pub async fn add_capture(tx: &mut WriteTx, row: &CaptureRow) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO captures (id, inbox_id, method, path, query, headers, body, body_size,
                               remote_addr, status, webhook_id, time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.inbox_id,
        row.method,
        row.path,
        row.query,
        row.headers,
        row.body,
        row.body_size,
        row.remote_addr,
        row.status,
        row.webhook_id,
        row.time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Drops the inbox's captures beyond its newest `keep` and those older than `before`, in
/// the caller's transaction: the caps hold however fast requests come.
pub async fn trim_captures(
    tx: &mut WriteTx,
    inbox_id: &str,
    keep: i64,
    before: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "DELETE FROM captures WHERE inbox_id = ?1 AND time < ?2",
        inbox_id,
        before
    )
    .execute(tx.conn())
    .await?;
    sqlx::query!(
        "DELETE FROM captures WHERE inbox_id = ?1 AND seq <= (
             SELECT seq FROM captures WHERE inbox_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
        inbox_id,
        keep
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The inbox's captures, newest first.
pub async fn captures(
    store: &Store,
    inbox_id: &str,
    limit: i64,
) -> Result<Vec<CaptureRow>, StoreError> {
    sqlx::query_as!(
        CaptureRow,
        r#"SELECT seq AS "seq!", id, inbox_id, method, path, query, headers, body, body_size,
                  remote_addr, status, webhook_id, time
           FROM captures WHERE inbox_id = ? ORDER BY seq DESC LIMIT ?"#,
        inbox_id,
        limit
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

pub async fn count_captures(store: &Store, inbox_id: &str) -> Result<i64, StoreError> {
    let n = sqlx::query_scalar!("SELECT COUNT(*) FROM captures WHERE inbox_id = ?", inbox_id)
        .fetch_one(store.reads())
        .await?;
    Ok(n)
}

/// One capture of the inbox.
pub async fn capture(
    store: &Store,
    inbox_id: &str,
    id: &str,
) -> Result<Option<CaptureRow>, StoreError> {
    sqlx::query_as!(
        CaptureRow,
        r#"SELECT seq AS "seq!", id, inbox_id, method, path, query, headers, body, body_size,
                  remote_addr, status, webhook_id, time
           FROM captures WHERE inbox_id = ? AND id = ?"#,
        inbox_id,
        id
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

/// Keeps a replay's result beside its capture.
pub async fn add_replay(
    tx: &mut WriteTx,
    id: &str,
    capture_id: &str,
    url: &str,
    result: &str,
    time: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO replays (id, capture_id, url, result, time) VALUES (?, ?, ?, ?, ?)",
        id,
        capture_id,
        url,
        result,
        time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
