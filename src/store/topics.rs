//! Queries on `topics`.

use sqlx::SqliteExecutor;

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

pub async fn insert(ex: impl SqliteExecutor<'_>, row: &TopicRow) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO topics (id, project_id, name, create_time, update_time) VALUES (?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.name,
        row.create_time,
        row.update_time
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn list(ex: impl SqliteExecutor<'_>, project_id: &str) -> sqlx::Result<Vec<TopicRow>> {
    sqlx::query_as!(
        TopicRow,
        "SELECT id, project_id, name, create_time, update_time FROM topics
         WHERE project_id = ? ORDER BY create_time, name",
        project_id
    )
    .fetch_all(ex)
    .await
}

/// Finds a topic of the project by ID or, failing that, by name.
pub async fn find(
    ex: impl SqliteExecutor<'_>,
    project_id: &str,
    id_or_name: &str,
) -> sqlx::Result<Option<TopicRow>> {
    sqlx::query_as!(
        TopicRow,
        "SELECT id, project_id, name, create_time, update_time FROM topics
         WHERE project_id = ?1 AND (id = ?2 OR name = ?2) ORDER BY id = ?2 DESC LIMIT 1",
        project_id,
        id_or_name
    )
    .fetch_optional(ex)
    .await
}

pub async fn rename(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    name: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE topics SET name = ?, update_time = ? WHERE id = ?",
        name,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Deletes the topic; its routes go with it (ON DELETE CASCADE, same statement).
pub async fn delete(ex: impl SqliteExecutor<'_>, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM topics WHERE id = ?", id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}
