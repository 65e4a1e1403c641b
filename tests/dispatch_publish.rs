//! Publishing and routing: fan-out along routes, dedup, unrouted, idempotency, bad input,
//! and what operators see (messages, attempts, stats, live stream).

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::node::TestNode;
use support::receiver::Receiver;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn routes_fan_out_once_per_destination_and_unrouted_is_stored() {
    let n = TestNode::start().await;
    let mut a = Receiver::start().await;
    let mut b = Receiver::start().await;
    n.webhook("a", &a.url("/a")).await;
    n.webhook("b", &b.url("/b")).await;
    n.webhook("c-unused", "https://unused.example/").await;
    // a is reached through two topics; b through one.
    n.wire("installs", &["installation.created"], &["a", "b"])
        .await;
    n.wire(
        "everything",
        &["installation.created", "connection.created"],
        &["a"],
    )
    .await;

    let r = n.notify("installation.created").await;
    assert_eq!(r.status, 202, "{}", r.body);
    let msgs = r.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "one message per destination: {}", r.body);
    assert_eq!(r.body["unrouted"], false);
    let mut names: Vec<&str> = msgs
        .iter()
        .map(|m| m["destinationName"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b"]);

    let got_a = a.next(WAIT).await;
    let got_b = b.next(WAIT).await;
    for got in [&got_a, &got_b] {
        let body = got.json();
        assert_eq!(body["notificationType"], "installation.created");
        assert_eq!(body["data"]["provider"], "salesforce");
        assert_eq!(got.header("content-type"), "application/json");
        assert!(
            got.header("user-agent").starts_with("Switchboard/"),
            "{}",
            got.header("user-agent")
        );
    }
    // Both messages are final: `a`, reached through two topics, got one, not two.
    n.wait_delivered(2).await;
    a.assert_nothing_arrived();

    let r = n.notify("read.backfill.done").await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["unrouted"], true);
    assert_eq!(r.body["messages"], json!([]));
    assert!(r.body["notificationId"].is_string());
}

#[tokio::test]
async fn custom_headers_are_sent() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "h", "type": "webhook", "metadata": {"url": rx.url("/"), "headers": {"Authorization": "Bearer t0k", "X-Team": "ops"}}}),
        )
        .await;
    assert_eq!(r.status, 201);
    n.wire("t", &["connection.created"], &["h"]).await;
    n.notify("connection.created").await;
    let got = rx.next(WAIT).await;
    assert_eq!(got.header("authorization"), "Bearer t0k");
    assert_eq!(got.header("x-team"), "ops");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response() {
    let (n, mut rx) = node_with_one_webhook().await;
    let send = || publish_with_key(&n, "order-42").send();
    let first = send().await.unwrap();
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), 202);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);
    rx.next(WAIT).await;
    // The repeat stored nothing: one message, delivered (final), and nothing else arrived.
    n.wait_delivered(1).await;
    let all = n.get(&n.p("/messages")).await.body;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1), "{all}");
    rx.assert_nothing_arrived();
    let page = n.get(&n.p("/messages")).await.body;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

/// Publishes are committed in groups: many at once, with keys repeated inside a group,
/// still store each key once, answer repeats with the first response, and deliver every
/// stored notification exactly once.
#[tokio::test]
async fn concurrent_publishes_with_repeated_keys_store_each_key_once() {
    let (n, mut rx) = node_with_one_webhook().await;
    const KEYS: usize = 40;
    const REPEATS: usize = 5;
    let publishes = (0..KEYS * REPEATS).map(|i| {
        let request = publish_with_key(&n, &format!("key-{}", i % KEYS));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 202);
            let replayed = response.headers().contains_key("idempotent-replayed");
            let body: Value = response.json().await.unwrap();
            (i % KEYS, replayed, body)
        }
    });
    let answers = futures_util::future::join_all(publishes).await;

    let mut first: std::collections::HashMap<usize, Value> = Default::default();
    for (key, replayed, body) in &answers {
        if !replayed {
            assert!(
                first.insert(*key, body.clone()).is_none(),
                "key {key} was stored twice"
            );
        }
    }
    assert_eq!(first.len(), KEYS, "every key is stored once");
    for (key, _, body) in &answers {
        assert_eq!(
            body, &first[key],
            "a repeat of key {key} answers as the first"
        );
    }
    let received = rx.take(KEYS, WAIT).await;
    let mut ids: Vec<String> = received
        .iter()
        .map(|r| r.header("webhook-id").to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), KEYS);
    n.wait_delivered(KEYS).await;
    rx.assert_nothing_arrived();
}

