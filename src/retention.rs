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
            // A batch holds the write lock ~20 ms here; smaller ones fell behind a steady
            // 1000 publishes/s (each commit's fsync dominates; bench/README.md, the soak).
            batch: 500,
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
        let batch = i64::from(self.config.batch.max(1));
        let messages = self
            .batches(batch, |tx| {
                Box::pin(retention::delete_delivered(tx, delivered_cutoff, batch))
            })
            .await?;
        let notifications = self
            .batches(batch, |tx| {
                Box::pin(retention::delete_orphan_notifications(
                    tx,
                    delivered_cutoff,
                    batch,
                ))
            })
            .await?;
        let payloads = self
            .batches(batch, |tx| {
                Box::pin(retention::expire_payloads(tx, payload_cutoff, batch))
            })
            .await?;
        Ok(Pruned {
            messages,
            notifications,
            payloads,
        })
    }

    /// Runs `step` in its own transaction until it touches fewer than `batch` rows.
    async fn batches<F>(&self, batch: i64, step: F) -> Result<u64, StoreError>
    where
        F: for<'t> Fn(
            &'t mut crate::store::WriteTx,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<u64, StoreError>> + Send + 't>,
        >,
    {
        let mut total = 0;
        loop {
            let started = std::time::Instant::now();
            let mut tx = self.store.begin_housekeeping_write().await?;
            let n = step(&mut tx).await?;
            tx.commit().await?;
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
