//! `/metrics` scraped as Prometheus scrapes it (Bearer key) and read with a Prometheus
//! text parser: deliveries by destination and outcome, attempt latency, publishes and their
//! latency, writer batches, rate-limit waits, and the queue.

mod support;

use std::time::Duration;

use prometheus_parse::{Scrape, Value as Sample};
use support::node::TestNode;
use support::receiver::{Receiver, Reply};

async fn scrape(n: &TestNode) -> Scrape {
    let resp = n
        .http
        .get(n.url("/metrics"))
        .bearer_auth(&n.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}

fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => *v,
            Sample::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
            Sample::Summary(_) => f64::NAN,
        })
}

#[tokio::test]
async fn metrics_count_what_the_node_did() {
    let n = TestNode::start_configured(|c| c.delivery = support::node::fast_delivery(&[0, 60_000]))
        .await;
    // Without a key: 401, like the API.
    assert_eq!(
        n.http.get(n.url("/metrics")).send().await.unwrap().status(),
        401
    );
    let mut ok = Receiver::start().await;
    let failing = Receiver::start().await;
    failing.otherwise(Reply::status(500));
    n.webhook("good", &ok.url("/")).await;
    n.webhook("bad", &failing.url("/")).await;
    n.wire("t", &["connection.created"], &["good", "bad"]).await;
    for _ in 0..3 {
        assert_eq!(n.notify("connection.created").await.status, 202);
    }
    ok.take(3, Duration::from_secs(10)).await;
    // Recorded (the metrics count an attempt before it is recorded).
    n.wait_delivered(3).await;
    // The failing destination's three first attempts are recorded as retrying.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = n.get(&n.p("/messages?status=retrying")).await.body;
        if page["items"].as_array().unwrap().len() == 3 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let s = scrape(&n).await;
    assert_eq!(
        value(
            &s,
            "switchboard_deliveries_total",
            &[("destination", "good"), ("outcome", "succeeded")]
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            &s,
            "switchboard_deliveries_total",
            &[("destination", "bad"), ("outcome", "failed")]
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            &s,
            "switchboard_attempt_duration_seconds",
            &[("destination", "good")]
        ),
        Some(3.0),
        "3 observations"
    );
    assert_eq!(value(&s, "switchboard_publishes_total", &[]), Some(3.0));
    assert_eq!(
        value(&s, "switchboard_publish_duration_seconds", &[]),
        Some(3.0)
    );
    assert!(value(&s, "switchboard_writer_batch_publishes", &[]).unwrap() >= 1.0);
    // The three retries wait a minute: queued, not yet due.
    assert_eq!(value(&s, "switchboard_queue_depth", &[]), Some(3.0));
    assert_eq!(
        value(&s, "switchboard_queue_oldest_due_age_seconds", &[]),
        Some(0.0)
    );
}

#[tokio::test]
async fn deliveries_held_back_by_the_rate_limit_are_counted() {
    let n = TestNode::start_configured(|c| {
        c.delivery = support::node::fast_delivery(&[0]);
        c.delivery.rate_limit = 2;
    })
    .await;
    let mut ok = Receiver::start().await;
    n.webhook("good", &ok.url("/")).await;
    n.wire("t", &["connection.created"], &["good"]).await;
    for _ in 0..4 {
        n.notify("connection.created").await;
    }
    ok.take(4, Duration::from_secs(10)).await;
    let s = scrape(&n).await;
    assert!(
        value(
            &s,
            "switchboard_rate_limit_waits_total",
            &[("limit", "node")]
        )
        .unwrap()
            >= 1.0
    );
}
