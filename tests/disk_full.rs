//! A database that cannot take another write: here its size limit (`max-database-mib`),
//! which fails a write exactly as a full disk does (SQLite's SQLITE_FULL). Publishes are
//! refused with a 503 problem that says why, nothing is half-stored, and once room is made
//! the node publishes again without a restart.

mod support;

use serde_json::{json, Value};
use support::node::TestNode;

#[tokio::test]
async fn a_full_database_refuses_publishes_with_503_and_recovers_when_room_is_made() {
    let n = TestNode::start_configured(|c| c.max_database_mib = Some(4)).await;
    // A paused destination keeps every message it is sent: nothing leaves this machine.
    n.webhook("sink", "http://127.0.0.1:9/").await;
    let r = n.post(&n.p("/destinations/sink/pause"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    n.wire("all", &["connection.created"], &["sink"]).await;

    // Captures fill most of the room.
    let inbox = n.post(&n.p("/inboxes"), json!({"name": "bulk"})).await.body;
    let capture_url = inbox["captureUrl"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let mut captured = 0;
    loop {
        let r = http
            .post(&capture_url)
            .body("y".repeat(400_000))
            .send()
            .await
            .unwrap();
        if r.status() != 200 {
            assert_eq!(r.status(), 503, "a capture that does not fit");
            break;
        }
        captured += 1;
        assert!(captured < 20, "4 MiB never filled up");
    }

    let mut data = switchboard::payload::notification::example_data(
        switchboard::model::EventType::ConnectionCreated,
    );
    data["filler"] = Value::String("x".repeat(100_000));
    let body = json!({"notificationType": "connection.created", "data": data});
    let mut accepted = 0;
    let refused = loop {
        let r = n.post(&n.p("/notifications"), body.clone()).await;
        match r.status.as_u16() {
            202 => accepted += 1,
            503 => break r,
            other => panic!("publish answered {other}: {}", r.body),
        }
        assert!(accepted < 50, "the database never filled up");
    };
    assert_eq!(refused.body["status"], 503, "{}", refused.body);
    assert_eq!(refused.body["retryable"], true, "{}", refused.body);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("full") && detail.contains("nothing was stored"),
        "{detail}"
    );

    // Nothing half-stored: one message for each publish answered 202, none for the other.
    let listed = n.get(&n.p("/messages?limit=500")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        accepted,
        "{}",
        listed.body
    );

    // Room is made (the inbox and its captures deleted): publishing works again.
    let r = n.delete(&n.p("/inboxes/bulk")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let again = n.post(&n.p("/notifications"), body).await;
    assert_eq!(again.status, 202, "{}", again.body);
}