#[tokio::test]
async fn bad_publish_input_is_named_and_stores_nothing() {
    let n = TestNode::start().await;
    n.webhook("h", "http://127.0.0.1:9/").await;
    n.wire(
        "t",
        &[
            "installation.created",
            "installation.updated",
            "connection.created",
        ],
        &["h"],
    )
    .await;
    let url = n.p("/notifications");
    let installation = switchboard::payload::notification::example_data(
        switchboard::model::EventType::InstallationCreated,
    );
    let mut both = installation.clone();
    both["configURL"] = json!("https://x.example/config.json");
    let mut last_on_created = installation.clone();
    last_on_created["lastConfig"] = json!({});
    let mut missing = installation.clone();
    missing.as_object_mut().unwrap().remove("groupRef");
    missing.as_object_mut().unwrap().remove("installationId");
    let cases: Vec<(Value, u16, Vec<&str>)> = vec![
        (
            json!({"notificationType": "installation.exploded", "data": {}}),
            422,
            vec!["notificationType"],
        ),
        (json!({"data": {}}), 422, vec!["notificationType"]),
        (
            json!({"notificationType": "installation.created"}),
            422,
            vec!["data"],
        ),
        (
            json!({"notificationType": "installation.created", "data": both}),
            422,
            vec!["data.configURL"],
        ),
        (
            json!({"notificationType": "installation.created", "data": last_on_created}),
            422,
            vec!["data.lastConfig"],
        ),
        (
            json!({"notificationType": "installation.created", "data": missing}),
            422,
            vec!["data.installationId", "data.groupRef"],
        ),
        (
            json!({"notificationType": "connection.created", "data": {"projectId": 5}}),
            422,
            vec![
                "data.projectId",
                "data.connectionId",
                "data.provider",
                "data.groupRef",
                "data.consumerRef",
                "data.consumerName",
            ],
        ),
        (json!([1, 2]), 400, vec![]),
    ];
    for (body, status, issues) in cases {
        let r = n.post(&url, body).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.body);
        let mut got = r.issue_names();
        let mut want: Vec<String> = issues.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", r.body);
    }
    n.post_raw(&url, "application/json", "{\"notificationType\":")
        .await
        .expect_problem(400, &["body"]);
    let page = n.get(&n.p("/messages")).await.body;
    assert_eq!(page["items"], json!([]), "nothing stored");
    let stats = n.get(&n.p("/stats")).await.body;
    assert_eq!(stats["queued"], 0);
}

#[tokio::test]
async fn messages_attempts_stats_and_resend_are_visible() {
    let n =
        TestNode::start_configured(|c| c.delivery = support::node::fast_delivery(&[0, 100])).await;
    let mut rx = Receiver::start().await;
    rx.script([support::receiver::Reply::status(500)]);
    n.webhook("h", &rx.url("/hook")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rx.take(2, WAIT).await;
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "delivered")
        .await;
    assert_eq!(m["attemptCount"], 2);
    let attempts = m["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["succeeded"], false);
    assert_eq!(attempts[0]["statusCode"], 500);
    assert_eq!(attempts[0]["errorClass"], "status");
    assert_eq!(attempts[1]["succeeded"], true);
    assert_eq!(attempts[1]["requestHeaders"]["svix-id"], id.as_str());
    assert_eq!(m["payload"]["notificationType"], "connection.created");

    // Filters and cursor pagination, newest first.
    let mut more = Vec::new();
    for _ in 0..4 {
        let r = n.notify("connection.created").await.body;
        more.push(r["messages"][0]["id"].as_str().unwrap().to_string());
    }
    rx.take(4, WAIT).await;
    // Recorded a moment after they arrive (the recorder gathers finished deliveries).
    for id in &more {
        n.wait_message(id, WAIT, |m| m["status"] == "delivered")
            .await;
    }
    let page = n.get(&n.p("/messages?limit=3")).await.body;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let cursor = page["nextCursor"].as_str().unwrap();
    let rest = n
        .get(&n.p(&format!("/messages?limit=3&cursor={cursor}")))
        .await
        .body;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest.get("nextCursor").is_none());
    assert_eq!(rest["items"][1]["id"], id.as_str(), "oldest last");
    let by_dest = n
        .get(&n.p("/messages?destinationId=h&eventType=connection.created&status=delivered"))
        .await
        .body;
    assert!(by_dest["items"].as_array().unwrap().len() >= 4);
    n.get(&n.p("/messages?status=lost"))
        .await
        .expect_problem(422, &["status"]);
    n.get(&n.p("/messages?since=yesterday"))
        .await
        .expect_problem(422, &["since"]);

    let stats = n.get(&n.p("/stats")).await.body;
    let d = &stats["destinations"][0];
    assert_eq!(d["destinationName"], "h");
    assert_eq!(d["counts"]["delivered"], 5);
    assert!(
        d["latencyMs"]["p50"].is_number() && d["latencyMs"]["p99"].is_number(),
        "{stats}"
    );
    assert!(d["deliveriesPerSecond"].as_f64().unwrap() > 0.0);

    let r = n
        .post(&n.p(&format!("/messages/{id}/resend")), json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let again = rx.next(WAIT).await;
    assert_eq!(
        again.header("svix-id"),
        id.as_str(),
        "a resend keeps the message ID"
    );
    n.post(&n.p("/messages/msg_nope/resend"), json!({}))
        .await
        .expect_problem(404, &[]);
}

#[tokio::test]
async fn the_live_stream_reports_changes_and_resumes_after_last_event_id() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;

    let events = read_stream(&n, None, 2).await;
    assert_eq!(events[0].0, "message.created");
    assert_eq!(events[1].0, "attempt.succeeded");
    rx.next(WAIT).await;
    let last_id = events[1].1.clone();

    // Published while nobody listens; a client resuming after `last_id` gets it.
    n.notify("connection.created").await;
    rx.next(WAIT).await;
    let resumed = read_stream_from(&n, Some(&last_id), 2).await;
    assert_eq!(resumed[0].0, "message.created");
    assert!(resumed[0].1.parse::<u64>().unwrap() > last_id.parse::<u64>().unwrap());
}

