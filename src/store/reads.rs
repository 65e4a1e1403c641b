//! Queries on the read-action tables: `integrations`, `revisions`, `installations`,
//! `read_objects`, `records` and `operations`, for the API. What the read runner commits
//! with the messages it makes is in `store::read_progress`.

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IntegrationRow {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub provider: String,
    pub latest_revision_id: String,
    pub create_time: i64,
    pub update_time: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: String,
    pub integration_id: String,
    pub spec_version: String,
    /// The manifest's integration, JSON.
    pub content: String,
    pub create_time: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InstallationRow {
    pub id: String,
    pub project_id: String,
    pub integration_id: String,
    pub group_ref: String,
    pub group_name: String,
    pub consumer_ref: String,
    pub consumer_name: String,
    pub connection_id: String,
    pub config_id: String,
    pub revision_id: String,
    pub config_created_by: String,
    pub config_create_time: i64,
    /// The config's content, JSON.
    pub config: String,
    pub create_time: i64,
    pub update_time: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReadObjectRow {
    pub installation_id: String,
    pub object_name: String,
    pub cursor_seq: i64,
    pub backfill: String,
    pub paused: bool,
    pub pause_note: Option<String>,
    pub next_run_time: Option<i64>,
    pub failed_runs: i64,
    pub page_credit: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OperationRow {
    pub id: String,
    pub project_id: String,
    pub integration_id: String,
    pub installation_id: String,
    pub config_id: String,
    pub object_name: String,
    pub read_type: String,
    pub status: String,
    pub from_seq: i64,
    pub to_seq: i64,
    pub since_time: Option<i64>,
    pub until_time: Option<i64>,
    pub done_seq: i64,
    pub records_processed: i64,
    pub messages: i64,
    pub result: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
}

/// A record as uploaded to a group's source.
#[derive(Clone, Debug)]
pub struct NewRecord {
    pub record_id: String,
    pub update_time: i64,
    pub body: String,
}

/// Where records live: a group's SaaS instance, one provider object.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    pub project_id: &'a str,
    pub provider: &'a str,
    pub group_ref: &'a str,
    pub object_name: &'a str,
}

// ---- integrations and revisions

pub async fn list_integrations(
    store: &Store,
    project_id: &str,
) -> Result<Vec<(IntegrationRow, RevisionRow)>, StoreError> {
    let rows: Vec<IntegrationRow> = sqlx::query_as(
        "SELECT id, project_id, name, provider, latest_revision_id, create_time, update_time
         FROM integrations WHERE project_id = ? ORDER BY name",
    )
    .bind(project_id)
    .fetch_all(store.reads())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let revision = revision(store, &row.latest_revision_id).await?;
        if let Some(revision) = revision {
            out.push((row, revision));
        }
    }
    Ok(out)
}

/// An integration of the project by ID or, failing that, by name.
pub async fn find_integration(
    store: &Store,
    project_id: &str,
    id_or_name: &str,
) -> Result<Option<(IntegrationRow, RevisionRow)>, StoreError> {
    let row: Option<IntegrationRow> = sqlx::query_as(
        "SELECT id, project_id, name, provider, latest_revision_id, create_time, update_time
         FROM integrations WHERE project_id = ?1 AND (id = ?2 OR name = ?2)
         ORDER BY id = ?2 DESC LIMIT 1",
    )
    .bind(project_id)
    .bind(id_or_name)
    .fetch_optional(store.reads())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(revision(store, &row.latest_revision_id)
        .await?
        .map(|r| (row, r)))
}

pub async fn revision(store: &Store, id: &str) -> Result<Option<RevisionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, integration_id, spec_version, content, create_time FROM revisions WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(store.reads())
    .await?)
}

