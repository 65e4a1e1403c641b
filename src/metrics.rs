//! The node's Prometheus metrics (`GET /metrics`, text format, prometheus-client):
//! deliveries by destination and outcome, attempt latency, publishes and their latency,
//! how many publishes each storage commit carries, rate-limit waits, and (read when
//! scraped) the queue's depth and the age of its oldest due message.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub destination: String,
    /// `succeeded` or `failed`.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DestinationLabel {
    pub destination: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabel {
    /// `node` (the node-wide limit) or `destination` (a destination's own).
    pub limit: &'static str,
}

/// Every metric of a node; cheap to clone (each metric is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    deliveries: Family<DeliveryLabels, Counter>,
    attempt_seconds: Family<DestinationLabel, Histogram>,
    publishes: Counter,
    publish_seconds: Histogram,
    commit_batch: Histogram,
    rate_limit_waits: Family<LimitLabel, Counter>,
    queued: Gauge,
    oldest_due_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
}

fn latency_buckets() -> impl Iterator<Item = f64> {
    // 0.5 ms to ~33 s.
    exponential_buckets(0.0005, 2.0, 17)
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "deliveries",
            "Delivery attempts by destination and outcome",
            deliveries.clone(),
        );
        let attempt_seconds = Family::<DestinationLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(latency_buckets())
        });
        registry.register(
            "attempt_duration_seconds",
            "How long delivery attempts took, by destination",
            attempt_seconds.clone(),
        );
        let publishes = Counter::default();
        registry.register(
            "publishes",
            "Notifications accepted by POST …/notifications",
            publishes.clone(),
        );
        let publish_seconds = Histogram::new(latency_buckets());
        registry.register(
            "publish_duration_seconds",
            "From a publish request's arrival to its answer (stored)",
            publish_seconds.clone(),
        );
        let commit_batch = Histogram::new(exponential_buckets(1.0, 2.0, 11));
        registry.register(
            "writer_batch_publishes",
            "Publishes stored by each group commit of the writer",
            commit_batch.clone(),
        );
        let rate_limit_waits = Family::<LimitLabel, Counter>::default();
        registry.register(
            "rate_limit_waits",
            "Deliveries that waited for a rate limit",
            rate_limit_waits.clone(),
        );
        let queued = Gauge::default();
        registry.register(
            "queue_depth",
            "Messages waiting for an attempt, pending or retrying (all projects)",
            queued.clone(),
        );
        let oldest_due_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "queue_oldest_due_age_seconds",
            "How long the longest-due waiting message has been due (0: none is)",
            oldest_due_seconds.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            deliveries,
            attempt_seconds,
            publishes,
            publish_seconds,
            commit_batch,
            rate_limit_waits,
            queued,
            oldest_due_seconds,
        }
    }
}

impl Metrics {
    pub fn attempt(&self, destination: &str, succeeded: bool, took: Duration) {
        let outcome = if succeeded { "succeeded" } else { "failed" };
        self.deliveries
            .get_or_create(&DeliveryLabels {
                destination: destination.to_string(),
                outcome,
            })
            .inc();
        self.attempt_seconds
            .get_or_create(&DestinationLabel {
                destination: destination.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn published(&self, took: Duration) {
        self.publishes.inc();
        self.publish_seconds.observe(took.as_secs_f64());
    }

    pub fn committed_publishes(&self, count: usize) {
        self.commit_batch.observe(count as f64);
    }

    /// `n` deliveries waited for the node-wide (`node`) or a destination's limit.
    pub fn rate_limited(&self, limit: &'static str, n: u64) {
        self.rate_limit_waits
            .get_or_create(&LimitLabel { limit })
            .inc_by(n);
    }

    /// The text format, with the queue as it is now.
    pub fn render(&self, queued: i64, oldest_due_age: Duration) -> String {
        self.queued.set(queued);
        self.oldest_due_seconds.set(oldest_due_age.as_secs_f64());
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
