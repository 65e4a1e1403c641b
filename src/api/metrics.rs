//! `GET /metrics`: the node's Prometheus metrics in the text format (behind the API key,
//! like the API: Prometheus sends it as `Authorization: Bearer`).

use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use super::AppState;
use crate::error::ApiResult;
use crate::store::messages;

#[utoipa::path(get, path = "/metrics", tag = "Node",
    responses((status = 200, content_type = "text/plain", body = String,
               description = "Prometheus text format: deliveries, attempt latency, publishes, writer batches, rate-limit waits, queue depth and oldest due age")))]
pub async fn metrics(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let now = state.config.clock.now_ms();
    let (queued, oldest_due) = messages::queue_state(&state.store, now).await?;
    let age = oldest_due.map_or(Duration::ZERO, |t| {
        Duration::from_millis((now - t).max(0) as u64)
    });
    let text = state.dispatcher.metrics().render(queued, age);
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    ))
}
