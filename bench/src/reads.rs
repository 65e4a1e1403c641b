//! `--reads`: a backfill of N one-KB records (1,000,000 by default) from the node's local
//! record source to a loopback webhook, end to end (installation created → last record
//! received), against the webhook ceiling for the same bytes: the same messages posted
//! straight to the same kind of receiver, with the node's delivery client and concurrency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::phases::Rig;
use crate::procfs::{load, machine, proc_status};
use crate::table::{verdict, Table};

/// Counts records per distinct `webhook-id` (a message sent twice counts once).
#[derive(Default)]
struct Counted {
    by_message: Mutex<HashMap<String, usize>>,
    records: AtomicUsize,
    duplicates: AtomicUsize,
    arrived: Notify,
}

/// `resultInfo.numRecords` of a read-result message, found without parsing the body
/// (the receiver shares the node's cores).
fn num_records(body: &[u8]) -> usize {
    const KEY: &[u8] = b"\"numRecords\":";
    body.windows(KEY.len())
        .position(|w| w == KEY)
        .map(|at| {
            body[at + KEY.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0, |n, d| n * 10 + (d - b'0') as usize)
        })
        .unwrap_or(0)
}

async fn receive(State(c): State<Arc<Counted>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let n = num_records(&body);
    let mut seen = c.by_message.lock().unwrap();
    if seen.insert(id, n).is_some() {
        c.duplicates.fetch_add(1, Ordering::Relaxed);
    } else {
        c.records.fetch_add(n, Ordering::Relaxed);
        c.arrived.notify_one();
    }
    StatusCode::NO_CONTENT
}

async fn start_counting(cancel: CancellationToken) -> anyhow::Result<(String, Arc<Counted>)> {
    let counted = Arc::new(Counted::default());
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(counted.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/reads", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
    });
    Ok((url, counted))
}

const MANIFEST: &str = "specVersion: 1.0.0\nintegrations:\n  - name: bench\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: reads\n          schedule: \"0 * * * *\"\n          backfill:\n            defaultPeriod:\n              fullHistory: true\n          requiredFields:\n            - fieldName: email\n            - fieldName: firstname\n          optionalFieldsAuto: all\n";

/// The ceiling: `messages` bodies of `size` bytes posted straight to a counting receiver,
/// `concurrency` at a time; records/s at `per_message` records a body.
async fn ceiling(
    url: &str,
    messages: usize,
    size: usize,
    per_message: usize,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let client = switchboard::sinks::http::DeliveryClient::new(&[])?;
    let uri: axum::http::Uri = url.parse()?;
    let mut body =
        format!("{{\"resultInfo\":{{\"type\":\"inline\",\"numRecords\":{per_message}}},\"pad\":\"");
    body.push_str(&"x".repeat(size.saturating_sub(body.len() + 2)));
    body.push_str("\"}");
    let body = Bytes::from(body);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, uri, body, next) = (client.clone(), uri.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= messages {
                    return anyhow::Ok(());
                }
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                headers.insert(
                    "webhook-id",
                    HeaderValue::from_str(&format!("ceiling_{i}"))?,
                );
                client
                    .post(&uri, headers, body.clone(), Duration::from_secs(30))
                    .await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok((messages * per_message) as f64 / started.elapsed().as_secs_f64())
}

pub async fn run_reads(records: u64) -> anyhow::Result<bool> {
    let rig = Rig::start(0).await?;
    let cancel = CancellationToken::new();
    let (url, counted) = start_counting(cancel.clone()).await?;
    println!("machine: {}; load before: {}", machine(), load());
    rig.api
        .post(
            "/destinations",
            json!({"name": "reads", "type": "webhook", "metadata": {"url": url}}),
        )
        .await?;
    rig.api
        .put("/integrations:batch", json!({"sourceYaml": MANIFEST}))
        .await?;
    let generating = Instant::now();
    rig.api
        .post(
            "/integrations/bench/groups/g/objects/contact/records:generate",
            json!({"count": records, "recordBytes": 1000}),
        )
        .await?;
    eprintln!(
        "generated {records} records in {:.1} s",
        generating.elapsed().as_secs_f64()
    );
    let rss_before = proc_status("VmRSS:");

    let started = Instant::now();
    rig.api
        .post(
            "/integrations/bench/installations",
            json!({"groupRef": "g", "config": {"content": {"read": {"objects": {"contact": {"selectedFieldsAuto": "all"}}}}}}),
        )
        .await?;
    let limit = Duration::from_secs(records / 2_000 + 120);
    while counted.records.load(Ordering::Relaxed) < records as usize {
        if started.elapsed() > limit {
            anyhow::bail!(
                "only {} of {records} records arrived",
                counted.records.load(Ordering::Relaxed)
            );
        }
        let _ = tokio::time::timeout(Duration::from_millis(100), counted.arrived.notified()).await;
    }
    let elapsed = started.elapsed();
    let rate = records as f64 / elapsed.as_secs_f64();
    let peak = proc_status("VmHWM:");
    let (messages, delivered) = {
        let seen = counted.by_message.lock().unwrap();
        (seen.len(), seen.values().sum::<usize>())
    };
    let per_message = delivered / messages.max(1);
    // The same bytes straight to a receiver like the one above.
    let (ceiling_url, ceiling_counted) = start_counting(cancel.clone()).await?;
    let ceiling_rate = ceiling(&ceiling_url, messages, 300_000, per_message, 16).await?;
    drop(ceiling_counted);

    let mut table = Table::default();
    table.row(
        "records (≈1 KB each), messages (≤ 300 KB)",
        format!("{records}, {messages}"),
        "",
    );
    table.row(
        "backfill end to end (install → last record received)",
        format!("{rate:.0} records/s ({:.1} s)", elapsed.as_secs_f64()),
        &format!("target >= 50000: {}", verdict(rate >= 50_000.0)),
    );
    table.row(
        "webhook ceiling, same bytes (300 KB posts, 16 in flight)",
        format!("{ceiling_rate:.0} records/s"),
        "",
    );
    table.row(
        "backfill / ceiling",
        format!("{:.2}", rate / ceiling_rate),
        "",
    );
    table.row("RSS before the backfill (VmRSS)", rss_before, "");
    let peak_mb = peak
        .trim_end_matches(" kB")
        .trim()
        .parse::<f64>()
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN);
    table.row(
        "peak RSS (VmHWM, node + receiver + bench)",
        format!("{peak_mb:.0} MB"),
        &format!("target < 200 MB: {}", verdict(peak_mb < 200.0)),
    );
    let duplicates = counted.duplicates.load(Ordering::Relaxed);
    let exact = delivered == records as usize;
    table.row(
        "records delivered / messages sent twice",
        format!("{delivered} / {duplicates}"),
        if exact { "exact" } else { "MISSED" },
    );
    table.print();
    println!("load after: {}", load());
    cancel.cancel();
    rig.stop().await?;
    Ok(exact)
}
