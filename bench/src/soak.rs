//! The soak (`--soak MINUTES`): the release `switchboard serve` as its own process (so its
//! memory is its own), fed 1000 notifications a second for an hour, each to two webhook
//! receivers on loopback — one that fails every tenth request — with retention set to
//! minutes. Each minute it prints the node's RSS, the database's size on disk, and the
//! publish→arrival latency; at the end, whether anything was lost. And `--idle`: the RSS of
//! a node at rest on an empty data directory.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::node_api::Api;

/// Retention and retries sized for an hour: rows pruned minutes after delivery.
const SETTINGS: &str = r#"
[delivery]
retry-schedule = ["0s", "1s", "2s", "5s", "10s", "30s"]
throttle-floor = "1s"
rate-limit = 0
[retention]
delivered-messages = "3m"
payloads = "3m"
every = "30s"
"#;

/// `switchboard serve` on `data_dir`, started from the binary beside this one.
struct ServedNode {
    child: Child,
    base: String,
    key: String,
    data_dir: PathBuf,
}

impl ServedNode {
    fn start(data_dir: &Path) -> anyhow::Result<ServedNode> {
        let binary = std::env::current_exe()?.with_file_name("switchboard");
        if !binary.exists() {
            bail!(
                "{} is missing: build it first (cargo build --release -p switchboard)",
                binary.display()
            );
        }
        let config = data_dir.with_extension("toml");
        std::fs::write(&config, SETTINGS)?;
        let mut child = Command::new(&binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--secret-store", "file"])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--config")
            .arg(&config)
            .env("SWITCHBOARD_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("the node's stdout")?;
        let mut base = None;
        let mut key = None;
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(url) = line.strip_prefix("Switchboard node listening on ") {
                base = Some(url.trim().to_string());
            }
            if let Some((_, k)) = line.split_once("keep it safe): ") {
                key = Some(k.trim().to_string());
            }
            if line.starts_with("Open the console") {
                break;
            }
        }
        Ok(ServedNode {
            child,
            base: base.context("the node did not say where it listens")?,
            key: key.context("the node did not print its admin key")?,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// The node's resident memory, in MiB: all of it (`VmRSS`), and its anonymous part
    /// (`RssAnon`: heap and stacks; the rest is mostly the database file, memory-mapped).
    fn rss_mib(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(f64::NAN)
        };
        (field("VmRSS:"), field("RssAnon:"))
    }

    /// The database on disk (file and write-ahead log), in MiB.
    fn database_mib(&self) -> f64 {
        ["switchboard.db", "switchboard.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(self.data_dir.join(f)).ok())
            .map(|m| m.len() as f64 / (1024.0 * 1024.0))
            .sum()
    }

    /// SIGTERM (a graceful stop), then waits for it.
    fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        self.child.wait()?;
        Ok(())
    }
}

/// What a receiver saw: distinct message IDs, duplicates, and this minute's latencies.
#[derive(Default)]
struct Tally {
    ids: Mutex<HashSet<String>>,
    duplicates: AtomicU64,
    requests: AtomicU64,
    latencies_ms: Mutex<Vec<f64>>,
}

struct Receiver {
    tally: Tally,
    /// Every `fail_every`-th request is answered 500 (0: none).
    fail_every: u64,
}

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

async fn receive(
    State(rx): State<Arc<Receiver>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> StatusCode {
    let n = rx.tally.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if rx.fail_every > 0 && n % rx.fail_every == 0 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let now = unix_micros();
    let sent = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["data"]["sentAtMicros"].as_u64());
    if let Some(sent) = sent {
        rx.tally
            .latencies_ms
            .lock()
            .unwrap()
            .push(now.saturating_sub(sent) as f64 / 1000.0);
    }
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
        if !rx.tally.ids.lock().unwrap().insert(id.to_string()) {
            rx.tally.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }
    StatusCode::NO_CONTENT
}

async fn start_receiver(
    fail_every: u64,
    cancel: CancellationToken,
) -> anyhow::Result<(String, Arc<Receiver>)> {
    let rx = Arc::new(Receiver {
        tally: Tally::default(),
        fail_every,
    });
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
    });
    Ok((url, rx))
}

