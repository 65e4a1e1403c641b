//! Webhook delivery against real receivers: signatures (checked by an independent
//! implementation), retries, throttling, timeouts, auto-disable, pause, enable + recover.

mod support;

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use support::node::{fast_delivery, TestNode};
use support::receiver::{Received, Receiver, Reply};

const WAIT: Duration = Duration::from_secs(15);

/// Standard Webhooks verification written from the spec, independent of the node's code.
fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn verify(secret: &str, got: &Received) -> bool {
    let want = expected_signature(
        secret,
        got.header("webhook-id"),
        got.header("webhook-timestamp"),
        &got.body,
    );
    got.header("webhook-signature")
        .split(' ')
        .any(|s| s == want)
}

#[test]
fn the_independent_verifier_matches_the_published_vector() {
    assert_eq!(
        expected_signature(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            "1649367553",
            br#"{"email":"test@example.com","username":"test_user"}"#
        ),
        "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
    );
    assert_eq!(
        switchboard::payload::signing::sign(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#
        )
        .unwrap(),
        "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
    );
}

#[tokio::test]
async fn deliveries_are_signed_in_both_spellings_and_during_rotation_with_both_keys() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let secret = n
        .get(&n.p("/destinations/h?includeSecrets=true"))
        .await
        .body["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    let published = n.notify("connection.created").await.body;
    let got = rx.next(WAIT).await;
    assert_eq!(
        got.header("webhook-id"),
        published["messages"][0]["id"].as_str().unwrap()
    );
    for h in ["id", "timestamp", "signature"] {
        assert_eq!(
            got.header(&format!("svix-{h}")),
            got.header(&format!("webhook-{h}")),
            "{h}"
        );
    }
    let ts: i64 = got.header("webhook-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 30);
    assert!(
        verify(&secret, &got),
        "signature verifies with the destination's key"
    );
    assert_eq!(got.header("webhook-signature").split(' ').count(), 1);

    let rotated = n.get(&n.p("/destinations/h?rotate=true")).await.body;
    let new_secret = rotated["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    n.notify("connection.created").await;
    let got = rx.next(WAIT).await;
    assert_eq!(
        got.header("webhook-signature").split(' ').count(),
        2,
        "both keys sign during the grace period"
    );
    assert!(verify(&new_secret, &got) && verify(&secret, &got));
}

#[tokio::test]
async fn the_grace_period_ends() {
    let n = TestNode::start_configured(|c| {
        c.signing_key_grace = Duration::from_secs(3600);
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let old = n
        .get(&n.p("/destinations/h?includeSecrets=true"))
        .await
        .body["secrets"]["webhookSigningKey"]
        .clone();
    n.get(&n.p("/destinations/h?rotate=true")).await;
    n.advance(Duration::from_secs(3601));
    n.notify("connection.created").await;
    let got = rx.next(WAIT).await;
    assert_eq!(got.header("webhook-signature").split(' ').count(), 1);
    assert!(
        !verify(old.as_str().unwrap(), &got),
        "the old key no longer signs"
    );
}

#[tokio::test]
async fn failures_are_retried_on_the_schedule() {
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 300, 600])).await;
    let mut rx = Receiver::start().await;
    // A long answer is read only in part and kept to its first 4 KiB; the retries after it
    // still go out.
    let long_answer = format!("boom: {}", "x".repeat(200 * 1024));
    rx.script([
        Reply::status(500).with_body(long_answer),
        Reply::status(502),
    ]);
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = rx.take(3, WAIT).await;
    let gap1 = got[1].at - got[0].at;
    let gap2 = got[2].at - got[1].at;
    assert!(gap1 >= Duration::from_millis(280), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(580), "{gap2:?}");
    for g in &got {
        assert_eq!(g.header("webhook-id"), id, "retries keep the message ID");
    }
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "delivered")
        .await;
    assert_eq!(m["attempts"].as_array().unwrap().len(), 3);
    let kept = m["attempts"][0]["responseBody"].as_str().unwrap();
    assert!(
        kept.starts_with("boom: xxx") && kept.len() == 4096,
        "{kept:.40}"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_429_waits_at_least_the_floor() {
    // Schedule 200 ms; Retry-After 1 s is within [base, 2 × base]? No: it is clamped to 400 ms.
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 1000, 1000])).await;
    let mut rx = Receiver::start().await;
    rx.script([
        Reply::status(503).with_header("retry-after", "2"),
        Reply::status(429),
    ]);
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    n.notify("connection.created").await;
    let got = rx.take(3, WAIT).await;
    let after_retry_after = got[1].at - got[0].at;
    assert!(
        after_retry_after >= Duration::from_millis(1950)
            && after_retry_after < Duration::from_millis(3500),
        "Retry-After 2 s within [1 s, 2 s]: {after_retry_after:?}"
    );
    // The throttle floor in fast_delivery is 1.5 s, above the 1 s schedule step.
    let after_429 = got[2].at - got[1].at;
    assert!(
        after_429 >= Duration::from_millis(1450),
        "429 waits at least the floor: {after_429:?}"
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_the_attempt_says_so() {
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 100])).await;
    let mut rx = Receiver::start().await;
    rx.script([Reply::slow(200, Duration::from_secs(3))]);
    let r = n
        .webhook_with("slow", &rx.url("/"), json!({"timeoutMs": 300}))
        .await;
    assert_eq!(r["delivery"]["timeoutMs"], 300);
    n.wire("t", &["connection.created"], &["slow"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = rx.next(WAIT).await;
    let second = rx.next(WAIT).await;
    assert!(
        second.at - first.at >= Duration::from_millis(1450),
        "timeouts wait at least the floor"
    );
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "delivered")
        .await;
    assert_eq!(m["attempts"][0]["errorClass"], "timeout");
    assert!(m["attempts"][0]["durationMs"].as_i64().unwrap() < 2000);
}

