//! Kinesis delivery: against kinesalite (an in-memory Kinesis API on loopback, started by
//! the tests, read back with GetShardIterator/GetRecords), and for partial failures
//! against a fault-injecting PutRecords double that also checks the SigV4 signature with
//! an independent implementation.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::node::{fast_delivery, TestNode};

const WAIT: Duration = Duration::from_secs(20);
const KEY_ID: &str = "AKIDSWITCHBOARDTEST";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTESTKEY";

// ---------------------------------------------------------------------------------------
// kinesalite

/// kinesalite on 127.0.0.1, killed (by PID) when dropped. Its stdin is a pipe from this
/// process, so it also exits if the test process dies first.
struct Kinesalite {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Kinesalite {
    fn start() -> Kinesalite {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kinesis");
        assert!(
            dir.join("node_modules/kinesalite").is_dir(),
            "kinesalite is not installed: run scripts/setup (or `npm ci` in tests/kinesis)"
        );
        let mut child = Command::new("node")
            .arg("server.js")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("kinesalite prints its port");
        let port: u16 = match line.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kinesalite did not start: {line:?}");
            }
        };
        Kinesalite {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    /// A Kinesis API call. kinesalite checks that the SigV4 headers exist, not what they
    /// say, so this reader does not sign.
    async fn call(&self, action: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("Kinesis_20131202.{action}"))
            .header("x-amz-date", "20240101T000000Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=reader/20240101/us-east-1/kinesis/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=0",
            )
            .body(body.to_string())
            .send()
            .await
            .expect("kinesalite answers");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{action}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn create_stream(&self, name: &str, shards: u32) {
        self.call(
            "CreateStream",
            json!({"StreamName": name, "ShardCount": shards}),
        )
        .await;
        let deadline = Instant::now() + WAIT;
        loop {
            let d = self
                .call("DescribeStream", json!({"StreamName": name}))
                .await;
            if d["StreamDescription"]["StreamStatus"] == "ACTIVE" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "stream {name} never became active"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every record in the stream: (decoded body, partition key), over all shards.
    async fn read_all(&self, name: &str) -> Vec<(Value, String)> {
        let d = self
            .call("DescribeStream", json!({"StreamName": name}))
            .await;
        let mut out = Vec::new();
        for shard in d["StreamDescription"]["Shards"].as_array().unwrap() {
            let it = self
                .call(
                    "GetShardIterator",
                    json!({"StreamName": name, "ShardId": shard["ShardId"],
                           "ShardIteratorType": "TRIM_HORIZON"}),
                )
                .await;
            let mut iterator = it["ShardIterator"].as_str().unwrap().to_string();
            loop {
                let page = self
                    .call(
                        "GetRecords",
                        json!({"ShardIterator": iterator, "Limit": 10000}),
                    )
                    .await;
                let records = page["Records"].as_array().unwrap();
                if records.is_empty() {
                    break;
                }
                for r in records {
                    let data = STANDARD.decode(r["Data"].as_str().unwrap()).unwrap();
                    let body: Value = serde_json::from_slice(&data).expect("records are JSON");
                    out.push((body, r["PartitionKey"].as_str().unwrap().to_string()));
                }
                match page["NextShardIterator"].as_str() {
                    Some(next) => iterator = next.to_string(),
                    None => break,
                }
            }
        }
        out
    }
}

impl Drop for Kinesalite {
    fn drop(&mut self) {
        // Child::kill signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// helpers

async fn kinesis_destination(
    n: &TestNode,
    name: &str,
    stream: &str,
    endpoint: &str,
    template: Option<&str>,
    session_token: Option<&str>,
) {
    let mut metadata =
        json!({"streamName": stream, "region": "us-east-1", "endpointUrl": endpoint});
    if let Some(t) = template {
        metadata["partitionKeyTemplate"] = json!(t);
    }
    let mut secrets = json!({"awsKeyId": KEY_ID, "awsSecretKey": SECRET_KEY});
    if let Some(t) = session_token {
        secrets["awsSessionToken"] = json!(t);
    }
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": name, "type": "kinesis", "metadata": metadata, "secrets": secrets}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// Publishes `data` as `event_type`; returns destination name → message ID.
async fn publish(n: &TestNode, event_type: &str, data: &Value) -> HashMap<String, String> {
    let r = n
        .post(
            &n.p("/notifications"),
            json!({"notificationType": event_type, "data": data}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["destinationName"].as_str().unwrap().to_string(),
                m["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn example(event_type: &str) -> Value {
    switchboard::payload::notification::example_data(
        switchboard::model::EventType::parse(event_type).unwrap(),
    )
}

fn millis(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

/// The record the issue specifies, compared field by field with the message it came from.
fn check_record(body: &Value, message: &Value, data: &Value) {
    assert_eq!(body["data"], *data, "record data");
    let meta = &body["metadata"];
    assert_eq!(meta["notificationType"], message["eventType"]);
    assert_eq!(meta["messageId"], message["id"]);
    assert_eq!(meta["projectId"], message["projectId"]);
    assert_eq!(millis(&meta["createTime"]), millis(&message["createTime"]));
    assert_eq!(
        body.as_object().unwrap().len(),
        2,
        "only data and metadata: {body}"
    );
    assert_eq!(meta.as_object().unwrap().len(), 4, "{meta}");
}

async fn wait_records(k: &Kinesalite, stream: &str, count: usize) -> Vec<(Value, String)> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = k.read_all(stream).await;
        if got.len() >= count {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{stream}: {} records of {count}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------
// against kinesalite

#[tokio::test]
async fn records_reach_the_stream_with_metadata_and_template_or_default_partition_keys() {
    let k = Kinesalite::start();
    k.create_stream("by-installation", 2).await;
    k.create_stream("by-message", 1).await;
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 200])).await;
    kinesis_destination(
        &n,
        "kt",
        "by-installation",
        &k.url,
        Some("data.installationId"),
        None,
    )
    .await;
    kinesis_destination(&n, "km", "by-message", &k.url, None, Some("session-token")).await;
    n.wire("installs", &["installation.created"], &["kt", "km"])
        .await;
    n.wire("connections", &["connection.created"], &["km"])
        .await;

    // message ID → the data it was published with
    let mut sent: HashMap<String, Value> = HashMap::new();
    let mut by_template: HashMap<String, String> = HashMap::new(); // message → installationId
    for i in 0..3 {
        let mut data = example("installation.created");
        data["installationId"] = json!(format!("installation-{i}"));
        let ids = publish(&n, "installation.created", &data).await;
        by_template.insert(ids["kt"].clone(), format!("installation-{i}"));
        sent.insert(ids["kt"].clone(), data.clone());
        sent.insert(ids["km"].clone(), data);
    }
    for i in 0..2 {
        let mut data = example("connection.created");
        data["connectionId"] = json!(format!("connection-{i}"));
        let ids = publish(&n, "connection.created", &data).await;
        sent.insert(ids["km"].clone(), data);
    }
    assert_eq!(sent.len(), 8);

    let mut messages = HashMap::new();
    for id in sent.keys() {
        let m = n
            .wait_message(id, WAIT, |m| {
                m["status"] != "pending" && m["status"] != "delivering"
            })
            .await;
        assert_eq!(m["status"], "delivered", "{m}");
        let attempt = &m["attempts"][0];
        assert_eq!(attempt["statusCode"], 200, "{m}");
        assert!(
            attempt["responseBody"]
                .as_str()
                .unwrap()
                .contains("SequenceNumber"),
            "{m}"
        );
        let headers = &attempt["requestHeaders"];
        assert_eq!(headers["authorization"], "[redacted]", "{headers}");
        assert_eq!(headers["x-amz-target"], "Kinesis_20131202.PutRecords");
        assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
        if m["destinationName"] == "km" {
            assert_eq!(headers["x-amz-security-token"], "[redacted]", "{headers}");
        }
        assert!(!headers.to_string().contains(SECRET_KEY));
        messages.insert(id.clone(), m);
    }

    let templated = wait_records(&k, "by-installation", 3).await;
    assert_eq!(templated.len(), 3);
    for (body, key) in &templated {
        let id = body["metadata"]["messageId"].as_str().unwrap();
        assert_eq!(key, &by_template[id], "the template's value is the key");
        assert_eq!(key, body["data"]["installationId"].as_str().unwrap());
        check_record(body, &messages[id], &sent[id]);
    }
    let defaulted = wait_records(&k, "by-message", 5).await;
    assert_eq!(defaulted.len(), 5);
    let mut seen = HashSet::new();
    for (body, key) in &defaulted {
        let id = body["metadata"]["messageId"].as_str().unwrap();
        assert_eq!(key, id, "the message ID is the default key");
        check_record(body, &messages[id], &sent[id]);
        assert!(seen.insert(id.to_string()), "each message once");
    }
}

/// Kinesis keeps its own 1 MiB limit per record; an installation's config that would break
/// it moves to a signed URL, as for webhooks at 300 KB. A config a webhook could not take
/// inline, but a record can, stays inline.
#[tokio::test]
async fn a_config_over_the_record_limit_moves_to_a_signed_url() {
    let k = Kinesalite::start();
    k.create_stream("installs", 1).await;
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 200])).await;
    kinesis_destination(&n, "k", "installs", &k.url, None, None).await;
    n.wire("t", &["installation.created"], &["k"]).await;

    let with_config = |bytes: usize| {
        let mut data = example("installation.created");
        data["config"] = json!({"read": {"objects": {"account": {"blob": "c".repeat(bytes)}}}});
        data
    };
    let over_webhook_limit = with_config(400_000);
    let over_record_limit = with_config(1_100_000);
    let inline_id = publish(&n, "installation.created", &over_webhook_limit).await["k"].clone();
    let moved_id = publish(&n, "installation.created", &over_record_limit).await["k"].clone();

    let records = wait_records(&k, "installs", 2).await;
    let record = |id: &str| {
        records
            .iter()
            .find(|(body, _)| body["metadata"]["messageId"] == id)
            .map(|(body, _)| body.clone())
            .unwrap_or_else(|| panic!("no record of {id}"))
    };
    let inline = record(&inline_id);
    assert_eq!(inline["data"], over_webhook_limit, "400 KB fits a record");

    let moved = record(&moved_id);
    assert!(moved["data"].get("config").is_none(), "{}", moved["data"]);
    let url = moved["data"]["configURL"].as_str().unwrap();
    assert!(url.starts_with(&n.base_url), "{url}");
    let fetched: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(
        fetched, over_record_limit["config"],
        "the URL serves the config"
    );
    let mut rest = moved["data"].clone();
    rest.as_object_mut().unwrap().remove("configURL");
    let mut expected = over_record_limit.clone();
    expected.as_object_mut().unwrap().remove("config");
    assert_eq!(rest, expected, "everything else as published");
}

#[tokio::test]
async fn oversized_records_and_bad_partition_keys_fail_at_once_with_a_clear_error() {
    let k = Kinesalite::start();
    k.create_stream("s", 1).await;
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 200])).await;
    kinesis_destination(&n, "plain", "s", &k.url, None, None).await;
    kinesis_destination(
        &n,
        "missing-key",
        "s",
        &k.url,
        Some("data.installationId"),
        None,
    )
    .await;
    kinesis_destination(
        &n,
        "number-key",
        "s",
        &k.url,
        Some("length(data.connectionId)"),
        None,
    )
    .await;
    // A stream that does not exist: a whole-request error, retried on the schedule.
    kinesis_destination(&n, "no-stream", "absent", &k.url, None, None).await;
    n.wire(
        "t",
        &["connection.created"],
        &["plain", "missing-key", "number-key", "no-stream"],
    )
    .await;

    let small = example("connection.created");
    let mut huge = small.clone();
    huge["note"] = json!("x".repeat(1024 * 1024 + 1));
    let small_ids = publish(&n, "connection.created", &small).await;
    let huge_ids = publish(&n, "connection.created", &huge).await;

    let finished = |m: &Value| m["status"] == "delivered" || m["status"] == "exhausted";
    let ok = n.wait_message(&small_ids["plain"], WAIT, finished).await;
    assert_eq!(ok["status"], "delivered", "{ok}");

    let big = n.wait_message(&huge_ids["plain"], WAIT, finished).await;
    assert_eq!(big["status"], "exhausted", "{big}");
    assert_eq!(big["attemptCount"], 1, "no retry: {big}");
    let error = big["attempts"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("at most 1048576 bytes per record"),
        "{error}"
    );
    assert_eq!(big["attempts"][0]["errorClass"], "config");

    for (dest, needle) in [
        ("missing-key", "gave null"),
        ("number-key", "gave a number"),
    ] {
        let m = n.wait_message(&small_ids[dest], WAIT, finished).await;
        assert_eq!(m["status"], "exhausted", "{m}");
        assert_eq!(m["attemptCount"], 1, "no retry: {m}");
        let error = m["attempts"][0]["error"].as_str().unwrap();
        assert!(
            error.contains("partitionKeyTemplate") && error.contains(needle),
            "{dest}: {error}"
        );
        assert!(error.contains("non-empty string"), "{error}");
        assert_eq!(m["attempts"][0]["errorClass"], "config");
    }

    let absent = n
        .wait_message(&small_ids["no-stream"], WAIT, finished)
        .await;
    assert_eq!(absent["status"], "exhausted", "{absent}");
    assert_eq!(
        absent["attemptCount"], 2,
        "retried on the schedule: {absent}"
    );
    let first = &absent["attempts"][0];
    assert_eq!(first["statusCode"], 400, "{absent}");
    assert_eq!(first["errorClass"], "config", "{absent}");
    assert!(
        first["error"]
            .as_str()
            .unwrap()
            .contains("ResourceNotFoundException"),
        "{absent}"
    );
    assert!(first["responseBody"]
        .as_str()
        .unwrap()
        .contains("ResourceNotFoundException"));

    // Only the one good record reached the stream. (Every message above is final, and a
    // record is in the stream before PutRecords answers: nothing more will come.)
    let records = k.read_all("s").await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].1, small_ids["plain"]);
}

