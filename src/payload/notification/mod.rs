//! Validates a published notification `{notificationType, data}` against the payload schemas
//! of Ampersand's `notifications.yaml`; `examples` supplies a valid example `data` for each
//! type.
//!
//! The validator is hand-written and table-driven (one [`Shape`] row per notification type)
//! rather than built on the `jsonschema` crate. The spec's `allOf` + `oneOf` composition
//! makes a schema validator report a failed `oneOf` at `/data` with a message such as
//! "is valid under more than one of the schemas", while the API must name the precise field
//! (`data.configURL`: "only one of `config` and `configURL` may be given"). Mapping those
//! errors back to fields would be more code than the table below, which reads like the spec.
//! The table is keyed by the wire name (`EventType::as_str`), and a test checks that every
//! `EventType::ALL` has a row. Deliberately stricter than the spec: `lastConfig*` outside
//! `installation.updated`, non-http(s) `configURL`s and unknown top-level fields are rejected.
//! With `tests/support/spec.rs`, an integration test can check that this validator and the
//! spec's own schemas agree on everything else.

use serde_json::{Map, Value};

use crate::model::input::kind_of;
use crate::model::EventType;
use crate::problem::{Issue, IssueLocation};

mod examples;
mod schema;

pub use examples::example_data;
pub use schema::{publish_request_schema, HTTP_URL_PATTERN};

/// A notification that passed [`validate_notification`]: its parts, borrowed from the body.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ValidNotification<'a> {
    #[serde(rename = "notificationType")]
    pub event_type: EventType,
    pub data: &'a Map<String, Value>,
}

/// The issue name used when the body as a whole is wrong (not a JSON object).
pub const WHOLE_BODY: &str = "body";

/// Checks `body` and returns every issue found, not only the first one.
pub fn validate_notification(body: &Value) -> Result<ValidNotification<'_>, Vec<Issue>> {
    let mut issues = Issues::default();
    let Some(body) = body.as_object() else {
        issues.push(
            WHOLE_BODY,
            Some(body.clone()),
            format!(
                "must be a JSON object with `notificationType` and `data`, not {}",
                kind_of(body)
            ),
        );
        return Err(issues.0);
    };

    let event_type = match body.get("notificationType") {
        None => {
            issues.push("notificationType", None, "is required".into());
            None
        }
        Some(Value::String(s)) => {
            let parsed = EventType::parse(s);
            if parsed.is_none() {
                issues.push(
                    "notificationType",
                    Some(Value::String(s.clone())),
                    format!("must be one of: {}", all_type_names()),
                );
            }
            parsed
        }
        Some(other) => {
            issues.push(
                "notificationType",
                Some(other.clone()),
                format!("must be a string, not {}", kind_of(other)),
            );
            None
        }
    };

    let data = match body.get("data") {
        None => {
            issues.push("data", None, "is required".into());
            None
        }
        Some(Value::Object(map)) => Some(map),
        Some(other) => {
            issues.push(
                "data",
                Some(other.clone()),
                format!("must be a JSON object, not {}", kind_of(other)),
            );
            None
        }
    };

    for (key, value) in body {
        if key != "notificationType" && key != "data" {
            issues.push(
                key,
                Some(value.clone()),
                "is not allowed: a notification has only `notificationType` and `data`".into(),
            );
        }
    }

    if let (Some(event_type), Some(data)) = (event_type, data) {
        validate_data(event_type, data, &mut issues);
    }

    match (event_type, data) {
        (Some(event_type), Some(data)) if issues.0.is_empty() => {
            Ok(ValidNotification { event_type, data })
        }
        _ => Err(issues.0),
    }
}

/// What a field's value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    Boolean,
    StringArray,
    Object,
    /// An absolute `http` or `https` URL (the spec's `format: uri` on the signed config URLs).
    HttpUrl,
}

#[derive(Clone, Copy, Debug)]
struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// The `data` schema of one notification type.
struct Shape {
    /// Known properties, in groups (the spec's `allOf` parts). Other properties are allowed.
    fields: &'static [&'static [Field]],
    /// Pairs of which exactly one must be present (the spec's `oneOf: [required: [a], required: [b]]`).
    exactly_one_of: &'static [(&'static str, &'static str)],
}

