//! Pruning old data in small batches, each its own short transaction on the writer thread
//! (`WriterConn::housekeeping_transaction`: no hand-offs between statements while it holds
//! the write lock, and no fsync), so delivery never waits long behind it: delivered
//! messages with their attempts, notifications left without messages, and the payloads of
//! notifications that are done.

use rusqlite::params;

use super::writer::OutboxTx;
use super::StoreError;

/// Deletes up to `limit` messages delivered before `cutoff` (their attempts go with them).
pub fn delete_delivered(tx: &OutboxTx, cutoff: i64, limit: i64) -> Result<u64, StoreError> {
    let done = tx
        .conn()
        .prepare_cached(
            "DELETE FROM messages WHERE seq IN (
                 SELECT seq FROM messages INDEXED BY messages_delivered
                 WHERE status = 'delivered' AND delivered_time < ?1 LIMIT ?2)",
        )?
        .execute(params![cutoff, limit])?;
    Ok(done as u64)
}

/// Deletes up to `limit` notifications created before `cutoff` that no message refers to
/// any more.
pub fn delete_orphan_notifications(
    tx: &OutboxTx,
    cutoff: i64,
    limit: i64,
) -> Result<u64, StoreError> {
    let done = tx
        .conn()
        .prepare_cached(
            "DELETE FROM notifications WHERE rowid IN (
                 SELECT n.rowid FROM notifications n
                 WHERE n.create_time < ?1
                   AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.notification_id = n.id)
                 LIMIT ?2)",
        )?
        .execute(params![cutoff, limit])?;
    Ok(done as u64)
}

/// Drops the payloads of up to `limit` notifications created before `cutoff` none of whose
/// messages still waits or is being delivered; they are marked `payload_expired`.
pub fn expire_payloads(tx: &OutboxTx, cutoff: i64, limit: i64) -> Result<u64, StoreError> {
    let done = tx
        .conn()
        .prepare_cached(
            "UPDATE notifications SET payload = '', payload_expired = 1 WHERE rowid IN (
                 SELECT n.rowid FROM notifications n
                 WHERE n.create_time < ?1 AND n.payload_expired = 0
                   AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.notification_id = n.id
                                   AND m.status IN ('pending', 'delivering', 'failed'))
                 LIMIT ?2)",
        )?
        .execute(params![cutoff, limit])?;
    Ok(done as u64)
}

/// Whether a notification's payload was dropped by retention.
pub async fn payload_expired(
    store: &super::Store,
    notification_id: &str,
) -> Result<bool, StoreError> {
    let row: Option<(bool,)> =
        sqlx::query_as("SELECT payload_expired FROM notifications WHERE id = ?")
            .bind(notification_id)
            .fetch_optional(store.reads())
            .await?;
    Ok(row.is_some_and(|(expired,)| expired))
}
