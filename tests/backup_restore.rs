//! `switchboard backup` of a running node mid-traffic, `restore` refused while a node
//! runs and done once it is stopped: the restored node holds every notification that was
//! acknowledged before the backup began, and nothing that was never published. A damaged
//! backup is refused; a damaged database stops the node with a clear message.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

fn serve(data: &Path) -> (Child, String, Option<String>) {
    support::served::serve(BIN, data, None)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("SWITCHBOARD_LOG", "warn")
        .output()
        .unwrap()
}

fn stop(mut child: Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

async fn message_ids(base: &str, key: &str) -> HashSet<String> {
    let http = reqwest::Client::new();
    let mut ids = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/projects/default/messages?limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = http
            .get(url)
            .header("X-Api-Key", key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for m in page["items"].as_array().unwrap() {
            ids.insert(m["id"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_mid_traffic_restores_every_acknowledged_notification() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap().to_string();
    let (child, base, key) = serve(&data);
    let key = key.unwrap();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{base}/v1/projects/default{path}"))
            .header("X-Api-Key", &key)
            .json(&body)
            .send()
    };
    // A paused destination: messages stay in the outbox, so the database holds them all.
    post(
        "/destinations",
        json!({"name": "h", "type": "webhook", "metadata": {"url": "http://127.0.0.1:9/"}}),
    )
    .await
    .unwrap();
    post("/destinations/h/pause", json!({})).await.unwrap();
    post(
        "/topics",
        json!({"name": "t", "eventTypes": ["connection.created"], "destinationIds": ["h"]}),
    )
    .await
    .unwrap();

    let body = json!({"notificationType": "connection.created",
        "data": switchboard::payload::notification::example_data(switchboard::model::EventType::ConnectionCreated)});
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop_publishing = tokio_util::sync::CancellationToken::new();
    let mut publishers = Vec::new();
    for _ in 0..4 {
        let (http, base, key, body, acked, stop) = (
            http.clone(),
            base.clone(),
            key.clone(),
            body.clone(),
            acked.clone(),
            stop_publishing.clone(),
        );
        publishers.push(tokio::spawn(async move {
            while !stop.is_cancelled() {
                let resp = http
                    .post(format!("{base}/v1/projects/default/notifications"))
                    .header("X-Api-Key", &key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 202);
                let v: Value = resp.json().await.unwrap();
                acked
                    .lock()
                    .unwrap()
                    .push(v["messages"][0]["id"].as_str().unwrap().to_string());
            }
        }));
    }
    while acked.lock().unwrap().len() < 300 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Acknowledged before the backup begins: these must all be in it.
    let before: Vec<String> = acked.lock().unwrap().clone();
    let backup = dir.path().join("node.backup");
    let backup_arg = backup.to_str().unwrap().to_string();
    let out = tokio::task::spawn_blocking({
        let (d, b) = (data_arg.clone(), backup_arg.clone());
        move || run(&["backup", "--data-dir", &d, &b])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    while acked.lock().unwrap().len() < before.len() + 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // While the node runs, restoring is refused.
    let refused = run(&["restore", "--data-dir", &data_arg, &backup_arg]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("another node is running"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    stop_publishing.cancel();
    for p in publishers {
        p.await.unwrap();
    }
    let all: HashSet<String> = acked.lock().unwrap().iter().cloned().collect();
    stop(child);

    // A damaged copy is refused, and the database stays as it was.
    let damaged = dir.path().join("damaged.backup");
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8192].fill(0x5a);
    std::fs::write(&damaged, bytes).unwrap();
    let out = run(&[
        "restore",
        "--data-dir",
        &data_arg,
        damaged.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a usable backup"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&["restore", "--data-dir", &data_arg, &backup_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (child, base, none) = serve(&data);
    assert!(none.is_none(), "the restored node has its keys");
    let restored = message_ids(&base, &key).await;
    let missing: Vec<&String> = before.iter().filter(|id| !restored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged before the backup are missing",
        missing.len()
    );
    assert!(
        restored.is_subset(&all),
        "the restored node has messages nobody published"
    );
    assert!(
        restored.len() < all.len(),
        "the backup is a snapshot, not the end state"
    );
    stop(child);

    // A database damaged in place stops the node with a clear message.
    let db = data.join("switchboard.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8192].fill(0x5a);
    std::fs::write(&db, bytes).unwrap();
    let out = run(&[
        "serve",
        "--data-dir",
        &data_arg,
        "--secret-store",
        "file",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is damaged"), "{stderr}");
}