/// Fields that only some types declare; elsewhere they are rejected although other
/// unknown fields are allowed, because sending them there is a mistake worth reporting.
const RESTRICTED: &[(&str, &str)] = &[
    ("lastConfig", "installation.updated"),
    ("lastConfigURL", "installation.updated"),
];

/// `InstallationFields`.
const INSTALLATION: &[Field] = &[
    req("projectId", Kind::String),
    req("provider", Kind::String),
    req("integrationId", Kind::String),
    req("integrationName", Kind::String),
    req("installationId", Kind::String),
    req("groupRef", Kind::String),
    req("groupName", Kind::String),
    req("connectionId", Kind::String),
    req("consumerRef", Kind::String),
    req("consumerName", Kind::String),
];

const CONFIG: &[Field] = &[opt("config", Kind::Object), opt("configURL", Kind::HttpUrl)];

const LAST_CONFIG: &[Field] = &[
    opt("lastConfig", Kind::Object),
    opt("lastConfigURL", Kind::HttpUrl),
];

const CONFIG_XOR: (&str, &str) = ("config", "configURL");
const LAST_CONFIG_XOR: (&str, &str) = ("lastConfig", "lastConfigURL");

/// `ConnectionData`.
const CONNECTION: &[Field] = &[
    req("projectId", Kind::String),
    req("connectionId", Kind::String),
    req("provider", Kind::String),
    req("groupRef", Kind::String),
    req("consumerRef", Kind::String),
    req("consumerName", Kind::String),
];

const INSTALLATION_WITH_CONFIG: Shape = Shape {
    fields: &[INSTALLATION, CONFIG],
    exactly_one_of: &[CONFIG_XOR],
};

const CONNECTION_ONLY: Shape = Shape {
    fields: &[CONNECTION],
    exactly_one_of: &[],
};

/// One row per notification type, keyed by its wire name.
const SHAPES: &[(&str, Shape)] = &[
    ("installation.created", INSTALLATION_WITH_CONFIG),
    (
        "installation.updated",
        Shape {
            fields: &[INSTALLATION, CONFIG, LAST_CONFIG],
            exactly_one_of: &[CONFIG_XOR, LAST_CONFIG_XOR],
        },
    ),
    ("installation.deleted", INSTALLATION_WITH_CONFIG),
    (
        "read.backfill.done",
        Shape {
            fields: &[INSTALLATION, &[req("objectName", Kind::String)]],
            exactly_one_of: &[],
        },
    ),
    (
        "read.schedule.paused",
        Shape {
            fields: &[INSTALLATION, CONFIG, &[opt("error", Kind::String)]],
            exactly_one_of: &[CONFIG_XOR],
        },
    ),
    (
        "read.triggered.done",
        Shape {
            fields: &[
                INSTALLATION,
                &[
                    req("objectName", Kind::String),
                    opt("fromTimestamp", Kind::String),
                    opt("untilTimestamp", Kind::String),
                ],
            ],
            exactly_one_of: &[],
        },
    ),
    (
        "read.triggered.error",
        Shape {
            fields: &[
                INSTALLATION,
                &[
                    req("objectName", Kind::String),
                    opt("fromTimestamp", Kind::String),
                    opt("untilTimestamp", Kind::String),
                    opt("error", Kind::String),
                ],
            ],
            exactly_one_of: &[],
        },
    ),
    (
        "write.async.done",
        Shape {
            fields: &[
                INSTALLATION,
                &[
                    req("objectName", Kind::String),
                    req("success", Kind::Boolean),
                    opt("successfulRecordIds", Kind::StringArray),
                    opt("errors", Kind::StringArray),
                ],
            ],
            exactly_one_of: &[],
        },
    ),
    (
        "subscribe.create.error",
        Shape {
            fields: &[INSTALLATION, &[opt("error", Kind::String)]],
            exactly_one_of: &[],
        },
    ),
    ("connection.created", CONNECTION_ONLY),
    ("connection.refreshed", CONNECTION_ONLY),
    ("connection.updated", CONNECTION_ONLY),
    ("connection.deleted", CONNECTION_ONLY),
    (
        "connection.error",
        Shape {
            fields: &[
                CONNECTION,
                // `error` is deprecated in favour of `errors` but still sent; both are optional.
                &[
                    opt("errors", Kind::StringArray),
                    opt("error", Kind::StringArray),
                ],
            ],
            exactly_one_of: &[],
        },
    ),
    (
        "destination.webhook.disabled",
        Shape {
            fields: &[&[
                req("projectId", Kind::String),
                req("destinationId", Kind::String),
                req("destinationName", Kind::String),
                // The spec gives no `format` here, so any string is accepted.
                req("url", Kind::String),
            ]],
            exactly_one_of: &[],
        },
    ),
];

