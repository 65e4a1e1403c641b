//! Destinations over real HTTP: every rule of issue 2, responses checked against the
//! reference spec's schemas.

mod support;

use serde_json::{json, Value};
use support::node::TestNode;
use support::spec::{assert_matches, assert_response_matches};

const API: &str = "management-api.yaml";
const DESTS: &str = "/projects/{projectIdOrName}/destinations";
const DEST: &str = "/projects/{projectIdOrName}/destinations/{destination}";

#[tokio::test]
async fn webhook_lifecycle_matches_the_spec() {
    let n = TestNode::start().await;
    let created = n
        .post(
            &n.p("/destinations"),
            json!({"name": "lead-converted", "type": "webhook",
                   "metadata": {"url": "https://hooks.example.com/x", "headers": {"Authorization": "Bearer 1"}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_response_matches(API, DESTS, "post", "201", &created.body);
    assert_eq!(created.body["type"], "webhook");
    assert_eq!(
        created.body["metadata"]["headers"]["Authorization"],
        "Bearer 1"
    );
    assert!(
        created.body.get("secrets").is_none(),
        "secrets only on request"
    );
    let id = created.body["id"].as_str().unwrap().to_string();

    // By name and by ID.
    for key in ["lead-converted", id.as_str()] {
        let got = n.get(&n.p(&format!("/destinations/{key}"))).await;
        assert_eq!(got.status, 200);
        assert_response_matches(API, DEST, "get", "200", &got.body);
        assert_eq!(got.body["id"], id.as_str());
    }

    let listed = n.get(&n.p("/destinations")).await;
    assert_response_matches(API, DESTS, "get", "200", &listed.body);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    let patched = n
        .patch(
            &n.p("/destinations/lead-converted"),
            json!({"updateMask": ["name", "metadata.url"],
                   "destination": {"name": "lead-renamed", "metadata": {"url": "http://127.0.0.1:9/hook"}}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_response_matches(API, DEST, "patch", "200", &patched.body);
    assert_eq!(patched.body["name"], "lead-renamed");
    assert_eq!(patched.body["metadata"]["url"], "http://127.0.0.1:9/hook");
    assert_eq!(
        patched.body["metadata"]["headers"]["Authorization"], "Bearer 1",
        "unmasked fields stay"
    );

    let deleted = n.delete(&n.p(&format!("/destinations/{id}"))).await;
    assert_eq!(deleted.status, 204);
    n.get(&n.p(&format!("/destinations/{id}")))
        .await
        .expect_problem(404, &[]);
    n.delete(&n.p(&format!("/destinations/{id}")))
        .await
        .expect_problem(404, &[]);
}

#[tokio::test]
async fn signing_secret_is_generated_shown_on_request_and_rotated_with_grace() {
    let n = TestNode::start().await;
    n.webhook("signed", "https://h.example/").await;
    let with = n
        .get(&n.p("/destinations/signed?includeSecrets=true"))
        .await;
    assert_response_matches(API, DEST, "get", "200", &with.body);
    let first = with.body["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = first.strip_prefix("whsec_").expect("whsec_ prefix");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .unwrap();
    assert_eq!(bytes.len(), 24);

    let rotated = n.get(&n.p("/destinations/signed?rotate=true")).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let second = rotated.body["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(
        rotated.body["secrets"]["previousWebhookSigningKey"],
        first.as_str()
    );
    let expires = rotated.body["secrets"]["previousWebhookSigningKeyExpireTime"]
        .as_str()
        .unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(expires).unwrap();
    let grace = expires.signed_duration_since(chrono::Utc::now());
    assert!(
        grace > chrono::Duration::hours(23) && grace <= chrono::Duration::hours(24),
        "{grace}"
    );

    n.get(&n.p("/destinations/signed?includeSecrets=maybe"))
        .await
        .expect_problem(422, &["includeSecrets"]);
}

#[tokio::test]
async fn kinesis_and_log_destinations() {
    let n = TestNode::start().await;
    let k = n
        .post(
            &n.p("/destinations"),
            json!({"name": "stream", "type": "kinesis",
                   "metadata": {"streamName": "events", "region": "us-east-1",
                                "endpointUrl": "http://127.0.0.1:4567", "partitionKeyTemplate": "data.installationId"},
                   "secrets": {"awsKeyId": "AKIDEXAMPLE", "awsSecretKey": "kinesis-secret-value-1", "awsSessionToken": "tok-value-1"}}),
        )
        .await;
    assert_eq!(k.status, 201, "{}", k.body);
    assert_response_matches(API, DESTS, "post", "201", &k.body);
    assert!(k.body.get("secrets").is_none());
    let shown = n
        .get(&n.p("/destinations/stream?includeSecrets=true"))
        .await;
    assert_eq!(shown.body["secrets"]["awsKeyId"], "AKIDEXAMPLE");
    assert!(
        shown.body["secrets"].get("awsSecretKey").is_none(),
        "AWS secret keys are write-only"
    );

    // Secrets are updatable through the mask; clearing a required one is refused.
    let r = n
        .patch(
            &n.p("/destinations/stream"),
            json!({"updateMask": ["secrets.awsSecretKey"], "destination": {}}),
        )
        .await;
    r.expect_problem(422, &["destination.secrets.awsSecretKey"]);
    let r = n
        .patch(
            &n.p("/destinations/stream"),
            json!({"updateMask": ["secrets.awsSecretKey", "metadata.partitionKeyTemplate"],
                   "destination": {"secrets": {"awsSecretKey": "rotated-secret-2"}, "metadata": {"partitionKeyTemplate": "data.provider"}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["metadata"]["partitionKeyTemplate"], "data.provider");

    let log = n
        .post(
            &n.p("/destinations"),
            json!({"name": "audit", "type": "log", "metadata": {}}),
        )
        .await;
    assert_eq!(log.status, 201, "{}", log.body);
    let path = log.body["metadata"]["path"].as_str().unwrap();
    assert_eq!(std::path::Path::new(path), n.data_dir.join("audit.jsonl"));
}

#[tokio::test]
async fn bad_destination_input_is_a_precise_4xx_and_writes_nothing() {
    let n = TestNode::start().await;
    let url = n.p("/destinations");
    let cases: Vec<(Value, u16, Vec<&str>)> = vec![
        (
            json!({"name": "a", "type": "ftp", "metadata": {}}),
            422,
            vec!["type"],
        ),
        (
            json!({"name": "a", "type": "s3", "metadata": {}}),
            422,
            vec!["type"],
        ),
        (
            json!({"name": "a", "type": 7, "metadata": {}}),
            422,
            vec!["type"],
        ),
        (
            json!({"type": "webhook", "metadata": {"url": "https://x.example"}}),
            422,
            vec!["name"],
        ),
        (
            json!({"name": "has space", "type": "webhook", "metadata": {"url": "https://x.example"}}),
            422,
            vec!["name"],
        ),
        (
            json!({"name": "under_score", "type": "webhook", "metadata": {"url": "https://x.example"}}),
            422,
            vec!["name"],
        ),
        (
            json!({"name": "a", "type": "webhook"}),
            422,
            vec!["metadata"],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {}}),
            422,
            vec!["metadata.url"],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {"url": "http://example.com/"}}),
            422,
            vec!["metadata.url"],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {"url": "https://x.example", "headers": {"X": 1}}}),
            422,
            vec!["metadata.headers.X"],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {"url": "https://x.example", "headers": "X: 1"}}),
            422,
            vec!["metadata.headers"],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {"url": "https://x.example", "streamName": "s"}}),
            422,
            vec!["metadata.streamName"],
        ),
        (
            json!({"name": "a", "type": "kinesis", "metadata": {"streamName": "s", "region": "us-east-1", "partitionKeyTemplate": "a..b"},
                "secrets": {"awsKeyId": "k", "awsSecretKey": "s"}}),
            422,
            vec!["metadata.partitionKeyTemplate"],
        ),
        (
            json!({"name": "a", "type": "kinesis", "metadata": {"streamName": "s"}}),
            422,
            vec![
                "metadata.region",
                "secrets.awsKeyId",
                "secrets.awsSecretKey",
            ],
        ),
        (
            json!({"name": "a", "type": "webhook", "metadata": {"url": "https://x.example"}, "colour": "red"}),
            422,
            vec!["colour"],
        ),
        (json!(["not", "an", "object"]), 400, vec![]),
    ];
    for (body, status, issues) in cases {
        let r = n.post(&url, body.clone()).await;
        r.expect_problem(status, &issues);
        if status == 422 {
            assert_matches("problem.yaml", "InputValidationProblem", &r.body);
        }
    }
    n.post_raw(&url, "application/json", "{\"name\": ")
        .await
        .expect_problem(400, &["body"]);
    n.post_raw(&url, "text/plain", "{}")
        .await
        .expect_problem(415, &[]);

    // A duplicate name is a 409, and nothing of the failed attempts was stored.
    n.webhook("taken", "https://x.example").await;
    n.post(
        &url,
        json!({"name": "taken", "type": "log", "metadata": {}}),
    )
    .await
    .expect_problem(409, &["name"]);
    let listed = n.get(&url).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.body);

    n.get(&n.p("/destinations/nope"))
        .await
        .expect_problem(404, &[]);
    n.get("/v1/projects/no-such-project/destinations")
        .await
        .expect_problem(404, &[]);
}

