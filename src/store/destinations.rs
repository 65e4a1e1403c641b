//! Queries on `destinations`.

use super::{Store, StoreError, WriteTx};

use crate::model::destination::Failing;
use crate::model::{Destination, DestinationMetadata, DestinationStatus, DestinationType};
use crate::time::to_datetime;

#[derive(Clone, Debug)]
pub struct DestinationRow {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub kind: DestinationType,
    pub metadata: String,
    pub status: DestinationStatus,
    pub disabled_reason: Option<String>,
    pub disabled_time: Option<i64>,
    pub previous_key_expire_time: Option<i64>,
    pub create_time: i64,
    pub update_time: i64,
    /// The destination's own delivery policy (JSON), if any.
    pub delivery: Option<String>,
    /// Set while no attempt succeeded since this first failure: the destination is failing.
    pub failing_since: Option<i64>,
    /// The last failed attempt (kept after a success, but shown only while failing).
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    pub last_failure_time: Option<i64>,
}

impl DestinationRow {
    pub fn metadata(&self) -> DestinationMetadata {
        serde_json::from_str(&self.metadata).unwrap_or_default()
    }

    /// The API view, without secrets.
    pub fn to_api(&self) -> Destination {
        Destination {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            metadata: self.metadata(),
            project_id: self.project_id.clone(),
            create_time: to_datetime(self.create_time),
            update_time: to_datetime(self.update_time),
            status: self.status,
            disabled_reason: self.disabled_reason.clone(),
            disabled_time: self.disabled_time.map(to_datetime),
            secrets: None,
            delivery: self
                .delivery
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok()),
            failing: self.failing_since.map(|since| Failing {
                since: to_datetime(since),
                last_error: self.last_error.clone(),
                last_error_class: self.last_error_class.clone(),
                last_failure_time: self.last_failure_time.map(to_datetime),
                disable_time: None,
            }),
        }
    }
}

pub async fn insert(tx: &mut WriteTx, row: &DestinationRow) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO destinations (id, project_id, name, kind, metadata, status, create_time, update_time, delivery)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.name,
        row.kind,
        row.metadata,
        row.status,
        row.create_time,
        row.update_time,
        row.delivery
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn list(store: &Store, project_id: &str) -> Result<Vec<DestinationRow>, StoreError> {
    sqlx::query_as!(
        DestinationRow,
        r#"SELECT id, project_id, name, kind as "kind: DestinationType", metadata,
                status as "status: DestinationStatus", disabled_reason, disabled_time,
                previous_key_expire_time, create_time, update_time, delivery,
                failing_since, last_error, last_error_class, last_failure_time
         FROM destinations WHERE project_id = ? ORDER BY create_time, name"#,
        project_id
    )
    .fetch_all(store.reads())
    .await
    .map_err(StoreError::from)
}

/// Finds a destination of the project by ID or, failing that, by name.
pub async fn find(
    store: &Store,
    project_id: &str,
    id_or_name: &str,
) -> Result<Option<DestinationRow>, StoreError> {
    sqlx::query_as!(
        DestinationRow,
        r#"SELECT id, project_id, name, kind as "kind: DestinationType", metadata,
                status as "status: DestinationStatus", disabled_reason, disabled_time,
                previous_key_expire_time, create_time, update_time, delivery,
                failing_since, last_error, last_error_class, last_failure_time
         FROM destinations WHERE project_id = ?1 AND (id = ?2 OR name = ?2)
         ORDER BY id = ?2 DESC LIMIT 1"#,
        project_id,
        id_or_name
    )
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)
}

