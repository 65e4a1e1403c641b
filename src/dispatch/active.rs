//! The claim loop's list of active destinations, kept between rounds.
//!
//! The loop runs on every wake, and publishing wakes it once per committed batch. Reading
//! the list from SQLite each time cost ~6 % of the node's CPU while publishing (a read
//! transaction per round, even with every destination paused). Every change to a
//! destination made by this node goes through `Dispatcher::invalidate`, which marks the
//! list stale; it is also read again every second, for changes this node did not make.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::destinations::DestinationRow;
use crate::store::{outbox, Store, StoreError};

/// How long a list read is trusted without a known change.
const REFRESH: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct ActiveDestinations {
    /// Bumped on every known change.
    changes: AtomicU64,
    last: Mutex<Option<Snapshot>>,
}

struct Snapshot {
    rows: Arc<Vec<DestinationRow>>,
    /// `changes` as it was before the rows were read.
    changes: u64,
    read_at: Instant,
}

impl ActiveDestinations {
    /// A destination was created, changed or deleted: the next call reads the list again.
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// The active destinations, from the last read while it is current.
    pub fn get(&self, store: &Store) -> Result<Arc<Vec<DestinationRow>>, StoreError> {
        // Loaded before reading: a change during the read makes the next call read again.
        let changes = self.changes.load(Ordering::SeqCst);
        let mut last = self.last.lock().expect("active destinations");
        if let Some(s) = last.as_ref() {
            if s.changes == changes && s.read_at.elapsed() < REFRESH {
                return Ok(s.rows.clone());
            }
        }
        let rows = Arc::new(outbox::active_destinations(store)?);
        *last = Some(Snapshot {
            rows: rows.clone(),
            changes,
            read_at: Instant::now(),
        });
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DestinationStatus, DestinationType};
    use crate::store::projects;

    async fn add_destination(store: &Store, id: &str, status: DestinationStatus) {
        let row = DestinationRow {
            id: id.into(),
            project_id: "p1".into(),
            name: id.into(),
            kind: DestinationType::Log,
            metadata: "{}".into(),
            status,
            disabled_reason: None,
            disabled_time: None,
            previous_key_expire_time: None,
            create_time: 0,
            update_time: 0,
            delivery: None,
            failing_since: None,
            last_error: None,
            last_error_class: None,
            last_failure_time: None,
        };
        let mut tx = store.begin_write().await.unwrap();
        crate::store::destinations::insert(&mut tx, &row)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    fn ids(rows: &[DestinationRow]) -> Vec<&str> {
        rows.iter().map(|r| r.id.as_str()).collect()
    }

    #[tokio::test]
    async fn the_list_is_read_again_after_a_change_or_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        projects::insert(&mut tx, "p1", "default", 0).await.unwrap();
        tx.commit().await.unwrap();
        add_destination(&store, "a", DestinationStatus::Active).await;
        add_destination(&store, "paused", DestinationStatus::Paused).await;
        let active = ActiveDestinations::default();
        assert_eq!(ids(&active.get(&store).unwrap()), ["a"]);

        // Not told: the last read stands until it is a second old.
        add_destination(&store, "b", DestinationStatus::Active).await;
        assert_eq!(ids(&active.get(&store).unwrap()), ["a"]);
        tokio::time::sleep(REFRESH + Duration::from_millis(100)).await;
        assert_eq!(ids(&active.get(&store).unwrap()), ["a", "b"]);

        // Told: read again at once.
        add_destination(&store, "c", DestinationStatus::Active).await;
        active.changed();
        assert_eq!(ids(&active.get(&store).unwrap()), ["a", "b", "c"]);
    }
}
