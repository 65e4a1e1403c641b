//! Reading a `POST .../destinations` body, and the field readers an update reuses.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::checks::*;
use super::*;
use crate::error::ApiError;
use crate::model::delivery::read_delivery;
use crate::model::input::{kind_of, Fields, Issues};
use crate::model::names::{check_name, DESTINATION_NAME_MAX};
use crate::model::requests::{CreateDestinationRequest, DestinationSecretsInput};

/// Destination types in Ampersand's API that this node does not deliver to.
const FOREIGN_TYPES: &[&str] = &[
    "s3",
    "slack",
    "clickhouse",
    "snowflake",
    "bigquery",
    "redshift",
    "sqs",
    "pubsub",
    "rabbitmq",
    "azureservicebus",
];

/// The fields of a `POST .../destinations` body (`CreateDestinationRequest`).
pub const CREATE_FIELDS: &[&str] = &["name", "type", "metadata", "secrets", "delivery"];

/// Reads and validates a `POST .../destinations` body into its request type.
pub fn parse_create(body: &Map<String, Value>) -> Result<CreateDestinationRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(CREATE_FIELDS, &mut issues, "a destination");
    let name = fields.string("name", true, &mut issues);
    if let Some(name) = &name {
        if let Some(why) = check_name(name, DESTINATION_NAME_MAX) {
            issues.add("name", Some(&Value::String(name.clone())), why);
        }
    }
    let kind = parse_type(&fields, &mut issues);
    let metadata_fields = fields.object("metadata", true, &mut issues);
    let secret_fields = fields.object("secrets", false, &mut issues);
    let (Some(kind), Some(name)) = (kind, name) else {
        return Err(ApiError::Invalid { issues: issues.0 });
    };
    let metadata = match &metadata_fields {
        Some(m) => read_metadata(kind, m, &mut issues),
        None => DestinationMetadata::default(),
    };
    let secrets = match &secret_fields {
        Some(s) => read_secrets(kind, s, &mut issues),
        None => BTreeMap::new(),
    };
    check_required_secrets(kind, &secrets, "secrets", &mut issues);
    let delivery = read_delivery(fields.raw("delivery"), "delivery", &mut issues);
    let secrets = (!secrets.is_empty()).then(|| DestinationSecretsInput {
        aws_key_id: secrets.get(AWS_KEY_ID).cloned(),
        aws_secret_key: secrets.get(AWS_SECRET_KEY).cloned(),
        aws_session_token: secrets.get(AWS_SESSION_TOKEN).cloned(),
    });
    issues.finish(CreateDestinationRequest {
        name,
        kind,
        metadata,
        secrets,
        delivery,
    })
}

fn parse_type(fields: &Fields, issues: &mut Issues) -> Option<DestinationType> {
    let raw = fields.string("type", true, issues)?;
    let kind = DestinationType::parse(&raw);
    if kind.is_none() {
        let supported = "supported types are webhook, kinesis and log";
        let detail = if FOREIGN_TYPES.contains(&raw.as_str()) {
            format!("'{raw}' destinations are not supported by Switchboard; {supported}")
        } else {
            format!("'{raw}' is not a destination type; {supported}")
        };
        issues.add("type", Some(&Value::String(raw)), detail);
    }
    kind
}

