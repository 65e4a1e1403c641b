//! Capture inboxes over real HTTP with the real dispatcher: a destination made with the
//! inbox delivers into it (exact bytes and headers, a signature that verifies), response
//! rules make the dispatcher retry and disable, and the capture URL takes anything.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::node::TestNode;

const WAIT: Duration = Duration::from_secs(15);

async fn captures(n: &TestNode, inbox: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = n
            .get(&n.p(&format!("/inboxes/{inbox}/captures")))
            .await
            .body;
        let list = got.as_array().cloned().unwrap_or_default();
        if list.len() >= count {
            return list.into_iter().rev().collect(); // oldest first
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} captures: {got}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn a_new_inbox_with_its_destination_receives_a_signed_delivery() {
    let n = TestNode::start().await;
    let inbox = n
        .post(
            &n.p("/inboxes"),
            json!({"name": "try-it", "createDestination": true}),
        )
        .await;
    assert_eq!(inbox.status, 201, "{}", inbox.body);
    let destination = inbox.body["destinationId"].as_str().unwrap().to_string();
    let url = inbox.body["captureUrl"].as_str().unwrap();
    assert!(url.starts_with(&n.url("/in/")), "{url}");
    let d = n
        .get(&n.p(&format!("/destinations/{destination}")))
        .await
        .body;
    assert_eq!(
        (d["name"].as_str(), d["metadata"]["url"].as_str()),
        (Some("try-it"), Some(url))
    );

    n.wire("t", &["installation.created"], &[&destination])
        .await;
    let message = n.notify("installation.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = captures(&n, "try-it", 1).await.remove(0);
    let sent = n.get(&n.p(&format!("/messages/{message}"))).await.body;
    assert_eq!(got["body"], sent["payloadText"], "the exact bytes sent");
    assert_eq!(got["method"], "POST");
    assert_eq!(got["webhookId"], message.as_str());
    assert_eq!(got["status"], 200);
    let headers: serde_json::Map<String, Value> = got["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().to_string(), h[1].clone()))
        .collect();
    assert_eq!(headers["webhook-id"], message.as_str());
    let report = n
        .post(
            "/v1/inspect",
            json!({"body": got["body"], "headers": headers, "destination": destination}),
        )
        .await;
    assert_eq!(
        report.body["signature"]["verified"], true,
        "{}",
        report.body
    );
    assert_eq!(report.body["issues"], json!([]));
}

#[tokio::test]
async fn rules_make_the_dispatcher_retry_on_schedule_then_succeed_and_410_disables() {
    let n = TestNode::start().await;
    let rules = json!([{"status": 500, "times": 3, "body": "down"}, {"status": 200}]);
    let inbox = n
        .post(&n.p("/inboxes"), json!({"name": "flaky", "rules": rules}))
        .await
        .body;
    let url = inbox["captureUrl"].as_str().unwrap();
    n.webhook_with("flaky", url, json!({"retrySchedule": [0, 0.1, 0.2, 0.3]}))
        .await;
    n.wire("t", &["connection.created"], &["flaky"]).await;
    let message = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = captures(&n, "flaky", 4).await;
    let statuses: Vec<i64> = got.iter().map(|c| c["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 500, 200]);
    assert!(got.iter().all(|c| c["webhookId"] == message.as_str()));
    let times: Vec<i64> = got
        .iter()
        .map(|c| {
            chrono::DateTime::parse_from_rfc3339(c["time"].as_str().unwrap())
                .unwrap()
                .timestamp_millis()
        })
        .collect();
    // The schedule's delays, less the node's ±20 % jitter.
    for (i, delay) in [(1, 100), (2, 200), (3, 300)] {
        let gap = times[i] - times[i - 1];
        assert!(
            gap >= delay * 8 / 10 - 5,
            "gap before attempt {}: {gap} ms",
            i + 1
        );
    }
    let m = n
        .wait_message(&message, WAIT, |m| m["status"] == "delivered")
        .await;
    assert_eq!(m["attempts"].as_array().unwrap().len(), 4);
    // Grouped: one message, its four attempts with the gaps between them.
    let grouped = n.get(&n.p("/inboxes/flaky/messages")).await.body;
    assert_eq!(grouped.as_array().unwrap().len(), 1, "{grouped}");
    let timeline = &grouped[0];
    assert_eq!(timeline["webhookId"], message.as_str());
    assert_eq!(timeline["status"], "delivered");
    assert_eq!(timeline["duplicate"], false);
    let gaps: Vec<i64> = timeline["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|a| a["gapMs"].as_i64().unwrap())
        .collect();
    assert_eq!(
        gaps,
        [
            times[1] - times[0],
            times[2] - times[1],
            times[3] - times[2]
        ]
    );

    // Now 410 Gone: the dispatcher disables the destination at once.
    n.patch(&n.p("/inboxes/flaky"), json!({"rules": [{"status": 410}]}))
        .await;
    n.notify("connection.created").await;
    let d = n.wait_destination("flaky", WAIT, "disabled").await;
    assert!(d["disabledReason"].as_str().unwrap().contains("410"), "{d}");
}

#[tokio::test]
async fn the_capture_url_takes_anything_and_keeps_within_its_caps() {
    let n = TestNode::start().await;
    n.post(
        &n.p("/inboxes"),
        json!({"name": "x", "rules": [{"status": 600}]}),
    )
    .await
    .expect_problem(422, &["rules[0].status"]);
    n.post(
        &n.p("/inboxes"),
        json!({"name": "x", "maxCaptures": 0, "surprise": 1}),
    )
    .await
    .expect_problem(422, &["surprise", "maxCaptures"]);
    let inbox = n
        .post(
            &n.p("/inboxes"),
            json!({"name": "box", "maxCaptures": 2, "bodyLimit": 4,
                   "rules": [{"status": 429, "headers": {"Retry-After": "2"}, "body": "slow down"}]}),
        )
        .await
        .body;
    let url = inbox["captureUrl"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let answer = http
        .put(format!("{url}/deep/path?x=1"))
        .body(vec![0xffu8, 0xfe, 0x00, 0x41, 0x42, 0x43])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    assert_eq!(answer.headers()["retry-after"], "2");
    assert_eq!(answer.text().await.unwrap(), "slow down");
    let got = captures(&n, "box", 1).await.remove(0);
    assert_eq!(
        (got["method"].as_str(), got["path"].as_str()),
        (Some("PUT"), Some("/deep/path"))
    );
    assert_eq!(got["query"], "x=1");
    assert_eq!(
        got["bodyBase64"], "//4AQQ==",
        "the first 4 bytes, as base64: {got}"
    );
    assert_eq!(
        (got["bodySize"].as_i64(), got["truncated"].as_bool()),
        (Some(6), Some(true))
    );
    assert!(got["remoteAddr"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    for _ in 0..3 {
        http.get(&url).send().await.unwrap();
    }
    let kept = n.get(&n.p("/inboxes/box/captures")).await.body;
    assert_eq!(kept.as_array().unwrap().len(), 2, "the cap holds: {kept}");
    // No inbox behind a token: 404, nothing stored anywhere.
    let missing = http.post(n.url("/in/not-a-token")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// A capture reaches `/stream` as `capture.received` as soon as it is stored.
#[tokio::test]
async fn a_capture_is_announced_on_the_live_stream() {
    use switchboard::client::{LiveOptions, LiveUpdate};
    let n = TestNode::start().await;
    let inbox = n.post(&n.p("/inboxes"), json!({"name": "live"})).await.body;
    let url = inbox["captureUrl"].as_str().unwrap().to_string();
    let mut live = support::client_kit::client(&n).live_events(LiveOptions::default());
    match live.next().await {
        Some(Ok(LiveUpdate::Connected { .. })) => {}
        other => panic!("not connected: {other:?}"),
    }
    let sent = Instant::now();
    reqwest::Client::new()
        .post(&url)
        .header("webhook-id", "msg_live")
        .body("{}")
        .send()
        .await
        .unwrap();
    let event = loop {
        match tokio::time::timeout(WAIT, live.next())
            .await
            .expect("an event")
        {
            Some(Ok(LiveUpdate::Event(e))) if e.kind == "capture.received" => break e,
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    };
    let took = sent.elapsed();
    eprintln!("capture → live event: {took:?} (after the answer arrived)");
    assert_eq!(event.data["inboxName"], "live");
    assert_eq!(event.data["webhookId"], "msg_live");
    assert_eq!(event.data["status"], 200);
    assert!(took < Duration::from_millis(500), "{took:?}");
}

/// A capture replayed to another receiver arrives byte for byte with its signature (or
/// signed again with a new ID); exports are valid HAR 1.2 / curl / NDJSON with no secret.
#[tokio::test]
async fn replay_reaches_another_receiver_and_exports_hold_no_secret() {
    use support::receiver::Receiver;
    let n = TestNode::start().await;
    let inbox = n
        .post(
            &n.p("/inboxes"),
            json!({"name": "src", "createDestination": true}),
        )
        .await
        .body;
    let destination = inbox["destinationId"].as_str().unwrap().to_string();
    n.wire("t", &["connection.created"], &[&destination]).await;
    n.notify("connection.created").await;
    let captured = captures(&n, "src", 1).await.remove(0);
    let id = captured["id"].as_str().unwrap();
    let mut rx = Receiver::start().await;

    let replay = n
        .post(
            &n.p(&format!("/inboxes/src/captures/{id}/replay")),
            json!({"url": rx.url("/again")}),
        )
        .await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.body["status"], 204, "{}", replay.body);
    let got = rx.next(WAIT).await;
    assert_eq!(
        got.body.as_ref(),
        captured["body"].as_str().unwrap().as_bytes()
    );
    let check = |got: &support::receiver::Received| {
        let headers: serde_json::Map<String, Value> =
            ["webhook-id", "webhook-timestamp", "webhook-signature"]
                .iter()
                .map(|h| (h.to_string(), Value::String(got.header(h).into())))
                .collect();
        json!({"body": String::from_utf8_lossy(&got.body), "headers": headers,
               "destination": destination})
    };
    let verdict = n.post("/v1/inspect", check(&got)).await.body;
    assert_eq!(verdict["signature"]["verified"], true, "{verdict}");

    // Edited and signed again, under a new ID: verifies there too.
    let edited = r#"{"notificationType":"connection.created","data":{}}"#;
    n.post(
        &n.p(&format!("/inboxes/src/captures/{id}/replay")),
        json!({"url": rx.url("/edited"), "body": edited, "resignWith": destination, "newId": true}),
    )
    .await;
    let got = rx.next(WAIT).await;
    assert_eq!(got.body.as_ref(), edited.as_bytes());
    assert_ne!(
        got.header("webhook-id"),
        captured["webhookId"].as_str().unwrap()
    );
    let verdict = n.post("/v1/inspect", check(&got)).await.body;
    assert_eq!(verdict["signature"]["verified"], true, "{verdict}");

    // Replayed into its own inbox as is: the message arrived twice, flagged as such.
    let own = inbox["captureUrl"].as_str().unwrap();
    n.post(
        &n.p(&format!("/inboxes/src/captures/{id}/replay")),
        json!({"url": own}),
    )
    .await;
    let grouped = n.get(&n.p("/inboxes/src/messages")).await.body;
    let message = grouped
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["webhookId"] == captured["webhookId"])
        .unwrap();
    assert_eq!(
        message["attempts"].as_array().unwrap().len(),
        2,
        "{grouped}"
    );
    assert_eq!(message["duplicate"], true);

    // A capture with credentials: exports leave them out.
    let url = inbox["captureUrl"].as_str().unwrap();
    reqwest::Client::new()
        .post(url)
        .header("Authorization", "Bearer sk-very-secret")
        .header("X-Api-Key", "sbk_also_secret")
        .body(r#"{"secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"}"#)
        .send()
        .await
        .unwrap();
    captures(&n, "src", 3).await;
    for format in ["har", "curl", "ndjson"] {
        let r = n
            .send(
                reqwest::Method::GET,
                &n.p(&format!("/inboxes/src/export?format={format}")),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{format}: {}", r.body);
        let text = match &r.body {
            Value::String(text) => text.clone(),
            json => json.to_string(),
        };
        for secret in ["sk-very-secret", "sbk_also_secret", "C2FVsBQIhrscChlQIMV"] {
            assert!(!text.contains(secret), "{format} leaks {secret}");
        }
        if format == "har" {
            let har = har::from_str(&text).expect("valid HAR");
            assert_eq!(har.version(), har::HarVersion::V1_2);
            let har::Spec::V1_2(log) = har.log else {
                unreachable!()
            };
            assert_eq!(log.entries.len(), 3);
            assert_eq!(log.entries[0].request.method, "POST");
        }
    }
    n.send(
        reqwest::Method::GET,
        &n.p("/inboxes/src/export?format=pdf"),
        None,
    )
    .await
    .expect_problem(422, &["format"]);
}

/// Captures older than the inbox's age cap go (the node's clock, moved by hand).
#[tokio::test]
async fn old_captures_go_past_the_age_cap() {
    let n = TestNode::start_configured(|c| c.clock = switchboard::time::Clock::manual()).await;
    let inbox = n
        .post(
            &n.p("/inboxes"),
            json!({"name": "aging", "maxAgeSeconds": 60}),
        )
        .await
        .body;
    assert_eq!(inbox["maxAgeSeconds"], 60);
    let url = inbox["captureUrl"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    http.post(&url).body("old").send().await.unwrap();
    n.advance(Duration::from_secs(61));
    http.post(&url).body("new").send().await.unwrap();
    let kept = n.get(&n.p("/inboxes/aging/captures")).await.body;
    let bodies: Vec<&str> = kept
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["new"]);
    n.patch(&n.p("/inboxes/aging"), json!({"maxAgeSeconds": 0}))
        .await
        .expect_problem(422, &["maxAgeSeconds"]);
}

/// A `close` rule drops the connection without an answer: the sender sees an I/O error,
/// and the dispatcher records a failed attempt and retries; the capture is kept.
#[tokio::test]
async fn a_close_rule_drops_the_connection_and_the_dispatcher_retries() {
    let n = TestNode::start().await;
    let inbox = n
        .post(
            &n.p("/inboxes"),
            json!({"name": "drop", "rules": [{"status": 200, "close": true, "times": 1}, {"status": 200}]}),
        )
        .await
        .body;
    let url = inbox["captureUrl"].as_str().unwrap();
    n.webhook_with("drop", url, json!({"retrySchedule": [0, 0.1]}))
        .await;
    n.wire("t", &["connection.created"], &["drop"]).await;
    let message = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&message, WAIT, |m| m["status"] == "delivered")
        .await;
    let attempts = m["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{m}");
    assert_eq!(attempts[0]["succeeded"], false);
    assert!(
        attempts[0].get("statusCode").is_none(),
        "no status: {}",
        attempts[0]
    );
    assert_eq!(captures(&n, "drop", 2).await.len(), 2);
}
