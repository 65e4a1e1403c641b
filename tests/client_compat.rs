//! Compatibility with Ampersand's API as the reference spec describes it: a small server
//! on 127.0.0.1 that knows nothing but `management-api.yaml` answers every operation with
//! a response built from the spec's own examples (checked against the spec's response
//! schema), and checks every request it gets: a path and method the spec has, the
//! `X-Api-Key`, only declared query parameters, and a JSON body valid against the spec's
//! request schema. The client must accept every answer, in a "full" form (every property
//! the spec lists, foreign destination types' fields included) and a "minimal" one (only
//! what the spec requires), and must reach every operation of the spec.

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use support::client_kit::config;
use support::spec;
use switchboard::client::{
    Client, ClientError, CreateDestinationRequest, CreateTopicRequest, DestinationMetadata,
    DestinationPatch, DestinationSecretsInput, EventTopicRouteFilter, GetDestination,
    TopicDestinationRouteFilter, UpdateDestinationRequest, UpdateTopicRequest,
};
use switchboard::model::DestinationType;
use tokio::net::TcpListener;

const API: &str = "management-api.yaml";
const KEY: &str = "amp_test_key_123";
/// A name that makes the server answer with the operation's 422 problem.
const TRIGGER_422: &str = "trigger-422";
/// A name that makes the server answer with the operation's 409 problem.
const TRIGGER_409: &str = "trigger-409";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Every property the schema lists.
    Full,
    /// Only required properties.
    Minimal,
}

// ---- Responses built from the spec ----

/// Follows a `$ref` (local, or `../dir/file.yaml#/...`) to the file and schema it names.
fn resolve<'a>(file: &str, reference: &str) -> (String, &'a Value) {
    let (target, pointer) = reference.split_once('#').expect("a JSON pointer");
    let target_file = if target.is_empty() {
        file.to_string()
    } else {
        target.rsplit('/').next().unwrap().to_string()
    };
    let doc = spec::document(&target_file);
    let value = doc
        .pointer(pointer)
        .unwrap_or_else(|| panic!("dangling $ref {reference} in {file}"));
    (target_file, value)
}

/// A value for `schema`: its example where the spec gives one, else one made up from its
/// type (date-times, enums' first value, ...).
fn synth(file: &str, schema: &Value, mode: Mode, hint: &str) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let (f, target) = resolve(file, r);
        return synth(&f, target, mode, hint);
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    let mut object = Map::new();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Value::Object(m) = synth(file, part, mode, hint) {
            object.extend(m);
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, sub) in props {
            if mode == Mode::Full || required.contains(&name.as_str()) {
                object.insert(name.clone(), synth(file, sub, mode, name));
            }
        }
        return Value::Object(object);
    }
    if !object.is_empty() {
        return Value::Object(object);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => json!([synth(file, &schema["items"], mode, hint)]),
        Some("object") => json!({}),
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        _ => {
            if let Some(first) = schema
                .get("enum")
                .and_then(Value::as_array)
                .and_then(|e| e.first())
            {
                return first.clone();
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2024-04-22T18:55:28.456076Z"),
                _ => json!(format!("example-{hint}")),
            }
        }
    }
}

fn operation(spec_path: &str, method: &str) -> &'static Value {
    &spec::document(API)["paths"][spec_path][method]
}

/// The schema of a response of an operation.
fn response_schema_raw(op: &'static Value, status: &str) -> Option<&'static Value> {
    let response = op["responses"].get(status)?;
    let content = response.get("content")?.as_object()?;
    ["application/json", "application/problem+json"]
        .iter()
        .find_map(|t| content.get(*t))
        .and_then(|m| m.get("schema"))
}

// ---- The server ----

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    spec_path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
    answered: u16,
}

#[derive(Clone)]
struct Spec {
    mode: Mode,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    /// Everything the server found wrong with a request.
    violations: Arc<Mutex<Vec<String>>>,
}

/// The spec path (`/projects/{projectIdOrName}/topics`) a request path matches.
fn match_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/v1")?;
    let got: Vec<&str> = rest.split('/').collect();
    spec::document(API)["paths"]
        .as_object()?
        .keys()
        .find(|tpl| {
            let want: Vec<&str> = tpl.split('/').collect();
            want.len() == got.len()
                && want.iter().zip(&got).all(|(w, g)| {
                    (w.starts_with('{') && w.ends_with('}') && !g.is_empty()) || w == g
                })
        })
        .cloned()
}

