//! Queries on `projects`.

use rusqlite::OptionalExtension;
use sqlx::SqliteExecutor;

use crate::model::Project;
use crate::time::to_datetime;

#[derive(Clone, Debug)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub create_time: i64,
    pub update_time: i64,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Project {
            id: r.id,
            name: r.name,
            create_time: to_datetime(r.create_time),
            update_time: to_datetime(r.update_time),
        }
    }
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    name: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO projects (id, name, create_time, update_time) VALUES (?, ?, ?, ?)",
        id,
        name,
        now,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> sqlx::Result<Vec<ProjectRow>> {
    sqlx::query_as!(
        ProjectRow,
        "SELECT id, name, create_time, update_time FROM projects ORDER BY create_time, name"
    )
    .fetch_all(ex)
    .await
}

/// Finds a project by ID or, failing that, by name (an inline read: `Store::read`).
pub fn find(conn: &rusqlite::Connection, id_or_name: &str) -> rusqlite::Result<Option<ProjectRow>> {
    conn.prepare_cached(
        "SELECT id, name, create_time, update_time FROM projects
         WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
    )?
    .query_row([id_or_name], |r| {
        Ok(ProjectRow {
            id: r.get(0)?,
            name: r.get(1)?,
            create_time: r.get(2)?,
            update_time: r.get(3)?,
        })
    })
    .optional()
}
