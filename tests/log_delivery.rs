//! Log destinations: one JSON line per message, appended and flushed; a file that cannot be
//! written is a failed attempt carrying the OS error.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::node::{fast_delivery, TestNode};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn messages_are_appended_as_json_lines() {
    let n = TestNode::start().await;
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "audit", "type": "log", "metadata": {}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let path = std::path::PathBuf::from(r.body["metadata"]["path"].as_str().unwrap());
    n.wire(
        "t",
        &["connection.created", "installation.deleted"],
        &["audit"],
    )
    .await;
    let mut ids = Vec::new();
    for event in [
        "connection.created",
        "installation.deleted",
        "connection.created",
    ] {
        let r = n.notify(event).await;
        ids.push(r.body["messages"][0]["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        n.wait_message(id, WAIT, |m| m["status"] == "delivered")
            .await;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3);
    let mut logged: Vec<&str> = lines
        .iter()
        .map(|l| l["messageId"].as_str().unwrap())
        .collect();
    logged.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(logged, want);
    for line in &lines {
        assert_eq!(line["destination"], "audit");
        assert!(line["time"].as_str().unwrap().ends_with('Z'));
        assert!(line["data"]["projectId"].is_string());
        assert!(
            line["notificationType"] == "connection.created"
                || line["notificationType"] == "installation.deleted"
        );
    }
}

#[tokio::test]
async fn an_unwritable_file_is_a_failed_attempt_with_the_os_error() {
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0])).await;
    // A directory where the file should be: opening it for appending fails.
    let blocked = n.data_dir.join("blocked.jsonl");
    std::fs::create_dir_all(&blocked).unwrap();
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "broken", "type": "log", "metadata": {"path": blocked.to_str().unwrap()}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    n.wire("t", &["connection.created"], &["broken"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "exhausted")
        .await;
    let attempt = &m["attempts"][0];
    assert_eq!(attempt["errorClass"], "io");
    let error = attempt["error"].as_str().unwrap();
    assert!(
        error.contains("blocked.jsonl") && error.to_lowercase().contains("directory"),
        "{error}"
    );
}
