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

/// A read action's results go to a log destination as one JSON line per message, the
/// webhook message whole under `data`.
#[tokio::test]
async fn read_results_are_logged_as_webhook_messages() {
    let n = TestNode::start().await;
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "audit", "type": "log", "metadata": {}}),
        )
        .await;
    let path = std::path::PathBuf::from(r.body["metadata"]["path"].as_str().unwrap());
    let manifest = "specVersion: 1.0.0\nintegrations:\n  - name: crm\n    provider: hubspot\n    read:\n      objects:\n        - objectName: deal\n          destination: audit\n          schedule: \"*/30 * * * *\"\n          backfill:\n            defaultPeriod:\n              days: 90\n          requiredFields:\n            - fieldName: amount\n";
    let r = n
        .send(
            reqwest::Method::PUT,
            &n.p("/integrations:batch"),
            Some(json!({"sourceYaml": manifest})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    n.post(
        &n.p("/integrations/crm/groups/g/objects/deal/records:generate"),
        json!({"count": 40}),
    )
    .await;
    let r = n
        .post(
            &n.p("/integrations/crm/installations"),
            json!({"groupRef": "g", "config": {"content": {"read": {"objects": {"deal": {}}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let lines: Vec<Value> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        let count: u64 = lines
            .iter()
            .map(|l| l["data"]["resultInfo"]["numRecords"].as_u64().unwrap())
            .sum();
        if count == 40 {
            assert_eq!(lines[0]["action"], "read");
            assert_eq!(lines[0]["data"]["objectName"], "deal");
            assert!(lines[0]["data"]["result"][0]["fields"]["amount"].is_number());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{count} of 40 records logged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
