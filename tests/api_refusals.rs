//! Refusals at the handler level: requests go straight to the API's router with
//! `tower::ServiceExt::oneshot` (no listener, no dispatcher workers), on a real SQLite file.
//! Each bad input gets a 4xx problem+json that names what is wrong, and changes nothing.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde_json::Value;
use switchboard::api::{router, AppState};
use switchboard::node::Node;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

struct Api {
    state: AppState,
    key: String,
    _dir: tempfile::TempDir,
}

async fn api() -> Api {
    api_with(|_| {}).await
}

async fn api_with(adjust: impl FnOnce(&mut switchboard::config::NodeConfig)) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let mut config = switchboard::config::NodeConfig::new(dir.path().to_path_buf());
    config.secret_backend = switchboard::secrets::SecretBackendKind::File;
    adjust(&mut config);
    let (state, opened) = Node::open_api(config, "http://127.0.0.1:9", CancellationToken::new())
        .await
        .unwrap();
    Api {
        state,
        key: opened.new_admin_key.unwrap(),
        _dir: dir,
    }
}

impl Api {
    /// Sends a request; returns the status, the content type and the JSON body.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> (StatusCode, String, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-api-key", &self.key);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        self.call(request).await
    }

    async fn call(&self, request: Request<Body>) -> (StatusCode, String, Value) {
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, content_type, body)
    }
}

#[track_caller]
fn assert_problem(reply: &(StatusCode, String, Value), status: u16, names: &[&str]) {
    let (got, content_type, body) = reply;
    assert_eq!(got.as_u16(), status, "{body}");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], status, "{body}");
    let issues: Vec<&str> = body["issues"]
        .as_array()
        .map(|a| a.iter().map(|i| i["name"].as_str().unwrap()).collect())
        .unwrap_or_default();
    assert_eq!(issues, names, "{body}");
}

const P: &str = "/v1/projects/default";

#[tokio::test]
async fn bad_requests_are_refused_precisely_and_change_nothing() {
    let api = api().await;
    let cases: Vec<(&str, String, &str, u16, Vec<&str>)> = vec![
        (
            "POST",
            format!("{P}/topics"),
            "{\"name\": ",
            400,
            vec!["body"],
        ),
        (
            "POST",
            format!("{P}/topics"),
            r#"{"name": "t", "color": 1}"#,
            422,
            vec!["color"],
        ),
        (
            "POST",
            format!("{P}/topics"),
            r#"{"name": ""}"#,
            422,
            vec!["name"],
        ),
        (
            "POST",
            format!("{P}/destinations"),
            r#"{"name": "d", "type": "webhook", "metadata": {"url": "ftp://x"}}"#,
            422,
            vec!["metadata.url"],
        ),
        (
            "POST",
            format!("{P}/destinations"),
            r#"{"name": "d", "type": "webhook", "metadata": {"url": "https://x.example"}, "delivery": {"maxInFlight": 0}}"#,
            422,
            vec!["delivery.maxInFlight"],
        ),
        (
            "POST",
            format!("{P}/notification-event-topic-routes"),
            r#"{"eventType": "installation.exploded", "topicId": "t"}"#,
            422,
            vec!["eventType"],
        ),
        (
            "POST",
            format!("{P}/destinations/nope/recover"),
            r#"{"since": "yesterday"}"#,
            422,
            vec!["since"],
        ),
        (
            "POST",
            "/v1/keys".into(),
            r#"{"label": "x"}"#,
            422,
            vec!["label", "name"],
        ),
    ];
    for (method, path, body, status, names) in &cases {
        let reply = api.send(method, path, Some(body)).await;
        assert_problem(&reply, *status, names);
    }
    // Nothing was created by any of them.
    for list in ["topics", "destinations", "notification-event-topic-routes"] {
        let (status, _, body) = api.send("GET", &format!("{P}/{list}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.as_array().map(Vec::len), Some(0), "{list}: {body}");
    }
}

#[tokio::test]
async fn requests_without_a_key_or_with_the_wrong_type_are_refused() {
    let api = api().await;
    let anonymous = Request::get(format!("{P}/topics"))
        .body(Body::empty())
        .unwrap();
    assert_problem(&api.call(anonymous).await, 401, &[]);
    let form = Request::post(format!("{P}/topics"))
        .header("x-api-key", &api.key)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=t"))
        .unwrap();
    assert_problem(&api.call(form).await, 415, &[]);
    let missing = api
        .send("POST", &format!("{P}/destinations/nope/pause"), Some("{}"))
        .await;
    assert_problem(&missing, 404, &[]);
}

/// A body over the documented limit is a 413, and one that stalls is answered with a 408
/// once the read timeout passes (300 ms here; 30 s by default).
#[tokio::test]
async fn oversized_and_stalled_bodies_get_precise_problems() {
    let api = api_with(|c| c.body_read_timeout = std::time::Duration::from_millis(300)).await;
    let big = format!(
        r#"{{"name": "{}"}}"#,
        "a".repeat(switchboard::api::extract::BODY_LIMIT)
    );
    let reply = api
        .send("POST", "/v1/projects/default/topics", Some(&big))
        .await;
    assert_problem(&reply, 413, &[]);
    assert!(
        reply.2["detail"].as_str().unwrap().contains("16 MiB"),
        "{}",
        reply.2
    );

    // One byte, then nothing: the client stalls mid-body.
    let stalled = futures_util::stream::iter([Ok::<_, std::io::Error>(
        axum::body::Bytes::from_static(b"{"),
    )])
    .chain(futures_util::stream::pending());
    let request = Request::builder()
        .method("POST")
        .uri("/v1/projects/default/topics")
        .header("x-api-key", &api.key)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stalled))
        .unwrap();
    let reply = api.call(request).await;
    assert_problem(&reply, 408, &[]);
    assert!(
        api.send("GET", "/v1/projects/default/topics", None)
            .await
            .2
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was made"
    );
}
