//! Tests of `tests/support/spec.rs` itself, and of the notification validator against the spec.

mod support;

use serde_json::{json, Value};
use support::spec::{self, assert_matches, assert_response_matches};
use switchboard::model::EventType;
use switchboard::payload::notification::{example_data, validate_notification};

const API: &str = "management-api.yaml";
const PROBLEM: &str = "problem.yaml";
const NOTIFICATIONS: &str = "notifications.yaml";

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn is_valid(schema: &Value, instance: &Value) -> bool {
    spec::violations(schema, instance).is_empty()
}

#[test]
fn loads_every_reference_document() {
    let names: Vec<_> = spec::documents().keys().cloned().collect();
    for f in [
        API,
        PROBLEM,
        NOTIFICATIONS,
        "config.yaml",
        "manifest.yaml",
        "webhook.yaml",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing from {names:?}");
    }
    // YAML's numeric `201:` keys come through as strings.
    assert!(spec::document(API)
        .pointer("/paths/~1projects~1{projectIdOrName}~1topics/post/responses/201")
        .is_some());
}

#[test]
fn every_schema_of_every_file_compiles() {
    for (file, doc) in spec::documents() {
        for name in doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            let _ = spec::violations(&spec::schema(file, name), &json!(null));
        }
    }
}

#[test]
fn the_specs_own_examples_validate() {
    // Upstream examples that contradict their own schema, so the walk is seen to reach them.
    let known_bad = [
        // Arrays given as the example of their item schema (also the scope lists and object
        // lists below).
        "config.yaml /components/schemas/ConfigOtherEvents/items",
        // Strings given for object maps.
        "config.yaml /components/schemas/BaseReadConfigObject/properties/selectedFields",
        "config.yaml /components/schemas/BaseReadConfigObject/properties/selectedFieldMappings",
        "manifest.yaml /components/schemas/OtherEvents/items",
        "manifest.yaml /components/schemas/UpdateEvent/properties/requiredWatchFields/items",
        "api.yaml /components/schemas/ApiKeyScopes/items",
        "api.yaml /components/schemas/ProviderApp/properties/scopes/items",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1provider-apps/post/requestBody/content/application~1json/schema/properties/scopes/items",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1provider-apps~1{providerAppId}/patch/requestBody/content/application~1json/schema/properties/providerApp/properties/scopes/items",
        "read-api.yaml /paths/~1projects~1{projectIdOrName}~1integrations~1{integrationId}~1installations~1{installationId}:pause/post/requestBody/content/application~1json/schema/properties/objects/items",
        "read-api.yaml /paths/~1projects~1{projectIdOrName}~1integrations~1{integrationId}~1installations~1{installationId}:unpause/post/requestBody/content/application~1json/schema/properties/objects/items",
        // Examples that leave out required fields: a connection's consumer and group without
        // projectId and createTime; installations whose read objects lack
        // selectedFieldMappings.
        "api.yaml /paths/~1projects~1{projectIdOrName}~1connections~1{connectionId}/patch/responses/200/content/application~1json/example",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1installations/get/responses/200/content/application~1json/example",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1integrations~1{integrationId}~1installations/get/responses/200/content/application~1json/example",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1integrations~1{integrationId}~1installations~1{installationId}/get/responses/200/content/application~1json/example",
        // JWT-key requests without their required label, or with algorithm "RSA" (not RS256).
        "api.yaml /paths/~1projects~1{projectIdOrName}~1jwt-keys/post/requestBody/content/application~1json/examples/example1",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1jwt-keys~1{keyId}/patch/requestBody/content/application~1json/examples/renameKey",
        "api.yaml /paths/~1projects~1{projectIdOrName}~1jwt-keys~1{keyId}/patch/requestBody/content/application~1json/examples/updateMultiple",
    ];
    let mut checked = 0;
    let mut failing = Vec::new();
    for file in spec::documents().keys() {
        for ex in spec::examples(file) {
            checked += 1;
            let problems = spec::violations(&ex.schema, &ex.value);
            if !problems.is_empty() {
                failing.push((format!("{file} {}", ex.location), problems));
            }
        }
    }
    assert!(checked > 250, "only {checked} examples found");
    let mut ids: Vec<_> = failing.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort();
    let mut expected = known_bad.to_vec();
    expected.sort();
    assert_eq!(ids, expected, "{checked} examples, failing: {failing:#?}");
}