fn problem_response(status: u16, body: Value) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    r.headers_mut()
        .insert("content-type", "application/problem+json".parse().unwrap());
    r
}

async fn handle(
    State(state): State<Spec>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = method.as_str().to_ascii_lowercase();
    let mut wrong = Vec::new();
    let what = format!("{method} {}", uri.path());
    let Some(spec_path) = match_path(uri.path()) else {
        state
            .violations
            .lock()
            .unwrap()
            .push(format!("{what}: no such path in the spec"));
        return problem_response(404, json!({"title": "Not Found", "status": 404}));
    };
    let op = operation(&spec_path, &m);
    if op.is_null() {
        state
            .violations
            .lock()
            .unwrap()
            .push(format!("{what}: the spec has no {m} on {spec_path}"));
        return problem_response(405, json!({"title": "Method Not Allowed", "status": 405}));
    }
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(KEY) {
        wrong.push(format!("{what}: X-Api-Key missing or wrong"));
    }
    let declared: Vec<&str> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    for (k, _) in &query {
        if !declared.contains(&k.as_str()) {
            wrong.push(format!("{what}: query parameter {k} is not in the spec"));
        }
    }
    let body_json = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(e) => {
                wrong.push(format!("{what}: body is not JSON: {e}"));
                None
            }
        }
    };
    match (op.get("requestBody"), &body_json) {
        (Some(_), Some(b)) => {
            let ct = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !ct.starts_with("application/json") {
                wrong.push(format!("{what}: content-type {ct}"));
            }
            let schema = spec::request_schema(API, &spec_path, &m);
            for v in spec::violations(&schema, b) {
                wrong.push(format!("{what}: request body: {v}"));
            }
        }
        (Some(_), None) => wrong.push(format!("{what}: the spec requires a body")),
        (None, Some(_)) => wrong.push(format!("{what}: a body the spec does not take")),
        (None, None) => {}
    }
    state.violations.lock().unwrap().extend(wrong);

    // Errors on request, to see the client read the spec's problem shapes.
    let trigger = body_json
        .as_ref()
        .and_then(|b| b.get("name").or_else(|| b.pointer("/destination/name")))
        .and_then(Value::as_str);
    let status = match trigger {
        Some(TRIGGER_422) => "422",
        Some(TRIGGER_409) => "409",
        _ => ["200", "201", "202", "204"]
            .into_iter()
            .find(|s| op["responses"].get(*s).is_some())
            .expect("a success response"),
    };
    let code: u16 = status.parse().unwrap();
    state.recorded.lock().unwrap().push(Recorded {
        method: m.clone(),
        spec_path: spec_path.clone(),
        query,
        body: body_json,
        answered: code,
    });
    let Some(schema) = response_schema_raw(op, status) else {
        return StatusCode::from_u16(code).unwrap().into_response();
    };
    let value = synth(API, schema, state.mode, "response");
    // The made-up answer must itself be what the spec allows.
    spec::assert_response_matches(API, &spec_path, &m, status, &value);
    if code >= 400 {
        return problem_response(code, value);
    }
    (StatusCode::from_u16(code).unwrap(), axum::Json(value)).into_response()
}

