//! Queries on `notifications` (they are stored by `outbox`).

use super::{Store, StoreError};

pub async fn payload(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query!("SELECT payload FROM notifications WHERE id = ?", id)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.map(|r| r.payload))
}