fn shape(event_type: EventType) -> &'static Shape {
    SHAPES
        .iter()
        .find(|(name, _)| *name == event_type.as_str())
        .map(|(_, shape)| shape)
        // Unreachable while the `every_event_type_has_a_shape` test passes.
        .unwrap_or_else(|| panic!("no payload shape for {}", event_type.as_str()))
}

fn validate_data(event_type: EventType, data: &Map<String, Value>, issues: &mut Issues) {
    let shape = shape(event_type);
    let known = |name: &str| {
        shape
            .fields
            .iter()
            .flat_map(|g| g.iter())
            .any(|f| f.name == name)
    };

    for field in shape.fields.iter().flat_map(|g| g.iter()) {
        // The path is spelled out only for an issue: every publish passes through here.
        let path = || format!("data.{}", field.name);
        match data.get(field.name) {
            None if field.required => issues.push(&path(), None, "is required".into()),
            None => {}
            Some(value) => {
                if let Err(detail) = check_kind(field.kind, value) {
                    issues.push(&path(), Some(value.clone()), detail);
                }
            }
        }
    }

    for &(a, b) in shape.exactly_one_of {
        match (data.get(a), data.get(b)) {
            (Some(_), Some(vb)) => issues.push(
                &format!("data.{b}"),
                Some(vb.clone()),
                format!("only one of `{a}` and `{b}` may be given"),
            ),
            (None, None) => issues.push(
                &format!("data.{a}"),
                None,
                format!("is required (or give `{b}` instead)"),
            ),
            _ => {}
        }
    }

    for &(name, allowed_on) in RESTRICTED {
        let Some(value) = data.get(name) else {
            continue;
        };
        if !known(name) {
            issues.push(
                &format!("data.{name}"),
                Some(value.clone()),
                format!(
                    "is only allowed on `{allowed_on}` notifications, not on `{}`",
                    event_type.as_str()
                ),
            );
        }
    }
}

fn check_kind(kind: Kind, value: &Value) -> Result<(), String> {
    match kind {
        Kind::String if value.is_string() => Ok(()),
        Kind::String => Err(format!("must be a string, not {}", kind_of(value))),
        Kind::Boolean if value.is_boolean() => Ok(()),
        Kind::Boolean => Err(format!("must be true or false, not {}", kind_of(value))),
        Kind::Object if value.is_object() => Ok(()),
        Kind::Object => Err(format!("must be a JSON object, not {}", kind_of(value))),
        Kind::StringArray => {
            let Some(items) = value.as_array() else {
                return Err(format!(
                    "must be an array of strings, not {}",
                    kind_of(value)
                ));
            };
            match items.iter().position(|item| !item.is_string()) {
                None => Ok(()),
                Some(i) => Err(format!(
                    "must be an array of strings, but item {i} is {}",
                    kind_of(&items[i])
                )),
            }
        }
        Kind::HttpUrl => {
            let Some(s) = value.as_str() else {
                return Err(format!("must be a string, not {}", kind_of(value)));
            };
            match url::Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
                _ => Err(
                    "must be an absolute http(s) URL, such as https://example.com/config.json"
                        .into(),
                ),
            }
        }
    }
}

fn all_type_names() -> String {
    EventType::ALL.map(|t| t.as_str()).join(", ")
}

/// Collected issues, at most one per name, all in the body.
#[derive(Default)]
struct Issues(Vec<Issue>);

