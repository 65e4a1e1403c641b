//! What the API says about failures before anything is final: a destination whose attempts
//! fail is `failing` (since when, the last error, when it would be disabled), a message
//! waiting for its retry is `retrying` with its last error's class and its plan, and a
//! success rate with failed attempts and no success is 0.

mod support;

use std::time::Duration;

use chrono::DateTime;
use serde_json::Value;
use support::node::{fast_delivery, TestNode};
use support::receiver::{Receiver, Reply};

const WAIT: Duration = Duration::from_secs(10);

fn time(v: &Value) -> i64 {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn a_failing_webhook_is_failing_until_an_attempt_succeeds() {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0, 60_000, 120_000]);
        c.delivery.disable_after = Duration::from_secs(3600);
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let mut rx = Receiver::start().await;
    rx.script([Reply::status(500).with_body("down for maintenance")]);
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let healthy = n.get(&n.p("/destinations/h")).await.body;
    assert!(healthy.get("failing").is_none(), "{healthy}");

    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rx.next(WAIT).await;
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "retrying")
        .await;
    assert_eq!(m["lastErrorClass"], "status", "{m}");
    assert_eq!(m["lastStatusCode"], 500);
    let plan = &m["retry"];
    assert_eq!(
        (plan["nextAttempt"].as_i64(), plan["lastAttempt"].as_i64()),
        (Some(2), Some(3)),
        "{m}"
    );
    assert_eq!(
        time(&plan["lastAttemptTime"]) - time(&plan["nextAttemptTime"]),
        120_000,
        "the last attempt follows the schedule's remaining delays"
    );
    assert_eq!(time(&plan["nextAttemptTime"]), time(&m["nextAttemptTime"]));
    // The list says it too, for Live's rows.
    let listed = n.get(&n.p("/messages?status=retrying")).await.body;
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["lastErrorClass"], "status");

    let d = n.get(&n.p("/destinations/h")).await.body;
    assert_eq!(d["status"], "active");
    let failing = &d["failing"];
    assert_eq!(failing["lastErrorClass"], "status", "{d}");
    assert!(
        failing["lastError"].as_str().unwrap().contains("500"),
        "{d}"
    );
    assert_eq!(
        time(&failing["disableTime"]) - time(&failing["since"]),
        3_600_000,
        "disabled under the node's rule an hour after the first failure"
    );
    let stats = n.get(&n.p("/stats")).await.body;
    assert_eq!(stats["destinations"][0]["successRate"], 0.0, "{stats}");
    assert_eq!(stats["destinations"][0]["counts"]["retrying"], 1);

    // The retry succeeds: no longer failing, the message final.
    n.advance(Duration::from_secs(61));
    rx.next(WAIT).await;
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "delivered")
        .await;
    assert!(
        m.get("retry").is_none() && m.get("lastErrorClass").is_none(),
        "{m}"
    );
    let d = n.get(&n.p("/destinations/h")).await.body;
    assert!(d.get("failing").is_none(), "{d}");
    let stats = n.get(&n.p("/stats")).await.body;
    assert_eq!(stats["destinations"][0]["successRate"], 1.0, "{stats}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_and_a_paused_destination_is_not_to_be_disabled() {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0, 60_000]);
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    n.webhook("closed", &format!("http://127.0.0.1:{closed}/hook"))
        .await;
    n.wire("t", &["connection.created"], &["closed"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "retrying")
        .await;
    assert_eq!(m["lastErrorClass"], "connect", "{m}");
    assert!(
        m["lastError"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("refused"),
        "{m}"
    );
    let d = n.get(&n.p("/destinations/closed")).await.body;
    assert_eq!(d["failing"]["lastErrorClass"], "connect", "{d}");
    assert!(d["failing"]["disableTime"].is_string(), "{d}");

    // Paused: still failing, but the node does not disable a paused destination.
    let paused = n
        .post(&n.p("/destinations/closed/pause"), serde_json::json!({}))
        .await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    let d = n.get(&n.p("/destinations/closed")).await.body;
    assert!(
        d["failing"].is_object() && d["failing"].get("disableTime").is_none(),
        "{d}"
    );
}
