//! Retention: what the node keeps, and for how long (`[retention]` in the settings file).
//! Delivered messages (with their attempts) go after `delivered-messages`; the payloads of
//! notifications that are done (no message waiting) go after `payloads`, leaving the rows
//! marked payload-expired, which cannot be sent again (as Svix does); notifications left
//! without messages go too. Pruning runs every minute in batches of `batch` rows, each
//! its own short transaction, so delivery never waits long for the write lock. Expired
//! download links are the dispatcher's janitor's; capture inboxes keep their own limits.

use std::time::Duration;

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::store::{retention, Store, StoreError};
use crate::time::Clock;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetentionConfig {
    /// How long a delivered message (and its attempts) is kept after its delivery.
    #[serde(with = "humantime_serde")]
    pub delivered_messages: Duration,
    /// How long a notification's payload is kept once none of its messages waits.
    #[serde(with = "humantime_serde")]
    pub payloads: Duration,
    /// Rows per pruning transaction.
    pub batch: u32,
    /// How often pruning runs.
    #[serde(with = "humantime_serde")]
    pub every: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        let days = |d: u64| Duration::from_secs(d * 24 * 3600);
        RetentionConfig {
            delivered_messages: days(30),
            payloads: days(30),
            // Short batches keep deliveries from waiting long behind one: 500 rows held the
            // write lock ~20 ms. They keep up with a steady 1000 publishes/s because their
            // commits are not synced (`WriterConn::housekeeping_transaction`; bench/README.md,
            // the soak).
            batch: 100,
            every: Duration::from_secs(60),
        }
    }
}

/// What one pruning pass removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub messages: u64,
    pub notifications: u64,
    pub payloads: u64,
}

#[derive(Clone)]
pub struct Pruner {
    store: Store,
    clock: Clock,
    config: RetentionConfig,
}

impl Pruner {
    pub fn new(store: Store, clock: Clock, config: RetentionConfig) -> Pruner {
        Pruner {
            store,
            clock,
            config,
        }
    }

    /// Prunes every `every` until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.config.every) => {}
            }
            match self.prune().await {
                Ok(p) if p != Pruned::default() => tracing::info!(?p, "pruned old data"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning old data failed; trying again later"),
            }
        }
    }

    /// One pass: everything past its time, batch by batch.
    pub async fn prune(&self) -> Result<Pruned, StoreError> {
        let now = self.clock.now_ms();
        let delivered_cutoff = now - self.config.delivered_messages.as_millis() as i64;
        let payload_cutoff = now - self.config.payloads.as_millis() as i64;
        Ok(Pruned {
            messages: self
                .batches(Step::DeliveredMessages, delivered_cutoff)
                .await?,
            notifications: self
                .batches(Step::OrphanNotifications, delivered_cutoff)
                .await?,
            payloads: self.batches(Step::Payloads, payload_cutoff).await?,
        })
    }

    /// Runs `step` in its own transaction until it touches fewer than a batch of rows.
    async fn batches(&self, step: Step, cutoff: i64) -> Result<u64, StoreError> {
        let batch = i64::from(self.config.batch.max(1));
        let mut total = 0;
        loop {
            let started = std::time::Instant::now();
            let n = self
                .store
                .writer()
                .run(move |writer| {
                    Ok(writer.housekeeping_transaction(|tx| match step {
                        Step::DeliveredMessages => retention::delete_delivered(tx, cutoff, batch),
                        Step::OrphanNotifications => {
                            retention::delete_orphan_notifications(tx, cutoff, batch)
                        }
                        Step::Payloads => retention::expire_payloads(tx, cutoff, batch),
                    }))
                })
                .await
                // First: the writer thread stopped (the node is shutting down); then: the
                // batch failed.
                .map_err(StoreError::Other)??;
            total += n;
            if (n as i64) < batch {
                return Ok(total);
            }
            // Pause as long as the batch held the write lock: pruning takes at most half
            // of it, and publishes and deliveries waiting behind a batch go first.
            tokio::time::sleep(started.elapsed().min(std::time::Duration::from_millis(200))).await;
        }
    }
}

/// What a pruning pass does, in this order (messages first, so their notifications are
/// left without any and go in the same pass).
#[derive(Clone, Copy)]
enum Step {
    DeliveredMessages,
    OrphanNotifications,
    Payloads,
}
