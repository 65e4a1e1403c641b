//! The client's dispatcher methods against a real node on 127.0.0.1: publish (with its
//! idempotency key), messages, resend, the destination actions, stats, and the live
//! stream — including its reconnection with `Last-Event-ID` across a node restart on the
//! same port.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use support::client_kit::{client, config, expect_api};
use support::node::TestNode;
use switchboard::client::{
    Client, CreateDestinationRequest, CreateTopicRequest, DestinationMetadata, LiveEvent,
    LiveEvents, LiveOptions, LiveUpdate, MessageDetail, MessageFilter, MessageStatus, Notification,
};
use switchboard::model::live;
use switchboard::model::{DestinationStatus, DestinationType, EventType};
use switchboard::payload::notification::example_data;

const WAIT: Duration = Duration::from_secs(20);

fn notification(t: EventType) -> Notification {
    Notification {
        notification_type: t.as_str().into(),
        data: example_data(t),
    }
}

/// A log destination (delivers to a file, so no receiver is needed) routed from
/// installation.created.
async fn wire_log(c: &Client, name: &str) -> String {
    let d = c
        .create_destination(&CreateDestinationRequest {
            name: name.into(),
            kind: DestinationType::Log,
            metadata: DestinationMetadata::default(),
            secrets: None,
            delivery: None,
        })
        .await
        .unwrap();
    let topic = format!("{name}-topic");
    c.create_topic(&CreateTopicRequest::named(topic.as_str()))
        .await
        .unwrap();
    c.create_event_topic_route("installation.created", &topic)
        .await
        .unwrap();
    c.create_topic_destination_route(&topic, name)
        .await
        .unwrap();
    d.id
}

