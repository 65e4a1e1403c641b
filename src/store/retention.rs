//! Pruning old data in small batches (each its own short write transaction, so delivery
//! never waits long for the write lock): delivered messages with their attempts,
//! notifications left without messages, and the payloads of notifications that are done.

use super::{StoreError, WriteTx};

/// Deletes up to `limit` messages delivered before `cutoff` (their attempts go with them).
pub async fn delete_delivered(
    tx: &mut WriteTx,
    cutoff: i64,
    limit: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM messages WHERE seq IN (
             SELECT seq FROM messages INDEXED BY messages_delivered
             WHERE status = 'delivered' AND delivered_time < ?1 LIMIT ?2)",
    )
    .bind(cutoff)
    .bind(limit)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Deletes up to `limit` notifications created before `cutoff` that no message refers to
/// any more.
pub async fn delete_orphan_notifications(
    tx: &mut WriteTx,
    cutoff: i64,
    limit: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM notifications WHERE rowid IN (
             SELECT n.rowid FROM notifications n
             WHERE n.create_time < ?1
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.notification_id = n.id)
             LIMIT ?2)",
    )
    .bind(cutoff)
    .bind(limit)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Drops the payloads of up to `limit` notifications created before `cutoff` none of whose
/// messages still waits or is being delivered; they are marked `payload_expired`.
pub async fn expire_payloads(tx: &mut WriteTx, cutoff: i64, limit: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET payload = '', payload_expired = 1 WHERE rowid IN (
             SELECT n.rowid FROM notifications n
             WHERE n.create_time < ?1 AND n.payload_expired = 0
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.notification_id = n.id
                               AND m.status IN ('pending', 'delivering', 'failed'))
             LIMIT ?2)",
    )
    .bind(cutoff)
    .bind(limit)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
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
