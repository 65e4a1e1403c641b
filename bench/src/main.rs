//! Switchboard's throughput and latency benchmark: an in-process node on a file-backed
//! SQLite, one route to one webhook destination on a loopback receiver, measured against
//! the same receiver hit directly (the ceiling). See bench/README.md.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use switchboard::model::EventType;
use switchboard::node::{Node, NodeConfig};
use switchboard::secrets::SecretBackendKind;
use tokio_util::sync::CancellationToken;

// The same allocator as the switchboard binaries, so the node runs here as it runs there.
#[global_allocator]
static ALLOCATOR: switchboard::MiMalloc = switchboard::MiMalloc;

#[derive(Parser, Debug)]
#[command(about = "Dispatcher throughput and latency against the loopback ceiling")]
struct Args {
    /// Messages in the ceiling, drain and end-to-end phases (the figure).
    #[arg(long, default_value_t = 100_000)]
    n: usize,
    /// Instead of the throughput table: set the node's rate limit to this many deliveries
    /// per second and check that it holds (within 2 %) over a 10 s window.
    #[arg(long)]
    rate: Option<u32>,
    /// Concurrent publishers (HTTP clients posting notifications).
    #[arg(long, default_value_t = 32)]
    publishers: usize,
    /// Requests in flight in the ceiling phase (the node's default per destination).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds of steady publishing in the latency phase.
    #[arg(long, default_value_t = 10)]
    latency_secs: u64,
    /// Notifications per second in the latency phase (the figure: 1000).
    #[arg(long, default_value_t = 1000)]
    latency_rate: u64,
}

/// Longest wait for any phase's deliveries to arrive: every wait ends by itself.
const MAX_WAIT: Duration = Duration::from_secs(600);

// ---------------------------------------------------------------------------------------
// The receiver: answers 204 and remembers when each `webhook-id` first arrived and how often.

#[derive(Default)]
struct Seen {
    by_id: Mutex<HashMap<String, (u32, Instant)>>,
    unique: AtomicUsize,
    requests: AtomicUsize,
    missing_id: AtomicUsize,
}

impl Seen {
    /// Everything received so far; the receiver starts counting afresh.
    fn take(&self) -> HashMap<String, (u32, Instant)> {
        let mut map = self.by_id.lock().unwrap();
        self.unique.store(0, Ordering::SeqCst);
        self.requests.store(0, Ordering::SeqCst);
        std::mem::take(&mut *map)
    }