#[tokio::test]
async fn connection_failures_are_classified() {
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0])).await;
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    n.webhook("down", &format!("http://127.0.0.1:{port}/"))
        .await;
    n.wire("t", &["connection.created"], &["down"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "exhausted")
        .await;
    assert_eq!(m["attempts"][0]["errorClass"], "connect");
}

#[tokio::test]
async fn a_destination_schedule_overrides_the_node_schedule() {
    let n = TestNode::start().await; // default schedule: the second attempt after 5 s
    let mut rx = Receiver::start().await;
    rx.script([Reply::status(500)]);
    n.webhook_with("h", &rx.url("/"), json!({"retrySchedule": [0, 0.2]}))
        .await;
    n.wire("t", &["connection.created"], &["h"]).await;
    n.notify("connection.created").await;
    let got = rx.take(2, Duration::from_secs(3)).await;
    assert!(got[1].at - got[0].at < Duration::from_secs(2));
    n.post(
        &n.p("/destinations"),
        json!({"name": "bad", "type": "webhook", "metadata": {"url": rx.url("/")}, "delivery": {"retrySchedule": [-1]}}),
    )
    .await
    .expect_problem(422, &["delivery.retrySchedule"]);
    let patched = n
        .patch(&n.p("/destinations/h"), json!({"updateMask": ["delivery.maxInFlight"], "destination": {"delivery": {"maxInFlight": 2}}}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        patched.body["delivery"],
        json!({"retrySchedule": [0.0, 0.2], "maxInFlight": 2})
    );
}

fn disable_fast(c: &mut switchboard::config::NodeConfig) {
    c.delivery = fast_delivery(&[0, 100]);
    c.delivery.disable_after = Duration::from_millis(1500);
}

#[tokio::test]
async fn a_failing_webhook_is_disabled_announced_and_recovered() {
    let n = TestNode::start_configured(disable_fast).await;
    let mut failing = Receiver::start().await;
    failing.otherwise(Reply::status(500));
    let mut alerts = Receiver::start().await;
    n.webhook("flaky", &failing.url("/")).await;
    n.webhook("alerts", &alerts.url("/")).await;
    n.wire("work", &["connection.created"], &["flaky"]).await;
    n.wire(
        "ops",
        &["destination.webhook.disabled"],
        &["alerts", "flaky"],
    )
    .await;
    let flaky_id = n.get(&n.p("/destinations/flaky")).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Keep publishing until the span has passed with failures only.
    let started = Instant::now();
    let mut first_ids = Vec::new();
    while started.elapsed() < Duration::from_millis(2500) {
        let r = n.notify("connection.created").await;
        first_ids.push(r.body["messages"][0]["id"].as_str().unwrap().to_string());
        tokio::time::sleep(Duration::from_millis(250)).await;
        if n.get(&n.p("/destinations/flaky")).await.body["status"] == "disabled" {
            break;
        }
    }
    let disabled = n.wait_destination("flaky", WAIT, "disabled").await;
    assert!(
        disabled["disabledReason"]
            .as_str()
            .unwrap()
            .contains("failing"),
        "{disabled}"
    );
    assert!(disabled["disabledTime"].is_string());
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "not before the span"
    );

    let alert = alerts.next(WAIT).await.json();
    assert_eq!(alert["notificationType"], "destination.webhook.disabled");
    assert_eq!(alert["data"]["destinationId"], flaky_id.as_str());
    assert_eq!(alert["data"]["destinationName"], "flaky");
    assert_eq!(alert["data"]["url"], failing.url("/"));
    let announced = n
        .get(&n.p("/messages?eventType=destination.webhook.disabled"))
        .await
        .body;
    assert_eq!(
        announced["items"].as_array().unwrap().len(),
        1,
        "never to the disabled destination itself"
    );

    // While disabled, new messages are skipped, visibly.
    let skipped = n.notify("connection.created").await.body;
    assert_eq!(skipped["messages"][0]["status"], "skipped");
    let skipped_id = skipped["messages"][0]["id"].as_str().unwrap().to_string();
    // Drain what the failing receiver got so far, then let it succeed.
    while tokio::time::timeout(
        Duration::from_millis(300),
        failing.next(Duration::from_secs(1)),
    )
    .await
    .is_ok()
    {}
    failing.otherwise(Reply::status(204));

    let since = chrono::DateTime::<chrono::Utc>::from(
        std::time::SystemTime::now() - Duration::from_secs(60),
    )
    .to_rfc3339();
    let enabled = n.post(&n.p("/destinations/flaky/enable"), json!({})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(enabled.body["status"], "active");
    assert!(enabled.body.get("disabledReason").is_none());
    let recovered = n
        .post(&n.p("/destinations/flaky/recover"), json!({"since": since}))
        .await;
    assert_eq!(recovered.status, 202, "{}", recovered.body);
    let count = recovered.body["requeued"].as_u64().unwrap() as usize;
    assert!(
        count >= first_ids.len(),
        "exhausted and skipped messages come back: {}",
        recovered.body
    );
    // Every message published since (the skipped one included) now arrives.
    let mut want: std::collections::HashSet<String> = first_ids.iter().cloned().collect();
    want.insert(skipped_id.clone());
    while !want.is_empty() {
        let got = failing.next(WAIT).await;
        want.remove(got.header("webhook-id"));
    }
    n.post(
        &n.p("/destinations/flaky/recover"),
        json!({"since": "last week"}),
    )
    .await
    .expect_problem(422, &["since"]);
}

#[tokio::test]
async fn a_410_disables_at_once() {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0, 100, 100]);
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let mut gone = Receiver::start().await;
    gone.script([Reply::status(410)]);
    n.webhook("gone", &gone.url("/")).await;
    n.wire("t", &["connection.created"], &["gone"]).await;
    n.notify("connection.created").await;
    gone.next(WAIT).await;
    let d = n.wait_destination("gone", WAIT, "disabled").await;
    assert!(d["disabledReason"].as_str().unwrap().contains("410"));
    // No retry, though one is due: a message queued for another destination is claimed
    // (in the claim round that would also take the retry) and arrives, while the disabled
    // destination gets nothing more.
    let mut sentinel = Receiver::start().await;
    n.webhook("sentinel", &sentinel.url("/")).await;
    n.wire("s", &["installation.created"], &["sentinel"]).await;
    n.post(&n.p("/destinations/sentinel/pause"), json!({}))
        .await;
    n.notify("installation.created").await;
    n.advance(Duration::from_secs(1));
    n.post(&n.p("/destinations/sentinel/resume"), json!({}))
        .await;
    sentinel.next(WAIT).await;
    gone.assert_nothing_arrived();
}