#[tokio::test]
async fn patch_follows_the_update_mask_rules() {
    let n = TestNode::start().await;
    n.webhook("one", "https://one.example/").await;
    n.webhook("two", "https://two.example/").await;
    let url = n.p("/destinations/one");
    let cases: Vec<(Value, u16, Vec<&str>)> = vec![
        (json!({"destination": {}}), 422, vec!["updateMask"]),
        (
            json!({"updateMask": [], "destination": {}}),
            422,
            vec!["updateMask"],
        ),
        (
            json!({"updateMask": "name", "destination": {}}),
            422,
            vec!["updateMask"],
        ),
        (json!({"updateMask": ["name"]}), 422, vec!["destination"]),
        (
            json!({"updateMask": ["metadata.colour"], "destination": {}}),
            422,
            vec!["updateMask[0]"],
        ),
        (
            json!({"updateMask": ["metadata.bucket"], "destination": {}}),
            422,
            vec!["updateMask[0]"],
        ),
        (
            json!({"updateMask": ["metadata.streamName"], "destination": {"metadata": {"streamName": "s"}}}),
            422,
            vec!["updateMask[0]"],
        ),
        (
            json!({"updateMask": ["metadata.url"], "destination": {"metadata": {"url": "http://example.com"}}}),
            422,
            vec!["destination.metadata.url"],
        ),
        (
            json!({"updateMask": ["name"], "destination": {"name": "bad name"}}),
            422,
            vec!["destination.name"],
        ),
        (
            json!({"updateMask": ["name"], "destination": {"name": "two"}}),
            409,
            vec!["name"],
        ),
    ];
    for (body, status, issues) in cases {
        n.patch(&url, body.clone())
            .await
            .expect_problem(status, &issues);
    }
    let unchanged = n.get(&url).await;
    assert_eq!(unchanged.body["metadata"]["url"], "https://one.example/");
    assert_eq!(unchanged.body["name"], "one");

    // Clearing optional headers through the mask.
    n.patch(&url, json!({"updateMask": ["metadata.headers"], "destination": {"metadata": {"headers": {"X-A": "1"}}}}))
        .await;
    let cleared = n
        .patch(
            &url,
            json!({"updateMask": ["metadata.headers"], "destination": {}}),
        )
        .await;
    assert_eq!(cleared.status, 200);
    assert!(
        cleared.body["metadata"].get("headers").is_none(),
        "{}",
        cleared.body
    );
}