/// Reads the `metadata` object of a destination of type `kind`, checking each field.
pub fn read_metadata(
    kind: DestinationType,
    m: &Fields,
    issues: &mut Issues,
) -> DestinationMetadata {
    m.reject_unknown(
        kind.metadata_fields(),
        issues,
        &format!("{} destination metadata", kind.as_str()),
    );
    let mut meta = DestinationMetadata::default();
    match kind {
        DestinationType::Webhook => {
            meta.url = m.string("url", true, issues);
            if let Some(url) = &meta.url {
                if let Some(why) = check_endpoint_url(url, true) {
                    issues.add(m.path("url"), Some(&Value::String(url.clone())), why);
                }
            }
            meta.headers = read_headers(m, issues);
        }
        DestinationType::Kinesis => {
            meta.stream_name = m.string("streamName", true, issues);
            if let Some(s) = &meta.stream_name {
                if let Some(why) = check_stream_name(s) {
                    issues.add(m.path("streamName"), Some(&Value::String(s.clone())), why);
                }
            }
            meta.region = m.string("region", true, issues);
            if let Some(r) = &meta.region {
                if let Some(why) = check_region(r) {
                    issues.add(m.path("region"), Some(&Value::String(r.clone())), why);
                }
            }
            meta.endpoint_url = m.string("endpointUrl", false, issues);
            if let Some(u) = &meta.endpoint_url {
                if let Some(why) = check_endpoint_url(u, false) {
                    issues.add(m.path("endpointUrl"), Some(&Value::String(u.clone())), why);
                }
            }
            meta.partition_key_template = m.string("partitionKeyTemplate", false, issues);
            if let Some(t) = &meta.partition_key_template {
                if let Some(why) = check_jmespath(t) {
                    issues.add(
                        m.path("partitionKeyTemplate"),
                        Some(&Value::String(t.clone())),
                        why,
                    );
                }
            }
        }
        DestinationType::Log => {
            meta.path = m.string("path", false, issues);
            if let Some(p) = &meta.path {
                if p.trim().is_empty() || p.contains('\0') {
                    issues.add(
                        m.path("path"),
                        Some(&Value::String(p.clone())),
                        "must be a file path",
                    );
                }
            }
        }
    }
    meta
}

/// Reads the `secrets` object of a destination of type `kind`.
pub fn read_secrets(
    kind: DestinationType,
    s: &Fields,
    issues: &mut Issues,
) -> BTreeMap<String, String> {
    let allowed = kind.secret_fields();
    s.reject_unknown(
        allowed,
        issues,
        &format!("{} destination secrets", kind.as_str()),
    );
    let mut out = BTreeMap::new();
    for name in allowed {
        if let Some(v) = s.string(name, false, issues) {
            if v.is_empty() {
                issues.add(s.path(name), None, "must not be empty");
            } else {
                out.insert(name.to_string(), v);
            }
        }
    }
    out
}

/// Kinesis destinations cannot sign requests without both AWS keys.
pub fn check_required_secrets(
    kind: DestinationType,
    present: &BTreeMap<String, String>,
    prefix: &str,
    issues: &mut Issues,
) {
    if kind == DestinationType::Kinesis {
        for name in [AWS_KEY_ID, AWS_SECRET_KEY] {
            if !present.contains_key(name) {
                issues.add(
                    format!("{prefix}.{name}"),
                    None,
                    "is required for kinesis destinations",
                );
            }
        }
    }
}

/// Headers we set ourselves; a destination may not override them.
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "transfer-encoding",
];

fn read_headers(m: &Fields, issues: &mut Issues) -> Option<BTreeMap<String, String>> {
    let headers = m.object("headers", false, issues)?;
    let mut out = BTreeMap::new();
    for (name, value) in headers.entries() {
        let path = headers.path(name);
        let Value::String(v) = value else {
            issues.add(
                path,
                Some(value),
                format!("header values must be strings, not {}", kind_of(value)),
            );
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            issues.add(path, Some(value), "is not a valid HTTP header name");
        } else if RESERVED_HEADERS.contains(&lower.as_str())
            || lower.starts_with("svix-")
            || lower.starts_with("webhook-")
        {
            issues.add(
                path,
                Some(value),
                "is set by Switchboard and cannot be overridden",
            );
        } else if axum::http::HeaderValue::from_str(v).is_err() {
            issues.add(path, Some(value), "is not a valid HTTP header value");
        } else {
            out.insert(name.clone(), v.clone());
        }
    }
    Some(out)
}
