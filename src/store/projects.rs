//! Queries on `projects`.

use super::{Store, StoreError, WriteTx};
use rusqlite::OptionalExtension;

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

pub async fn insert(tx: &mut WriteTx, id: &str, name: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO projects (id, name, create_time, update_time) VALUES (?, ?, ?, ?)",
        id,
        name,
        now,
        now
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store) -> Result<Vec<ProjectRow>, StoreError> {
    sqlx::query_as!(
        ProjectRow,
        "SELECT id, name, create_time, update_time FROM projects ORDER BY create_time, name"
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

/// Finds a project by ID or, failing that, by name (an inline read on the calling
/// thread, see `store::reader`).
pub fn find(store: &Store, id_or_name: &str) -> Result<Option<ProjectRow>, StoreError> {
    Ok(store.read(|conn| {
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
    })?)
}
