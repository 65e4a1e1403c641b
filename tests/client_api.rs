//! The API client against a real node on 127.0.0.1: every management method, and every
//! error shape coming back as `ClientError::Api` with its issues.

mod support;

use std::collections::BTreeMap;

use support::client_kit::{client, config, expect_api};
use support::node::TestNode;
use switchboard::client::{
    Client, ClientError, CreateDestinationRequest, CreateTopicRequest, DestinationMetadata,
    DestinationPatch, DestinationSecretsInput, EventTopicRouteFilter, GetDestination, Method,
    RawRequest, TopicDestinationRouteFilter, UpdateDestinationRequest, UpdateTopicRequest,
};
use switchboard::model::{DestinationStatus, DestinationType};
use switchboard::problem::IssueLocation;

fn webhook(name: &str, url: &str) -> CreateDestinationRequest {
    CreateDestinationRequest {
        name: name.into(),
        kind: DestinationType::Webhook,
        metadata: DestinationMetadata {
            url: Some(url.into()),
            ..Default::default()
        },
        secrets: None,
        delivery: None,
    }
}

#[tokio::test]
async fn health_and_projects() {
    let node = TestNode::start().await;
    let c = client(&node);
    let health = c.healthz().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));

    let projects = c.list_projects().await.unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].name, "default");

    let created = c.create_project("team-b").await.unwrap();
    assert_eq!(created.name, "team-b");
    assert_eq!(c.get_project("team-b").await.unwrap().id, created.id);
    assert_eq!(c.get_project(&created.id).await.unwrap().name, "team-b");
    assert_eq!(c.list_projects().await.unwrap().len(), 2);

    expect_api(c.create_project("team-b").await, 409, &["name"]);
    expect_api(c.create_project("team b").await, 422, &["name"]);
    expect_api(c.get_project("nope").await, 404, &[]);

    // A client for the new project sees its own (empty) resources.
    let other = c.for_project("team-b");
    assert_eq!(other.project(), "team-b");
    assert!(other.list_topics().await.unwrap().is_empty());
    expect_api(c.for_project("nope").list_topics().await, 404, &[]);
}