#[tokio::test]
async fn the_failure_clock_survives_a_restart_and_a_success_resets_it() {
    // A span of days, measured on a manual clock: the test moves time instead of waiting.
    let span = Duration::from_secs(5 * 24 * 3600);
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0]);
        c.delivery.disable_after = span;
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let mut rx = Receiver::start().await;
    rx.otherwise(Reply::status(500));
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let exhausted = |m: &Value| m["status"] == "exhausted";
    let delivered = |m: &Value| m["status"] == "delivered";
    let first = message_id(&n.notify("connection.created").await);
    rx.next(WAIT).await;
    n.wait_message(&first, WAIT, exhausted).await;
    let n = n.restart().await;
    n.advance(span - Duration::from_secs(1));
    // Just short of the span: still active.
    let early = message_id(&n.notify("connection.created").await);
    rx.next(WAIT).await;
    n.wait_message(&early, WAIT, exhausted).await;
    assert_eq!(
        n.get(&n.p("/destinations/h")).await.body["status"],
        "active"
    );
    // One more exhausted failure after the span (counted from before the restart) disables.
    n.advance(Duration::from_secs(1));
    n.notify("connection.created").await;
    rx.next(WAIT).await;
    n.wait_destination("h", WAIT, "disabled").await;

    // After re-enabling: a failure starts the clock again, and a success resets it, so a
    // failure a full span after the first one (but not after the success) does not disable.
    n.post(&n.p("/destinations/h/enable"), json!({})).await;
    let failed = message_id(&n.notify("connection.created").await);
    rx.next(WAIT).await;
    n.wait_message(&failed, WAIT, exhausted).await;
    n.advance(span / 2);
    rx.script([Reply::status(204)]);
    let ok = message_id(&n.notify("connection.created").await);
    rx.next(WAIT).await;
    n.wait_message(&ok, WAIT, delivered).await;
    n.advance(span / 2 + Duration::from_secs(1));
    let again = message_id(&n.notify("connection.created").await);
    rx.next(WAIT).await;
    n.wait_message(&again, WAIT, exhausted).await;
    assert_eq!(
        n.get(&n.p("/destinations/h")).await.body["status"],
        "active",
        "the span counts from the failure after the success"
    );
}

