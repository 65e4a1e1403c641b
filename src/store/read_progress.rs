//! What the read runner commits on the writer thread, in the same transaction as the
//! messages a read made: an operation's progress, an object's cursor, the backfill's end,
//! the schedule, page credit and download blobs. Committing them together is what lets a
//! read resume after a crash without losing or re-sending records.

use rusqlite::{params, OptionalExtension};

use super::destinations::DestinationRow;
use super::outbox::{destination_row, DESTINATION_COLUMNS};
use super::reads::{InstallationRow, OperationRow, INSTALLATION_COLUMNS, OPERATION_COLUMNS};
use super::writer::OutboxTx;
use super::StoreError;

/// A project's destination by name (read objects name theirs).
pub fn destination_by_name(
    tx: &OutboxTx,
    project_id: &str,
    name: &str,
) -> Result<Option<DestinationRow>, StoreError> {
    Ok(tx
        .conn()
        .prepare_cached(&format!(
            "SELECT {DESTINATION_COLUMNS} FROM destinations d WHERE d.project_id = ?1 AND d.name = ?2"
        ))?
        .query_row(params![project_id, name], destination_row)
        .optional()?)
}

/// Moves an operation on past `done_seq`; false when it is no longer running (deleted
/// with its installation, or finished meanwhile).
pub fn advance_operation(
    tx: &OutboxTx,
    operation_id: &str,
    done_seq: i64,
    records: i64,
    messages: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = tx
        .conn()
        .prepare_cached(
            "UPDATE operations SET done_seq = ?2, records_processed = records_processed + ?3,
                    messages = messages + ?4, update_time = ?5
             WHERE id = ?1 AND status = 'in_progress'",
        )?
        .execute(params![operation_id, done_seq, records, messages, now])?;
    Ok(changed > 0)
}

pub fn finish_operation(
    tx: &OutboxTx,
    operation_id: &str,
    status: &str,
    result: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE operations SET status = ?2, result = ?3, update_time = ?4 WHERE id = ?1",
        )?
        .execute(params![operation_id, status, result, now])?;
    Ok(())
}

/// Incremental reads continue after `seq`.
pub fn set_cursor(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    seq: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE read_objects SET cursor_seq = MAX(cursor_seq, ?3)
             WHERE installation_id = ?1 AND object_name = ?2",
        )?
        .execute(params![installation_id, object_name, seq])?;
    Ok(())
}

pub fn set_backfill(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    state: &str,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE read_objects SET backfill = ?3 WHERE installation_id = ?1 AND object_name = ?2",
        )?
        .execute(params![installation_id, object_name, state])?;
    Ok(())
}

/// After a scheduled run: when the next is due, and the run's outcome. Returns the failed
/// runs in a row.
pub fn schedule_next(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    next_run_time: Option<i64>,
    failed: bool,
) -> Result<i64, StoreError> {
    Ok(tx
        .conn()
        .prepare_cached(
            "UPDATE read_objects SET next_run_time = ?3,
                    failed_runs = CASE WHEN ?4 THEN failed_runs + 1 ELSE 0 END
             WHERE installation_id = ?1 AND object_name = ?2
             RETURNING failed_runs",
        )?
        .query_row(
            params![installation_id, object_name, next_run_time, failed],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

pub fn pause(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    note: &str,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE read_objects SET paused = 1, pause_note = ?3
             WHERE installation_id = ?1 AND object_name = ?2",
        )?
        .execute(params![installation_id, object_name, note])?;
    Ok(())
}

/// Spends `pages` of an `onRequest` object's page credit.
pub fn spend_page_credit(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    pages: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE read_objects SET page_credit = MAX(0, page_credit - ?3)
             WHERE installation_id = ?1 AND object_name = ?2",
        )?
        .execute(params![installation_id, object_name, pages])?;
    Ok(())
}

/// Stores a download (a record too large to send inline) until `expire`.
pub fn put_blob(
    tx: &OutboxTx,
    id: &str,
    content: &str,
    now: i64,
    expire: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(super::blobs::UPSERT)?
        .execute(params![id, content, now, expire])?;
    Ok(())
}

// ---- installations and operations, written with the notifications that announce them

pub fn insert_installation(tx: &OutboxTx, row: &InstallationRow) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(&format!(
            "INSERT INTO installations ({INSTALLATION_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ))?
        .execute(params![
            row.id,
            row.project_id,
            row.integration_id,
            row.group_ref,
            row.group_name,
            row.consumer_ref,
            row.consumer_name,
            row.connection_id,
            row.config_id,
            row.revision_id,
            row.config_created_by,
            row.config_create_time,
            row.config,
            row.create_time,
            row.update_time
        ])?;
    Ok(())
}

pub fn update_installation(tx: &OutboxTx, row: &InstallationRow) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "UPDATE installations SET connection_id = ?2, config_id = ?3, revision_id = ?4,
                    config_created_by = ?5, config_create_time = ?6, config = ?7, update_time = ?8
             WHERE id = ?1",
        )?
        .execute(params![
            row.id,
            row.connection_id,
            row.config_id,
            row.revision_id,
            row.config_created_by,
            row.config_create_time,
            row.config,
            row.update_time
        ])?;
    Ok(())
}

pub fn delete_installation(tx: &OutboxTx, id: &str) -> Result<bool, StoreError> {
    let done = tx
        .conn()
        .prepare_cached("DELETE FROM installations WHERE id = ?1")?
        .execute(params![id])?;
    Ok(done > 0)
}

/// Adds an object's read state, or sets the next run of the one it has (an update keeps
/// its cursor).
pub fn ensure_read_object(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
    cursor_seq: i64,
    backfill: &str,
    next_run_time: Option<i64>,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO read_objects (installation_id, object_name, cursor_seq, backfill, next_run_time)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (installation_id, object_name) DO UPDATE SET next_run_time = excluded.next_run_time",
        )?
        .execute(params![installation_id, object_name, cursor_seq, backfill, next_run_time])?;
    Ok(())
}

pub fn remove_read_object(
    tx: &OutboxTx,
    installation_id: &str,
    object_name: &str,
) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached("DELETE FROM read_objects WHERE installation_id = ?1 AND object_name = ?2")?
        .execute(params![installation_id, object_name])?;
    Ok(())
}

pub fn insert_operation(tx: &OutboxTx, row: &OperationRow) -> Result<(), StoreError> {
    tx.conn()
        .prepare_cached(&format!(
            "INSERT INTO operations ({OPERATION_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        ))?
        .execute(params![
            row.id,
            row.project_id,
            row.integration_id,
            row.installation_id,
            row.config_id,
            row.object_name,
            row.read_type,
            row.status,
            row.from_seq,
            row.to_seq,
            row.since_time,
            row.until_time,
            row.done_seq,
            row.records_processed,
            row.messages,
            row.result,
            row.create_time,
            row.update_time
        ])?;
    Ok(())
}