pub async fn update_fields(
    tx: &mut WriteTx,
    id: &str,
    name: &str,
    metadata: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE destinations SET name = ?, metadata = ?, update_time = ? WHERE id = ?",
        name,
        metadata,
        now,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn set_previous_key_expiry(
    tx: &mut WriteTx,
    id: &str,
    expire: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE destinations SET previous_key_expire_time = ?, update_time = ? WHERE id = ?",
        expire,
        now,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes the destination; its routes go with it (ON DELETE CASCADE, same statement).
pub async fn delete(tx: &mut WriteTx, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query!("DELETE FROM destinations WHERE id = ?", id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn set_delivery_policy(
    tx: &mut WriteTx,
    id: &str,
    policy: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE destinations SET delivery = ?, update_time = ? WHERE id = ?",
        policy,
        now,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Moves the destination to `to` if its status is still one of `from`, in one statement:
/// a check in the caller followed by an unconditional write would let an operator's pause
/// overwrite a disable the dispatcher committed in between. False: the status was not one
/// of `from` (or the destination is gone), and nothing changed.
pub async fn change_status(
    tx: &mut WriteTx,
    id: &str,
    to: DestinationStatus,
    from: [DestinationStatus; 2],
    now: i64,
) -> Result<bool, StoreError> {
    let (to, from_a, from_b) = (to.as_str(), from[0].as_str(), from[1].as_str());
    let done = sqlx::query!(
        "UPDATE destinations SET status = ?2, update_time = ?3,
             disabled_reason = CASE WHEN ?2 = 'disabled' THEN disabled_reason ELSE NULL END,
             disabled_time = CASE WHEN ?2 = 'disabled' THEN disabled_time ELSE NULL END,
             failing_since = CASE WHEN ?2 = 'active' THEN NULL ELSE failing_since END,
             last_exhausted_time = CASE WHEN ?2 = 'active' THEN NULL ELSE last_exhausted_time END
         WHERE id = ?1 AND status IN (?4, ?5)",
        id,
        to,
        now,
        from_a,
        from_b
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{outbox, projects, Store};

    /// The race between an operator's pause and the dispatcher's disable, with the disable
    /// landing between the handler's read and its write: the pause must lose, and the
    /// disable keep its reason.
    #[tokio::test]
    async fn a_status_change_does_not_overwrite_a_disable_committed_after_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        projects::insert(&mut tx, "p1", "default", 0).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        sqlx::query(
            "INSERT INTO destinations (id, project_id, name, kind, metadata, status, create_time, update_time)
             VALUES ('d', 'p1', 'd', 'webhook', '{}', 'active', 0, 0)",
        )
        .execute(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // What the handler saw.
        let seen = find(&store, "p1", "d").await.unwrap().unwrap();
        assert_eq!(seen.status, DestinationStatus::Active);
        // The recorder's disable, on its own connection.
        let disabled = store
            .writer()
            .run(|conn| {
                conn.transaction(|tx| outbox::disable(tx, "d", "the receiver answered 410 Gone", 5))
                    .map_err(anyhow::Error::from)
            })
            .await
            .unwrap();
        assert!(disabled);

        use DestinationStatus::*;
        for (to, from) in [(Paused, [Active, Paused]), (Active, [Paused, Active])] {
            let mut tx = store.begin_write().await.unwrap();
            let changed = change_status(&mut tx, "d", to, from, 6).await.unwrap();
            tx.commit().await.unwrap();
            assert!(!changed, "{to:?} from {from:?} must lose to the disable");
        }
        let row = find(&store, "p1", "d").await.unwrap().unwrap();
        assert_eq!(row.status, Disabled);
        assert_eq!(
            row.disabled_reason.as_deref(),
            Some("the receiver answered 410 Gone")
        );
        assert_eq!(row.disabled_time, Some(5));

        // Enabling applies to a disabled destination, and clears the reason.
        let mut tx = store.begin_write().await.unwrap();
        let enabled = change_status(&mut tx, "d", Active, [Disabled, Active], 7)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(enabled);
        let row = find(&store, "p1", "d").await.unwrap().unwrap();
        assert_eq!((row.status, row.disabled_reason), (Active, None));
    }
}