fn destination() -> Value {
    json!({
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "name": "leadConvertedWebhook",
        "type": "webhook",
        "metadata": {
            "url": "https://webhooks.mailmonkey.com/salesforce-lead-converted",
            "headers": { "Authorization": "Bearer 1234" }
        },
        "createTime": "2026-01-02T03:04:05Z",
        "updateTime": "2026-01-02T03:04:05.123456Z"
    })
}

#[test]
fn hand_made_api_objects_validate() {
    assert_matches(API, "Destination", &destination());
    let mut with_secrets = destination();
    with_secrets["secrets"] =
        json!({ "webhookSigningKey": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD" });
    assert_matches(API, "DestinationWithSecrets", &with_secrets);
    // `WebhookHeaders` is nullable.
    let mut no_headers = destination();
    no_headers["metadata"]["headers"] = Value::Null;
    assert_matches(API, "Destination", &no_headers);

    let topic = json!({
        "id": "t-1", "name": "system-alerts", "projectId": "p-1",
        "createTime": "2026-01-02T03:04:05Z"
    });
    assert_matches(API, "Topic", &topic);
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics",
        "post",
        "201",
        &topic,
    );
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics",
        "get",
        "200",
        &json!([topic]),
    );

    assert_matches(
        API,
        "NotificationEventTopicRoute",
        &json!({
            "id": "r-1", "eventType": "installation.created", "topicId": "t-1",
            "projectId": "p-1", "createTime": "2026-01-02T03:04:05Z"
        }),
    );
    assert_matches(
        API,
        "TopicDestinationRoute",
        &json!({
            "id": "r-2", "topicId": "t-1", "destinationId": "d-1",
            "projectId": "p-1", "createTime": "2026-01-02T03:04:05Z"
        }),
    );
    spec::assert_request_matches(
        API,
        "/projects/{projectIdOrName}/notification-event-topic-routes",
        "post",
        &json!({ "eventType": "write.async.done", "topicId": "t-1" }),
    );

    let problem = json!({
        "type": "urn:problem-type:switchboard:invalid-input",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "The input is invalid",
        "time": "2026-01-02T03:04:05Z",
        "issues": [
            { "in": "body", "name": "data.config", "detail": "is required" },
            { "in": "body", "name": "data.projectId", "value": 5, "detail": "must be a string, not a number" }
        ]
    });
    assert_matches(PROBLEM, "InputValidationProblem", &problem);
    // The cross-file `$ref` from the management API resolves to problem.yaml.
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics",
        "post",
        "422",
        &problem,
    );
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/destinations",
        "get",
        "default",
        &problem,
    );
}

#[test]
fn wrong_api_objects_fail_with_readable_violations() {
    let mut d = destination();
    d.as_object_mut().unwrap().remove("createTime");
    d["metadata"]["url"] = json!(5);
    d["metadata"]["headers"] = json!({ "X-Count": 3 });
    d["updateTime"] = json!("yesterday");
    let v = spec::violations(&spec::schema(API, "Destination"), &d);
    assert_eq!(v.len(), 4, "{v:#?}");
    assert!(
        v.iter()
            .any(|m| m.starts_with("(root): ")
                && m.contains("\"createTime\" is a required property")),
        "{v:#?}"
    );
    assert!(v.iter().any(|m| m.starts_with("/metadata/url: ")), "{v:#?}");
    assert!(
        v.iter()
            .any(|m| m.starts_with("/metadata/headers/X-Count: ")),
        "{v:#?}"
    );
    assert!(v.iter().any(|m| m.starts_with("/updateTime: ")), "{v:#?}");

    let msg = panic_message(move || assert_matches(API, "Destination", &d));
    assert!(
        msg.contains("does not match management-api.yaml Destination"),
        "{msg}"
    );
    assert!(msg.contains("/metadata/url"), "{msg}");

    let route = spec::schema(API, "NotificationEventTopicRoute");
    let mut r = json!({
        "id": "r-1", "eventType": "installation.exploded", "topicId": "t-1",
        "projectId": "p-1", "createTime": "2026-01-02T03:04:05Z"
    });
    assert!(!is_valid(&route, &r));
    r["eventType"] = json!("installation.created");
    assert!(is_valid(&route, &r));

    let topic = spec::schema(API, "Topic");
    assert!(!is_valid(
        &topic,
        &json!({ "id": "t", "name": "x".repeat(65), "projectId": "p", "createTime": "2026-01-02T03:04:05Z" })
    ));

    // OpenAPI 3.0's boolean `exclusiveMaximum` became a number: 400 <= status < 600.
    let problem = spec::schema(PROBLEM, "Problem");
    assert!(is_valid(&problem, &json!({ "status": 599 })));
    assert!(!is_valid(&problem, &json!({ "status": 600 })));
    assert!(!is_valid(&problem, &json!({ "status": 399 })));
    let issues = spec::schema(PROBLEM, "InputValidationProblem");
    assert!(!is_valid(
        &issues,
        &json!({ "issues": [{ "in": "cookie", "name": "x" }] })
    ));
    assert!(!is_valid(&issues, &json!({ "issues": {} })));

    let msg = panic_message(|| {
        assert_response_matches(
            API,
            "/projects/{projectIdOrName}/topics",
            "post",
            "201",
            &json!({}),
        )
    });
    assert!(msg.contains("\"id\" is a required property"), "{msg}");
    let msg = panic_message(|| {
        let _ = spec::response_schema(API, "/projects/{projectIdOrName}/topics", "post", "418");
    });
    assert!(msg.contains("has no response \"418\""), "{msg}");
}