    /// Waits (bounded) until `n` distinct IDs arrived; false on timeout.
    async fn wait_for(&self, n: usize, limit: Duration) -> bool {
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
    seen.requests.fetch_add(1, Ordering::Relaxed);
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

async fn start_receiver(cancel: CancellationToken) -> anyhow::Result<(String, Arc<Seen>)> {
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

// ---------------------------------------------------------------------------------------
// The node and its API.

struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
    /// The publishers' client: hyper's own pooled HTTP/1.1 client, without reqwest's
    /// per-request layers (URL re-parsing, redirects, timers). Publishers are load
    /// generators sharing the node's two cores, so they are kept as lean as possible.
    publisher: PublishClient,
    /// The publish URI, parsed once.
    notifications: axum::http::Uri,
}

type PublishClient = hyper_util::client::legacy::Client<HttpConnector, http_body_util::Full<Bytes>>;

fn publish_client() -> PublishClient {
    let mut connector = HttpConnector::new();
    // As reqwest does: no Nagle delay on a request written while a segment is unacked.
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build(connector)
}

/// The part of a publish response the publishers read.
#[derive(serde::Deserialize)]
struct Published {
    messages: Vec<PublishedMessage>,
}

#[derive(serde::Deserialize)]
struct PublishedMessage {
    id: String,
}

impl Api {
    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let resp = self
            .http
            .post(format!("{}/v1/projects/default{path}", self.base))
            .header("X-Api-Key", &self.key)
            .json(&body)
            .send()
            .await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Publishes one notification; the ID of its (single) message.
    async fn publish(&self, body: &Bytes) -> anyhow::Result<String> {
        let request = axum::http::Request::post(self.notifications.clone())
            .header("x-api-key", &self.key)
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(body.clone()))?;
        let response = self.publisher.request(request).await?;
        let status = response.status();
        let text = response.into_body().collect().await?.to_bytes();
        if status != 202 {
            bail!("publish: {status}: {}", String::from_utf8_lossy(&text));
        }
        let published: Published = serde_json::from_slice(&text)?;
        published
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .context("publish response without a message (not routed?)")
    }
}

async fn start_node(
    dir: &Path,
    rate_limit: u32,
    receiver_url: &str,
    cancel: CancellationToken,
) -> anyhow::Result<(Node, Arc<Api>)> {
    let mut config = NodeConfig::new(dir.to_path_buf());
    config.secret_backend = SecretBackendKind::File;
    config.delivery.rate_limit = rate_limit;
    let node = Node::start(config, cancel).await?;
    let key = node.admin_api_key().await?.context("no admin key")?;
    let base = node.base_url();
    let api = Arc::new(Api {
        http: reqwest::Client::new(),
        publisher: publish_client(),
        notifications: format!("{base}/v1/projects/default/notifications").parse()?,
        base,
        key,
    });
    api.post(
        "/destinations",
        json!({"name": "bench", "type": "webhook", "metadata": {"url": receiver_url}}),
    )
    .await?;
    let topic = api.post("/topics", json!({"name": "bench"})).await?;
    api.post(
        "/notification-event-topic-routes",
        json!({"eventType": "connection.created", "topicId": topic["id"]}),
    )
    .await?;
    api.post(
        "/topic-destination-routes",
        json!({"topicId": topic["id"], "destinationId": "bench"}),
    )
    .await?;
    Ok((node, api))
}

/// A valid `connection.created` notification of about 1 KB.
fn notification() -> Vec<u8> {
    let mut data = switchboard::payload::notification::example_data(EventType::ConnectionCreated);
    let base = json!({"notificationType": "connection.created", "data": data.clone()})
        .to_string()
        .len();
    data["consumerName"] = json!(format!("John Doe {}", "x".repeat(1024 - base - 9)));
    json!({"notificationType": "connection.created", "data": data})
        .to_string()
        .into_bytes()
}

/// Publishes `n` notifications from `publishers` concurrent clients: each message ID with
/// the instant its request was sent, the number of failed publishes, and the elapsed time.
async fn publish_many(
    api: &Arc<Api>,
    body: &Bytes,
    n: usize,
    publishers: usize,
) -> (Vec<(String, Instant)>, usize, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..publishers.max(1) {
        let (api, body, next) = (api.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            let mut ok = Vec::new();
            let mut failed = 0;
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let sent = Instant::now();
                match api.publish(&body).await {
                    Ok(id) => ok.push((id, sent)),
                    Err(e) => {
                        if failed == 0 {
                            eprintln!("publish failed: {e:#}");
                        }
                        failed += 1;
                    }
                }
            }
            (ok, failed)
        });
    }
    let mut ids = Vec::with_capacity(n);
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        let (ok, f) = done.expect("publisher task");
        ids.extend(ok);
        failed += f;
    }
    (ids, failed, started.elapsed())
}

// ---------------------------------------------------------------------------------------
// Accounting.

#[derive(Default, Debug)]
struct Check {
    lost: usize,
    duplicates: usize,
    unexpected: usize,
    publish_failures: usize,
}

impl Check {
    fn add(&mut self, other: Check) {
        self.lost += other.lost;
        self.duplicates += other.duplicates;
        self.unexpected += other.unexpected;
        self.publish_failures += other.publish_failures;
    }

