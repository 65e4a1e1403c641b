//! `--inbox`: how fast a capture inbox takes requests (each stored durably in SQLite before
//! it is answered), against the same requests to the plain receiver (which stores
//! nothing), in the same run; and `inspect` of a 300 KB payload.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use serde_json::json;

use crate::phases::Rig;

/// Requests/s of `n` POSTs of `body` to `url`, `concurrency` at a time.
async fn rate(url: &str, body: &Bytes, n: usize, concurrency: usize) -> anyhow::Result<f64> {
    let client = switchboard::sinks::http::DeliveryClient::new(&[])?;
    let uri: axum::http::Uri = url.parse()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, uri, body, next) = (client.clone(), uri.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                headers.insert("webhook-id", HeaderValue::from_static("msg_bench"));
                client
                    .post(&uri, headers, body.clone(), Duration::from_secs(30))
                    .await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

pub async fn run_inbox(n: usize, concurrency: usize) -> anyhow::Result<()> {
    let rig = Rig::start(0).await?;
    let inbox = rig
        .api
        .post("/inboxes", json!({"name": "bench", "maxCaptures": 100_000}))
        .await?;
    let capture_url = inbox["captureUrl"].as_str().unwrap_or_default().to_string();
    let plain = rate(&rig.url, &rig.body, n, concurrency).await?;
    let captured = rate(&capture_url, &rig.body, n, concurrency).await?;
    println!(
        "payload {} bytes, N = {n}, {concurrency} in flight",
        rig.body.len()
    );
    println!("plain receiver (stores nothing): {plain:.0} req/s");
    println!(
        "capture inbox (stored durably, then answered): {captured:.0} req/s = {:.0} % of plain (target ≥ 10000 req/s: {})",
        captured / plain * 100.0,
        if captured >= 10_000.0 { "met" } else { "MISSED" }
    );
    rig.stop().await?;
    Ok(())
}

/// `inspect` on an `installation.updated` of about 300 KB (config and lastConfig).
pub fn run_inspect() {
    let mut data = switchboard::payload::notification::example_data(
        switchboard::model::EventType::InstallationUpdated,
    );
    let fields: serde_json::Map<String, serde_json::Value> = (0..2_500)
        .map(|i| (format!("field_{i:05}"), json!(true)))
        .collect();
    data["config"]["content"]["read"]["objects"]["account"]["selectedFields"] = json!(fields);
    data["lastConfig"] = data["config"].clone();
    data["lastConfig"]["content"]["read"]["objects"]["account"]["selectedFields"]["field_00001"] =
        json!(false);
    let pad = "x".repeat(206_000);
    data["config"]["content"]["note"] = json!(pad);
    let body =
        serde_json::to_vec(&json!({"notificationType": "installation.updated", "data": data}))
            .unwrap_or_default();
    let secrets = [switchboard::inspect::NamedSecret {
        label: "current".into(),
        secret: switchboard::payload::signing::generate_secret(),
    }];
    let headers = vec![
        ("webhook-id".to_string(), "msg_1".to_string()),
        ("webhook-timestamp".to_string(), "1".to_string()),
        ("webhook-signature".to_string(), "v1,AAAA".to_string()),
    ];
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let report = switchboard::inspect::inspect(&body, &headers, &secrets, 1);
            std::hint::black_box(report);
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "inspect of {} bytes (config diff, signature report): p50 {:?}, max {:?} (target < 5 ms: {})",
        body.len(),
        times[times.len() / 2],
        times[times.len() - 1],
        if times[times.len() / 2] < Duration::from_millis(5) { "met" } else { "MISSED" }
    );
}