pub async fn integration_by_name_tx(
    tx: &mut WriteTx,
    project_id: &str,
    name: &str,
) -> Result<Option<IntegrationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, project_id, name, provider, latest_revision_id, create_time, update_time
         FROM integrations WHERE project_id = ? AND name = ?",
    )
    .bind(project_id)
    .bind(name)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn insert_integration(tx: &mut WriteTx, row: &IntegrationRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO integrations (id, project_id, name, provider, latest_revision_id, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.project_id)
    .bind(&row.name)
    .bind(&row.provider)
    .bind(&row.latest_revision_id)
    .bind(row.create_time)
    .bind(row.update_time)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Makes `revision` the integration's latest (inserting it).
pub async fn add_revision(
    tx: &mut WriteTx,
    revision: &RevisionRow,
    provider: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO revisions (id, integration_id, spec_version, content, create_time)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&revision.id)
    .bind(&revision.integration_id)
    .bind(&revision.spec_version)
    .bind(&revision.content)
    .bind(revision.create_time)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE integrations SET latest_revision_id = ?, provider = ?, update_time = ? WHERE id = ?",
    )
    .bind(&revision.id)
    .bind(provider)
    .bind(revision.create_time)
    .bind(&revision.integration_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes an integration with its revisions, installations, read state and operations.
pub async fn delete_integration(tx: &mut WriteTx, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM integrations WHERE id = ?")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

// ---- installations

pub(in crate::store) const INSTALLATION_COLUMNS: &str =
    "id, project_id, integration_id, group_ref, group_name, consumer_ref,
    consumer_name, connection_id, config_id, revision_id, config_created_by, config_create_time,
    config, create_time, update_time";

pub async fn list_installations(
    store: &Store,
    project_id: &str,
    integration_id: Option<&str>,
    group_ref: Option<&str>,
) -> Result<Vec<InstallationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INSTALLATION_COLUMNS} FROM installations
         WHERE project_id = ?1 AND (?2 IS NULL OR integration_id = ?2) AND (?3 IS NULL OR group_ref = ?3)
         ORDER BY create_time, id"
    ))
    .bind(project_id)
    .bind(integration_id)
    .bind(group_ref)
    .fetch_all(store.reads())
    .await?)
}

pub async fn installation(
    store: &Store,
    integration_id: &str,
    id: &str,
) -> Result<Option<InstallationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INSTALLATION_COLUMNS} FROM installations WHERE integration_id = ? AND id = ?"
    ))
    .bind(integration_id)
    .bind(id)
    .fetch_optional(store.reads())
    .await?)
}

pub async fn installation_by_id(
    store: &Store,
    id: &str,
) -> Result<Option<InstallationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INSTALLATION_COLUMNS} FROM installations WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(store.reads())
    .await?)
}

pub async fn installation_for_group(
    store: &Store,
    integration_id: &str,
    group_ref: &str,
) -> Result<Option<InstallationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INSTALLATION_COLUMNS} FROM installations WHERE integration_id = ? AND group_ref = ?"
    ))
    .bind(integration_id)
    .bind(group_ref)
    .fetch_optional(store.reads())
    .await?)
}

// ---- read objects

pub async fn read_objects(
    store: &Store,
    installation_id: &str,
) -> Result<Vec<ReadObjectRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT installation_id, object_name, cursor_seq, backfill, paused, pause_note, next_run_time,
                failed_runs, page_credit
         FROM read_objects WHERE installation_id = ? ORDER BY object_name",
    )
    .bind(installation_id)
    .fetch_all(store.reads())
    .await?)
}

/// Pauses or unpauses objects (all when `objects` is None); a run failure count starts
/// again at unpause.
pub async fn set_paused(
    tx: &mut WriteTx,
    installation_id: &str,
    objects: Option<&[String]>,
    paused: bool,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let names = objects.map(|o| serde_json::to_string(o).unwrap_or_default());
    sqlx::query(
        "UPDATE read_objects SET paused = ?1, pause_note = ?2, failed_runs = CASE WHEN ?1 THEN failed_runs ELSE 0 END
         WHERE installation_id = ?3
           AND (?4 IS NULL OR object_name IN (SELECT value FROM json_each(?4)))",
    )
    .bind(paused)
    .bind(note)
    .bind(installation_id)
    .bind(names)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn add_page_credit(
    tx: &mut WriteTx,
    installation_id: &str,
    object_name: &str,
    pages: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE read_objects SET page_credit = page_credit + ? WHERE installation_id = ? AND object_name = ?",
    )
    .bind(pages)
    .bind(installation_id)
    .bind(object_name)
    .execute(tx.conn())
    .await?;
    Ok(())
}

// ---- records

/// The newest record's seq in a source (0 when empty).
pub async fn max_seq(store: &Store, source: &Source<'_>) -> Result<i64, StoreError> {
    let (seq,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(seq) FROM records
         WHERE project_id = ? AND provider = ? AND group_ref = ? AND object_name = ?",
    )
    .bind(source.project_id)
    .bind(source.provider)
    .bind(source.group_ref)
    .bind(source.object_name)
    .fetch_one(store.reads())
    .await?;
    Ok(seq.unwrap_or(0))
}