/// The `NotificationPayload` schema of notifications.yaml whose `notificationType` is `t`.
fn payload_schema(t: EventType) -> Value {
    let schemas = spec::document(NOTIFICATIONS)["components"]["schemas"]
        .as_object()
        .unwrap();
    let name = schemas
        .iter()
        .find(|(_, s)| s.pointer("/properties/notificationType/enum/0") == Some(&json!(t.as_str())))
        .map(|(name, _)| name.clone())
        .unwrap_or_else(|| panic!("no payload schema for {}", t.as_str()));
    spec::schema(NOTIFICATIONS, &name)
}

#[test]
fn example_data_matches_the_spec_and_its_config_is_a_config() {
    for t in EventType::ALL {
        let body = json!({ "notificationType": t.as_str(), "data": example_data(t) });
        spec::assert_valid(&payload_schema(t), &body, t.as_str());
        for key in ["config", "lastConfig"] {
            if let Some(config) = body["data"].get(key) {
                assert_matches("config.yaml", "ConfigContent", config);
            }
        }
    }
}

/// The hand-written validator and the spec's schema agree on many variants of every example,
/// except where the validator is deliberately stricter (see `stricter_than_the_spec`).
#[test]
fn validator_agrees_with_the_spec_schema() {
    let mut compared = 0;
    for t in EventType::ALL {
        let schema = payload_schema(t);
        let base = example_data(t);
        let keys: Vec<String> = base.as_object().unwrap().keys().cloned().collect();
        let mut variants: Vec<Value> = vec![base.clone()];
        for k in &keys {
            let mut v = base.clone();
            v.as_object_mut().unwrap().remove(k);
            variants.push(v);
            for wrong in [
                json!(1),
                json!(null),
                json!(true),
                json!("s"),
                json!(["a"]),
                json!([1]),
                json!({}),
            ] {
                let mut v = base.clone();
                v[k.as_str()] = wrong;
                variants.push(v);
            }
        }
        for (k, val) in [
            ("configURL", json!("https://example.com/c.json")),
            ("config", json!({})),
            ("extra", json!({ "x": 1 })),
            ("error", json!("boom")),
            ("errors", json!(["boom"])),
            ("success", json!(false)),
            ("objectName", json!("Contact")),
        ] {
            let mut v = base.clone();
            v[k] = val;
            variants.push(v);
        }
        let mut swapped = base.clone();
        if swapped.as_object_mut().unwrap().remove("config").is_some() {
            swapped["configURL"] = json!("https://example.com/c.json");
            variants.push(swapped);
        }
        for data in variants {
            for body in [
                json!({ "notificationType": t.as_str(), "data": data }),
                json!({ "notificationType": t.as_str() }),
            ] {
                compared += 1;
                let ours = validate_notification(&body).is_ok();
                let theirs = is_valid(&schema, &body);
                assert_eq!(
                    ours, theirs,
                    "disagree on {body:#}: ours={ours} spec={theirs}"
                );
            }
        }
    }
    assert!(compared > 1000, "{compared}");
}