#[tokio::test]
async fn destinations_round_trip() {
    let node = TestNode::start().await;
    let c = client(&node);

    let hook = c
        .create_destination(&CreateDestinationRequest {
            metadata: DestinationMetadata {
                url: Some("http://127.0.0.1:9/hook".into()),
                headers: Some(BTreeMap::from([("X-Team".into(), "ops".into())])),
                ..Default::default()
            },
            ..webhook("hook", "unused")
        })
        .await
        .unwrap();
    assert_eq!(hook.kind, "webhook");
    assert_eq!(hook.status, Some(DestinationStatus::Active));
    assert_eq!(
        hook.metadata.known.headers.as_ref().unwrap()["X-Team"],
        "ops"
    );
    assert!(hook.secrets.is_none(), "no secrets unless asked");
    assert!(hook.update_time.is_some() && hook.project_id.is_some());

    let log = c
        .create_destination(&CreateDestinationRequest {
            name: "audit".into(),
            kind: DestinationType::Log,
            metadata: DestinationMetadata::default(),
            secrets: None,
            delivery: None,
        })
        .await
        .unwrap();
    assert!(log.target().ends_with("audit.jsonl"), "{}", log.target());

    let kinesis = c
        .create_destination(&CreateDestinationRequest {
            name: "stream".into(),
            kind: DestinationType::Kinesis,
            metadata: DestinationMetadata {
                stream_name: Some("events".into()),
                region: Some("us-east-1".into()),
                endpoint_url: Some("http://127.0.0.1:4567".into()),
                ..Default::default()
            },
            secrets: Some(DestinationSecretsInput {
                aws_key_id: Some("AKIDEXAMPLE".into()),
                aws_secret_key: Some("secret".into()),
                aws_session_token: None,
            }),
            delivery: None,
        })
        .await
        .unwrap();

    let names: Vec<_> = c
        .list_destinations()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names.len(), 3);
    for n in ["hook", "audit", "stream"] {
        assert!(names.iter().any(|x| x == n), "{names:?}");
    }

    // By name and by ID; secrets on request; AWS secret keys are never shown.
    let by_name = c
        .get_destination("hook", GetDestination::default())
        .await
        .unwrap();
    assert_eq!(by_name.id, hook.id);
    let with_secrets = c
        .get_destination(
            &hook.id,
            GetDestination {
                include_secrets: true,
                rotate: false,
            },
        )
        .await
        .unwrap();
    let key = with_secrets
        .secrets
        .unwrap()
        .webhook_signing_key
        .expect("signing key");
    assert!(key.starts_with("whsec_"), "{key}");
    let k = c
        .get_destination(
            "stream",
            GetDestination {
                include_secrets: true,
                rotate: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        k.secrets.unwrap().aws_key_id.as_deref(),
        Some("AKIDEXAMPLE")
    );

    // Rotation: a new key, the old one kept as previous.
    let rotated = c
        .get_destination(
            "hook",
            GetDestination {
                include_secrets: false,
                rotate: true,
            },
        )
        .await
        .unwrap();
    let secrets = rotated.secrets.unwrap();
    assert_ne!(secrets.webhook_signing_key.as_deref(), Some(key.as_str()));
    assert_eq!(
        secrets.previous_webhook_signing_key.as_deref(),
        Some(key.as_str())
    );
    assert!(secrets.previous_webhook_signing_key_expire_time.is_some());
    expect_api(
        c.get_destination(
            "audit",
            GetDestination {
                include_secrets: false,
                rotate: true,
            },
        )
        .await,
        422,
        &["rotate"],
    );

    // PATCH with a mask.
    let updated = c
        .update_destination(
            "hook",
            &UpdateDestinationRequest {
                update_mask: vec!["name".into(), "metadata.url".into()],
                destination: DestinationPatch {
                    name: Some("hook-2".into()),
                    metadata: Some(DestinationMetadata {
                        url: Some("https://example.com/hook".into()),
                        ..Default::default()
                    }),
                    secrets: None,
                    delivery: None,
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "hook-2");
    assert_eq!(updated.target(), "https://example.com/hook");
    assert_eq!(updated.metadata.known.headers.as_ref().unwrap().len(), 1);
    expect_api(
        c.update_destination(
            "hook-2",
            &UpdateDestinationRequest {
                update_mask: vec!["metadata.bucket".into()],
                destination: DestinationPatch::default(),
            },
        )
        .await,
        422,
        &["updateMask[0]"],
    );
    expect_api(
        c.update_destination(
            "hook-2",
            &UpdateDestinationRequest {
                update_mask: vec!["name".into()],
                destination: DestinationPatch {
                    name: Some("audit".into()),
                    ..Default::default()
                },
            },
        )
        .await,
        409,
        &["name"],
    );

    c.delete_destination(&kinesis.id).await.unwrap();
    expect_api(
        c.get_destination(&kinesis.id, GetDestination::default())
            .await,
        404,
        &[],
    );
    expect_api(c.delete_destination(&kinesis.id).await, 404, &[]);
    assert_eq!(c.list_destinations().await.unwrap().len(), 2);
}

#[tokio::test]
async fn destination_input_errors_name_their_fields() {
    let node = TestNode::start().await;
    let c = client(&node);
    let p = expect_api(
        c.create_destination(&webhook("hook", "http://example.com/"))
            .await,
        422,
        &["metadata.url"],
    );
    assert_eq!(p.issues[0].location, IssueLocation::Body);
    assert!(p.issues[0].detail.contains("https"), "{p:?}");
    assert_eq!(p.title, "Unprocessable Entity");

    expect_api(
        c.create_destination(&CreateDestinationRequest {
            name: "k".into(),
            kind: DestinationType::Kinesis,
            metadata: DestinationMetadata::default(),
            secrets: None,
            delivery: None,
        })
        .await,
        422,
        &[
            "metadata.streamName",
            "metadata.region",
            "secrets.awsKeyId",
            "secrets.awsSecretKey",
        ],
    );
    c.create_destination(&webhook("hook", "https://example.com/"))
        .await
        .unwrap();
    let p = expect_api(
        c.create_destination(&webhook("hook", "https://example.com/"))
            .await,
        409,
        &["name"],
    );
    assert_eq!(p.kind, "urn:problem-type:switchboard:conflict");
}

#[tokio::test]
async fn topics_round_trip() {
    let node = TestNode::start().await;
    let c = client(&node);
    let t = c
        .create_topic(&CreateTopicRequest::named("alerts"))
        .await
        .unwrap();
    assert_eq!(t.name, "alerts");
    assert_eq!(c.get_topic(&t.id).await.unwrap().name, "alerts");
    assert_eq!(c.get_topic("alerts").await.unwrap().id, t.id);
    let renamed = c
        .update_topic(
            &t.id,
            &UpdateTopicRequest {
                name: Some("system-alerts".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "system-alerts");
    c.create_topic(&CreateTopicRequest::named("other"))
        .await
        .unwrap();
    assert_eq!(c.list_topics().await.unwrap().len(), 2);

    expect_api(
        c.create_topic(&CreateTopicRequest::named("other")).await,
        409,
        &["name"],
    );
    expect_api(
        c.update_topic(
            &t.id,
            &UpdateTopicRequest {
                name: Some("other".into()),
                ..Default::default()
            },
        )
        .await,
        409,
        &["name"],
    );
    expect_api(
        c.create_topic(&CreateTopicRequest::named("x".repeat(65)))
            .await,
        422,
        &["name"],
    );
    expect_api(
        c.update_topic(
            "missing",
            &UpdateTopicRequest {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await,
        404,
        &[],
    );

    c.delete_topic(&t.id).await.unwrap();
    expect_api(c.get_topic(&t.id).await, 404, &[]);
    expect_api(c.delete_topic(&t.id).await, 404, &[]);
    assert_eq!(c.list_topics().await.unwrap().len(), 1);
}

#[tokio::test]
async fn routes_round_trip() {
    let node = TestNode::start().await;
    let c = client(&node);
    let alerts = c
        .create_topic(&CreateTopicRequest::named("alerts"))
        .await
        .unwrap();
    let other = c
        .create_topic(&CreateTopicRequest::named("other"))
        .await
        .unwrap();
    let hook = c
        .create_destination(&webhook("hook", "http://127.0.0.1:9/"))
        .await
        .unwrap();

    // Event type → topic.
    let r1 = c
        .create_event_topic_route("installation.created", &alerts.id)
        .await
        .unwrap();
    assert_eq!(r1.event_type, "installation.created");
    assert_eq!(r1.topic_id, alerts.id);
    let r2 = c
        .create_event_topic_route("connection.error", "other")
        .await
        .unwrap();
    assert_eq!(r2.topic_id, other.id, "a topic name resolves to its ID");
    assert_eq!(
        c.list_event_topic_routes(&EventTopicRouteFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
    let by_topic = c
        .list_event_topic_routes(&EventTopicRouteFilter {
            topic_id: Some(alerts.id.clone()),
            event_type: None,
        })
        .await
        .unwrap();
    assert_eq!(by_topic.len(), 1);
    assert_eq!(by_topic[0].id, r1.id);
    let by_type = c
        .list_event_topic_routes(&EventTopicRouteFilter {
            topic_id: None,
            event_type: Some("connection.error".into()),
        })
        .await
        .unwrap();
    assert_eq!(by_type.len(), 1);
    assert_eq!(by_type[0].id, r2.id);
    let p = expect_api(
        c.list_event_topic_routes(&EventTopicRouteFilter {
            topic_id: None,
            event_type: Some("nope".into()),
        })
        .await,
        422,
        &["eventType"],
    );
    assert_eq!(p.issues[0].location, IssueLocation::Query);

    expect_api(
        c.create_event_topic_route("installation.created", &alerts.id)
            .await,
        409,
        &["eventType"],
    );
    expect_api(
        c.create_event_topic_route("installation.exploded", &alerts.id)
            .await,
        422,
        &["eventType"],
    );
    expect_api(
        c.create_event_topic_route("installation.created", "no-such-topic")
            .await,
        404,
        &["topicId"],
    );

    // Topic → destination.
    let d1 = c
        .create_topic_destination_route(&alerts.id, &hook.id)
        .await
        .unwrap();
    assert_eq!(d1.destination_id, hook.id);
    let d2 = c
        .create_topic_destination_route("other", "hook")
        .await
        .unwrap();
    assert_eq!(d2.topic_id, other.id);
    let filtered = c
        .list_topic_destination_routes(&TopicDestinationRouteFilter {
            topic_id: Some(other.id.clone()),
            destination_id: None,
        })
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].id, d2.id);
    let to_hook = c
        .list_topic_destination_routes(&TopicDestinationRouteFilter {
            topic_id: None,
            destination_id: Some(hook.id.clone()),
        })
        .await
        .unwrap();
    assert_eq!(to_hook.len(), 2);
    expect_api(
        c.create_topic_destination_route(&alerts.id, &hook.id).await,
        409,
        &["destinationId"],
    );
    expect_api(
        c.create_topic_destination_route("nope", "nada").await,
        404,
        &["topicId", "destinationId"],
    );

    c.delete_event_topic_route(&r1.id).await.unwrap();
    expect_api(c.delete_event_topic_route(&r1.id).await, 404, &[]);
    c.delete_topic_destination_route(&d1.id).await.unwrap();
    expect_api(c.delete_topic_destination_route(&d1.id).await, 404, &[]);
    assert_eq!(
        c.list_topic_destination_routes(&TopicDestinationRouteFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn keys_and_authentication() {
    let node = TestNode::start().await;
    let c = client(&node);
    let created = c.create_key("ci").await.unwrap();
    assert!(created.secret.starts_with("sbk_"));
    assert_eq!(created.key.name, "ci");
    let listed = c.list_keys().await.unwrap();
    assert_eq!(listed.len(), 2, "admin + ci");
    assert!(!serde_json::to_string(&listed)
        .unwrap()
        .contains(&created.secret));

    let ci = Client::new(config(&node.base_url, Some(&created.secret))).unwrap();
    assert!(ci.list_topics().await.unwrap().is_empty());
    c.revoke_key("ci").await.unwrap();
    expect_api(ci.list_topics().await, 401, &[]);
    expect_api(c.revoke_key("ci").await, 404, &[]);
    expect_api(c.create_key("").await, 422, &["name"]);

    let anonymous = Client::new(config(&node.base_url, None)).unwrap();
    let p = expect_api(anonymous.list_destinations().await, 401, &[]);
    assert_eq!(p.kind, "urn:problem-type:switchboard:unauthorized");
    // Health needs no key.
    anonymous.healthz().await.unwrap();
}

#[tokio::test]
async fn raw_requests_carry_the_key_and_every_error_shape() {
    let node = TestNode::start().await;
    let c = client(&node);
    let raw = |method: Method, path: &str, ct: Option<&str>, body: Option<&str>| RawRequest {
        method,
        path: path.into(),
        headers: ct
            .map(|ct| vec![("content-type".to_string(), ct.to_string())])
            .unwrap_or_default(),
        body: body.map(|b| b.as_bytes().to_vec()),
    };

    let ok = c
        .send_raw(raw(
            Method::POST,
            "/v1/projects/default/topics",
            Some("application/json"),
            Some(r#"{"name":"raw"}"#),
        ))
        .await
        .unwrap();
    assert_eq!(ok.status, 201);
    assert_eq!(ok.json().unwrap()["name"], "raw");

    // 400: not JSON.
    let bad = c
        .send_raw(raw(
            Method::POST,
            "/v1/projects/default/topics",
            Some("application/json"),
            Some("{nope"),
        ))
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.content_type.as_deref(),
        Some("application/problem+json")
    );
    expect_api(bad.error_for_status(), 400, &["body"]);

    // 415: not declared as JSON.
    let wrong_type = c
        .send_raw(raw(
            Method::POST,
            "/v1/projects/default/topics",
            Some("text/plain"),
            Some(r#"{"name":"x"}"#),
        ))
        .await
        .unwrap();
    let p = expect_api(wrong_type.error_for_status(), 415, &[]);
    assert!(p.detail.contains("application/json"), "{p:?}");

    // 405 and 404 of unknown paths are problems too.
    let p = expect_api(
        c.send_raw(raw(Method::PUT, "/v1/projects/default/topics", None, None))
            .await
            .unwrap()
            .error_for_status(),
        405,
        &[],
    );
    assert_eq!(p.title, "Method Not Allowed");
    expect_api(
        c.send_raw(raw(Method::GET, "/v1/nothing-here", None, None))
            .await
            .unwrap()
            .error_for_status(),
        404,
        &[],
    );
    // A caller cannot override the key.
    let mut r = raw(Method::GET, "/v1/projects/default/topics", None, None);
    r.headers.push(("X-Api-Key".into(), "sbk_wrong".into()));
    assert_eq!(c.send_raw(r).await.unwrap().status, 200);
    assert!(matches!(
        c.send_raw(raw(Method::GET, "relative", None, None)).await,
        Err(ClientError::Config(_))
    ));
}

#[tokio::test]
async fn an_unreachable_node_is_a_transport_error() {
    // Bind and drop to get a loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = Client::new(config(&format!("http://127.0.0.1:{port}"), None)).unwrap();
    match c.list_topics().await {
        Err(ClientError::Transport(e)) => assert!(e.is_connect(), "{e}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    let err = c.healthz().await.unwrap_err();
    assert!(
        err.to_string().contains("could not reach the node"),
        "{err}"
    );
}
