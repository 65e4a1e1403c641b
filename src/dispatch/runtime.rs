//! What the workers keep about each destination between rounds: its concurrency lane and
//! its resolved sink target (metadata, opened secrets, policy), cached until it changes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::DeliveryConfig;
use crate::model::delivery::DeliveryPolicy;
use crate::model::destination::{AWS_KEY_ID, AWS_SECRET_KEY, AWS_SESSION_TOKEN};
use crate::model::DestinationType;
use crate::secrets::SecretStore;
use crate::sinks::{SinkSecrets, Target};
use crate::store::destinations::DestinationRow;
use crate::store::Store;
use crate::vault;

/// A destination's limit on attempts in flight, and how many claimed (or handed-over)
/// messages wait for their attempt. Finished attempts no longer count: the recorder's pace
/// must not hold back the next claims (those messages stay `delivering` until recorded,
/// so they are not claimed twice).
pub struct Lane {
    pub in_flight: Arc<Semaphore>,
    pub outstanding: AtomicUsize,
    pub max_in_flight: usize,
}

impl Lane {
    /// Claimed messages a lane may hold before their attempts: enough work ahead that a
    /// busy writer (claims wait for it) never leaves the lane idle. With 16 times the
    /// lane's width the lane still ran dry at times: the benchmark drained 18,100–18,800
    /// deliveries/s against 21,000–21,200 with 32 times (and 64 times was no faster).
    /// Messages claimed ahead go back untried when the destination is paused or changed
    /// meanwhile (see `Runtime::retired`).
    fn claim_ahead(&self) -> usize {
        self.max_in_flight * 32
    }

    fn room_with(&self, outstanding: usize) -> usize {
        self.claim_ahead().saturating_sub(outstanding)
    }

    pub fn room(&self) -> usize {
        self.room_with(self.outstanding.load(Ordering::Acquire))
    }

    /// Worth a claim round: at least half the claim-ahead is free. Claiming whenever one
    /// attempt finished made rounds of one or two messages, each costing its queries.
    pub fn wants_work(&self) -> bool {
        self.wants_work_with(self.outstanding.load(Ordering::Acquire))
    }

    fn wants_work_with(&self, outstanding: usize) -> bool {
        self.room_with(outstanding) * 2 >= self.claim_ahead()
    }

    /// Takes one place in the claim-ahead for a message handed over at publishing (see
    /// `handoff`); false when the lane is full.
    pub fn try_reserve(&self) -> bool {
        self.outstanding
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.claim_ahead()).then_some(n + 1)
            })
            .is_ok()
    }

    /// Counts `n` claimed messages as attempted; true when that made the lane want work.
    pub fn release(&self, n: usize) -> bool {
        let before = self.outstanding.fetch_sub(n, Ordering::AcqRel);
        !self.wants_work_with(before) && self.wants_work_with(before.saturating_sub(n))
    }
}

#[derive(Default)]
pub struct Lanes(Mutex<HashMap<String, Arc<Lane>>>);

impl Lanes {
    pub fn get(&self, destination_id: &str, max_in_flight: usize) -> Arc<Lane> {
        let mut lanes = self.0.lock().expect("lanes");
        let lane = lanes.entry(destination_id.to_string()).or_insert_with(|| {
            Arc::new(Lane {
                in_flight: Arc::new(Semaphore::new(max_in_flight)),
                outstanding: AtomicUsize::new(0),
                max_in_flight,
            })
        });
        if lane.max_in_flight != max_in_flight && lane.outstanding.load(Ordering::Acquire) == 0 {
            // The limit changed and nothing is under way: start a fresh lane.
            *lane = Arc::new(Lane {
                in_flight: Arc::new(Semaphore::new(max_in_flight)),
                outstanding: AtomicUsize::new(0),
                max_in_flight,
            });
        }
        lane.clone()
    }
}

/// A destination resolved for delivery.
pub struct Runtime {
    pub target: Target,
    /// This destination's own rate limit (none unless its policy sets one).
    pub rate_limit: super::limits::Limit,
    pub schedule: Vec<Duration>,
    pub max_in_flight: usize,
    update_time: i64,
    /// Set once the destination was paused, disabled, deleted or changed: what was
    /// claimed under this runtime and not yet attempted goes back to the outbox.
    retired: AtomicBool,
}

impl Runtime {
    pub fn retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }

    fn retire(&self) {
        self.retired.store(true, Ordering::Release);
    }
}