async fn serve(mode: Mode) -> (String, Spec) {
    let state = Spec {
        mode,
        recorded: Default::default(),
        violations: Default::default(),
    };
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

// ---- The test ----

/// Every spec operation through the client; returns nothing, panics on the first refusal.
async fn exercise(c: &Client) {
    let webhook = CreateDestinationRequest {
        name: "leadConvertedWebhook".into(),
        kind: DestinationType::Webhook,
        metadata: DestinationMetadata {
            url: Some("https://webhooks.mailmonkey.com/salesforce-lead-converted".into()),
            headers: Some([("Authorization".to_string(), "Bearer 1234".to_string())].into()),
            ..Default::default()
        },
        secrets: None,
        delivery: None,
    };
    let d = c.create_destination(&webhook).await.unwrap();
    assert!(!d.id.is_empty());
    let kinesis = CreateDestinationRequest {
        name: "stream".into(),
        kind: DestinationType::Kinesis,
        metadata: DestinationMetadata {
            stream_name: Some("my-kinesis-stream".into()),
            region: Some("us-east-1".into()),
            endpoint_url: Some("https://kinesis.us-east-1.amazonaws.com".into()),
            partition_key_template: Some("data.user_id".into()),
            ..Default::default()
        },
        secrets: Some(DestinationSecretsInput {
            aws_key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            aws_secret_key: Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()),
            aws_session_token: None,
        }),
        delivery: None,
    };
    c.create_destination(&kinesis).await.unwrap();
    let list = c.list_destinations().await.unwrap();
    assert_eq!(list.len(), 1);
    c.get_destination("leadConvertedWebhook", GetDestination::default())
        .await
        .unwrap();
    let with = c
        .get_destination(
            "leadConvertedWebhook",
            GetDestination {
                include_secrets: true,
                rotate: false,
            },
        )
        .await
        .unwrap();
    c.get_destination(
        "leadConvertedWebhook",
        GetDestination {
            include_secrets: false,
            rotate: true,
        },
    )
    .await
    .unwrap();
    let _ = with;
    c.update_destination(
        &d.id,
        &UpdateDestinationRequest {
            update_mask: vec![
                "name".into(),
                "metadata.url".into(),
                "secrets.awsKeyId".into(),
            ],
            destination: DestinationPatch {
                name: Some("renamed".into()),
                metadata: Some(DestinationMetadata {
                    url: Some("https://example.com/new".into()),
                    ..Default::default()
                }),
                secrets: Some(DestinationSecretsInput {
                    aws_key_id: Some("AKIA2".into()),
                    ..Default::default()
                }),
                delivery: None,
            },
        },
    )
    .await
    .unwrap();
    c.delete_destination(&d.id).await.unwrap();

    let t = c
        .create_topic(&CreateTopicRequest::named("system-alerts"))
        .await
        .unwrap();
    assert_eq!(c.list_topics().await.unwrap().len(), 1);
    // Only the name goes on the wire, as Ampersand's API takes it.
    let rename = UpdateTopicRequest {
        name: Some("Updated System Alerts".into()),
        ..Default::default()
    };
    c.update_topic(&t.id, &rename).await.unwrap();
    c.delete_topic(&t.id).await.unwrap();

    let r = c
        .create_event_topic_route("installation.created", "1234567890abcdef")
        .await
        .unwrap();
    c.list_event_topic_routes(&EventTopicRouteFilter::default())
        .await
        .unwrap();
    c.list_event_topic_routes(&EventTopicRouteFilter {
        topic_id: Some("1234567890abcdef".into()),
        event_type: Some("installation.created".into()),
    })
    .await
    .unwrap();
    c.delete_event_topic_route(&r.id).await.unwrap();

    let r = c
        .create_topic_destination_route("1234567890abcdef", "abcdef1234567890")
        .await
        .unwrap();
    c.list_topic_destination_routes(&TopicDestinationRouteFilter {
        topic_id: Some("1234567890abcdef".into()),
        destination_id: Some("abcdef1234567890".into()),
    })
    .await
    .unwrap();
    c.delete_topic_destination_route(&r.id).await.unwrap();
}

fn every_spec_operation() -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec::document(API)["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.clone(), path.clone()));
        }
    }
    ops
}

async fn run(mode: Mode) {
    let (url, state) = serve(mode).await;
    // Ampersand's documented server URL ends in /v1; the client takes that form too.
    let c = Client::new(config(&format!("{url}/v1"), Some(KEY)))
        .unwrap()
        .for_project("my-project");
    exercise(&c).await;

    let violations = state.violations.lock().unwrap().clone();
    assert!(
        violations.is_empty(),
        "requests the spec does not allow:\n{violations:#?}"
    );
    let recorded = state.recorded.lock().unwrap().clone();
    let reached: BTreeSet<_> = recorded
        .iter()
        .map(|r| (r.method.clone(), r.spec_path.clone()))
        .collect();
    assert_eq!(reached, every_spec_operation(), "operations not reached");
    for r in &recorded {
        if let Some(body) = &r.body {
            spec::assert_request_matches(API, &r.spec_path, &r.method, body);
        }
        assert!(r.answered < 300);
    }
    // Query parameters arrive as the spec names them.
    assert!(recorded
        .iter()
        .any(|r| r.query.contains(&("includeSecrets".into(), "true".into()))));
    assert!(recorded
        .iter()
        .any(|r| r.query.contains(&("rotate".into(), "true".into()))));
    assert!(recorded.iter().any(|r| r
        .query
        .contains(&("eventType".into(), "installation.created".into()))));
}

