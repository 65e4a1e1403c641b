//! The embedded dispatcher: publishing fans a notification out along the routes into the
//! outbox (`messages`); workers claim due messages (or take them straight from the publish,
//! see `handoff`), hand them to sinks, and record every attempt; failing webhooks get
//! disabled. All state lives in SQLite, so a crash loses nothing: a restart re-queues what
//! was in flight.

mod active;
pub mod config;
pub mod enqueue;
pub mod events;
mod handoff;
mod intake;
pub mod limits;
pub mod policy;
pub mod publish;
mod recorder;
mod runtime;
mod worker;

use std::sync::Arc;

use tokio::sync::{mpsc, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::DeliveryConfig;
pub use events::EventBus;

use crate::secrets::SecretStore;
use crate::sinks::Sinks;
use crate::store::{messages, Store};
use crate::time::Clock;

/// A cheap handle on the dispatcher, shared by the API and the workers.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    secrets: SecretStore,
    config: DeliveryConfig,
    events: EventBus,
    sinks: Sinks,
    /// Wakes the claim loop: new messages, freed capacity, resumed destinations.
    wake: Notify,
    global: Arc<Semaphore>,
    /// The lanes and resolved destinations, shared with publishing.
    handoff: Arc<handoff::Handoff>,
    active: active::ActiveDestinations,
    rate_limit: limits::Limit,
    meter: limits::RateMeter,
    blobs: crate::blobs::Blobs,
    /// Commits publishes in groups.
    intake: intake::Intake,
    /// What due times, failure clocks and grace periods are measured with.
    clock: Clock,
    metrics: crate::metrics::Metrics,
}

impl Dispatcher {
    pub fn new(
        store: Store,
        secrets: SecretStore,
        config: DeliveryConfig,
        blobs: crate::blobs::Blobs,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let rate_limit = limits::Limit::per_second(config.rate_limit);
        let handoff = Arc::new(handoff::Handoff::default());
        let metrics = crate::metrics::Metrics::default();
        let sinks = Sinks::new(&config.ca_certificates, &config.network)?;
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                global: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
                intake: intake::Intake::start(
                    store.clone(),
                    handoff.clone(),
                    clock.clone(),
                    metrics.clone(),
                ),
                handoff,
                store,
                secrets,
                config,
                events: EventBus::default(),
                sinks,
                wake: Notify::new(),
                active: Default::default(),
                rate_limit,
                meter: Default::default(),
                blobs,
                clock,
                metrics,
            }),
        })
    }

    /// The node's Prometheus metrics.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }

    pub fn events(&self) -> &EventBus {
        &self.inner.events
    }

    pub fn config(&self) -> &DeliveryConfig {
        &self.inner.config
    }

    /// Deliveries (successful or not) during the last complete second, node-wide.
    pub fn current_rate(&self) -> u64 {
        self.inner.meter.per_second()
    }

    /// Tells the claim loop there may be work (after publishing, resuming, recovering…).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Forgets what is cached about a destination (after it was created, changed or
    /// deleted): work it had claimed goes back to the outbox, and the claim loop reads
    /// the active destinations again.
    pub fn invalidate(&self, destination_id: &str) {
        self.inner.handoff.targets.forget(destination_id);
        self.inner.active.changed();
        self.wake();
    }

    /// Runs the workers until `cancel` fires, then lets attempts under way finish and be
    /// recorded. Messages left mid-delivery by a crash are queued again first.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut tx = self.inner.store.begin_write().await?;
        let requeued = messages::requeue_in_flight(&mut tx, self.inner.clock.now_ms()).await?;
        tx.commit().await?;
        if requeued > 0 {
            tracing::warn!(
                requeued,
                "re-queued messages that were in flight when the node stopped"
            );
        }
        let (results_tx, results_rx) = mpsc::channel(4096);
        let tracker = TaskTracker::new();
        let recorder = tokio::spawn(recorder::run(self.clone(), results_rx));
        let janitor = tokio::spawn(clean_up_blobs(self.clone(), cancel.clone()));
        let (handed_tx, handed_rx) = mpsc::unbounded_channel();
        self.inner.handoff.open(handed_tx);
        let starter = tokio::spawn(worker::start_handed_over(
            self.clone(),
            tracker.clone(),
            results_tx.clone(),
            handed_rx,
        ));
        let outcome = worker::claim_loop(&self, &tracker, results_tx, cancel).await;
        // No more hand-overs: the starter takes what was handed over, then stops.
        self.inner.handoff.close();
        starter.await?;
        tracker.close();
        tracker.wait().await;
        // The senders are gone with the delivery tasks: the recorder drains and stops.
        recorder.await??;
        janitor.await?;
        outcome
    }
}

/// Deletes downloads whose links have all expired, once a minute.
async fn clean_up_blobs(dispatcher: Dispatcher, cancel: CancellationToken) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
        }
        if let Err(e) = dispatcher.inner.blobs.clean_up().await {
            tracing::warn!(error = %e, "cleaning up expired downloads failed");
        }
    }
}
