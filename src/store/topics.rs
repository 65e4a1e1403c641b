//! Queries on `topics`.

use super::{Store, StoreError, WriteTx};

use crate::model::Topic;
use crate::time::to_datetime;

pub struct TopicRow {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub create_time: i64,
    pub update_time: i64,
}

impl From<TopicRow> for Topic {
    fn from(r: TopicRow) -> Self {
        Topic {
            id: r.id,
            name: r.name,
            project_id: r.project_id,
            create_time: to_datetime(r.create_time),
            update_time: to_datetime(r.update_time),
        }
    }
}

pub async fn insert(tx: &mut WriteTx, row: &TopicRow) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO topics (id, project_id, name, create_time, update_time) VALUES (?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.name,
        row.create_time,
        row.update_time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store, project_id: &str) -> Result<Vec<TopicRow>, StoreError> {
    sqlx::query_as!(
        TopicRow,
        "SELECT id, project_id, name, create_time, update_time FROM topics
         WHERE project_id = ? ORDER BY create_time, name",
        project_id
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

/// Finds a topic of the project by ID or, failing that, by name.
pub async fn find(
    store: &Store,
    project_id: &str,
    id_or_name: &str,
) -> Result<Option<TopicRow>, StoreError> {
    sqlx::query_as!(
        TopicRow,
        "SELECT id, project_id, name, create_time, update_time FROM topics
         WHERE project_id = ?1 AND (id = ?2 OR name = ?2) ORDER BY id = ?2 DESC LIMIT 1",
        project_id,
        id_or_name
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

pub async fn rename(tx: &mut WriteTx, id: &str, name: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE topics SET name = ?, update_time = ? WHERE id = ?",
        name,
        now,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes the topic; its routes go with it (ON DELETE CASCADE, same statement).
pub async fn delete(tx: &mut WriteTx, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query!("DELETE FROM topics WHERE id = ?", id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}
