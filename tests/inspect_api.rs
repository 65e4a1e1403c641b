//! `POST /v1/inspect` and `POST /v1/diff` over real HTTP, on a delivery a real receiver got
//! from the dispatcher: its signature checks out with the destination's keys (the previous
//! one after a rotation), a re-serialized body is named as such, and bad requests are
//! refused field by field.

mod support;

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};
use support::node::TestNode;
use support::receiver::{Received, Receiver};

const WAIT: Duration = Duration::from_secs(10);

fn as_inspect(got: &Received, body: &[u8], destination: &str) -> Value {
    let headers: serde_json::Map<String, Value> = got
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_str().unwrap().into())))
        .collect();
    json!({
        "bodyBase64": base64::engine::general_purpose::STANDARD.encode(body),
        "headers": headers,
        "destination": destination,
    })
}

#[tokio::test]
async fn a_real_delivery_verifies_with_its_destinations_keys() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("hook", &rx.url("/in")).await;
    n.wire("t", &["installation.created"], &["hook"]).await;
    n.notify("installation.created").await;
    let got = rx.next(WAIT).await;

    let r = n
        .post("/v1/inspect", as_inspect(&got, &got.body, "hook"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["kind"], "notification");
    assert_eq!(r.body["notificationType"], "installation.created");
    assert_eq!(r.body["issues"], json!([]));
    let sig = &r.body["signature"];
    assert_eq!(sig["verified"], true, "{sig}");
    let sets = sig["headerSets"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "webhook-* and svix-*: {sig}");
    assert_eq!(sets[0]["signatures"][0]["matchedSecret"], "hook's current");
    assert!(r.body["summary"]
        .as_str()
        .unwrap()
        .contains("signature verified"));

    // After a rotation the old delivery still verifies, with the previous key.
    n.get(&n.p("/destinations/hook?rotate=true")).await;
    let r = n
        .post("/v1/inspect", as_inspect(&got, &got.body, "hook"))
        .await;
    assert_eq!(
        r.body["signature"]["headerSets"][0]["signatures"][0]["matchedSecret"], "hook's previous",
        "{}",
        r.body
    );

    // The same body as Python's json.dumps writes it back (", " and ": "): named as
    // re-serialized.
    let pretty = python_dumps(&got.body);
    let mut request = as_inspect(&got, &pretty, "hook");
    request["body"] = json!(String::from_utf8(pretty).unwrap());
    request.as_object_mut().unwrap().remove("bodyBase64");
    let r = n.post("/v1/inspect", request).await;
    assert_eq!(r.body["signature"]["verified"], false);
    let causes = r.body["signature"]["causes"].to_string();
    assert!(causes.contains("re-serialized"), "{causes}");
}

#[tokio::test]
async fn bad_requests_are_refused_by_field_and_odd_bodies_are_explained() {
    let n = TestNode::start().await;
    n.post("/v1/inspect", json!({}))
        .await
        .expect_problem(422, &["body"]);
    n.post(
        "/v1/inspect",
        json!({"body": "{}", "secrets": "whsec_x", "nope": 1}),
    )
    .await
    .expect_problem(422, &["nope", "secrets"]);
    n.post("/v1/inspect", json!({"body": "{}", "destination": "ghost"}))
        .await
        .expect_problem(404, &["destination"]);

    let r = n
        .post("/v1/inspect", json!({"bodyBase64": "eyJhIjogIv8ifQ=="}))
        .await;
    assert_eq!(r.body["kind"], "notJson", "{}", r.body);
    assert_eq!(r.body["parseError"]["offset"], 7);
    let r = n
        .post(
            "/v1/inspect",
            json!({"body": "{\"notificationType\": \"connection.created\", \"data\": {}}"}),
        )
        .await;
    let pointers: Vec<&str> = r.body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/data/connectionId"), "{pointers:?}");

    let d = n
        .post(
            "/v1/diff",
            json!({"before": {"a": 1, "b": [1, 2]}, "after": {"a": 2, "b": [1]}}),
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body[0]["path"], "/a");
    assert_eq!(d.body[1]["path"], "/b/1");
    assert_eq!(d.body[1]["kind"], "removed");
    n.post("/v1/diff", json!({"before": 1}))
        .await
        .expect_problem(422, &["after"]);
}

/// `json` with a space after every `,` and `:` between tokens, as Python's `json.dumps`
/// re-serializes a body (same key order).
fn python_dumps(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        out.push(b);
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' || b == b':' {
            out.push(b' ');
        }
    }
    out
}

/// An `installation.updated` over 300 KB travels with its configs as this node's signed
/// links: inspect fetches them (saying when they expire) and diffs what they hold.
#[tokio::test]
async fn configs_behind_this_nodes_links_are_fetched_and_diffed() {
    let n = TestNode::start().await;
    let mut rx = Receiver::start().await;
    n.webhook("hook", &rx.url("/in")).await;
    n.wire("t", &["installation.updated"], &["hook"]).await;
    let t = switchboard::model::EventType::InstallationUpdated;
    let mut data = switchboard::payload::notification::example_data(t);
    let big = "x".repeat(200_000);
    data["lastConfig"] =
        json!({"read": {"objects": {"account": {"blob": big, "schedule": "*/10 * * * *"}}}});
    data["config"] =
        json!({"read": {"objects": {"account": {"blob": big, "schedule": "*/5 * * * *"}}}});
    let sent = n
        .post(
            &n.p("/notifications"),
            json!({"notificationType": "installation.updated", "data": data}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let got = rx.next(WAIT).await;
    assert!(
        got.json()["data"]["configURL"].is_string(),
        "configs moved to links"
    );

    let r = n
        .post("/v1/inspect", as_inspect(&got, &got.body, "hook"))
        .await;
    // config moved to a link (lastConfig fitted once it had): fetched, with its expiry.
    let links = r.body["links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{}", r.body["links"].to_string().len());
    assert_eq!(links[0]["pointer"], "/data/configURL");
    assert_eq!(links[0]["outcome"], "fetched");
    assert!(links[0]["expireTime"].is_string());
    assert_eq!(
        r.body["configDiff"]["summary"],
        json!(["schedule changed: account"]),
        "the diff of the inline lastConfig and the fetched config"
    );
    // Someone else's link is listed, not fetched.
    let foreign = json!({"notificationType": "installation.updated", "data": {
        "configURL": "https://elsewhere.example/c?expires=1&signature=x"}});
    let r = n
        .post("/v1/inspect", json!({"body": foreign.to_string()}))
        .await;
    assert_eq!(r.body["links"][0]["outcome"], "notFetched", "{}", r.body);
}
