//! Retention on the node's clock: delivered messages go after `delivered-messages`, the
//! payloads of finished notifications after `payloads` (the rows stay, marked, and cannot
//! be sent again), and pruning in small batches leaves waiting messages alone.

mod support;

use std::time::Duration;

use support::node::{fast_delivery, TestNode};
use support::receiver::{Receiver, Reply};
use switchboard::retention::Pruned;

const DAY: Duration = Duration::from_secs(24 * 3600);
const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn old_deliveries_and_payloads_are_pruned_in_batches() {
    let n = TestNode::start_configured(|c| {
        c.clock = switchboard::time::Clock::manual();
        c.delivery = fast_delivery(&[0]);
        c.retention.delivered_messages = 30 * DAY;
        c.retention.payloads = 10 * DAY;
        c.retention.batch = 4;
    })
    .await;
    let mut ok = Receiver::start().await;
    let failing = Receiver::start().await;
    failing.otherwise(Reply::status(500));
    n.webhook("ok", &ok.url("/")).await;
    n.webhook("down", &failing.url("/")).await;
    n.wire("t", &["connection.created"], &["ok", "down"]).await;
    let mut delivered = Vec::new();
    let mut exhausted = Vec::new();
    for _ in 0..10 {
        let r = n.notify("connection.created").await;
        for m in r.body["messages"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap().to_string();
            match m["destinationName"].as_str() {
                Some("ok") => delivered.push(id),
                _ => exhausted.push(id),
            }
        }
    }
    ok.take(10, WAIT).await;
    for id in delivered.iter().chain(&exhausted) {
        n.wait_message(id, WAIT, |m| {
            m["status"] == "delivered" || m["status"] == "exhausted"
        })
        .await;
    }
    // A newer one that still waits (its destination paused) keeps its payload.
    assert_eq!(
        n.post(&n.p("/destinations/down/pause"), serde_json::json!({}))
            .await
            .status,
        200
    );
    let published = n.notify("connection.created").await.body;
    let waiting = published["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["destinationName"] == "down")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let pruner = n.node.state().pruner.clone();
    assert_eq!(
        pruner.prune().await.unwrap(),
        Pruned::default(),
        "nothing is old yet"
    );

    n.advance(11 * DAY);
    let pruned = pruner.prune().await.unwrap();
    assert_eq!(pruned.messages, 0);
    assert_eq!(
        pruned.payloads, 10,
        "the ten finished notifications (batches of 4)"
    );
    let m = n
        .get(&n.p(&format!("/messages/{}", exhausted[0])))
        .await
        .body;
    assert_eq!(m["payloadExpired"], true, "{m}");
    assert!(m["payload"].is_null(), "{m}");
    n.post(
        &n.p(&format!("/messages/{}/resend", exhausted[0])),
        serde_json::json!({}),
    )
    .await
    .expect_problem(409, &[]);
    // The waiting message's notification kept its payload.
    let w = n.get(&n.p(&format!("/messages/{waiting}"))).await.body;
    assert_eq!(w["payloadExpired"], false);
    assert_eq!(w["payload"]["notificationType"], "connection.created");

    n.advance(20 * DAY);
    let pruned = pruner.prune().await.unwrap();
    assert_eq!(pruned.messages, 10, "delivered 31 days ago");
    for id in &delivered {
        let r = n.get(&n.p(&format!("/messages/{id}"))).await;
        assert_eq!(r.status, 404, "{}", r.body);
    }
    // Exhausted messages stay (their notifications with them), payload-expired.
    assert_eq!(
        n.get(&n.p(&format!("/messages/{}", exhausted[9])))
            .await
            .status,
        200
    );
    assert_eq!(pruned.notifications, 0);
}
