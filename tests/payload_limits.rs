//! The 300 KB rule with signed download URLs, and the delivery rate limit.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::node::{fast_delivery, TestNode};
use support::receiver::Receiver;

const WAIT: Duration = Duration::from_secs(15);

fn installation(event: &str, config_bytes: usize, last_config_bytes: Option<usize>) -> Value {
    let t = switchboard::model::EventType::parse(event).unwrap();
    let mut data = switchboard::payload::notification::example_data(t);
    data["config"] = json!({"read": {"objects": {"account": {"blob": "c".repeat(config_bytes)}}}});
    match last_config_bytes {
        Some(n) => {
            data["lastConfig"] = json!({"read": {"objects": {"account": {"blob": "l".repeat(n)}}}})
        }
        None => {
            data.as_object_mut().unwrap().remove("lastConfig");
            data.as_object_mut().unwrap().remove("lastConfigURL");
        }
    }
    json!({"notificationType": event, "data": data})
}

#[tokio::test]
async fn oversized_configs_move_to_signed_urls_that_expire() {
    let n = TestNode::start_configured(|c| {
        c.blob_url_lifetime = Duration::from_secs(2);
        c.clock = switchboard::time::Clock::manual();
    })
    .await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire(
        "t",
        &["installation.created", "installation.updated"],
        &["h"],
    )
    .await;

    // Small: inline as published.
    let small = installation("installation.created", 1_000, None);
    assert_eq!(
        n.post(&n.p("/notifications"), small.clone()).await.status,
        202
    );
    let got = rx.next(WAIT).await;
    assert_eq!(got.json()["data"]["config"], small["data"]["config"]);

    // 400 KB of config: the body stays within 300 KB, config comes from a signed URL.
    let big = installation("installation.created", 400_000, None);
    assert_eq!(
        n.post(&n.p("/notifications"), big.clone()).await.status,
        202
    );
    let got = rx.next(WAIT).await;
    assert!(got.body.len() <= 307_200, "{} bytes", got.body.len());
    let body = got.json();
    assert!(body["data"].get("config").is_none());
    let url = body["data"]["configURL"].as_str().unwrap().to_string();
    assert!(url.starts_with(&n.base_url), "{url}");
    let fetched: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(fetched, big["data"]["config"], "the URL serves the config");

    // A forged signature or a changed expiry is refused.
    // Change the signature's last character (to one it is not).
    let last = if url.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &url[..url.len() - 1]);
    let r = reqwest::get(&forged).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let later = url.replace("expires=", "expires=9");
    assert_eq!(reqwest::get(&later).await.unwrap().status(), 403);

    // installation.updated with both configs large: both move.
    let both = installation("installation.updated", 320_000, Some(320_000));
    assert_eq!(
        n.post(&n.p("/notifications"), both.clone()).await.status,
        202
    );
    let body = rx.next(WAIT).await.json();
    let last_url = body["data"]["lastConfigURL"].as_str().unwrap();
    let last: Value = reqwest::get(last_url).await.unwrap().json().await.unwrap();
    assert_eq!(last, both["data"]["lastConfig"]);
    assert!(body["data"]["configURL"].is_string());

    // After the lifetime the link is dead.
    n.advance(Duration::from_secs(3)); // links count whole seconds
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 403, "expired");
    // The store keeps a blob a minute past its last link, then cleans it up.
    // Counted on a connection of the test's own: the node's store lets nobody else in.
    let database = n.data_dir.join("switchboard.db");
    let count = || async {
        rusqlite::Connection::open(&database)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert!(count().await >= 3);
    assert_eq!(
        n.node.state().blobs.clean_up().await.unwrap(),
        0,
        "not before the grace minute"
    );
    n.advance(Duration::from_secs(60));
    assert!(n.node.state().blobs.clean_up().await.unwrap() >= 3);
    assert_eq!(count().await, 0);

    // A payload that cannot fit even without its configs fails at once, visibly: a
    // webhook takes 300 KB at most (a Kinesis destination would still take it).
    let mut hopeless = installation("installation.created", 10, None);
    hopeless["data"]["groupName"] = json!("g".repeat(400_000));
    let r = n.post(&n.p("/notifications"), hopeless).await;
    assert_eq!(r.status, 202);
    let id = r.body["messages"][0]["id"].as_str().unwrap().to_string();
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "exhausted")
        .await;
    assert_eq!(m["attemptCount"], 1, "no retries: it cannot get smaller");
    assert!(
        m["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("300 KB"),
        "{m}"
    );
}