fn message_id(published: &support::node::Reply) -> String {
    published.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_paused_destination_keeps_its_messages_in_order_until_resumed() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let paused = n.post(&n.p("/destinations/h/pause"), json!({})).await;
    assert_eq!(paused.body["status"], "paused");
    let mut ids = Vec::new();
    for _ in 0..5 {
        let r = n.notify("connection.created").await.body;
        assert_eq!(
            r["messages"][0]["status"], "pending",
            "paused is not skipped"
        );
        ids.push(r["messages"][0]["id"].as_str().unwrap().to_string());
    }
    // The dispatcher is running (a message for another destination, published after them,
    // arrives) and the paused one got nothing.
    let mut sentinel = Receiver::start().await;
    n.webhook("sentinel", &sentinel.url("/")).await;
    n.wire("s", &["installation.created"], &["sentinel"]).await;
    n.notify("installation.created").await;
    sentinel.next(WAIT).await;
    rx.assert_nothing_arrived();
    let resumed = n.post(&n.p("/destinations/h/resume"), json!({})).await;
    assert_eq!(resumed.body["status"], "active");
    let got = rx.take(5, WAIT).await;
    let got_ids: Vec<String> = got
        .iter()
        .map(|g| g.header("webhook-id").to_string())
        .collect();
    assert_eq!(
        got_ids.iter().collect::<std::collections::HashSet<_>>(),
        ids.iter().collect()
    );
    n.post(&n.p("/destinations/h/enable"), json!({})).await;
    let value: Value = n.get(&n.p("/destinations/h")).await.body;
    assert_eq!(value["status"], "active");
}

