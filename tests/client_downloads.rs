//! Client methods for the node extensions added last: test sends, event types, and
//! downloads behind signed links (which must not carry the API key).

mod support;

use std::time::Duration;

use serde_json::json;
use support::client_kit::{client, expect_api};
use support::node::TestNode;
use support::receiver::Receiver;

#[tokio::test]
async fn test_sends_event_types_and_signed_downloads() {
    let n = TestNode::start().await;
    let c = client(&n);
    let mut rx = Receiver::start().await;
    n.webhook("h", &rx.url("/")).await;

    let sent = c
        .test_destination("h", Some("installation.deleted"))
        .await
        .unwrap();
    assert_eq!(sent.messages.len(), 1);
    assert_eq!(
        rx.next(Duration::from_secs(10)).await.json()["notificationType"],
        "installation.deleted"
    );
    expect_api(
        c.test_destination("h", Some("nope")).await,
        422,
        &["eventType"],
    );
    expect_api(c.test_destination("ghost", None).await, 404, &[]);

    let types = c.event_types().await.unwrap();
    assert_eq!(types.as_array().unwrap().len(), 15);

    // A config over 300 KB arrives as a signed link; the client downloads it.
    let mut example = types[5]["example"].clone();
    assert_eq!(example["notificationType"], "installation.created");
    example["data"]["config"] = json!({"read": {"blob": "x".repeat(400_000)}});
    n.wire("t", &["installation.created"], &["h"]).await;
    assert_eq!(
        n.post(&n.p("/notifications"), example.clone()).await.status,
        202
    );
    let body = rx.next(Duration::from_secs(10)).await.json();
    let link = body["data"]["configURL"].as_str().unwrap();
    assert_eq!(c.download(link).await.unwrap(), example["data"]["config"]);
    // The signature's last digit changed (to another digit: a forgery must differ).
    let last = if link.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &link[..link.len() - 1]);
    expect_api(c.download(&forged).await, 403, &[]);
}