/// The `p` quantile of `values` (sorted here).
fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    crate::phases::percentile(values, p)
}

/// A ~1 KB `connection.created` that carries when it was published.
fn notification(sent_micros: u64) -> Bytes {
    let mut data = switchboard::payload::notification::example_data(
        switchboard::model::EventType::ConnectionCreated,
    );
    data["consumerName"] = json!(format!("John Doe {}", "x".repeat(800)));
    data["sentAtMicros"] = json!(sent_micros);
    Bytes::from(json!({"notificationType": "connection.created", "data": data}).to_string())
}

/// Runs the soak for `minutes` at `rate` notifications a second; true when it held.
pub async fn run_soak(minutes: u64, rate: u64) -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let cancel = CancellationToken::new();
    let (steady_url, steady) = start_receiver(0, cancel.clone()).await?;
    let (flaky_url, flaky) = start_receiver(10, cancel.clone()).await?;
    let node = ServedNode::start(&dir.path().join("data"))?;
    let api = Arc::new(Api::connect(&node.base, &node.key)?);
    for (name, url) in [("steady", &steady_url), ("flaky", &flaky_url)] {
        api.post(
            "/destinations",
            json!({"name": name, "type": "webhook", "metadata": {"url": url}}),
        )
        .await?;
    }
    api.post(
        "/topics",
        json!({"name": "soak", "eventTypes": ["connection.created"], "destinationIds": ["steady", "flaky"]}),
    )
    .await?;

    let published = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let publishing = {
        let (api, published, failed) = (api.clone(), published.clone(), failed.clone());
        let until = Instant::now() + Duration::from_secs(minutes * 60);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while Instant::now() < until {
                ticker.tick().await;
                let (api, published, failed) = (api.clone(), published.clone(), failed.clone());
                tokio::spawn(async move {
                    match api.publish(&notification(unix_micros())).await {
                        Ok(_) => published.fetch_add(1, Ordering::Relaxed),
                        Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                    };
                });
            }
        })
    };

    println!(
        "| minute | published | steady got | flaky got | steady p50 / p99 ms | flaky p99 ms | node RSS (anon) MiB | database MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut rss = Vec::new();
    let mut anon_rss = Vec::new();
    let mut database = Vec::new();
    let mut p99s = Vec::new();
    let mut minute_timer = tokio::time::interval(Duration::from_secs(60));
    minute_timer.tick().await;
    for minute in 1..=minutes {
        minute_timer.tick().await;
        // The steady webhook's latency is the dispatcher's; the flaky one's includes the
        // retry a tenth of its messages wait for.
        let mut lat = std::mem::take(&mut *steady.tally.latencies_ms.lock().unwrap());
        let mut flaky_lat = std::mem::take(&mut *flaky.tally.latencies_ms.lock().unwrap());
        let (p50, p99) = (percentile(&mut lat, 0.50), percentile(&mut lat, 0.99));
        let flaky_p99 = percentile(&mut flaky_lat, 0.99);
        let ((r, anon), d) = (node.rss_mib(), node.database_mib());
        println!(
            "| {minute} | {} | {} | {} | {p50:.2} / {p99:.2} | {flaky_p99:.0} | {r:.1} ({anon:.1}) | {d:.1} |",
            published.load(Ordering::Relaxed),
            steady.tally.ids.lock().unwrap().len(),
            flaky.tally.ids.lock().unwrap().len(),
        );
        anon_rss.push(anon);
        rss.push(r);
        database.push(d);
        p99s.push(p99);
    }
    publishing.await?;
    // Let the in-flight publishes and retries land.
    let waiting = Instant::now();
    let total = loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let total = published.load(Ordering::Relaxed) as usize;
        let got = |rx: &Receiver| rx.tally.ids.lock().unwrap().len();
        if got(&steady) >= total && got(&flaky) >= total {
            break total;
        }
        if waiting.elapsed() > Duration::from_secs(120) {
            break total;
        }
    };
    // What a receiver never got is lost unless the node gave up on it as its retry policy
    // says (exhausted: possible on the flaky one, whose every tenth request fails).
    let stats = api.get("/stats").await?;
    let exhausted = |name: &str| {
        stats["destinations"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["destinationName"] == name)
            .and_then(|d| d["counts"]["exhausted"].as_u64())
            .unwrap_or(0) as usize
    };
    let (exhausted_steady, exhausted_flaky) = (exhausted("steady"), exhausted("flaky"));
    let missing = |rx: &Receiver| total.saturating_sub(rx.tally.ids.lock().unwrap().len());
    let lost_steady = missing(&steady).saturating_sub(exhausted_steady);
    let lost_flaky = missing(&flaky).saturating_sub(exhausted_flaky);
    node.stop()?;
    cancel.cancel();

    let at =
        |v: &[f64], minute: usize| v.get(minute.saturating_sub(1)).copied().unwrap_or(f64::NAN);
    let from = (minutes as usize).min(10);
    let growth = (at(&rss, minutes as usize) / at(&rss, from) - 1.0) * 100.0;
    let anon_growth = (at(&anon_rss, minutes as usize) / at(&anon_rss, from) - 1.0) * 100.0;
    // The mapped database's resident pages swing the total from minute to minute: the
    // means of the five minutes up to each end say more than two single readings.
    let mean5 = |v: &[f64], minute: usize| {
        let window = &v[minute.saturating_sub(5)..minute.min(v.len())];
        window.iter().sum::<f64>() / window.len() as f64
    };
    let growth5 = (mean5(&rss, minutes as usize) / mean5(&rss, from) - 1.0) * 100.0;
    let anon_growth5 = (mean5(&anon_rss, minutes as usize) / mean5(&anon_rss, from) - 1.0) * 100.0;
    let settled = (minutes as usize).min(8);
    let db_growth = (at(&database, minutes as usize) / at(&database, settled) - 1.0) * 100.0;
    let worst_p99 = p99s.iter().skip(1).copied().fold(0.0, f64::max);
    println!();
    println!(
        "published {total} (failed publishes: {}), lost: steady {lost_steady}, flaky {lost_flaky} (exhausted by the retry policy: steady {exhausted_steady}, flaky {exhausted_flaky}); duplicates: steady {}, flaky {}",
        failed.load(Ordering::Relaxed),
        steady.tally.duplicates.load(Ordering::Relaxed),
        flaky.tally.duplicates.load(Ordering::Relaxed),
    );
    println!(
        "RSS growth minute {from} → {minutes}: {growth:+.1} % (anonymous: {anon_growth:+.1} %; target < 10 %)"
    );
    println!(
        "RSS growth, means of the five minutes up to {from} and up to {minutes}: {growth5:+.1} % (anonymous: {anon_growth5:+.1} %)"
    );
    println!("database growth minute {settled} → {minutes}: {db_growth:+.1} % (flat after the first retention cycle)");
    println!(
        "steady webhook: worst minute's p99 after the first: {worst_p99:.2} ms (target < 10 ms)"
    );
    Ok(lost_steady == 0 && lost_flaky == 0 && growth < 10.0 && worst_p99 < 10.0)
}

/// The RSS of a node at rest: started on an empty data directory, left alone `secs`.
pub async fn run_idle(secs: u64) -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let node = ServedNode::start(&dir.path().join("data"))?;
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (rss, anon) = node.rss_mib();
    node.stop()?;
    println!(
        "idle `switchboard serve` on an empty data directory, after {secs} s: RSS {rss:.1} MiB (anonymous {anon:.1} MiB)"
    );
    Ok(true)
}