/// Opens the stream, publishes one notification, and reads `n` events.
async fn read_stream(
    node: &TestNode,
    last: Option<&str>,
    n: usize,
) -> Vec<(String, String, Value)> {
    let reader = read_stream_from(node, last, n);
    let publish = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        node.notify("connection.created").await;
    };
    let (events, _) = tokio::join!(reader, publish);
    events
}

/// Reads `n` events (kind, id, data) from the stream.
async fn read_stream_from(
    node: &TestNode,
    last: Option<&str>,
    n: usize,
) -> Vec<(String, String, Value)> {
    use futures_util::StreamExt;
    let mut req = node
        .http
        .get(node.url(&node.p("/stream")))
        .header("X-Api-Key", &node.key);
    if let Some(l) = last {
        req = req.header("Last-Event-ID", l);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while out.len() < n {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("events in time")
            .unwrap()
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut kind, mut id, mut data) = (String::new(), String::new(), Value::Null);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    kind = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = serde_json::from_str(v.trim()).unwrap_or(Value::Null);
                }
            }
            if !kind.is_empty() {
                out.push((kind, id, data));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_test_send_reaches_one_destination_whatever_the_routes() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    let mut other = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.webhook("other", &other.url("/")).await;
    n.wire("t", &["connection.created"], &["other"]).await;
    let r = n.post(&n.p("/destinations/h/test"), json!({})).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        rx.next(WAIT).await.json()["notificationType"],
        "connection.created"
    );
    let r = n
        .post(
            &n.p("/destinations/h/test"),
            json!({"eventType": "installation.deleted"}),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(
        rx.next(WAIT).await.json()["notificationType"],
        "installation.deleted"
    );
    // Each test send made one message, for h alone: `other` has none to receive.
    n.wait_delivered(2).await;
    let all = n.get(&n.p("/messages")).await.body;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["destinationName"] == "h"),
        "{all}"
    );
    other.assert_nothing_arrived();
    n.post(&n.p("/destinations/h/test"), json!({"eventType": "nope"}))
        .await
        .expect_problem(422, &["eventType"]);
    n.post(&n.p("/destinations/ghost/test"), json!({}))
        .await
        .expect_problem(404, &[]);
}

/// A node with one webhook destination `h` that receives `connection.created`.
async fn node_with_one_webhook() -> (TestNode, Receiver) {
    let n = TestNode::start().await;
    let rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    (n, rx)
}

/// A valid `connection.created` publish carrying `Idempotency-Key: key`.
fn publish_with_key(n: &TestNode, key: &str) -> reqwest::RequestBuilder {
    let body = json!({"notificationType": "connection.created",
                      "data": switchboard::payload::notification::example_data(switchboard::model::EventType::ConnectionCreated)});
    n.http
        .post(n.url(&n.p("/notifications")))
        .header("X-Api-Key", &n.key)
        .header("Idempotency-Key", key)
        .json(&body)
}