#[tokio::test]
async fn the_client_accepts_every_full_response_of_the_spec() {
    run(Mode::Full).await;
}

#[tokio::test]
async fn the_client_accepts_every_minimal_response_of_the_spec() {
    run(Mode::Minimal).await;
}

#[tokio::test]
async fn foreign_destination_fields_survive_the_round_trip() {
    let (url, _) = serve(Mode::Full).await;
    let c = Client::new(config(&url, Some(KEY)))
        .unwrap()
        .for_project("p");
    let d = &c.list_destinations().await.unwrap()[0];
    // Full mode sends every metadata property of the spec, S3's and BigQuery's included.
    assert_eq!(d.metadata.extra["bucket"], "ampersand-integration-bucket");
    assert_eq!(d.metadata.extra["tls"], true);
    assert_eq!(d.metadata.known.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        d.metadata.known.headers.as_ref().unwrap()["Authorization"],
        "Bearer 1234"
    );
    let back = serde_json::to_value(d).unwrap();
    assert_eq!(back["metadata"]["bucket"], "ampersand-integration-bucket");
}

#[tokio::test]
async fn the_specs_problems_become_api_errors() {
    let (url, _) = serve(Mode::Full).await;
    let c = Client::new(config(&url, Some(KEY)))
        .unwrap()
        .for_project("p");
    // 422 → InputValidationProblem: the spec's example, issues without `detail` included.
    match c
        .create_topic(&CreateTopicRequest::named(TRIGGER_422))
        .await
    {
        Err(ClientError::Api { status, problem }) => {
            assert_eq!(status, 422);
            let names: Vec<_> = problem.issues.iter().map(|i| i.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "exampleNumericProperty",
                    "items[0].examplePropertyWithPattern"
                ]
            );
            assert_eq!(
                problem.issues[0].detail,
                "exampleNumericProperty should be numeric"
            );
            assert_eq!(problem.title, "Bad Request");
        }
        other => panic!("expected a 422, got {other:?}"),
    }
    // 409 → ApiProblem with Ampersand's extra members (subsystem, causes, remedy, ...).
    match c
        .create_topic(&CreateTopicRequest::named(TRIGGER_409))
        .await
    {
        Err(ClientError::Api { status, problem }) => {
            assert_eq!(status, 409);
            assert!(problem.kind.starts_with("urn:problem-type:"), "{problem:?}");
            assert!(problem.issues.is_empty());
        }
        other => panic!("expected a 409, got {other:?}"),
    }
    // A PATCH 422 names the destination fields.
    let err = c
        .update_destination(
            "d",
            &UpdateDestinationRequest {
                update_mask: vec!["name".into()],
                destination: DestinationPatch {
                    name: Some(TRIGGER_422.into()),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.issues().len(), 2);
}

#[tokio::test]
async fn the_server_notices_requests_off_the_spec() {
    // The checks above mean something only if this server does catch mistakes.
    let (url, state) = serve(Mode::Minimal).await;
    let c = Client::new(config(&url, None)).unwrap();
    let r = c
        .send_raw(switchboard::client::RawRequest {
            method: switchboard::client::Method::POST,
            path: "/v1/projects/p/topics?foo=1".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(br#"{"nam": 1}"#.to_vec()),
        })
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    let v = state.violations.lock().unwrap().clone();
    assert!(v.iter().any(|m| m.contains("X-Api-Key")), "{v:#?}");
    assert!(
        v.iter().any(|m| m.contains("query parameter foo")),
        "{v:#?}"
    );
    assert!(v.iter().any(|m| m.contains("request body")), "{v:#?}");
    let r = c
        .send_raw(switchboard::client::RawRequest {
            method: switchboard::client::Method::GET,
            path: "/v1/projects/p/topics/t1".into(),
            headers: vec![],
            body: None,
        })
        .await
        .unwrap();
    assert_eq!(r.status, 405, "the spec has no GET of one topic");
}