impl Issues {
    fn push(&mut self, name: &str, value: Option<Value>, detail: String) {
        if self.0.iter().any(|i| i.name == name) {
            return;
        }
        self.0
            .push(Issue::at(IssueLocation::Body, name, value, detail));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(event_type: &str, data: Value) -> Value {
        json!({ "notificationType": event_type, "data": data })
    }

    fn data_of(event_type: EventType) -> Map<String, Value> {
        example_data(event_type).as_object().unwrap().clone()
    }

    /// Validates `{type, data}` and returns the issues' names (empty when valid).
    fn issue_names(event_type: &str, data: Map<String, Value>) -> Vec<String> {
        match validate_notification(&body(event_type, Value::Object(data))) {
            Ok(_) => vec![],
            Err(issues) => issues.into_iter().map(|i| i.name).collect(),
        }
    }

    fn issues(body: &Value) -> Vec<Issue> {
        validate_notification(body).expect_err("expected issues")
    }

    #[test]
    fn every_event_type_has_a_shape_and_no_shape_is_stray() {
        for t in EventType::ALL {
            let _ = shape(t);
        }
        for (name, _) in SHAPES {
            assert!(EventType::parse(name).is_some(), "stray shape {name}");
        }
        assert_eq!(SHAPES.len(), EventType::ALL.len());
    }

    #[test]
    fn every_example_validates() {
        for t in EventType::ALL {
            let b = body(t.as_str(), example_data(t));
            let valid = validate_notification(&b)
                .unwrap_or_else(|issues| panic!("{}: {issues:#?}", t.as_str()));
            assert_eq!(valid.event_type, t);
            assert_eq!(Value::Object(valid.data.clone()), example_data(t));
        }
    }

    #[test]
    fn seed_examples_validate() {
        // Copied literally from Ampersand's "Notification payloads" page.
        let seeds = [
            r#"{
              "notificationType": "read.backfill.done",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "provider": "salesforce",
                "integrationId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "integrationName": "Salesforce Integration",
                "installationId": "a3bb189e-8bf9-3888-9912-ace4e6543002",
                "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
                "groupRef": "customer-group-ref",
                "groupName": "Customer Name",
                "consumerRef": "user-123",
                "consumerName": "John Doe",
                "objectName": "Account"
              }
            }"#,
            r#"{
              "notificationType": "read.triggered.error",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "provider": "salesforce",
                "integrationId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "integrationName": "Salesforce Integration",
                "installationId": "a3bb189e-8bf9-3888-9912-ace4e6543002",
                "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
                "groupRef": "customer-group-ref",
                "groupName": "Customer Name",
                "consumerRef": "user-123",
                "consumerName": "John Doe",
                "objectName": "Account",
                "fromTimestamp": "2026-01-01T00:00:00Z",
                "untilTimestamp": "2026-01-01T23:59:59Z",
                "error": "Authentication failed"
              }
            }"#,
            r#"{
              "notificationType": "write.async.done",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "provider": "salesforce",
                "integrationId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "integrationName": "Salesforce Integration",
                "installationId": "a3bb189e-8bf9-3888-9912-ace4e6543002",
                "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
                "groupRef": "customer-group-ref",
                "groupName": "Customer Name",
                "consumerRef": "user-123",
                "consumerName": "John Doe",
                "objectName": "Account",
                "success": true,
                "successfulRecordIds": ["provider-record-id-1", "provider-record-id-2"],
                "errors": []
              }
            }"#,
            r#"{
              "notificationType": "connection.created",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
                "provider": "salesforce",
                "groupRef": "customer-group-ref",
                "consumerRef": "user-123",
                "consumerName": "John Doe"
              }
            }"#,
            r#"{
              "notificationType": "connection.error",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
                "provider": "salesforce",
                "groupRef": "customer-group-ref",
                "consumerRef": "user-123",
                "consumerName": "John Doe",
                "errors": ["Authentication failed", "Token refresh error"],
                "error": ["Authentication failed", "Token refresh error"]
              }
            }"#,
            r#"{
              "notificationType": "destination.webhook.disabled",
              "data": {
                "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
                "destinationId": "2e8f4c1a-9b3d-4e7f-8a2c-0d1e2f3a4b5c",
                "destinationName": "production-alerts",
                "url": "https://your-webhook.com"
              }
            }"#,
        ];
        for seed in seeds {
            let b: Value = serde_json::from_str(seed).unwrap();
            if let Err(issues) = validate_notification(&b) {
                panic!("{seed}\n{issues:#?}");
            }
        }
    }

    #[test]
    fn the_seed_installation_example_is_rejected_for_its_last_config() {
        // The docs show one shared example for all installation events; it carries
        // `lastConfig` under `installation.created`, which the spec allows only on `.updated`.
        let mut data = data_of(EventType::InstallationCreated);
        data.insert("lastConfig".into(), json!({ "read": {} }));
        let found = issues(&body("installation.created", Value::Object(data)));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "data.lastConfig");
        assert_eq!(
            found[0].detail,
            "is only allowed on `installation.updated` notifications, not on `installation.created`"
        );
    }

    #[test]
    fn body_must_be_an_object() {
        let found = issues(&json!([1, 2]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, WHOLE_BODY);
        assert_eq!(found[0].location, IssueLocation::Body);
    }

    #[test]
    fn top_level_issues_are_all_reported() {
        let found = issues(&json!({ "data": 5, "extra": true, "other": null }));
        let names: Vec<_> = found.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["notificationType", "data", "extra", "other"]);
        assert_eq!(found[0].detail, "is required");
        assert!(found[0].value.is_none());
        assert_eq!(found[1].detail, "must be a JSON object, not a number");
        assert_eq!(found[1].value, Some(json!(5)));
    }

    #[test]
    fn unknown_notification_type_is_named() {
        let found = issues(&body("installation.exploded", json!({})));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "notificationType");
        assert_eq!(found[0].value, Some(json!("installation.exploded")));
        assert!(found[0]
            .detail
            .starts_with("must be one of: connection.created, "));

        let found = issues(&json!({ "notificationType": 7, "data": {} }));
        assert_eq!(found[0].detail, "must be a string, not a number");
    }

    #[test]
    fn each_missing_required_field_is_its_own_issue() {
        let mut data = data_of(EventType::WriteAsyncDone);
        for f in ["projectId", "consumerName", "objectName", "success"] {
            data.remove(f);
        }
        assert_eq!(
            issue_names("write.async.done", data),
            [
                "data.projectId",
                "data.consumerName",
                "data.objectName",
                "data.success"
            ]
        );

        let found = issues(&body("connection.updated", json!({})));
        assert_eq!(found.len(), 6);
        assert!(found
            .iter()
            .all(|i| i.detail == "is required" && i.value.is_none()));
        assert_eq!(found[0].name, "data.projectId");

        let found = issues(&body("destination.webhook.disabled", json!({})));
        let names: Vec<_> = found.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "data.projectId",
                "data.destinationId",
                "data.destinationName",
                "data.url"
            ]
        );
    }

    #[test]
    fn wrong_types_are_named_with_readable_details() {
        let mut data = data_of(EventType::WriteAsyncDone);
        data.insert("provider".into(), json!(3));
        data.insert("success".into(), json!("yes"));
        data.insert("successfulRecordIds".into(), json!("rec-1"));
        data.insert("errors".into(), json!(["ok", 2]));
        let found = issues(&body("write.async.done", Value::Object(data)));
        let pairs: Vec<_> = found
            .iter()
            .map(|i| (i.name.as_str(), i.detail.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("data.provider", "must be a string, not a number"),
                ("data.success", "must be true or false, not a string"),
                (
                    "data.successfulRecordIds",
                    "must be an array of strings, not a string"
                ),
                (
                    "data.errors",
                    "must be an array of strings, but item 1 is a number"
                ),
            ]
        );
        assert_eq!(found[1].value, Some(json!("yes")));

        let mut data = data_of(EventType::InstallationCreated);
        data.insert("config".into(), json!("{}"));
        assert_eq!(issue_names("installation.created", data), ["data.config"]);

        let mut data = data_of(EventType::ConnectionError);
        data.insert("error".into(), json!("Authentication failed"));
        assert_eq!(issue_names("connection.error", data), ["data.error"]);

        let mut data = data_of(EventType::ConnectionCreated);
        data.insert("consumerName".into(), Value::Null);
        let found = issues(&body("connection.created", Value::Object(data)));
        assert_eq!(found[0].detail, "must be a string, not null");
    }

    #[test]
    fn config_urls_must_be_absolute_http_urls() {
        for (bad, ok) in [
            ("/relative/config.json", false),
            ("ftp://example.com/config.json", false),
            ("not a url", false),
            ("https://example.com/config.json?sig=abc", true),
            ("http://127.0.0.1:8080/c.json", true),
        ] {
            let mut data = data_of(EventType::InstallationDeleted);
            data.remove("config");
            data.insert("configURL".into(), json!(bad));
            let names = issue_names("installation.deleted", data);
            if ok {
                assert!(names.is_empty(), "{bad}: {names:?}");
            } else {
                assert_eq!(names, ["data.configURL"], "{bad}");
            }
        }

        let mut data = data_of(EventType::InstallationUpdated);
        data.remove("lastConfig");
        data.insert("lastConfigURL".into(), json!(42));
        let found = issues(&body("installation.updated", Value::Object(data)));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "data.lastConfigURL");
        assert_eq!(found[0].detail, "must be a string, not a number");
    }

    #[test]
    fn config_and_config_url_are_exclusive() {
        for t in [
            EventType::InstallationCreated,
            EventType::InstallationUpdated,
            EventType::InstallationDeleted,
            EventType::ReadSchedulePaused,
        ] {
            let mut both = data_of(t);
            both.insert("configURL".into(), json!("https://example.com/config.json"));
            let found = issues(&body(t.as_str(), Value::Object(both)));
            assert_eq!(found.len(), 1, "{}", t.as_str());
            assert_eq!(found[0].name, "data.configURL");
            assert_eq!(
                found[0].detail,
                "only one of `config` and `configURL` may be given"
            );

            let mut neither = data_of(t);
            neither.remove("config");
            let found = issues(&body(t.as_str(), Value::Object(neither)));
            assert_eq!(found.len(), 1, "{}", t.as_str());
            assert_eq!(found[0].name, "data.config");
            assert_eq!(found[0].detail, "is required (or give `configURL` instead)");
        }
    }

    #[test]
    fn installation_updated_needs_exactly_one_last_config() {
        let mut neither = data_of(EventType::InstallationUpdated);
        neither.remove("lastConfig");
        assert_eq!(
            issue_names("installation.updated", neither),
            ["data.lastConfig"]
        );

        let mut both = data_of(EventType::InstallationUpdated);
        both.insert(
            "lastConfigURL".into(),
            json!("https://example.com/lastconfig.json"),
        );
        assert_eq!(
            issue_names("installation.updated", both),
            ["data.lastConfigURL"]
        );

        let mut by_url = data_of(EventType::InstallationUpdated);
        by_url.remove("config");
        by_url.remove("lastConfig");
        by_url.insert("configURL".into(), json!("https://example.com/config.json"));
        by_url.insert(
            "lastConfigURL".into(),
            json!("https://example.com/lastconfig.json"),
        );
        assert_eq!(
            issue_names("installation.updated", by_url),
            Vec::<String>::new()
        );
    }

    #[test]
    fn last_config_is_rejected_on_every_other_type() {
        for t in EventType::ALL {
            if t == EventType::InstallationUpdated {
                continue;
            }
            for field in ["lastConfig", "lastConfigURL"] {
                let mut data = data_of(t);
                data.insert(field.into(), json!("https://example.com/lastconfig.json"));
                assert_eq!(
                    issue_names(t.as_str(), data),
                    [format!("data.{field}")],
                    "{}",
                    t.as_str()
                );
            }
        }
    }

    #[test]
    fn unknown_data_fields_are_allowed() {
        for t in EventType::ALL {
            let mut data = data_of(t);
            data.insert("somethingNew".into(), json!({ "any": ["thing"] }));
            assert_eq!(issue_names(t.as_str(), data), Vec::<String>::new());
        }
    }

    #[test]
    fn one_issue_per_field_and_all_fields_reported() {
        // `configURL` is both of the wrong kind and exclusive with `config`: one issue.
        let mut data = data_of(EventType::InstallationCreated);
        data.insert("configURL".into(), json!(1));
        data.remove("groupName");
        let found = issues(&json!({
            "notificationType": "installation.created",
            "data": data,
            "id": "x"
        }));
        let pairs: Vec<_> = found
            .iter()
            .map(|i| (i.name.as_str(), i.detail.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "id",
                    "is not allowed: a notification has only `notificationType` and `data`"
                ),
                ("data.groupName", "is required"),
                ("data.configURL", "must be a string, not a number"),
            ]
        );
    }

    #[test]
    fn issues_serialise_like_the_problem_schema() {
        let found = issues(&body("connection.deleted", json!({ "projectId": 1 })));
        let v = serde_json::to_value(&found[0]).unwrap();
        assert_eq!(v["in"], "body");
        assert_eq!(v["name"], "data.projectId");
        assert_eq!(v["value"], 1);
        assert_eq!(v["detail"], "must be a string, not a number");
    }
}
