//! The set-up every run shares (receiver, node, route, payload) and the measured phases
//! that go through the node: drain, end to end, and latency. The ceiling, which bypasses
//! the node, is in `ceiling`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::json;
use switchboard::config::Durability;
use switchboard::node::Node;
use tokio_util::sync::CancellationToken;

use crate::accounting::{account, last_arrival, Check};
use crate::node_api::{notification, publish_many, start_node, Api};
use crate::procfs::{cpu_per_message, cpu_used, CpuUse};
use crate::receiver::{start_receiver, Arrivals, Seen};

/// Longest wait for any phase's deliveries to arrive: every wait ends by itself.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// A receiver, a node in a temporary directory routing `connection.created` to it, and
/// the ~1 KB notification every phase publishes.
pub struct Rig {
    pub url: String,
    pub seen: Arc<Seen>,
    pub api: Arc<Api>,
    pub body: Bytes,
    node: Node,
    cancel: CancellationToken,
    // Removed when the rig is dropped, after the node has stopped.
    _dir: tempfile::TempDir,
}

impl Rig {
    /// Starts the receiver and a node with the global rate limit at `rate_limit` (0: none).
    pub async fn start(rate_limit: u32) -> anyhow::Result<Rig> {
        Self::start_with(rate_limit, Durability::default()).await
    }

    /// `start`, with commits as durable as `durability` says.
    pub async fn start_with(rate_limit: u32, durability: Durability) -> anyhow::Result<Rig> {
        let cancel = CancellationToken::new();
        let (url, seen) = start_receiver(cancel.clone()).await?;
        let dir = tempfile::tempdir()?;
        let (node, api) =
            start_node(dir.path(), rate_limit, durability, &url, cancel.clone()).await?;
        Ok(Rig {
            url,
            seen,
            api,
            body: Bytes::from(notification()),
            node,
            cancel,
            _dir: dir,
        })
    }

    pub async fn pause(&self) -> anyhow::Result<()> {
        self.api
            .post("/destinations/bench/pause", json!({}))
            .await?;
        Ok(())
    }

    pub async fn resume(&self) -> anyhow::Result<()> {
        self.api
            .post("/destinations/bench/resume", json!({}))
            .await?;
        Ok(())
    }

    /// Waits (bounded by `limit`) until `n` distinct messages arrived and a little longer,
    /// so that a duplicate can show up; then takes what arrived.
    pub async fn arrivals(&self, n: usize, limit: Duration, phase: &str) -> Arrivals {
        if !self.seen.wait_for(n, limit).await {
            eprintln!("{phase}: timed out waiting for deliveries");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.seen.take()
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.node.shutdown().await?;
        self.cancel.cancel();
        Ok(())
    }
}

/// The drain phase's figures.
pub struct Drain {
    /// Publishes per second while the destination is paused.
    pub queued_rate: f64,
    pub publish_cpu: CpuUse,
    /// Deliveries per second from the resume until the last arrival.
    pub rate: f64,
    pub cpu: CpuUse,
}

/// Queues `n` messages while the destination is paused, then resumes it and times the
/// deliveries until the last arrives.
pub async fn drain(
    rig: &Rig,
    n: usize,
    publishers: usize,
    check: &mut Check,
) -> anyhow::Result<Drain> {
    rig.pause().await?;
    let cpu = cpu_used();
    let (ids, failed, took) = publish_many(&rig.api, &rig.body, n, publishers).await;
    let publish_cpu = cpu_per_message(cpu, ids.len());
    check.publish_failures += failed;
    let queued_rate = ids.len() as f64 / took.as_secs_f64();
    eprintln!("queued {} (paused) at {queued_rate:.0}/s", ids.len());
    rig.seen.take();
    let resumed = Instant::now();
    let cpu = cpu_used();
    rig.resume().await?;
    let (rate, drain_cpu) = delivered(rig, &ids, resumed, cpu, "drain", check).await;
    eprintln!("drain: {rate:.0}/s");
    Ok(Drain {
        queued_rate,
        publish_cpu,
        rate,
        cpu: drain_cpu,
    })
}

/// The end-to-end phase's figures.
pub struct EndToEnd {
    /// Publishes per second.
    pub publish_rate: f64,
    /// Deliveries per second from the first publish until the last arrival.
    pub rate: f64,
    pub cpu: CpuUse,
}

/// Publishes `n` messages while the node delivers them.
pub async fn end_to_end(
    rig: &Rig,
    n: usize,
    publishers: usize,
    check: &mut Check,
) -> anyhow::Result<EndToEnd> {
    rig.seen.take();
    let started = Instant::now();
    let cpu = cpu_used();
    let (ids, failed, took) = publish_many(&rig.api, &rig.body, n, publishers).await;
    check.publish_failures += failed;
    let (rate, e2e_cpu) = delivered(rig, &ids, started, cpu, "end to end", check).await;
    let publish_rate = ids.len() as f64 / took.as_secs_f64();
    eprintln!("end to end: publish {publish_rate:.0}/s, deliver {rate:.0}/s");
    Ok(EndToEnd {
        publish_rate,
        rate,
        cpu: e2e_cpu,
    })
}

/// Waits for the messages `ids` published in a phase that started at `started` and
/// accounts for them: deliveries per second until the last arrival, and the CPU used per
/// delivered message since `cpu`.
async fn delivered(
    rig: &Rig,
    ids: &[(String, Instant)],
    started: Instant,
    cpu: CpuUse,
    phase: &str,
    check: &mut Check,
) -> (f64, CpuUse) {
    let arrived = rig.arrivals(ids.len(), MAX_WAIT, phase).await;
    let cpu = cpu_per_message(cpu, arrived.len());
    let took = last_arrival(&arrived)
        .map(|t| t - started)
        .unwrap_or(MAX_WAIT);
    check.add(account(ids.iter().map(|(id, _)| id), &arrived));
    (arrived.len() as f64 / took.as_secs_f64(), cpu)
}

/// Publish-to-arrival latency, in milliseconds.
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// Starts one publish every 1/`rate` s for `secs` s, each in its own task, and measures
/// each message's arrival at the receiver from the start of its publish request.
pub async fn latency(
    rig: &Rig,
    rate: u64,
    secs: u64,
    check: &mut Check,
) -> anyhow::Result<Latency> {
    rig.seen.take();
    let count = (secs * rate) as usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        ticker.tick().await;
        let (api, body) = (rig.api.clone(), rig.body.clone());
        tasks.spawn(async move {
            let sent = Instant::now();
            api.publish(&body).await.map(|id| (id, sent))
        });
    }
    let mut sent_at = HashMap::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        match done? {
            Ok((id, sent)) => {
                sent_at.insert(id, sent);
            }
            Err(e) => {
                if check.publish_failures == 0 {
                    eprintln!("publish failed: {e:#}");
                }
                check.publish_failures += 1;
            }
        }
    }
    let arrived = rig.arrivals(sent_at.len(), MAX_WAIT, "latency").await;
    check.add(account(sent_at.keys(), &arrived));
    let mut lat: Vec<f64> = sent_at
        .iter()
        .filter_map(|(id, sent)| {
            arrived
                .get(id)
                .map(|(_, t)| (*t - *sent).as_secs_f64() * 1e3)
        })
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let latency = Latency {
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        max: lat.last().copied().unwrap_or(f64::NAN),
    };
    eprintln!(
        "latency: p50 {:.2} ms, p99 {:.2} ms",
        latency.p50, latency.p99
    );
    Ok(latency)
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}