// ---------------------------------------------------------------------------------------
// the fault-injecting double

/// One PutRecords request as the double saw it.
#[derive(Clone, Debug)]
struct Call {
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
    stream: String,
    /// Message IDs (from each record's metadata), in request order.
    records: Vec<String>,
    partition_keys: Vec<String>,
    /// Which of `records` the double turned away.
    failed: Vec<String>,
}

impl Call {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

#[derive(Default)]
struct DoubleState {
    calls: Vec<Call>,
}

#[derive(Clone, Default)]
struct Double(Arc<Mutex<DoubleState>>);

impl Double {
    async fn start() -> (Double, String) {
        let double = Double::default();
        let app = Router::new()
            .route("/", post(put_records))
            .with_state(double.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (double, format!("http://{addr}"))
    }

    fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().calls.clone()
    }
}

/// Stream "partial": the first request has its odd-positioned records turned away with
/// ProvisionedThroughputExceededException; later requests succeed. Stream "busy": the
/// first request is refused whole (HTTP 400, throttled); later ones succeed.
async fn put_records(
    State(double): State<Double>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let input: Value = serde_json::from_slice(&body).unwrap();
    let stream = input["StreamName"].as_str().unwrap().to_string();
    let mut records = Vec::new();
    let mut partition_keys = Vec::new();
    for r in input["Records"].as_array().unwrap() {
        let data = STANDARD.decode(r["Data"].as_str().unwrap()).unwrap();
        let record: Value = serde_json::from_slice(&data).unwrap();
        records.push(
            record["metadata"]["messageId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        partition_keys.push(r["PartitionKey"].as_str().unwrap().to_string());
    }
    let mut state = double.0.lock().unwrap();
    let first_for_stream = !state.calls.iter().any(|c| c.stream == stream);
    let mut call = Call {
        headers,
        body,
        at: Instant::now(),
        stream: stream.clone(),
        records: records.clone(),
        partition_keys,
        failed: Vec::new(),
    };
    let json_type = [("content-type", "application/x-amz-json-1.1")];
    if stream == "busy" && first_for_stream {
        call.failed = records;
        state.calls.push(call);
        let body = json!({"__type": "ProvisionedThroughputExceededException",
                          "message": "Rate exceeded for stream busy"});
        return (
            axum::http::StatusCode::BAD_REQUEST,
            json_type,
            body.to_string(),
        );
    }
    let mut entries = Vec::new();
    for (i, id) in records.iter().enumerate() {
        if stream == "partial" && first_for_stream && i % 2 == 1 {
            call.failed.push(id.clone());
            entries.push(
                json!({"ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": "Rate exceeded for shard shardId-000000000000 in stream partial"}),
            );
        } else {
            entries.push(
                json!({"SequenceNumber": format!("4959{:020}", state.calls.len() * 1000 + i),
                "ShardId": "shardId-000000000000"}),
            );
        }
    }
    let failed = call.failed.len();
    state.calls.push(call);
    let body = json!({"FailedRecordCount": failed, "Records": entries});
    (axum::http::StatusCode::OK, json_type, body.to_string())
}

fn hmac(key: &[u8], text: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// AWS Signature Version 4 checked from the specification, independently of the signer the
/// node uses. Returns the signed header names.
fn verify_sigv4(secret: &str, call: &Call) -> Vec<String> {
    let auth = call.header("authorization");
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .unwrap_or_else(|| panic!("not SigV4: {auth}"));
    let parts: HashMap<&str, &str> = rest.split(", ").filter_map(|p| p.split_once('=')).collect();
    let (_key_id, scope) = parts["Credential"].split_once('/').unwrap();
    let signed: Vec<String> = parts["SignedHeaders"]
        .split(';')
        .map(str::to_string)
        .collect();
    let canonical_headers: String = signed
        .iter()
        .map(|h| {
            let value = call
                .header(h)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("{h}:{value}\n")
        })
        .collect();
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{}\n{}",
        parts["SignedHeaders"],
        hex::encode(Sha256::digest(&call.body))
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        call.header("x-amz-date"),
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac(&key, part);
    }
    assert_eq!(
        parts["Signature"],
        hex::encode(hmac(&key, &string_to_sign)),
        "the SigV4 signature checks out"
    );
    signed
}

#[test]
fn the_independent_sigv4_check_passes_the_aws_signing_test_suite_vector() {
    // aws-signing-test-suite/v4/post-x-www-form-urlencoded (header signing).
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("content-length", "13"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "example.amazonaws.com"),
        (
            "x-amz-content-sha256",
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        ),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
            SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, \
            Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        ),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    let call = Call {
        headers,
        body: Bytes::from_static(b"Param1=value1"),
        at: Instant::now(),
        stream: String::new(),
        records: vec![],
        partition_keys: vec![],
        failed: vec![],
    };
    let signed = verify_sigv4("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &call);
    assert_eq!(signed.len(), 5);
}

#[tokio::test]
async fn only_the_records_kinesis_turned_away_are_sent_again_and_each_lands_once() {
    let (double, url) = Double::start().await;
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 200, 200])).await;
    kinesis_destination(&n, "k", "partial", &url, None, Some("the-session-token")).await;
    n.wire("t", &["connection.created"], &["k"]).await;
    // Paused while publishing, so the six messages leave in one request.
    n.post(&n.p("/destinations/k/pause"), json!({})).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut data = example("connection.created");
        data["connectionId"] = json!(format!("connection-{i}"));
        ids.push(publish(&n, "connection.created", &data).await["k"].clone());
    }
    n.post(&n.p("/destinations/k/resume"), json!({})).await;

    let mut messages = HashMap::new();
    for id in &ids {
        let m = n
            .wait_message(id, WAIT, |m| {
                m["status"] == "delivered" || m["status"] == "exhausted"
            })
            .await;
        assert_eq!(m["status"], "delivered", "{m}");
        messages.insert(id.clone(), m);
    }

    let calls = double.calls();
    let first = &calls[0];
    assert_eq!(
        first.records.len(),
        6,
        "one request for the batch: {calls:?}"
    );
    assert_eq!(first.failed.len(), 3);
    let turned_away: HashSet<&String> = first.failed.iter().collect();
    // Every later request carries only records that were turned away, each once.
    let resent: Vec<&String> = calls[1..].iter().flat_map(|c| &c.records).collect();
    assert_eq!(resent.len(), 3, "{calls:?}");
    assert_eq!(resent.iter().copied().collect::<HashSet<_>>(), turned_away);
    // Accepted exactly once each.
    let mut accepted: HashMap<&String, usize> = HashMap::new();
    for c in &calls {
        for r in c.records.iter().filter(|r| !c.failed.contains(r)) {
            *accepted.entry(r).or_default() += 1;
        }
    }
    assert_eq!(accepted.len(), 6);
    assert!(accepted.values().all(|&count| count == 1), "{accepted:?}");
    // Throttling waits like a 429: at least the floor (1.5 s in fast_delivery).
    let gap = calls[1].at - first.at;
    assert!(gap >= Duration::from_millis(1400), "{gap:?}");

    for (id, m) in &messages {
        let attempts = m["attempts"].as_array().unwrap();
        if turned_away.contains(id) {
            assert_eq!(attempts.len(), 2, "{m}");
            assert_eq!(attempts[0]["errorClass"], "throttled", "{m}");
            assert_eq!(attempts[0]["statusCode"], 200);
            let error = attempts[0]["error"].as_str().unwrap();
            assert!(
                error.contains("ProvisionedThroughputExceededException"),
                "{error}"
            );
            assert!(attempts[0]["responseBody"]
                .as_str()
                .unwrap()
                .contains("\"FailedRecordCount\":3"));
        } else {
            assert_eq!(attempts.len(), 1, "{m}");
        }
        assert_eq!(attempts.last().unwrap()["succeeded"], true);
    }

    // Every request was signed for this key and carried the session token.
    for c in &calls {
        assert_eq!(c.partition_keys, c.records, "default key = message ID");
        let auth = c.header("authorization");
        assert!(
            auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={KEY_ID}/")),
            "{auth}"
        );
        assert!(auth.contains("/us-east-1/kinesis/aws4_request"), "{auth}");
        assert_eq!(c.header("x-amz-security-token"), "the-session-token");
        assert_eq!(c.header("x-amz-target"), "Kinesis_20131202.PutRecords");
        assert_eq!(c.header("content-type"), "application/x-amz-json-1.1");
        let signed = verify_sigv4(SECRET_KEY, c);
        for h in ["host", "x-amz-date", "x-amz-target", "x-amz-security-token"] {
            assert!(signed.iter().any(|s| s == h), "{h} is signed: {signed:?}");
        }
    }
}

