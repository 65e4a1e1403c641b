//! Retries, against small scripted servers on 127.0.0.1: idempotent calls are retried on
//! 503/502/504, 429 (waiting for `Retry-After`) and broken connections; a POST is not,
//! except a publish, which always carries one `Idempotency-Key` across its tries.

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use support::client_kit::{config, expect_api};
use switchboard::client::{Client, ClientError, CreateTopicRequest, Notification, USER_AGENT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted answer: status, extra headers, JSON body.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Value,
}

fn answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        headers: vec![],
        body,
    }
}

fn problem(status: u16) -> Answer {
    Answer {
        status,
        headers: vec![("content-type", "application/problem+json".into())],
        body: json!({"type": "about:blank", "title": "Try later", "status": status}),
    }
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    at: Instant,
}

#[derive(Clone, Default)]
struct Script {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Script {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn scripted(
    State(script): State<Script>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    _body: Bytes,
) -> Response {
    script.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_string(),
        headers,
        at: Instant::now(),
    });
    let next = script.answers.lock().unwrap().pop_front();
    let a = next.unwrap_or_else(|| answer(500, json!({"title": "script ran out"})));
    let mut resp = (
        StatusCode::from_u16(a.status).unwrap(),
        axum::Json(a.body.clone()),
    )
        .into_response();
    for (name, value) in a.headers {
        resp.headers_mut().insert(name, value.parse().unwrap());
    }
    resp
}

/// Serves `answers` in order to whatever comes; returns the base URL and the script.
async fn serve(answers: Vec<Answer>) -> (String, Script) {
    let script = Script {
        answers: Arc::new(Mutex::new(answers.into())),
        ..Default::default()
    };
    let app = axum::Router::new()
        .fallback(scripted)
        .with_state(script.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, script)
}

fn client(url: &str) -> Client {
    Client::new(config(url, Some("sbk_test"))).unwrap()
}

fn topic(name: &str) -> Value {
    json!({"id": "t1", "name": name, "projectId": "p", "createTime": "2026-01-01T00:00:00Z",
           "updateTime": "2026-01-01T00:00:00Z"})
}

#[tokio::test]
async fn a_get_is_retried_after_503_and_sends_key_and_agent() {
    let (url, script) = serve(vec![problem(503), answer(200, json!([topic("a")]))]).await;
    let topics = client(&url).list_topics().await.unwrap();
    assert_eq!(topics[0].name, "a");
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    for s in &seen {
        assert_eq!(s.path, "/v1/projects/default/topics");
        assert_eq!(s.headers["x-api-key"], "sbk_test");
        assert_eq!(s.headers["user-agent"], USER_AGENT);
    }
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let mut throttled = problem(429);
    throttled.headers.push(("retry-after", "1".into()));
    let (url, script) = serve(vec![throttled, answer(200, json!([]))]).await;
    let started = Instant::now();
    client(&url).list_destinations().await.unwrap();
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_returns_the_429() {
    let mut throttled = problem(429);
    throttled.headers.push(("retry-after", "3600".into()));
    let (url, script) = serve(vec![throttled]).await;
    expect_api(client(&url).list_topics().await, 429, &[]);
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn tries_are_bounded() {
    let (url, script) = serve(vec![problem(503), problem(502), problem(504), problem(503)]).await;
    expect_api(client(&url).list_topics().await, 503, &[]);
    assert_eq!(script.seen().len(), 4, "max_attempts");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let (url, script) = serve(vec![problem(500), problem(404)]).await;
    expect_api(client(&url).list_topics().await, 500, &[]);
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn a_post_without_idempotency_is_not_retried() {
    let (url, script) = serve(vec![problem(503), answer(201, topic("x"))]).await;
    expect_api(
        client(&url)
            .create_topic(&CreateTopicRequest::named("x"))
            .await,
        503,
        &[],
    );
    let seen = script.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, Method::POST);
    assert!(seen[0].headers.get("idempotency-key").is_none());
}

#[tokio::test]
async fn a_publish_is_retried_with_one_idempotency_key() {
    let accepted = json!({"notificationId": "n1", "notificationType": "installation.created",
        "unrouted": false, "messages": [{"id": "m1", "destinationId": "d1",
        "destinationName": "hook", "status": "pending"}]});
    let (url, script) = serve(vec![problem(503), answer(202, accepted)]).await;
    let c = client(&url);
    let n = Notification {
        notification_type: "installation.created".into(),
        data: json!({}),
    };
    let r = c.publish(&n, None).await.unwrap();
    assert_eq!(r.messages[0].destination_name, "hook");
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    let key = seen[0].headers["idempotency-key"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
    assert_eq!(seen[1].headers["idempotency-key"], key.as_str());

    // A key given by the caller is the one sent.
    let (url, script) = serve(vec![answer(
        202,
        json!({"notificationId": "n2",
        "notificationType": "installation.created", "unrouted": true, "messages": []}),
    )])
    .await;
    let r = client(&url).publish(&n, Some("order-42")).await.unwrap();
    assert!(r.unrouted);
    assert_eq!(script.seen()[0].headers["idempotency-key"], "order-42");
}

#[tokio::test]
async fn a_delete_whose_first_try_may_have_landed_accepts_404() {
    // 502: the gateway may have passed the DELETE on before failing.
    let (url, script) = serve(vec![problem(502), problem(404)]).await;
    client(&url).delete_topic("t1").await.unwrap();
    assert_eq!(script.seen().len(), 2);
    // Without such doubt a 404 stays an error.
    let (url, _) = serve(vec![problem(503), problem(404)]).await;
    expect_api(client(&url).delete_topic("t1").await, 404, &[]);
}

#[tokio::test]
async fn a_rotation_is_never_retried() {
    let (url, script) = serve(vec![problem(503)]).await;
    let r = client(&url)
        .get_destination(
            "hook",
            switchboard::client::GetDestination {
                include_secrets: false,
                rotate: true,
            },
        )
        .await;
    expect_api(r, 503, &[]);
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn a_success_with_an_unreadable_body_is_a_decode_error() {
    let (url, _) = serve(vec![answer(200, json!({"not": "a list"}))]).await;
    match client(&url).list_topics().await {
        Err(ClientError::Decode(msg)) => assert!(msg.contains("topic list"), "{msg}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// A server that drops the first `drops` connections after reading the request (no
/// answer), then answers every request with `body` as a 200.
async fn flaky_tcp(drops: usize, body: &'static str) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0usize));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = {
                let mut c = seen.lock().unwrap();
                *c += 1;
                *c
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                if n <= drops {
                    return; // Closes the connection without a word.
                }
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get_only() {
    let (url, count) = flaky_tcp(1, "[]").await;
    assert!(client(&url).list_topics().await.unwrap().is_empty());
    assert_eq!(*count.lock().unwrap(), 2);

    let (url, count) = flaky_tcp(1, "{}").await;
    match client(&url)
        .create_topic(&CreateTopicRequest::named("x"))
        .await
    {
        Err(ClientError::Transport(_)) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(*count.lock().unwrap(), 1, "a plain POST is sent once");
}