/// Every published message arrived, and none twice.
fn assert_each_arrived_once(got: &[Received], published: &std::collections::HashSet<String>) {
    let ids: std::collections::HashSet<String> = got
        .iter()
        .map(|g| g.header("webhook-id").to_string())
        .collect();
    assert_eq!(ids.len(), got.len(), "no message arrived twice");
    assert_eq!(&ids, published);
}

/// A slow receiver behind destination `h`, 200 messages queued while it was paused, then
/// resumed until the first 16 arrived: 16 in flight, the rest claimed ahead (up to 512).
/// Returns the IDs published and the first arrivals.
async fn claimed_ahead(
    n: &TestNode,
    rx: &mut Receiver,
) -> (std::collections::HashSet<String>, Vec<Received>) {
    rx.otherwise(Reply::slow(204, Duration::from_millis(100)));
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    n.post(&n.p("/destinations/h/pause"), json!({})).await;
    let mut published = std::collections::HashSet::new();
    for _ in 0..200 {
        let r = n.notify("connection.created").await.body;
        published.insert(r["messages"][0]["id"].as_str().unwrap().to_string());
    }
    n.post(&n.p("/destinations/h/resume"), json!({})).await;
    let first = rx.take(16, WAIT).await;
    (published, first)
}

#[tokio::test]
async fn pausing_returns_messages_claimed_ahead_untried() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    let (published, mut got) = claimed_ahead(&n, &mut rx).await;
    n.post(&n.p("/destinations/h/pause"), json!({})).await;
    // Only attempts already under way at the pause may still arrive: at most the 16 in
    // flight, not the messages claimed ahead of them.
    let late = rx.until_quiet(Duration::from_millis(1000)).await;
    assert!(late.len() <= 16, "{} arrived after the pause", late.len());
    got.extend(late);
    let delivering = n.get(&n.p("/messages?status=delivering")).await.body;
    assert_eq!(
        delivering["items"].as_array().map(Vec::len),
        Some(0),
        "{delivering}"
    );
    let waiting = n.get(&n.p("/messages?status=pending&limit=500")).await.body;
    assert_eq!(
        waiting["items"].as_array().map(Vec::len),
        Some(200 - got.len()),
        "the rest went back to the outbox untried"
    );
    n.post(&n.p("/destinations/h/resume"), json!({})).await;
    got.extend(rx.take(200 - got.len(), WAIT).await);
    n.wait_delivered(200).await;
    rx.assert_nothing_arrived();
    assert_each_arrived_once(&got, &published);
}

#[tokio::test]
async fn deleting_a_destination_stops_what_it_had_claimed_ahead() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    claimed_ahead(&n, &mut rx).await;
    let r = n.delete(&n.p("/destinations/h")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    // Only attempts already under way may still arrive, not the messages claimed ahead.
    let late = rx.until_quiet(Duration::from_millis(1000)).await;
    assert!(late.len() <= 16, "{} arrived after the delete", late.len());
}

#[tokio::test]
async fn attempts_in_flight_are_bounded_per_destination() {
    let n = TestNode::start().await;
    let mut wide = Receiver::start().await;
    let mut narrow = Receiver::start().await;
    for r in [&wide, &narrow] {
        r.otherwise(Reply::slow(204, Duration::from_millis(200)));
    }
    n.webhook("wide", &wide.url("/")).await;
    n.webhook_with("narrow", &narrow.url("/"), json!({"maxInFlight": 2}))
        .await;
    n.wire("t", &["connection.created"], &["wide", "narrow"])
        .await;
    // All at once, so the queue is full before the first slow reply even on a busy machine.
    futures_util::future::join_all((0..40).map(|_| n.notify("connection.created"))).await;
    wide.take(40, WAIT).await;
    narrow.take(40, WAIT).await;
    assert_eq!(
        wide.max_concurrency(),
        16,
        "the default: 16 in flight per destination"
    );
    assert_eq!(narrow.max_concurrency(), 2, "the destination's own limit");
}