    fn exactly_once(&self) -> bool {
        self.lost == 0 && self.duplicates == 0 && self.unexpected == 0
    }

    /// Every published message arrived exactly once and no publish failed.
    fn passed(&self) -> bool {
        self.exactly_once() && self.publish_failures == 0
    }

    fn report(&self, table: &mut Table) {
        table.row(
            "lost / duplicates / unexpected",
            format!("{} / {} / {}", self.lost, self.duplicates, self.unexpected),
            verdict(self.exactly_once()),
        );
    }
}

/// Compares what was expected with what arrived.
fn account<'a>(
    expected: impl IntoIterator<Item = &'a String>,
    arrived: &HashMap<String, (u32, Instant)>,
) -> Check {
    let mut check = Check::default();
    let mut n = 0;
    for id in expected {
        n += 1;
        match arrived.get(id) {
            None => check.lost += 1,
            Some((count, _)) => check.duplicates += (*count as usize).saturating_sub(1),
        }
    }
    check.unexpected = arrived.len().saturating_sub(n - check.lost);
    check
}

fn last_arrival(arrived: &HashMap<String, (u32, Instant)>) -> Option<Instant> {
    arrived.values().map(|(_, t)| *t).max()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "n/a".into())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cores} cores, {cpu}")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// CPU time used so far (user + system): by this whole process, and by the node's storage
/// threads alone (the writer and the checkpointer: its SQLite work). From `/proc`:
/// steadier than rates on a shared virtual machine, where neighbours take wall-clock time
/// but not CPU time.
#[derive(Clone, Copy)]
struct CpuUse {
    all: Duration,
    storage: Duration,
    /// Bytes the storage threads wrote (log frames and checkpoints): unlike CPU time,
    /// this does not move with the machine's speed.
    storage_written: u64,
}

fn cpu_used() -> CpuUse {
    let storage = storage_threads();
    CpuUse {
        all: cpu_time("/proc/self/stat"),
        storage: storage
            .iter()
            .map(|task| cpu_time(&format!("{task}/stat")))
            .sum(),
        storage_written: storage
            .iter()
            .map(|task| bytes_written(&format!("{task}/io")))
            .sum(),
    }
}

/// `wchar` of a `/proc/…/io` file: bytes passed to write calls.
fn bytes_written(io: &str) -> u64 {
    std::fs::read_to_string(io)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("wchar:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The `/proc/self/task/<tid>` directories of the node's `switchboard-writer` and
/// `switchboard-checkpoint` threads (names show truncated to 15 characters).
fn storage_threads() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| {
                comm.starts_with("switchboard-wri") || comm.starts_with("switchboard-che")
            })
        })
        .map(|task| task.path().display().to_string())
        .collect()
}

