//! `GET /v1/projects/{p}/stats`: per destination, message counts by status, delivery
//! latency percentiles and the recent delivery rate.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{projects, AppState};
use crate::error::ApiResult;
use crate::model::message::MessageStatus;
use crate::model::DestinationStatus;
use crate::problem::Problem;
use crate::store::{destinations, messages};

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    pub p99: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationStats {
    pub destination_id: String,
    pub destination_name: String,
    pub status: DestinationStatus,
    /// Messages by status (pending, delivering, delivered, retrying, exhausted, skipped).
    pub counts: BTreeMap<String, i64>,
    /// Publish → delivery latency in ms over the last five minutes' deliveries.
    pub latency_ms: Latency,
    /// Deliveries per second over the last minute.
    pub deliveries_per_second: f64,
    /// Delivered / (delivered + exhausted + retrying), over all time; None before any
    /// message has been delivered or has failed an attempt.
    pub success_rate: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub destinations: Vec<DestinationStats>,
    /// Messages waiting or being delivered, across the project.
    pub queued: i64,
    /// Attempts during the last complete second, node-wide.
    pub current_rate: u64,
    /// The node-wide delivery limit per second (0: none).
    pub rate_limit_per_second: u32,
}

fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64)).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/stats", tag = "Live",
    params(("projectIdOrName" = String, Path)),
    responses((status = 200, body = Stats), (status = 404, body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Stats>> {
    let project = projects::resolve(&state, &project).await?;
    let pool = &state.store;
    let now = state.config.clock.now_ms();
    let counts = messages::counts_by_status(pool, &project.id).await?;
    let mut out = Vec::new();
    let mut queued = 0;
    for d in destinations::list(pool, &project.id).await? {
        let mut by_status: BTreeMap<String, i64> = MessageStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), 0))
            .collect();
        for c in counts.iter().filter(|c| c.destination_id == d.id) {
            by_status.insert(c.status.as_str().to_string(), c.count);
        }
        queued += by_status["pending"] + by_status["delivering"] + by_status["retrying"];
        let mut latencies =
            messages::recent_latencies(pool, &d.id, now - 5 * 60_000, 10_000).await?;
        latencies.sort_unstable();
        let last_minute = messages::delivered_since(pool, &d.id, now - 60_000).await?;
        // A retrying message has had a failed attempt: counting it keeps a destination
        // whose every attempt fails at 0 %, not "no data" until the first exhaustion.
        let done = by_status["delivered"] + by_status["exhausted"] + by_status["retrying"];
        out.push(DestinationStats {
            destination_id: d.id.clone(),
            destination_name: d.name.clone(),
            status: d.status,
            success_rate: (done > 0).then(|| by_status["delivered"] as f64 / done as f64),
            counts: by_status,
            latency_ms: Latency {
                p50: percentile(&latencies, 50.0),
                p95: percentile(&latencies, 95.0),
                p99: percentile(&latencies, 99.0),
            },
            deliveries_per_second: last_minute as f64 / 60.0,
        });
    }
    Ok(Json(Stats {
        destinations: out,
        queued,
        current_rate: state.dispatcher.current_rate(),
        rate_limit_per_second: state.dispatcher.config().rate_limit,
    }))
}