/// A message for an active destination with nothing waiting goes straight to delivery:
/// stored `delivering` by the publish itself, delivered once, its attempt recorded.
#[tokio::test]
async fn a_message_for_an_idle_destination_is_handed_straight_to_delivery() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    // After one delivery the workers know the destination, whatever the timing.
    n.notify("connection.created").await;
    rx.next(WAIT).await;

    let r = n.notify("connection.created").await;
    assert_eq!(r.body["messages"][0]["status"], "delivering", "{}", r.body);
    let id = r.body["messages"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(rx.next(WAIT).await.header("webhook-id"), id);
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "delivered")
        .await;
    assert_eq!(m["attemptCount"], 1);
    assert_eq!(m["attempts"].as_array().map(Vec::len), Some(1), "{m}");
    // Delivered is final: a second send could only have been one already under way.
    rx.assert_nothing_arrived();
}

/// One attempt in flight, so the lane holds 32 messages: published one after another
/// against a slow receiver, the first ones are handed straight over until the lane is
/// full; from then on every message waits in the outbox behind the ones before it
/// (none is handed over ahead of them), and all arrive exactly once.
#[tokio::test]
async fn once_a_lane_is_full_new_messages_wait_behind_the_queued_ones() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    rx.otherwise(Reply::slow(204, Duration::from_millis(60)));
    n.webhook_with("h", &rx.url("/"), json!({"maxInFlight": 1}))
        .await;
    n.wire("t", &["connection.created"], &["h"]).await;
    n.notify("connection.created").await;
    rx.next(WAIT).await;

    let mut published = std::collections::HashSet::new();
    let mut statuses = Vec::new();
    for _ in 0..64 {
        let r = n.notify("connection.created").await.body;
        published.insert(r["messages"][0]["id"].as_str().unwrap().to_string());
        statuses.push(r["messages"][0]["status"].as_str().unwrap().to_string());
    }
    let first_waiting = statuses
        .iter()
        .position(|s| s == "pending")
        .unwrap_or_else(|| panic!("the lane never filled up: {statuses:?}"));
    assert!(first_waiting >= 1, "{statuses:?}");
    assert!(
        statuses[..first_waiting].iter().all(|s| s == "delivering")
            && statuses[first_waiting..].iter().all(|s| s == "pending"),
        "handed over, then waiting, never mixed: {statuses:?}"
    );

    let got = rx.take(64, Duration::from_secs(60)).await;
    n.wait_delivered(64 + 1).await;
    rx.assert_nothing_arrived();
    assert_each_arrived_once(&got, &published);
}

/// A stored message whose event type the node does not know (a row written by a newer
/// version, or damaged) is never delivered under another type: its attempt fails with the
/// reason, it is exhausted, and the destination goes on with the next message.
#[tokio::test]
async fn a_stored_message_with_an_unknown_event_type_fails_loudly_and_is_not_sent() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    n.post(&n.p("/destinations/h/pause"), json!({})).await;
    let damaged = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let n = n
        .restart_with(|c| {
            let db = rusqlite::Connection::open(c.data_dir.join("switchboard.db")).unwrap();
            let changed = db
                .execute(
                    "UPDATE messages SET event_type = 'connection.exploded' WHERE id = ?1",
                    [&damaged],
                )
                .unwrap();
            assert_eq!(changed, 1);
        })
        .await;
    n.post(&n.p("/destinations/h/resume"), json!({})).await;
    let m = n
        .wait_message(&damaged, WAIT, |m| m["status"] == "exhausted")
        .await;
    assert_eq!(
        m["eventType"], "connection.exploded",
        "shown as stored: {m}"
    );
    let attempt = &m["attempts"][0];
    assert_eq!(attempt["errorClass"], "config", "{m}");
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("'connection.exploded' is not a notification type"),
        "{m}"
    );
    // The destination keeps delivering, and the first thing its receiver ever gets is the
    // next message: the damaged one was not sent before it under some other label.
    let next = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(rx.next(WAIT).await.header("webhook-id"), next);
}