/// utime + stime of a `/proc/…/stat` file.
fn cpu_time(stat: &str) -> Duration {
    let ticks = std::fs::read_to_string(stat)
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1.to_string();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after ')'.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // USER_HZ, the unit of /proc times, is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// CPU time per message since `since`: the whole process, and the storage threads.
fn cpu_per_message(since: CpuUse, messages: usize) -> CpuUse {
    let now = cpu_used();
    let per = |d: Duration| d / messages.max(1) as u32;
    CpuUse {
        all: per(now.all - since.all),
        storage: per(now.storage - since.storage),
        storage_written: (now.storage_written - since.storage_written) / messages.max(1) as u64,
    }
}

struct Table(Vec<[String; 3]>);

impl Table {
    fn row(&mut self, what: &str, value: String, target: &str) {
        self.0.push([what.to_string(), value, target.to_string()]);
    }

    fn print(&self) {
        let w0 = self.0.iter().map(|r| r[0].len()).max().unwrap_or(0);
        let w1 = self.0.iter().map(|r| r[1].len()).max().unwrap_or(0);
        println!();
        for r in &self.0 {
            println!("{:<w0$}  {:>w1$}  {}", r[0], r[1], r[2]);
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

// ---------------------------------------------------------------------------------------
// Phases.

/// The `i`th ceiling request's message ID, as long as the node's.
fn ceiling_id(i: usize) -> String {
    format!("ceiling_{i:028}")
}

/// The receiver hit directly: same payload, same client settings, same concurrency.
async fn ceiling(
    url: &str,
    seen: &Seen,
    body: &Bytes,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<(f64, Check)> {
    seen.take();
    let client = switchboard::sinks::http::DeliveryClient::new(&[])?;
    let uri: axum::http::Uri = url.parse()?;
    let timeout = switchboard::dispatch::config::DeliveryConfig::default().timeout;
    // The requests the node sends, headers included, so that the ratio measures the
    // dispatcher rather than the weight of its requests: a message ID as long as the
    // node's (`msg_` and 32 hex digits), a timestamp, and a signature of a signature's
    // length (a fixed one: signing is the dispatcher's work, measured in the drain), each
    // under Svix's and Standard Webhooks' names.
    let signature = HeaderValue::from_str(&format!("v1,{}", "A".repeat(43) + "="))?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (client, uri, body, next, signature) = (
            client.clone(),
            uri.clone(),
            body.clone(),
            next.clone(),
            signature.clone(),
        );
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(());
                }
                let id = HeaderValue::from_str(&ceiling_id(i))?;
                let timestamp = HeaderValue::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)?
                        .as_secs(),
                );
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                headers.insert(
                    USER_AGENT,
                    HeaderValue::from_static(switchboard::sinks::webhook::USER_AGENT_VALUE),
                );
                for [id_name, ts_name, sig_name] in switchboard::sinks::webhook::SIGNATURE_HEADERS {
                    headers.insert(id_name, id.clone());
                    headers.insert(ts_name, timestamp.clone());
                    headers.insert(sig_name, signature.clone());
                }
                client.post(&uri, headers, body.clone(), timeout).await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let elapsed = started.elapsed();
    let arrived = seen.take();
    let expected: Vec<String> = (0..n).map(ceiling_id).collect();
    Ok((
        n as f64 / elapsed.as_secs_f64(),
        account(&expected, &arrived),
    ))
}

async fn run_table(args: &Args) -> anyhow::Result<bool> {
    let cancel = CancellationToken::new();
    let (url, seen) = start_receiver(cancel.clone()).await?;
    let dir = tempfile::tempdir()?;
    let (node, api) = start_node(dir.path(), 0, &url, cancel.clone()).await?;
    let body = Bytes::from(notification());
    let n = args.n;
    let mut table = Table(Vec::new());
    let mut check = Check::default();
    println!("machine: {}; load before: {}", machine(), load());
    println!(
        "payload {} bytes, N = {n}, {} publishers, ceiling concurrency {}",
        body.len(),
        args.publishers,
        args.concurrency
    );

    // Ceiling.
    let cpu = cpu_used();
    let (ceiling_rate, c) = ceiling(&url, &seen, &body, n, args.concurrency).await?;
    let ceiling_cpu = cpu_per_message(cpu, n);
    eprintln!("ceiling: {ceiling_rate:.0} req/s");
    table.row(
        "ceiling (receiver direct)",
        format!("{ceiling_rate:.0} req/s"),
        "",
    );
    check.add(c);

    // Drain: queue N while the destination is paused, then resume.
    api.post("/destinations/bench/pause", json!({})).await?;
    let cpu = cpu_used();
    let (ids, failed, took) = publish_many(&api, &body, n, args.publishers).await;
    let publish_cpu = cpu_per_message(cpu, ids.len());
    check.publish_failures += failed;
    let queued_rate = ids.len() as f64 / took.as_secs_f64();
    eprintln!("queued {} (paused) at {queued_rate:.0}/s", ids.len());
    table.row(
        "publish, destination paused",
        format!("{queued_rate:.0} req/s"),
        "",
    );
    seen.take();
    let resumed = Instant::now();
    let cpu = cpu_used();
    api.post("/destinations/bench/resume", json!({})).await?;
    if !seen.wait_for(ids.len(), MAX_WAIT).await {
        eprintln!("drain: timed out waiting for deliveries");
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // let any duplicate show up
    let arrived = seen.take();
    let drain_cpu = cpu_per_message(cpu, arrived.len());
    let drain_time = last_arrival(&arrived)
        .map(|t| t - resumed)
        .unwrap_or(MAX_WAIT);
    let drain_rate = arrived.len() as f64 / drain_time.as_secs_f64();
    eprintln!("drain: {drain_rate:.0}/s");
    check.add(account(ids.iter().map(|(id, _)| id), &arrived));
    table.row(
        "drain (N queued, then resumed)",
        format!("{drain_rate:.0} deliveries/s"),
        &format!("target >= 20000: {}", verdict(drain_rate >= 20_000.0)),
    );
    let ratio = drain_rate / ceiling_rate;
    table.row(
        "drain / ceiling",
        format!("{ratio:.2}"),
        &format!("target >= 0.5: {}", verdict(ratio >= 0.5)),
    );

    // End to end: publish N while delivering.
    seen.take();
    let started = Instant::now();
    let cpu = cpu_used();
    let (ids, failed, took) = publish_many(&api, &body, n, args.publishers).await;
    check.publish_failures += failed;
    if !seen.wait_for(ids.len(), MAX_WAIT).await {
        eprintln!("end to end: timed out waiting for deliveries");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let arrived = seen.take();
    let e2e_cpu = cpu_per_message(cpu, arrived.len());
    let e2e_time = last_arrival(&arrived)
        .map(|t| t - started)
        .unwrap_or(MAX_WAIT);
    let publish_rate = ids.len() as f64 / took.as_secs_f64();
    let e2e_rate = arrived.len() as f64 / e2e_time.as_secs_f64();
    eprintln!("end to end: publish {publish_rate:.0}/s, deliver {e2e_rate:.0}/s");
    check.add(account(ids.iter().map(|(id, _)| id), &arrived));
    table.row(
        "end to end: publish",
        format!("{publish_rate:.0} req/s"),
        &format!("target >= 10000: {}", verdict(publish_rate >= 10_000.0)),
    );
    table.row(
        "end to end: deliveries",
        format!("{e2e_rate:.0} deliveries/s"),
        &format!("target >= 10000: {}", verdict(e2e_rate >= 10_000.0)),
    );
    // The whole process: node, receiver and clients alike.
    for (phase, cpu) in [
        ("ceiling", ceiling_cpu),
        ("publish, destination paused", publish_cpu),
        ("drain", drain_cpu),
        ("end to end", e2e_cpu),
    ] {
        table.row(
            &format!("CPU per message: {phase}"),
            format!(
                "{} µs (storage {} µs)",
                cpu.all.as_micros(),
                cpu.storage.as_micros()
            ),
            "",
        );
    }
    for (phase, cpu) in [
        ("publish, destination paused", publish_cpu),
        ("drain", drain_cpu),
        ("end to end", e2e_cpu),
    ] {
        table.row(
            &format!("storage written per message: {phase}"),
            format!("{:.1} KB", cpu.storage_written as f64 / 1024.0),
            "",
        );
    }
    table.row(
        "CPU ratio ceiling / drain",
        format!(
            "{:.2}",
            ceiling_cpu.all.as_secs_f64() / drain_cpu.all.as_secs_f64()
        ),
        "",
    );

    // Latency at a steady 1000 notifications/s.
    seen.take();
    let latency_rate = args.latency_rate.max(1);
    let count = (args.latency_secs * latency_rate) as usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / latency_rate as f64));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        ticker.tick().await;
        let (api, body) = (api.clone(), body.clone());
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
    if !seen.wait_for(sent_at.len(), MAX_WAIT).await {
        eprintln!("latency: timed out waiting for deliveries");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let arrived = seen.take();
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
    let (p50, p99, max) = (
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN),
    );
    eprintln!("latency: p50 {p50:.2} ms, p99 {p99:.2} ms");
    let label = |q: &str| format!("latency at {latency_rate}/s: {q}");
    table.row(&label("p50"), format!("{p50:.2} ms"), "");
    table.row(
        &label("p99"),
        format!("{p99:.2} ms"),
        &format!("target < 10 ms: {}", verdict(p99 < 10.0)),
    );
    table.row(&label("max"), format!("{max:.2} ms"), "");

    table.row(
        "peak RSS (VmHWM, node + bench clients)",
        proc_status("VmHWM:"),
        "",
    );
    check.report(&mut table);
    if check.publish_failures > 0 || seen.missing_id.load(Ordering::SeqCst) > 0 {
        table.row(
            "failed publishes / requests without webhook-id",
            format!(
                "{} / {}",
                check.publish_failures,
                seen.missing_id.load(Ordering::SeqCst)
            ),
            "MISSED",
        );
    }
    table.print();
    println!("load after: {}", load());

    node.shutdown().await?;
    cancel.cancel();
    Ok(check.passed())
}

/// With the node's limit at `rate`: queue a backlog, release it, and count what arrives
/// in a 10 s window after 2 s of warm-up.
async fn run_rate(args: &Args, rate: u32) -> anyhow::Result<bool> {
    const WARM_UP: Duration = Duration::from_secs(2);
    const WINDOW: Duration = Duration::from_secs(10);
    let cancel = CancellationToken::new();
    let (url, seen) = start_receiver(cancel.clone()).await?;
    let dir = tempfile::tempdir()?;
    let (node, api) = start_node(dir.path(), rate, &url, cancel.clone()).await?;
    let body = Bytes::from(notification());
    println!("machine: {}; load before: {}", machine(), load());
    // Enough backlog to keep the limiter busy past the window's end.
    let backlog = rate as usize * 15;
    api.post("/destinations/bench/pause", json!({})).await?;
    let (ids, failed, _) = publish_many(&api, &body, backlog, args.publishers).await;
    seen.take();
    let resumed = Instant::now();
    api.post("/destinations/bench/resume", json!({})).await?;
    let limit = Duration::from_secs(backlog as u64 / rate.max(1) as u64 * 3 + 30);
    if !seen.wait_for(ids.len(), limit).await {
        eprintln!("rate: timed out waiting for deliveries");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let arrived = seen.take();
    let (from, to) = (resumed + WARM_UP, resumed + WARM_UP + WINDOW);
    let in_window = arrived
        .values()
        .filter(|(_, t)| *t >= from && *t < to)
        .count();
    let measured = in_window as f64 / WINDOW.as_secs_f64();
    let deviation = (measured - rate as f64) / rate as f64 * 100.0;
    let mut check = account(ids.iter().map(|(id, _)| id), &arrived);
    check.publish_failures = failed;
    let mut table = Table(Vec::new());
    table.row("configured rate limit", format!("{rate}/s"), "");
    table.row(
        "delivered, 10 s window after 2 s warm-up",
        format!("{measured:.1}/s"),
        "",
    );
    table.row(
        "deviation",
        format!("{deviation:+.2} %"),
        &format!("target within 2 %: {}", verdict(deviation.abs() <= 2.0)),
    );
    check.report(&mut table);
    table.print();
    println!("load after: {}", load());
    node.shutdown().await?;
    cancel.cancel();
    Ok(check.passed())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = match args.rate {
        Some(rate) => run_rate(&args, rate).await,
        None => run_table(&args).await,
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("FAILED: messages were lost, duplicated or not published (see the table)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("benchmark error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