#[tokio::test]
async fn a_throttled_request_is_retried_whole_after_the_floor() {
    let (double, url) = Double::start().await;
    let n = TestNode::start_configured(|c| c.delivery = fast_delivery(&[0, 200])).await;
    kinesis_destination(&n, "k", "busy", &url, Some("data.connectionId"), None).await;
    n.wire("t", &["connection.created"], &["k"]).await;
    let id = publish(&n, "connection.created", &example("connection.created")).await["k"].clone();
    let m = n
        .wait_message(&id, WAIT, |m| {
            m["status"] == "delivered" || m["status"] == "exhausted"
        })
        .await;
    assert_eq!(m["status"], "delivered", "{m}");
    let first = &m["attempts"][0];
    assert_eq!(first["statusCode"], 400);
    assert_eq!(first["errorClass"], "throttled");
    assert!(first["error"]
        .as_str()
        .unwrap()
        .contains("ProvisionedThroughputExceededException: Rate exceeded"));
    let calls = double.calls();
    assert_eq!(calls.len(), 2);
    assert!(calls[1].at - calls[0].at >= Duration::from_millis(1400));
    let key = example("connection.created")["connectionId"].clone();
    assert_eq!(calls[1].partition_keys, [key.as_str().unwrap()]);
    assert_eq!(calls[1].header("x-amz-security-token"), "");
    verify_sigv4(SECRET_KEY, &calls[1]);
}

