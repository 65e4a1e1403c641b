//! The live-event consumer against scripted SSE servers on 127.0.0.1: it resumes with
//! `Last-Event-ID` after the server closes the stream, after the server goes away and
//! comes back on the same port, and after a silent (half-open) connection; it follows the
//! server's `retry:` hint, and gives up only on refusals or when told to.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use switchboard::client::{Client, ClientConfig, LiveEvent, LiveEvents, LiveOptions, LiveUpdate};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

/// What one connection gets.
#[derive(Clone)]
enum Reply {
    /// These SSE chunks, then the stream ends (`close`) or stays open, silent.
    Events {
        chunks: Vec<String>,
        close: bool,
    },
    Status(u16),
}

#[derive(Clone, Default)]
struct Server {
    replies: Arc<Mutex<Vec<Reply>>>,
    /// The `Last-Event-ID` of every connection, in order.
    last_ids: Arc<Mutex<Vec<Option<String>>>>,
    /// Stops the server; open streams end then too, as a node's must on shutdown.
    stop: CancellationToken,
}

fn event(id: u64, kind: &str, data: &str) -> String {
    format!("id: {id}\nevent: {kind}\ndata: {data}\n\n")
}

async fn stream(State(s): State<Server>, headers: HeaderMap) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.last_ids.lock().unwrap().push(last);
    let reply = {
        let mut r = s.replies.lock().unwrap();
        if r.is_empty() {
            Reply::Events {
                chunks: vec![],
                close: false,
            }
        } else {
            r.remove(0)
        }
    };
    match reply {
        Reply::Status(code) => (
            StatusCode::from_u16(code).unwrap(),
            [("content-type", "application/problem+json")],
            format!(r#"{{"title":"scripted","status":{code}}}"#),
        )
            .into_response(),
        Reply::Events { chunks, close } => {
            let body = futures_util::stream::iter(
                chunks
                    .into_iter()
                    .map(|c| Ok::<_, Infallible>(Bytes::from(c))),
            );
            let stop = s.stop.clone().cancelled_owned();
            let body = if close {
                Body::from_stream(body)
            } else {
                Body::from_stream(body.chain(futures_util::stream::pending()).take_until(stop))
            };
            ([("content-type", "text/event-stream")], body).into_response()
        }
    }
}

/// Serves `server` on `addr` (port 0 for any) until `server.stop` is cancelled.
async fn serve_on(addr: SocketAddr, server: Server) -> SocketAddr {
    let stop = server.stop.clone();
    let app = axum::Router::new()
        .route("/v1/projects/default/stream", axum::routing::get(stream))
        .with_state(server);
    let listener = TcpListener::bind(addr).await.unwrap();
    let bound = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    });
    bound
}

fn client(addr: SocketAddr) -> Client {
    let mut cfg = ClientConfig::new(format!("http://{addr}"), "default");
    cfg.api_key = Some("k".into());
    Client::new(cfg).unwrap()
}

fn quick() -> LiveOptions {
    LiveOptions {
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        ..Default::default()
    }
}

async fn next(live: &mut LiveEvents) -> LiveUpdate {
    tokio::time::timeout(WAIT, live.next())
        .await
        .expect("an update in time")
        .expect("not finished")
        .expect("no fatal error")
}

async fn next_event(live: &mut LiveEvents) -> LiveEvent {
    tokio::time::timeout(WAIT, live.next_event())
        .await
        .expect("an event in time")
        .expect("not finished")
        .expect("no fatal error")
}