/// Stores records (a record written again gets a new seq: it changed).
pub async fn put_records(
    tx: &mut WriteTx,
    source: &Source<'_>,
    records: &[NewRecord],
) -> Result<(), StoreError> {
    for r in records {
        sqlx::query(
            "INSERT OR REPLACE INTO records (project_id, provider, group_ref, object_name, record_id, update_time, body)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(source.project_id)
        .bind(source.provider)
        .bind(source.group_ref)
        .bind(source.object_name)
        .bind(&r.record_id)
        .bind(r.update_time)
        .bind(&r.body)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

// ---- operations

pub(in crate::store) const OPERATION_COLUMNS: &str = "id, project_id, integration_id, installation_id, config_id, object_name,
    read_type, status, from_seq, to_seq, since_time, until_time, done_seq, records_processed, messages,
    result, create_time, update_time";

pub async fn operation(
    store: &Store,
    project_id: &str,
    id: &str,
) -> Result<Option<OperationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATION_COLUMNS} FROM operations WHERE project_id = ? AND id = ?"
    ))
    .bind(project_id)
    .bind(id)
    .fetch_optional(store.reads())
    .await?)
}

/// An installation's operations, newest first (of one object when given).
pub async fn operations(
    store: &Store,
    installation_id: &str,
    object_name: Option<&str>,
    read_type: Option<&str>,
    limit: i64,
) -> Result<Vec<OperationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATION_COLUMNS} FROM operations
         WHERE installation_id = ?1 AND (?2 IS NULL OR object_name = ?2) AND (?3 IS NULL OR read_type = ?3)
         ORDER BY create_time DESC, rowid DESC LIMIT ?4"
    ))
    .bind(installation_id)
    .bind(object_name)
    .bind(read_type)
    .bind(limit)
    .fetch_all(store.reads())
    .await?)
}

/// Operations still running (the runner resumes them after a restart).
pub async fn running_operations(store: &Store) -> Result<Vec<OperationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATION_COLUMNS} FROM operations WHERE status = 'in_progress' ORDER BY create_time, rowid"
    ))
    .fetch_all(store.reads())
    .await?)
}

/// Objects whose scheduled read is due: not paused, backfill finished, nothing running.
pub async fn due_objects(store: &Store, now: i64) -> Result<Vec<ReadObjectRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.installation_id, r.object_name, r.cursor_seq, r.backfill, r.paused, r.pause_note,
                r.next_run_time, r.failed_runs, r.page_credit
         FROM read_objects r
         WHERE r.paused = 0 AND r.backfill != 'running' AND r.next_run_time IS NOT NULL AND r.next_run_time <= ?
           AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.installation_id = r.installation_id
                           AND o.object_name = r.object_name AND o.status = 'in_progress')",
    )
    .bind(now)
    .fetch_all(store.reads())
    .await?)
}

/// When the next scheduled read is due, if any.
pub async fn next_due(store: &Store) -> Result<Option<i64>, StoreError> {
    let (t,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(next_run_time) FROM read_objects WHERE paused = 0")
            .fetch_one(store.reads())
            .await?;
    Ok(t)
}

pub async fn read_object(
    store: &Store,
    installation_id: &str,
    object_name: &str,
) -> Result<Option<ReadObjectRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT installation_id, object_name, cursor_seq, backfill, paused, pause_note, next_run_time,
                failed_runs, page_credit
         FROM read_objects WHERE installation_id = ? AND object_name = ?",
    )
    .bind(installation_id)
    .bind(object_name)
    .fetch_optional(store.reads())
    .await?)
}

/// Up to `limit` records of a source with `after < seq <= upto`, updated in
/// `[since, until)` when given, in seq order: `(seq, body)`.
pub async fn records_after(
    store: &Store,
    source: &Source<'_>,
    after: i64,
    upto: i64,
    since: Option<i64>,
    until: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, body FROM records
         WHERE project_id = ?1 AND provider = ?2 AND group_ref = ?3 AND object_name = ?4
           AND seq > ?5 AND seq <= ?6
           AND (?7 IS NULL OR update_time >= ?7) AND (?8 IS NULL OR update_time < ?8)
         ORDER BY seq LIMIT ?9",
    )
    .bind(source.project_id)
    .bind(source.provider)
    .bind(source.group_ref)
    .bind(source.object_name)
    .bind(after)
    .bind(upto)
    .bind(since)
    .bind(until)
    .bind(limit)
    .fetch_all(store.reads())
    .await?)
}
