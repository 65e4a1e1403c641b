//! In-memory answers to the two lookups every API request makes: which live API key a
//! presented key is, and which project a path names.
//!
//! Why: even an inline SQLite read costs a read transaction (file and shared-memory
//! locks, a page cache the writer just invalidated), and publishing paid two per
//! request. Projects are never renamed or deleted, so a project once found stays right.
//! Keys can be revoked, by the API (which forgets them here at once) or by
//! `switchboard keys revoke` in another process, which takes effect within `KEY_TTL`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::api_keys::LiveKey;
use crate::store::projects::{self, ProjectRow};
use crate::store::{api_keys, Store, StoreError};

/// How long a live key is believed without asking the database again.
const KEY_TTL: Duration = Duration::from_secs(1);
/// Bounds on what is kept (the maps are emptied when full; they refill on demand).
const MAX_ENTRIES: usize = 1024;

#[derive(Clone)]
struct Cached {
    key: LiveKey,
    checked: Instant,
}

#[derive(Default)]
pub struct Lookups {
    keys: Mutex<HashMap<String, Cached>>,
    projects: Mutex<HashMap<String, ProjectRow>>,
}

impl Lookups {
    /// The live key with this hash: its ID, when it was last used, and its scope.
    pub fn live_key(&self, store: &Store, key_hash: &str) -> Result<Option<LiveKey>, StoreError> {
        if let Some(c) = self.keys.lock().expect("keys").get(key_hash) {
            if c.checked.elapsed() < KEY_TTL {
                return Ok(Some(c.key.clone()));
            }
        }
        let found = api_keys::find_live_by_hash(store, key_hash)?;
        let mut keys = self.keys.lock().expect("keys");
        match &found {
            Some(key) => {
                if keys.len() >= MAX_ENTRIES {
                    keys.clear();
                }
                let cached = Cached {
                    key: key.clone(),
                    checked: Instant::now(),
                };
                keys.insert(key_hash.to_string(), cached);
            }
            None => {
                keys.remove(key_hash);
            }
        }
        Ok(found)
    }

    /// Notes that a key's use was recorded at `time`.
    pub fn key_used(&self, key_hash: &str, time: i64) {
        if let Some(c) = self.keys.lock().expect("keys").get_mut(key_hash) {
            c.key.last_used = Some(time);
        }
    }

    /// Forgets every key: one was revoked.
    pub fn forget_keys(&self) {
        self.keys.lock().expect("keys").clear();
    }

    /// The project with this ID or, failing that, this name.
    pub fn project(
        &self,
        store: &Store,
        id_or_name: &str,
    ) -> Result<Option<ProjectRow>, StoreError> {
        if let Some(p) = self.projects.lock().expect("projects").get(id_or_name) {
            return Ok(Some(p.clone()));
        }
        let found = projects::find(store, id_or_name)?;
        if let Some(p) = &found {
            let mut projects = self.projects.lock().expect("projects");
            if projects.len() >= MAX_ENTRIES {
                projects.clear();
            }
            projects.insert(id_or_name.to_string(), p.clone());
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::projects;

    #[tokio::test]
    async fn a_key_revoked_elsewhere_stops_working_within_the_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("l.db")).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let key = api_keys::NewKey {
            id: "k1",
            name: "ci",
            hint: "sbk_…",
            key_hash: "hash1",
            scope: &Default::default(),
        };
        api_keys::insert(&mut tx, key, 0).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        projects::insert(&mut tx, "p1", "default", 0).await.unwrap();
        tx.commit().await.unwrap();
        let lookups = Lookups::default();
        assert_eq!(lookups.live_key(&store, "hash1").unwrap().unwrap().id, "k1");
        assert!(lookups.live_key(&store, "other").unwrap().is_none());
        assert_eq!(
            lookups.project(&store, "default").unwrap().unwrap().id,
            "p1"
        );
        assert_eq!(
            lookups.project(&store, "p1").unwrap().unwrap().name,
            "default"
        );
        assert!(lookups.project(&store, "nope").unwrap().is_none());

        // Revoked by another process (`switchboard keys revoke`): believed until the TTL.
        let mut tx = store.begin_write().await.unwrap();
        api_keys::revoke(&mut tx, "ci", 1).await.unwrap();
        tx.commit().await.unwrap();
        assert!(lookups.live_key(&store, "hash1").unwrap().is_some());
        tokio::time::sleep(KEY_TTL + Duration::from_millis(100)).await;
        assert!(lookups.live_key(&store, "hash1").unwrap().is_none());

        // Revoked through the API: forgotten at once.
        let mut tx = store.begin_write().await.unwrap();
        let key = api_keys::NewKey {
            id: "k2",
            name: "cd",
            hint: "sbk_…",
            key_hash: "hash2",
            scope: &Default::default(),
        };
        api_keys::insert(&mut tx, key, 0).await.unwrap();
        tx.commit().await.unwrap();
        assert!(lookups.live_key(&store, "hash2").unwrap().is_some());
        let mut tx = store.begin_write().await.unwrap();
        api_keys::revoke(&mut tx, "cd", 2).await.unwrap();
        tx.commit().await.unwrap();
        lookups.forget_keys();
        assert!(lookups.live_key(&store, "hash2").unwrap().is_none());
    }
}