#[test]
fn stricter_than_the_spec() {
    // Things the spec allows that the validator rejects on purpose.
    let t = EventType::InstallationCreated;
    let mut data = example_data(t);
    data["lastConfig"] = json!({});
    let body = json!({ "notificationType": t.as_str(), "data": data });
    assert!(is_valid(&payload_schema(t), &body) && validate_notification(&body).is_err());

    let mut data = example_data(t);
    data.as_object_mut().unwrap().remove("config");
    data["configURL"] = json!("/relative.json");
    let body = json!({ "notificationType": t.as_str(), "data": data });
    assert!(is_valid(&payload_schema(t), &body) && validate_notification(&body).is_err());

    let body = json!({ "notificationType": t.as_str(), "data": example_data(t), "id": 1 });
    assert!(is_valid(&payload_schema(t), &body) && validate_notification(&body).is_err());
}

/// A valid read-result message per `webhook.yaml`.
fn webhook_message() -> Value {
    json!({
        "action": "read", "projectId": "p", "provider": "salesforce", "groupRef": "g",
        "groupName": "G", "installationId": "i", "installationUpdateTime": "2026-01-01T00:00:00Z",
        "objectName": "account", "consumerRef": "c", "consumerName": "C",
        "readType": "scheduled", "operationId": "op", "operationTime": "2026-01-01T00:01:00Z",
        "resultInfo": {"type": "inline", "numRecords": 2},
        "result": [
            {"fields": {"id": "1"}, "mappedFields": {}, "raw": {}},
            {"fields": {"id": "2"}, "subscribeEventType": "update", "fieldsUpdated": ["name"],
             "fromRecord": {"id": "a"}}
        ]
    })
}

/// The webhook-message validator agrees with `webhook.yaml`'s `WebhookMessage` on variants
/// of a valid message, except where it adds the invariants the schema cannot express
/// (`numRecords` against the inline result, `url` results) — checked separately.
#[test]
fn webhook_message_validator_agrees_with_the_spec_schema() {
    use switchboard::payload::webhook_message::validate_webhook_message;
    let schema = spec::schema("webhook.yaml", "WebhookMessage");
    let base = webhook_message();
    spec::assert_valid(&schema, &base, "the base message");
    let mut variants = vec![base.clone()];
    let keys: Vec<String> = base.as_object().unwrap().keys().cloned().collect();
    for k in keys.iter().filter(|k| *k != "result" && *k != "resultInfo") {
        let mut v = base.clone();
        v.as_object_mut().unwrap().remove(k);
        variants.push(v);
        for wrong in [json!(1), json!(null), json!(true), json!(["a"]), json!({})] {
            let mut v = base.clone();
            v[k.as_str()] = wrong;
            variants.push(v);
        }
    }
    for (path, wrong) in [
        ("/resultInfo/type", json!("file")),
        ("/resultInfo/numRecords", json!("2")),
        ("/resultInfo/downloadUrl", json!(7)),
        ("/result/0/subscribeEventType", json!("created")),
        ("/result/1/fieldsUpdated", json!([1])),
        ("/result/1/fromRecord", json!({"objectName": "x"})),
        ("/result/0/fields", json!("x")),
    ] {
        let mut v = base.clone();
        *v.pointer_mut(path.rsplit_once('/').unwrap().0)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .entry(path.rsplit_once('/').unwrap().1)
            .or_insert(Value::Null) = wrong;
        variants.push(v);
    }
    let mut compared = 0;
    for v in &variants {
        compared += 1;
        let ours = validate_webhook_message(v).is_empty();
        let theirs = is_valid(&schema, v);
        assert_eq!(ours, theirs, "disagree on {v:#}: ours={ours} spec={theirs}");
    }
    assert!(compared > 60, "{compared}");
    // Valid for the schema, refused for what the schema cannot say.
    let mut short = base.clone();
    short["resultInfo"]["numRecords"] = json!(3);
    assert!(is_valid(&schema, &short) && !validate_webhook_message(&short).is_empty());
}
