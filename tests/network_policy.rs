//! The network policy at connect time, with names resolved as the test says (the node's
//! `hosts` table): a name that resolves to a cloud metadata address, or to loopback when
//! loopback is denied, fails with error class `policy` and never connects; a literal
//! forbidden address is refused when the destination is made.

mod support;

use std::time::Duration;

use serde_json::json;
use support::node::{fast_delivery, TestNode};
use support::receiver::Receiver;

const WAIT: Duration = Duration::from_secs(15);

async fn node(deny_loopback: bool) -> TestNode {
    TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0]);
        c.delivery.network.deny_loopback = deny_loopback;
        c.delivery
            .network
            .hosts
            .insert("metadata.test".into(), "169.254.169.254".parse().unwrap());
        c.delivery
            .network
            .hosts
            .insert("localhost".into(), "127.0.0.1".parse().unwrap());
    })
    .await
}

#[tokio::test]
async fn names_resolving_to_forbidden_addresses_fail_as_policy_without_connecting() {
    let n = node(false).await;
    let mut rx = Receiver::start().await;
    let port = rx.addr.port();
    n.webhook("meta", &format!("https://metadata.test:{port}/"))
        .await;
    n.webhook("ok", &format!("http://localhost:{port}/")).await;
    n.wire("t", &["connection.created"], &["meta", "ok"]).await;
    let published = n.notify("connection.created").await.body;
    let id_of = |name: &str| {
        published["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["destinationName"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Allowed: the name resolves (as told) to loopback, which the default policy allows.
    n.wait_message(&id_of("ok"), WAIT, |m| m["status"] == "delivered")
        .await;
    let refused = n
        .wait_message(&id_of("meta"), WAIT, |m| m["status"] == "exhausted")
        .await;
    let attempt = &refused["attempts"][0];
    assert_eq!(attempt["errorClass"], "policy", "{refused}");
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("169.254.169.254 is a link-local or cloud metadata address"),
        "{refused}"
    );
    rx.take(1, WAIT).await;
    assert!(
        rx.try_next().is_none(),
        "the forbidden attempt never connected"
    );

    // A literal forbidden address is refused at once, naming the field.
    n.post(&n.p("/destinations"), json!({"name": "imds", "type": "webhook", "metadata": {"url": "http://169.254.169.254/latest/meta-data"}}))
        .await
        .expect_problem(422, &["metadata.url"]);
}

#[tokio::test]
async fn with_loopback_denied_a_name_resolving_to_loopback_is_refused() {
    let n = node(true).await;
    let rx = Receiver::start().await;
    let port = rx.addr.port();
    n.webhook("rebound", &format!("http://localhost:{port}/"))
        .await;
    n.wire("t", &["connection.created"], &["rebound"]).await;
    let id = n.notify("connection.created").await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = n
        .wait_message(&id, WAIT, |m| m["status"] == "exhausted")
        .await;
    assert_eq!(m["attempts"][0]["errorClass"], "policy", "{m}");
    assert!(
        m["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("deny-loopback"),
        "{m}"
    );
    n.post(&n.p("/destinations"), json!({"name": "lit", "type": "webhook", "metadata": {"url": format!("http://127.0.0.1:{port}/")}}))
        .await
        .expect_problem(422, &["metadata.url"]);
}

/// A capture replayed from an inbox goes only where deliveries may: a literal forbidden
/// address is a 422 naming `url`, a name that resolves to one fails without connecting,
/// and a redirect is not followed.
#[tokio::test]
async fn replays_obey_the_policy_and_do_not_follow_redirects() {
    let n = node(false).await;
    let inbox = n.post(&n.p("/inboxes"), json!({"name": "src"})).await.body;
    let capture_url = inbox["captureUrl"].as_str().unwrap();
    let reply = reqwest::Client::new()
        .post(capture_url)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    let captured = n.get(&n.p("/inboxes/src/captures")).await.body;
    let id = captured[0]["id"].as_str().unwrap().to_string();
    let replay = n.p(&format!("/inboxes/src/captures/{id}/replay"));

    n.post(
        &replay,
        json!({"url": "http://169.254.169.254/latest/meta-data/"}),
    )
    .await
    .expect_problem(422, &["url"]);
    let refused = n
        .post(
            &replay,
            json!({"url": "http://metadata.test:9/latest/meta-data/"}),
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(refused.body["status"].is_null(), "{}", refused.body);
    let error = refused.body["error"].as_str().unwrap();
    assert!(error.contains("refused by the network policy"), "{error}");

    // A receiver that answers with a redirect to the metadata address: the replay reports
    // the 307 and goes no further.
    let mut rx = Receiver::start().await;
    rx.otherwise(
        support::receiver::Reply::status(307).with_header("location", "http://169.254.169.254/"),
    );
    let redirected = n.post(&replay, json!({"url": rx.url("/hop")})).await;
    assert_eq!(redirected.body["status"], 307, "{}", redirected.body);
    rx.next(WAIT).await;
}
