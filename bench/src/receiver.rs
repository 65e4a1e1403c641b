//! The receiver: answers 204 and remembers when each `webhook-id` first arrived and how
//! often, which is how the benchmark checks that every message arrived exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio_util::sync::CancellationToken;

/// Per `webhook-id`: how often it arrived, and when it first did.
pub type Arrivals = HashMap<String, (u32, Instant)>;

#[derive(Default)]
pub struct Seen {
    by_id: Mutex<Arrivals>,
    unique: AtomicUsize,
    pub missing_id: AtomicUsize,
}

impl Seen {
    /// Everything received so far; the receiver starts counting afresh.
    pub fn take(&self) -> Arrivals {
        let mut map = self.by_id.lock().unwrap();
        self.unique.store(0, Ordering::SeqCst);
        std::mem::take(&mut *map)
    }

    /// Waits (bounded) until `n` distinct IDs arrived; false on timeout.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while self.unique.load(Ordering::SeqCst) < n {
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        true
    }
}

async fn receive(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let now = Instant::now();
    drop(body);
    let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) else {
        seen.missing_id.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NO_CONTENT;
    };
    let mut map = seen.by_id.lock().unwrap();
    match map.get_mut(id) {
        Some(entry) => entry.0 += 1,
        None => {
            map.insert(id.to_string(), (1, now));
            seen.unique.fetch_add(1, Ordering::SeqCst);
        }
    }
    StatusCode::NO_CONTENT
}

pub async fn start_receiver(cancel: CancellationToken) -> anyhow::Result<(String, Arc<Seen>)> {
    let seen = Arc::new(Seen::default());
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
    });
    Ok((url, seen))
}