/// A read action's results go to a Kinesis destination as `{"data": <webhook message>}`
/// records, partitioned by the template over the message.
#[tokio::test]
async fn read_results_reach_the_stream_as_webhook_messages() {
    let k = Kinesalite::start();
    k.create_stream("reads", 1).await;
    let n = TestNode::start().await;
    kinesis_destination(&n, "stream", "reads", &k.url, Some("data.groupRef"), None).await;
    let manifest = "specVersion: 1.0.0\nintegrations:\n  - name: crm\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: stream\n          schedule: \"*/30 * * * *\"\n          backfill:\n            defaultPeriod:\n              fullHistory: true\n          requiredFields:\n            - fieldName: email\n";
    let r = n
        .send(
            reqwest::Method::PUT,
            &n.p("/integrations:batch"),
            Some(json!({"sourceYaml": manifest})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = n
        .post(
            &n.p("/integrations/crm/groups/acme/objects/contact/records:generate"),
            json!({"count": 700, "recordBytes": 1000}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = n
        .post(
            &n.p("/integrations/crm/installations"),
            json!({"groupRef": "acme", "config": {"content": {"read": {"objects": {"contact": {}}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let deadline = Instant::now() + WAIT;
    let mut ids = HashSet::new();
    loop {
        let records = k.read_all("reads").await;
        ids.clear();
        for (body, key) in &records {
            assert_eq!(key, "acme");
            let message = &body["data"];
            assert_eq!(message["action"], "read");
            assert_eq!(message["readType"], "backfill");
            assert!(
                switchboard::payload::webhook_message::validate_webhook_message(message).is_empty()
            );
            for e in message["result"].as_array().unwrap() {
                assert!(
                    ids.insert(e["raw"]["id"].as_str().unwrap().to_string()),
                    "a record twice"
                );
                assert!(e["fields"]["email"].as_str().unwrap().contains('@'));
            }
        }
        if ids.len() == 700 {
            assert!(
                records.len() >= 3,
                "700 one-KB records need several 300 KB messages"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of 700 records in the stream",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