#[tokio::test]
async fn resumes_with_last_event_id_after_the_stream_closes() {
    let server = Server::default();
    server.replies.lock().unwrap().extend([
        Reply::Events {
            chunks: vec![
                event(1, "message.created", r#"{"messageId":"m1"}"#),
                // Split across chunks, as TCP may deliver it.
                "id: 2\nevent: attempt.suc".into(),
                "ceeded\ndata: {\"messageId\":\"m1\"}\n\n".into(),
            ],
            close: true,
        },
        Reply::Events {
            chunks: vec![
                ": keep-alive comment\n\n".into(),
                event(3, "brand.new.kind", "not json"),
                "event: message.exhausted\ndata: {}\n\n".into(), // no id: the last one stays
            ],
            close: false,
        },
    ]);
    let addr = serve_on("127.0.0.1:0".parse().unwrap(), server.clone()).await;
    let mut live = client(addr).live_events(quick());

    assert!(matches!(
        next(&mut live).await,
        LiveUpdate::Connected {
            last_event_id: None
        }
    ));
    let e1 = next_event(&mut live).await;
    assert_eq!((e1.id, e1.kind.as_str()), (Some(1), "message.created"));
    assert_eq!(e1.data["messageId"], "m1");
    let e2 = next_event(&mut live).await;
    assert_eq!((e2.id, e2.kind.as_str()), (Some(2), "attempt.succeeded"));

    match next(&mut live).await {
        LiveUpdate::Disconnected { .. } => {}
        other => panic!("expected a disconnect, got {other:?}"),
    }
    match next(&mut live).await {
        LiveUpdate::Connected { last_event_id } => assert_eq!(last_event_id.as_deref(), Some("2")),
        other => panic!("expected a reconnect, got {other:?}"),
    }
    let e3 = next_event(&mut live).await;
    assert_eq!(e3.kind, "brand.new.kind");
    assert_eq!(e3.data, "not json");
    // Without an `id:` an event carries the last ID seen, as EventSource's lastEventId does.
    let e4 = next_event(&mut live).await;
    assert_eq!((e4.id, e4.kind.as_str()), (Some(3), "message.exhausted"));
    assert_eq!(live.last_event_id(), Some("3"));
    assert_eq!(
        *server.last_ids.lock().unwrap(),
        vec![None, Some("2".to_string())]
    );
}

#[tokio::test]
async fn survives_the_server_going_away_and_coming_back_on_the_same_port() {
    let server = Server::default();
    server.replies.lock().unwrap().push(Reply::Events {
        chunks: vec![event(10, "message.created", "{}")],
        close: false,
    });
    let stop = server.stop.clone();
    let addr = serve_on("127.0.0.1:0".parse().unwrap(), server.clone()).await;
    let mut live = client(addr).live_events(quick());
    next(&mut live).await;
    assert_eq!(next_event(&mut live).await.id, Some(10));

    // Down for a while: the stream drops, connections are refused, the consumer backs off.
    stop.cancel();
    let mut refused = 0;
    let down_until = Instant::now() + Duration::from_millis(600);
    while Instant::now() < down_until {
        match tokio::time::timeout(Duration::from_millis(700), live.next()).await {
            Ok(Some(Ok(LiveUpdate::Disconnected { .. }))) => refused += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => break,
        }
    }
    assert!(
        refused >= 2,
        "kept trying while the server was away ({refused})"
    );

    // Back, same port, a new process's events.
    let again = Server::default();
    again.replies.lock().unwrap().push(Reply::Events {
        chunks: vec![event(11, "attempt.failed", r#"{"statusCode":503}"#)],
        close: false,
    });
    serve_on(addr, again.clone()).await;
    let e = loop {
        match next(&mut live).await {
            LiveUpdate::Event(e) => break e,
            LiveUpdate::Connected { last_event_id } => {
                assert_eq!(last_event_id.as_deref(), Some("10"))
            }
            LiveUpdate::Disconnected { .. } => {}
        }
    };
    assert_eq!((e.id, e.kind.as_str()), (Some(11), "attempt.failed"));
    assert_eq!(
        *again.last_ids.lock().unwrap(),
        vec![Some("10".to_string())]
    );
}

#[tokio::test]
async fn a_silent_connection_is_replaced_and_retry_hints_are_followed() {
    let server = Server::default();
    server.replies.lock().unwrap().extend([
        // One event carrying a retry hint, then silence: no data, no keep-alive. (The SSE
        // parser drops events without data, so a hint must ride on an event with data.)
        Reply::Events {
            chunks: vec![format!(
                "retry: 120\n{}",
                event(5, "destination.disabled", "{}")
            )],
            close: false,
        },
        Reply::Status(503),
        Reply::Events {
            chunks: vec![event(6, "destination.enabled", "{}")],
            close: false,
        },
    ]);
    let addr = serve_on("127.0.0.1:0".parse().unwrap(), server.clone()).await;
    let mut live = client(addr).live_events(LiveOptions {
        idle_timeout: Some(Duration::from_millis(300)),
        ..quick()
    });
    next(&mut live).await;
    assert_eq!(next_event(&mut live).await.kind, "destination.disabled");
    match next(&mut live).await {
        LiveUpdate::Disconnected { reason, retry_in } => {
            assert!(reason.contains("nothing received"), "{reason}");
            assert_eq!(
                retry_in,
                Duration::from_millis(120),
                "the server's retry: hint"
            );
        }
        other => panic!("expected the idle connection to be dropped, got {other:?}"),
    }
    match next(&mut live).await {
        LiveUpdate::Disconnected { reason, .. } => assert!(reason.contains("503"), "{reason}"),
        other => panic!("expected the 503 to be retried, got {other:?}"),
    }
    let e = next_event(&mut live).await;
    assert_eq!((e.id, e.kind.as_str()), (Some(6), "destination.enabled"));
    assert_eq!(
        *server.last_ids.lock().unwrap(),
        vec![None, Some("5".to_string()), Some("5".to_string())]
    );
}

#[tokio::test]
async fn gives_up_on_refusals_and_after_max_failures() {
    let server = Server::default();
    server.replies.lock().unwrap().push(Reply::Status(401));
    let addr = serve_on("127.0.0.1:0".parse().unwrap(), server).await;
    let mut live = client(addr).live_events(quick());
    match live.next().await {
        Some(Err(e)) => assert_eq!(e.status(), Some(401)),
        other => panic!("expected a fatal 401, got {other:?}"),
    }
    assert!(live.next().await.is_none());

    // Nobody listening, and only two tries allowed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut live = client(port).live_events(LiveOptions {
        max_failures: Some(2),
        ..quick()
    });
    let mut updates = Vec::new();
    while let Some(u) = tokio::time::timeout(WAIT, live.next()).await.unwrap() {
        updates.push(u.map(|_| ()).map_err(|e| e.to_string()));
    }
    assert_eq!(updates.len(), 3, "{updates:?}");
    assert!(updates[..2].iter().all(|u| u.is_ok()));
    assert!(
        updates[2].as_ref().unwrap_err().contains("gave up"),
        "{updates:?}"
    );
}
