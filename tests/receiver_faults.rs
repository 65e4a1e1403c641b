//! Every way a receiver can misbehave, one test per row of the README's table ("When a
//! receiver misbehaves"), on real sockets: what the attempt row records (status, error
//! class, error) and what happens next (a retry is scheduled, the message is done, the
//! destination is disabled).

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::node::{fast_delivery, TestNode};
use support::raw_receiver::{Behaviour, RawReceiver};
use support::receiver::{Receiver, Reply};

const WAIT: Duration = Duration::from_secs(15);

/// A node whose first attempt is at once and whose retries are `retry_ms` apart, with one
/// webhook `r` at `url`; publishes one notification and returns the message once its first
/// attempt is recorded.
async fn first_attempt(url: &str, retry_ms: u64, delivery: Value) -> (TestNode, Value) {
    first_attempt_with(url, retry_ms, delivery, |_| {}).await
}

async fn first_attempt_with(
    url: &str,
    retry_ms: u64,
    delivery: Value,
    adjust: impl FnOnce(&mut switchboard::config::NodeConfig),
) -> (TestNode, Value) {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0, retry_ms, retry_ms]);
        adjust(c);
    })
    .await;
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "r", "type": "webhook", "metadata": {"url": url}, "delivery": delivery}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    n.wire("t", &["connection.created"], &["r"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&id, WAIT, |m| {
            m["attempts"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    (n, m)
}

fn millis(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

/// The first attempt failed as `class`, and a second is scheduled.
fn failed_and_retried(m: &Value, class: &str) -> Value {
    let attempt = m["attempts"][0].clone();
    assert_eq!(attempt["succeeded"], false, "{m}");
    assert_eq!(attempt["errorClass"], class, "{m}");
    assert_eq!(m["status"], "retrying", "{m}");
    assert_eq!(m["retry"]["nextAttempt"], 2, "{m}");
    attempt
}

/// How long after the first attempt began the second is due.
fn retry_gap(m: &Value) -> Duration {
    let gap = millis(&m["nextAttemptTime"]) - millis(&m["attempts"][0]["startTime"]);
    Duration::from_millis(gap.max(0) as u64)
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_and_retried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_n, m) = first_attempt(&format!("http://127.0.0.1:{port}/"), 60_000, json!({})).await;
    let attempt = failed_and_retried(&m, "connect");
    assert!(attempt["statusCode"].is_null(), "{m}");
    assert!(
        attempt["error"].as_str().unwrap().contains("refused"),
        "{m}"
    );
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_connect_error_and_retried() {
    // The resolver answers as the test says: this name is nowhere (no DNS query is sent).
    let (_n, m) = first_attempt_with("https://nowhere.test/", 60_000, json!({}), |c| {
        c.delivery.network.system_dns = false;
    })
    .await;
    let attempt = failed_and_retried(&m, "connect");
    let error = attempt["error"].as_str().unwrap();
    assert!(
        error.contains("nowhere.test") && error.contains("does not resolve"),
        "{error}"
    );
}

#[tokio::test]
async fn a_receiver_that_accepts_and_never_answers_times_out() {
    let rx = RawReceiver::start(Behaviour::Silent).await;
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({"timeoutMs": 400})).await;
    let attempt = failed_and_retried(&m, "timeout");
    assert!(attempt["durationMs"].as_i64().unwrap() < 3_000, "{m}");
    assert_eq!(rx.requests(), 1);
    // A timeout waits at least the throttle floor (1.5 s here) before the next attempt.
    assert!(retry_gap(&m) >= Duration::from_millis(1_400), "{m}");
}

#[tokio::test]
async fn headers_then_a_body_that_trickles_past_the_timeout_time_out() {
    let rx = RawReceiver::start(Behaviour::Trickle {
        head: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
        every: Duration::from_millis(100),
    })
    .await;
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({"timeoutMs": 600})).await;
    let attempt = failed_and_retried(&m, "timeout");
    assert!(attempt["durationMs"].as_i64().unwrap() < 3_000, "{m}");
}

#[tokio::test]
async fn a_5xx_is_a_status_error_and_retried() {
    let rx = Receiver::start().await;
    rx.otherwise(Reply::status(503).with_body("down for maintenance"));
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    let attempt = failed_and_retried(&m, "status");
    assert_eq!(attempt["statusCode"], 503);
    assert_eq!(attempt["responseBody"], "down for maintenance");
}

#[tokio::test]
async fn a_429_without_retry_after_waits_the_throttle_floor() {
    let rx = Receiver::start().await;
    rx.otherwise(Reply::status(429));
    // The schedule says 1 s; the throttle floor (1.5 s) wins.
    let (_n, m) = first_attempt(&rx.url("/"), 1_000, json!({})).await;
    let attempt = failed_and_retried(&m, "throttled");
    assert_eq!(attempt["statusCode"], 429);
    let gap = retry_gap(&m);
    assert!(
        gap >= Duration::from_millis(1_450) && gap < Duration::from_millis(1_950),
        "{gap:?}"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_in_seconds_waits_that_long() {
    let rx = Receiver::start().await;
    rx.otherwise(Reply::status(429).with_header("retry-after", "3"));
    let (_n, m) = first_attempt(&rx.url("/"), 2_000, json!({})).await;
    failed_and_retried(&m, "throttled");
    let gap = retry_gap(&m);
    assert!(
        gap >= Duration::from_millis(2_950) && gap < Duration::from_millis(3_600),
        "{gap:?}"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_as_an_http_date_waits_until_then() {
    let rx = Receiver::start().await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(4);
    let http_date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    rx.otherwise(Reply::status(429).with_header("retry-after", http_date));
    let (_n, m) = first_attempt(&rx.url("/"), 2_000, json!({})).await;
    failed_and_retried(&m, "throttled");
    // HTTP dates have whole seconds: due between 3 and 4 s on.
    let gap = retry_gap(&m);
    assert!(
        gap >= Duration::from_millis(2_900) && gap < Duration::from_millis(4_200),
        "{gap:?}"
    );
}

#[tokio::test]
async fn a_410_disables_the_webhook_at_once_and_its_message_waits() {
    let rx = Receiver::start().await;
    rx.otherwise(Reply::status(410));
    let (n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    assert_eq!(m["attempts"][0]["errorClass"], "status", "{m}");
    assert_eq!(m["attempts"][0]["statusCode"], 410, "{m}");
    let d = n.wait_destination("r", WAIT, "disabled").await;
    assert!(d["disabledReason"].as_str().unwrap().contains("410"), "{d}");
    // Not sent again while disabled; `recover` or `resend` after enabling sends it.
    assert_eq!(m["status"], "retrying", "{m}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_a_failure() {
    let mut elsewhere = Receiver::start().await;
    let rx = Receiver::start().await;
    rx.otherwise(Reply::status(307).with_header("location", elsewhere.url("/moved")));
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    let attempt = failed_and_retried(&m, "status");
    assert_eq!(attempt["statusCode"], 307);
    elsewhere.assert_nothing_arrived();
}

#[tokio::test]
async fn a_connection_reset_mid_response_is_an_io_error_and_retried() {
    let rx = RawReceiver::start(Behaviour::ResetAfter(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf".to_vec(),
    ))
    .await;
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    let attempt = failed_and_retried(&m, "io");
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("reading the answer"),
        "{m}"
    );
}

#[tokio::test]
async fn a_multi_megabyte_answer_is_read_up_to_the_cap_and_recorded_cut() {
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Length: 8388608\r\n\r\n".to_vec();
    answer.extend(std::iter::repeat_n(b'z', 8 * 1024 * 1024));
    let rx = RawReceiver::start(Behaviour::Answer(answer)).await;
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    let attempt = &m["attempts"][0];
    assert_eq!(attempt["succeeded"], true, "{m}");
    assert_eq!(m["status"], "delivered", "{m}");
    let kept = attempt["responseBody"].as_str().unwrap();
    assert_eq!(kept.len(), 4096, "the answer's first 4 KiB are kept");
    assert!(kept.bytes().all(|b| b == b'z'));
}

#[tokio::test]
async fn an_answer_without_content_length_ends_with_the_connection_and_counts() {
    let rx = RawReceiver::start(Behaviour::Answer(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthanks".to_vec(),
    ))
    .await;
    let (_n, m) = first_attempt(&rx.url("/"), 60_000, json!({})).await;
    let attempt = &m["attempts"][0];
    assert_eq!(attempt["succeeded"], true, "{m}");
    assert_eq!(attempt["statusCode"], 200, "{m}");
    assert_eq!(attempt["responseBody"], "thanks", "{m}");
}
