//! Durability through the real binary: SIGKILL in the middle of a burst loses nothing, and
//! a crash right after a webhook is disabled does not lose its alert.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::receiver::Receiver;

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
const BURST: usize = 3000;

/// Starts `switchboard serve`; returns the child, its base URL and (first start) the key.
fn serve(data: &Path) -> (Child, String, Option<String>) {
    support::served::serve(BIN, data, None)
}

/// `serve`, set to abort at the named crash point (`switchboard::fault`).
fn serve_crashing_at(data: &Path, crash_at: Option<&str>) -> (Child, String, Option<String>) {
    support::served::serve(BIN, data, crash_at)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut rx = Receiver::start().await;
    // The first 100 deliveries go through; then the receiver stalls, so the kill lands
    // with attempts in flight and most of the burst queued, however fast this machine is.
    rx.script((0..100).map(|_| support::receiver::Reply::status(204)));
    rx.otherwise(support::receiver::Reply::slow(204, Duration::from_secs(30)));
    let (mut child, base, key) = serve(&data);
    let key = key.unwrap();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{base}/v1/projects/default{path}"))
            .header("X-Api-Key", &key)
            .json(&body)
            .send()
    };
    assert_eq!(
        post(
            "/destinations",
            json!({"name": "h", "type": "webhook", "metadata": {"url": rx.url("/")}})
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let topic: Value = post("/topics", json!({"name": "t"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    post(
        "/notification-event-topic-routes",
        json!({"eventType": "connection.created", "topicId": topic["id"]}),
    )
    .await
    .unwrap();
    post(
        "/topic-destination-routes",
        json!({"topicId": topic["id"], "destinationId": "h"}),
    )
    .await
    .unwrap();

    // Publish the burst from 8 concurrent clients; kill the node once deliveries are flowing.
    let body = json!({"notificationType": "connection.created",
        "data": switchboard::payload::notification::example_data(switchboard::model::EventType::ConnectionCreated)});
    let acked = Arc::new(std::sync::Mutex::new(HashSet::new()));
    let mut publishers = Vec::new();
    for worker in 0..8 {
        let (http, base, key, body, acked) = (
            http.clone(),
            base.clone(),
            key.clone(),
            body.clone(),
            acked.clone(),
        );
        publishers.push(tokio::spawn(async move {
            for _ in (worker..BURST).step_by(8) {
                let sent = http
                    .post(format!("{base}/v1/projects/default/notifications"))
                    .header("X-Api-Key", &key)
                    .json(&body)
                    .send()
                    .await;
                let Ok(resp) = sent else { return };
                if resp.status() != 202 {
                    return;
                }
                let Ok(v) = resp.json::<Value>().await else {
                    return;
                };
                acked
                    .lock()
                    .unwrap()
                    .insert(v["messages"][0]["id"].as_str().unwrap().to_string());
            }
        }));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Kill once deliveries flow and thousands are acknowledged (publishing still goes on).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen.len() < 100 || acked.lock().unwrap().len() < 1500 {
        assert!(
            std::time::Instant::now() < deadline,
            "the burst did not get under way"
        );
        if let Ok(r) =
            tokio::time::timeout(Duration::from_millis(50), rx.next(Duration::from_secs(60))).await
        {
            *seen.entry(r.header("webhook-id").to_string()).or_default() += 1;
        }
    }
    eprintln!("killing after {} deliveries", seen.len());
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .unwrap()
        .success());
    child.wait().unwrap();
    for p in publishers {
        p.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 1500,
        "the burst was under way: {} acknowledged",
        acked.len()
    );
    // Deliveries that were in flight at the kill may still land now.
    while let Ok(r) =
        tokio::time::timeout(Duration::from_millis(300), rx.next(Duration::from_secs(1))).await
    {
        *seen.entry(r.header("webhook-id").to_string()).or_default() += 1;
    }
    let before_restart: HashSet<String> = seen.keys().cloned().collect();
    assert!(
        acked.len() - before_restart.len() >= 500,
        "the kill landed with much still queued"
    );

    eprintln!(
        "restarting: {} acknowledged, {} delivered",
        acked.len(),
        before_restart.len()
    );
    rx.otherwise(support::receiver::Reply::status(204));
    let (mut child, _base, none) = serve(&data);
    assert!(none.is_none());
    let missing =
        |seen: &HashMap<String, usize>| acked.iter().filter(|id| !seen.contains_key(*id)).count();
    while missing(&seen) > 0 {
        let r = rx.next(Duration::from_secs(60)).await;
        *seen.entry(r.header("webhook-id").to_string()).or_default() += 1;
    }
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    // Only attempts in flight at the kill may repeat: at most the destination's in-flight cap
    // (16) plus a recording batch under way.
    assert!(duplicates <= 64, "{duplicates} duplicates");
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// The node dies right after committing a webhook's disable (a test-only crash point in the
/// recorder): after a restart, `destination.webhook.disabled` is still delivered along its
/// routes, because it was committed in the same transaction as the disable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_right_after_a_disable_does_not_lose_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let gone = Receiver::start().await;
    gone.otherwise(support::receiver::Reply::status(410));
    let mut watcher = Receiver::start().await;
    let (mut child, base, key) = serve_crashing_at(&data, Some("recorder.after-disable-commit"));
    let key = key.unwrap();
    let http = reqwest::Client::new();
    let post = |base: &str, path: &str, body: Value| {
        http.post(format!("{base}/v1/projects/default{path}"))
            .header("X-Api-Key", &key)
            .json(&body)
            .send()
    };
    for (name, url) in [("gone", gone.url("/")), ("watch", watcher.url("/"))] {
        let made = post(
            &base,
            "/destinations",
            json!({"name": name, "type": "webhook", "metadata": {"url": url}}),
        )
        .await
        .unwrap();
        assert_eq!(made.status(), 201);
    }
    for (topic, event_type, destination) in [
        ("work", "connection.created", "gone"),
        ("alerts", "destination.webhook.disabled", "watch"),
    ] {
        let t: Value = post(&base, "/topics", json!({"name": topic}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (path, body) in [
            (
                "/notification-event-topic-routes",
                json!({"eventType": event_type, "topicId": t["id"]}),
            ),
            (
                "/topic-destination-routes",
                json!({"topicId": t["id"], "destinationId": destination}),
            ),
        ] {
            assert_eq!(post(&base, path, body).await.unwrap().status(), 201);
        }
    }
    let body = json!({"notificationType": "connection.created",
        "data": switchboard::payload::notification::example_data(switchboard::model::EventType::ConnectionCreated)});
    assert_eq!(
        post(&base, "/notifications", body).await.unwrap().status(),
        202
    );
    // The 410 disables `gone` at once; the node aborts right after that commit.
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(!status.success(), "the node crashed at the point: {status}");

    let (mut child, base, _) = serve(&data);
    let alert = watcher.next(Duration::from_secs(30)).await.json();
    assert_eq!(alert["notificationType"], "destination.webhook.disabled");
    assert_eq!(alert["data"]["destinationName"], "gone");
    let destination: Value = http
        .get(format!("{base}/v1/projects/default/destinations/gone"))
        .header("X-Api-Key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(destination["status"], "disabled");
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// The node dies in the middle of a 100,000-record backfill (aborted right after its 10th
/// chunk of records was committed with its messages, deliveries under way): after a
/// restart the backfill resumes where its last commit left it. Every record arrives, and
/// no record is in two different messages (only a message in flight at the crash may be
/// sent twice, with the same webhook-id).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crash_mid_backfill_resumes_without_losing_or_rereading_records() {
    const RECORDS: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut rx = Receiver::start().await;
    let (mut child, base, key) = serve_crashing_at(&data, Some("reads.after-chunk-commit@10"));
    let key = key.unwrap();
    let http = reqwest::Client::new();
    let send = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{base}/v1/projects/default{path}"))
            .header("X-Api-Key", &key)
            .json(&body)
            .send()
    };
    let created = send(
        reqwest::Method::POST,
        "/destinations",
        json!({"name": "hook", "type": "webhook", "metadata": {"url": rx.url("/")}}),
    );
    assert_eq!(created.await.unwrap().status(), 201);
    let manifest = "specVersion: 1.0.0\nintegrations:\n  - name: crm\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: hook\n          schedule: \"*/30 * * * *\"\n          backfill:\n            defaultPeriod:\n              fullHistory: true\n          requiredFields:\n            - fieldName: email\n";
    let deployed = send(
        reqwest::Method::PUT,
        "/integrations:batch",
        json!({"sourceYaml": manifest}),
    );
    assert_eq!(deployed.await.unwrap().status(), 200);
    let generated = send(
        reqwest::Method::POST,
        "/integrations/crm/groups/acme/objects/contact/records:generate",
        json!({"count": RECORDS}),
    );
    assert_eq!(generated.await.unwrap().status(), 201);
    let installed = send(
        reqwest::Method::POST,
        "/integrations/crm/installations",
        json!({"groupRef": "acme", "config": {"content": {"read": {"objects": {"contact": {}}}}}}),
    );
    assert_eq!(installed.await.unwrap().status(), 201);
    // The backfill runs into the crash point by itself.
    let status = child.wait().unwrap();
    assert!(!status.success(), "the node aborted mid-backfill");

    // message (webhook-id) → the record IDs it carried
    let mut messages: HashMap<String, Vec<String>> = HashMap::new();
    let take = |r: support::receiver::Received, messages: &mut HashMap<String, Vec<String>>| {
        let ids: Vec<String> = r.json()["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["raw"]["id"].as_str().unwrap().to_string())
            .collect();
        messages.insert(r.header("webhook-id").to_string(), ids);
    };
    while let Ok(r) =
        tokio::time::timeout(Duration::from_millis(300), rx.next(Duration::from_secs(1))).await
    {
        take(r, &mut messages);
    }
    let before: usize = messages.values().map(Vec::len).sum();
    assert!(
        before < RECORDS,
        "the crash landed before the backfill finished ({before} delivered)"
    );
    eprintln!(
        "restarting after {before} records in {} messages",
        messages.len()
    );

    let (mut child, _base, none) = serve(&data);
    assert!(none.is_none());
    let records = |m: &HashMap<String, Vec<String>>| m.values().map(Vec::len).sum::<usize>();
    while records(&messages) < RECORDS {
        let r = rx.next(Duration::from_secs(60)).await;
        take(r, &mut messages);
    }
    let mut seen = HashSet::new();
    for ids in messages.values() {
        for id in ids {
            assert!(
                seen.insert(id.clone()),
                "record {id} was read into two messages"
            );
        }
    }
    assert_eq!(seen.len(), RECORDS);
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(child.wait().unwrap().success());
}