#[tokio::test]
async fn the_rate_limit_delays_and_never_drops() {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0]);
        c.delivery.rate_limit = 50;
    })
    .await;
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;
    n.wire("t", &["connection.created"], &["h"]).await;
    let started = Instant::now();
    for _ in 0..100 {
        assert_eq!(n.notify("connection.created").await.status, 202);
    }
    let got = rx.take(100, Duration::from_secs(20)).await;
    let span = got.last().unwrap().at - got.first().unwrap().at;
    // 100 messages at 50/s, with a burst of at most a twentieth of a second's worth.
    assert!(span >= Duration::from_millis(1800), "{span:?}");
    // The last attempts are recorded just after their answers arrive.
    let deadline = Instant::now() + Duration::from_secs(10);
    let stats = loop {
        let stats = n.get(&n.p("/stats")).await.body;
        if stats["destinations"][0]["counts"]["delivered"] == 100 || Instant::now() > deadline {
            break stats;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(stats["rateLimitPerSecond"], 50);
    assert_eq!(
        stats["destinations"][0]["counts"]["delivered"], 100,
        "nothing dropped"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// A destination's own limit (`delivery.rateLimitPerSecond`) delays that destination only,
/// drops nothing, and `/stats` shows the queue and the rate as they are.
#[tokio::test]
async fn a_destinations_own_limit_delays_it_alone_and_stats_show_rate_and_queue() {
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0]);
        c.delivery.rate_limit = 0; // no node-wide limit: only the destination's
    })
    .await;
    let mut limited_rx = Receiver::start().await;
    let mut free_rx = Receiver::start().await;
    let limited = n
        .webhook_with(
            "limited",
            &limited_rx.url("/"),
            json!({"rateLimitPerSecond": 10}),
        )
        .await;
    assert_eq!(limited["delivery"]["rateLimitPerSecond"], 10, "{limited}");
    n.webhook("free", &free_rx.url("/")).await;
    n.wire("t", &["connection.created"], &["limited", "free"])
        .await;
    for _ in 0..40 {
        assert_eq!(n.notify("connection.created").await.status, 202);
    }

    let free = free_rx.take(40, Duration::from_secs(20)).await;
    // Two seconds after the free destination is done, the last complete second (what
    // `currentRate` counts) holds the limited destination's deliveries alone.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let during = n.get(&n.p("/stats")).await.body;
    let limited_got = limited_rx.take(40, Duration::from_secs(30)).await;

    let span = limited_got.last().unwrap().at - limited_got.first().unwrap().at;
    // 40 messages at 10/s, with a burst of at most one: 3.8 s at the least.
    assert!(span >= Duration::from_millis(3000), "{span:?}");
    assert!(
        free.last().unwrap().at < limited_got.last().unwrap().at,
        "the other destination is not held to the limit"
    );
    let rate = during["currentRate"].as_u64().unwrap();
    assert!((1..=12).contains(&rate), "current rate {rate}: {during}");
    assert!(during["queued"].as_i64().unwrap() > 0, "{during}");
    assert_eq!(during["rateLimitPerSecond"], 0);

    // Everything recorded: nothing queued, all 80 delivered.
    let deadline = Instant::now() + Duration::from_secs(10);
    let after = loop {
        let stats = n.get(&n.p("/stats")).await.body;
        if stats["queued"] == 0 || Instant::now() > deadline {
            break stats;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(after["queued"], 0, "{after}");
    let delivered: i64 = after["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["counts"]["delivered"].as_i64().unwrap())
        .sum();
    assert_eq!(delivered, 80, "nothing dropped: {after}");
}