async fn wait_for(c: &Client, id: &str, done: impl Fn(&MessageDetail) -> bool) -> MessageDetail {
    let deadline = Instant::now() + WAIT;
    loop {
        let m = c.get_message(id).await.unwrap();
        if done(&m) {
            return m;
        }
        assert!(Instant::now() < deadline, "message {id} stuck: {m:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn publish_list_get_resend_and_stats() {
    let node = TestNode::start().await;
    let c = client(&node);
    let dest = wire_log(&c, "audit").await;

    let n = notification(EventType::InstallationCreated);
    let published = c.publish(&n, Some("order-1")).await.unwrap();
    assert!(!published.unrouted);
    assert_eq!(published.notification_type, EventType::InstallationCreated);
    assert_eq!(published.messages.len(), 1);
    let m = &published.messages[0];
    assert_eq!(m.destination_id, dest);
    assert_eq!(m.destination_name, "audit");

    // The same key again: the first answer, nothing new.
    let again = c.publish(&n, Some("order-1")).await.unwrap();
    assert_eq!(again.notification_id, published.notification_id);
    assert_eq!(again.messages[0].id, m.id);

    // No route: stored and reported, not an error.
    let unrouted = c
        .publish(&notification(EventType::ConnectionCreated), None)
        .await
        .unwrap();
    assert!(unrouted.unrouted);
    assert!(unrouted.messages.is_empty());

    // Bad input names its fields.
    let p = expect_api(
        c.publish(
            &Notification {
                notification_type: "installation.exploded".into(),
                data: json!({}),
            },
            None,
        )
        .await,
        422,
        &["notificationType"],
    );
    assert!(p.detail.contains("installation.exploded") || !p.issues[0].detail.is_empty());

    let delivered = wait_for(&c, &m.id, |m| m.message.status == MessageStatus::Delivered).await;
    assert_eq!(
        delivered.payload["notificationType"],
        "installation.created"
    );
    assert_eq!(delivered.payload["data"], n.data);
    assert!(!delivered.attempts.is_empty());
    assert!(delivered.attempts[0].succeeded);
    assert_eq!(delivered.message.event_type, "installation.created");
    assert!(delivered.message.delivered_time.is_some());

    // Listing with filters and cursor pages, newest first.
    for i in 0..3 {
        c.publish(&n, Some(&format!("page-{i}"))).await.unwrap();
    }
    let all = c.list_messages(&MessageFilter::default()).await.unwrap();
    assert_eq!(all.items.len(), 4);
    assert!(all.next_cursor.is_none());
    assert!(all
        .items
        .windows(2)
        .all(|w| w[0].create_time >= w[1].create_time));
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = c
            .list_messages(&MessageFilter {
                limit: Some(3),
                cursor: cursor.clone(),
                destination_id: Some("audit".into()),
                event_type: Some("installation.created".into()),
                since: Some(Utc::now() - chrono::Duration::hours(1)),
                until: Some(Utc::now() + chrono::Duration::hours(1)),
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.into_iter().map(|m| m.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        all.items.iter().map(|m| m.id.clone()).collect::<Vec<_>>()
    );
    let delivered_only = c
        .list_messages(&MessageFilter {
            status: Some("delivered".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(delivered_only.items.iter().any(|x| x.id == m.id));
    assert!(delivered_only
        .items
        .iter()
        .all(|x| x.status == MessageStatus::Delivered));
    expect_api(
        c.list_messages(&MessageFilter {
            status: Some("lost".into()),
            ..Default::default()
        })
        .await,
        422,
        &["status"],
    );

    // Resend: one more round of attempts for the same message.
    let resent = c.resend_message(&m.id).await.unwrap();
    assert_eq!(resent.id, m.id);
    wait_for(&c, &m.id, |m| {
        m.message.status == MessageStatus::Delivered && m.attempts.len() >= 2
    })
    .await;
    expect_api(c.resend_message("nope").await, 404, &[]);
    expect_api(c.get_message("nope").await, 404, &[]);

    let stats = c.stats().await.unwrap();
    let audit = stats["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["destinationName"] == "audit")
        .expect("audit in stats")
        .clone();
    assert!(
        audit["counts"]["delivered"].as_i64().unwrap() >= 1,
        "{audit}"
    );
}

#[tokio::test]
async fn pause_resume_enable_recover() {
    let node = TestNode::start().await;
    let c = client(&node);
    wire_log(&c, "audit").await;
    // A second destination for the same event: its delivery shows the dispatcher went on.
    wire_log(&c, "sentinel").await;

    let paused = c.pause_destination("audit").await.unwrap();
    assert_eq!(paused.status, Some(DestinationStatus::Paused));
    let r = c
        .publish(&notification(EventType::InstallationCreated), None)
        .await
        .unwrap();
    let message_for = |name: &str| {
        r.messages
            .iter()
            .find(|m| m.destination_name == name)
            .unwrap()
            .id
            .clone()
    };
    wait_for(&c, &message_for("sentinel"), |m| {
        m.message.status == MessageStatus::Delivered
    })
    .await;
    let waiting = c.get_message(&message_for("audit")).await.unwrap();
    assert_eq!(
        waiting.message.status,
        MessageStatus::Pending,
        "paused: the message waits"
    );
    let resumed = c.resume_destination("audit").await.unwrap();
    assert_eq!(resumed.status, Some(DestinationStatus::Active));
    wait_for(&c, &message_for("audit"), |m| {
        m.message.status == MessageStatus::Delivered
    })
    .await;

    // Enabling an active destination changes nothing.
    let enabled = c.enable_destination("audit").await.unwrap();
    assert_eq!(enabled.status, Some(DestinationStatus::Active));
    expect_api(c.pause_destination("nope").await, 404, &[]);

    let recovered = c
        .recover_destination("audit", Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(recovered.requeued, 0, "nothing failed or was skipped");
}

/// Starts a node on a fixed loopback address (so a restarted one is found again).
async fn node_at(dir: &std::path::Path, addr: SocketAddr) -> TestNode {
    let mut cfg = support::node::config(dir);
    cfg.listen = addr;
    TestNode::start_with(cfg).await
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn next_event(live: &mut LiveEvents) -> LiveEvent {
    tokio::time::timeout(WAIT, live.next_event())
        .await
        .expect("an event in time")
        .expect("the stream goes on")
        .expect("no fatal error")
}

#[tokio::test]
async fn live_events_resume_across_a_node_restart() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let node = node_at(dir.path(), addr).await;
    let c = client(&node);
    wire_log(&c, "audit").await;

    let mut live = c.live_events(LiveOptions {
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        ..Default::default()
    });
    match tokio::time::timeout(WAIT, live.next()).await.unwrap() {
        Some(Ok(LiveUpdate::Connected {
            last_event_id: None,
        })) => {}
        other => panic!("expected a first connection, got {other:?}"),
    }
    let r = c
        .publish(&notification(EventType::InstallationCreated), None)
        .await
        .unwrap();
    let created = next_event(&mut live).await;
    assert_eq!(created.kind, "message.created");
    assert_eq!(created.data["messageId"], r.messages[0].id.as_str());
    // The same event, read as the node's one description of it.
    match created.typed() {
        Some(live::LiveEvent::MessageCreated(m)) => {
            assert_eq!(m.message_id, r.messages[0].id.as_str());
            assert_eq!(m.event_type, "installation.created");
        }
        other => panic!("not a message.created: {other:?}"),
    }
    let succeeded = next_event(&mut live).await;
    assert_eq!(succeeded.kind, "attempt.succeeded");
    assert!(succeeded.id.unwrap() > created.id.unwrap());
    match succeeded.typed() {
        Some(live::LiveEvent::AttemptSucceeded(a)) => {
            assert_eq!(a.attempt.message_id, r.messages[0].id.as_str());
            assert_eq!(a.attempt.attempt, 1);
        }
        other => panic!("not an attempt.succeeded: {other:?}"),
    }
    let last = live.last_event_id().unwrap().to_string();
    assert_eq!(last, succeeded.id.unwrap().to_string());

    // Restart the node on the same address while the stream is open.
    let key = node.key.clone();
    tokio::time::timeout(WAIT, node.node.shutdown())
        .await
        .expect("the node shuts down with a live stream open")
        .unwrap();
    let node = node_at(dir.path(), addr).await;
    assert_eq!(node.key, key);

    // The consumer notices, reconnects on its own, and resumes after the last event.
    let mut saw_disconnect = false;
    let resumed_from = loop {
        match tokio::time::timeout(WAIT, live.next()).await.unwrap() {
            Some(Ok(LiveUpdate::Disconnected { .. })) => saw_disconnect = true,
            Some(Ok(LiveUpdate::Connected { last_event_id })) => break last_event_id,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(saw_disconnect);
    assert_eq!(resumed_from.as_deref(), Some(last.as_str()));
    let r2 = client(&node)
        .publish(&notification(EventType::InstallationCreated), None)
        .await
        .unwrap();
    let after = next_event(&mut live).await;
    assert_eq!(after.kind, "message.created");
    assert_eq!(after.data["messageId"], r2.messages[0].id.as_str());
    assert!(
        after.id.unwrap() > succeeded.id.unwrap(),
        "IDs keep increasing across restarts"
    );
}

#[tokio::test]
async fn the_stream_replays_what_came_after_last_event_id() {
    let node = TestNode::start().await;
    let c = client(&node);
    wire_log(&c, "audit").await;
    let mut first = c.live_events(LiveOptions::default());
    first.next().await.unwrap().unwrap(); // connected
    c.publish(&notification(EventType::InstallationCreated), None)
        .await
        .unwrap();
    let e1 = next_event(&mut first).await;
    let e2 = next_event(&mut first).await;
    drop(first);

    // A new consumer starting after e1 gets e2 first, from the node's backlog.
    let mut resumed = c.live_events(LiveOptions {
        last_event_id: Some(e1.id.unwrap().to_string()),
        ..Default::default()
    });
    let replayed = next_event(&mut resumed).await;
    assert_eq!(replayed.id, e2.id);
    assert_eq!(replayed.kind, e2.kind);
}

#[tokio::test]
async fn a_refused_stream_is_a_fatal_error() {
    let node = TestNode::start().await;
    let anonymous = Client::new(config(&node.base_url, None)).unwrap();
    let mut live = anonymous.live_events(LiveOptions::default());
    match live.next().await {
        Some(Err(e)) => assert_eq!(e.status(), Some(401), "{e}"),
        other => panic!("expected a 401, got {other:?}"),
    }
    assert!(live.next().await.is_none());

    let mut nowhere = client(&node)
        .for_project("nope")
        .live_events(LiveOptions::default());
    match nowhere.next().await {
        Some(Err(e)) => assert_eq!(e.status(), Some(404), "{e}"),
        other => panic!("expected a 404, got {other:?}"),
    }
}

/// Pausing and resuming a destination are announced on the live stream like every other
/// change of its state, as the shared `LiveEvent` shape.
#[tokio::test]
async fn pause_and_resume_are_live_events() {
    let node = TestNode::start().await;
    let c = client(&node);
    wire_log(&c, "audit").await;
    let mut live = c.live_events(LiveOptions::default());
    match tokio::time::timeout(WAIT, live.next()).await.unwrap() {
        Some(Ok(LiveUpdate::Connected { .. })) => {}
        other => panic!("expected a connection, got {other:?}"),
    }
    let paused = c.pause_destination("audit").await.unwrap();
    let event = next_event(&mut live).await;
    match event.typed() {
        Some(live::LiveEvent::DestinationPaused(d)) => {
            assert_eq!(d.destination_id, paused.id.as_str());
            assert_eq!(d.destination_name, "audit");
        }
        other => panic!("not a destination.paused: {other:?}"),
    }
    c.resume_destination("audit").await.unwrap();
    let event = next_event(&mut live).await;
    assert_eq!(event.kind, "destination.resumed");
    assert!(matches!(
        event.typed(),
        Some(live::LiveEvent::DestinationResumed(_))
    ));
}