#[derive(Default)]
pub struct Targets(Mutex<HashMap<String, Arc<Runtime>>>);

impl Targets {
    pub fn forget(&self, destination_id: &str) {
        if let Some(old) = self.0.lock().expect("targets").remove(destination_id) {
            old.retire();
        }
    }

    /// The cached runtime of `row` if it is still current (None: not loaded yet, or the
    /// destination changed since).
    pub fn cached(&self, row: &DestinationRow, now: i64) -> Option<Arc<Runtime>> {
        let targets = self.0.lock().expect("targets");
        let rt = targets.get(&row.id)?;
        // A signing key in its grace period must stop signing when the period ends.
        let grace_over = row.previous_key_expire_time.is_some_and(|t| t <= now);
        let current = rt.update_time == row.update_time
            && !(grace_over && rt.target.secrets.signing_keys.len() > 1);
        current.then(|| rt.clone())
    }

    /// The cached runtime of `row`, reloaded when the destination changed since.
    pub async fn get(
        &self,
        store: &Store,
        secrets: &SecretStore,
        config: &DeliveryConfig,
        row: &DestinationRow,
        now: i64,
    ) -> anyhow::Result<Arc<Runtime>> {
        if let Some(rt) = self.cached(row, now) {
            return Ok(rt);
        }
        let runtime = Arc::new(load(store, secrets, config, row, now).await?);
        let old = self
            .0
            .lock()
            .expect("targets")
            .insert(row.id.clone(), runtime.clone());
        if let Some(old) = old {
            old.retire();
        }
        Ok(runtime)
    }
}

async fn load(
    store: &Store,
    secrets: &SecretStore,
    config: &DeliveryConfig,
    row: &DestinationRow,
    now: i64,
) -> anyhow::Result<Runtime> {
    let pool = &store;
    let policy: DeliveryPolicy = match &row.delivery {
        Some(json) => serde_json::from_str(json)?,
        None => DeliveryPolicy::default(),
    };
    let mut sink_secrets = SinkSecrets::default();
    match row.kind {
        DestinationType::Webhook => {
            sink_secrets.signing_keys = vault::signing_keys(pool, secrets, row, now).await?;
        }
        DestinationType::Kinesis => {
            let get = |name| vault::get_destination_secret(pool, secrets, &row.id, name);
            sink_secrets.aws_key_id = get(AWS_KEY_ID).await?;
            sink_secrets.aws_secret_key = get(AWS_SECRET_KEY).await?;
            sink_secrets.aws_session_token = get(AWS_SESSION_TOKEN).await?;
        }
        DestinationType::Log => {}
    }
    let metadata = row.metadata();
    Ok(Runtime {
        target: Target {
            id: row.id.clone(),
            project_id: row.project_id.clone(),
            name: row.name.clone(),
            kind: row.kind,
            // Through `Url` for what it normalises (an IDN host to punycode, say).
            url: metadata
                .url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.as_str().parse().ok()),
            metadata,
            secrets: sink_secrets,
            timeout: config.timeout_for(&policy),
        },
        rate_limit: super::limits::Limit::per_second(policy.rate_limit_per_second.unwrap_or(0)),
        schedule: config.schedule_for(&policy),
        max_in_flight: config.max_in_flight_for(&policy),
        update_time: row.update_time,
        retired: AtomicBool::new(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_wants_work_once_half_its_claim_ahead_is_free() {
        let lane = Lanes::default().get("d", 1); // claims ahead up to 32
        assert!(lane.wants_work());
        lane.outstanding.fetch_add(32, Ordering::AcqRel);
        assert!(!lane.wants_work());
        assert!(!lane.release(15), "17 still outstanding: not yet");
        assert!(
            lane.release(1),
            "16 outstanding: half free, wake the claim loop"
        );
        assert!(lane.wants_work());
        assert!(!lane.release(1), "already wanted work: no second wake");
        assert_eq!(lane.room(), 17);
    }

    #[test]
    fn a_hand_over_takes_a_place_only_while_the_lane_has_room() {
        let lane = Lanes::default().get("d", 1); // claims ahead up to 32
        lane.outstanding.fetch_add(31, Ordering::AcqRel);
        assert!(lane.try_reserve(), "the last place");
        assert!(!lane.try_reserve(), "full");
        assert_eq!(lane.outstanding.load(Ordering::Acquire), 32);
    }
}
