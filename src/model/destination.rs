//! Destinations (webhook, Kinesis, log): their API shape and the rules their fields follow.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::delivery::{read_delivery, DeliveryPolicy, DELIVERY_FIELDS};
use super::input::{kind_of, Fields, Issues};
use super::names::{check_name, DESTINATION_NAME_MAX};
use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationType {
    Webhook,
    Kinesis,
    Log,
}

impl DestinationType {
    pub const ALL: [DestinationType; 3] = [Self::Webhook, Self::Kinesis, Self::Log];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Kinesis => "kinesis",
            Self::Log => "log",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The `metadata` fields a destination of this type takes.
    /// The `metadata` fields a destination of this type takes.
    pub fn metadata_fields(&self) -> &'static [&'static str] {
        match self {
            Self::Webhook => &["url", "headers"],
            Self::Kinesis => &[
                "streamName",
                "region",
                "endpointUrl",
                "partitionKeyTemplate",
            ],
            Self::Log => &["path"],
        }
    }

    /// The `secrets` fields a destination of this type takes.
    /// The `secrets` a destination of this type takes.
    pub fn secret_fields(&self) -> &'static [&'static str] {
        match self {
            Self::Webhook => &[],
            Self::Kinesis => &[AWS_KEY_ID, AWS_SECRET_KEY, AWS_SESSION_TOKEN],
            Self::Log => &[],
        }
    }
}

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

pub const AWS_KEY_ID: &str = "awsKeyId";
pub const AWS_SECRET_KEY: &str = "awsSecretKey";
pub const AWS_SESSION_TOKEN: &str = "awsSessionToken";
/// Name of the webhook signing secret, as `DestinationWithSecrets.secrets` spells it.
pub const WEBHOOK_SIGNING_KEY: &str = "webhookSigningKey";
pub const WEBHOOK_SIGNING_KEY_PREVIOUS: &str = "previousWebhookSigningKey";

/// The flat `metadata` object of Ampersand's `Destination`; which fields are set depends on the type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key_template: Option<String>,
    /// Log destinations: the `.jsonl` file messages are appended to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Whether a destination takes deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationStatus {
    Active,
    Paused,
    Disabled,
}

impl DestinationStatus {
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Paused, Self::Disabled]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
        }
    }
}

/// A destination as the API returns it (Ampersand's `Destination` / `DestinationWithSecrets`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    pub metadata: DestinationMetadata,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub status: DestinationStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disabled_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disabled_time: Option<DateTime<Utc>>,
    /// Delivery overrides of this destination (retry schedule, concurrency, timeout).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery: Option<DeliveryPolicy>,
    /// Only with `?includeSecrets=true`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secrets: Option<DestinationSecrets>,
}

/// Secrets shown with `?includeSecrets=true`. AWS secret keys are write-only and never shown.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationSecrets {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub webhook_signing_key: Option<String>,
    /// The key that was rotated out; still signs until `previousWebhookSigningKeyExpireTime`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_webhook_signing_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_webhook_signing_key_expire_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aws_key_id: Option<String>,
}

/// The fields of a `POST .../destinations` body (`CreateDestinationRequest`).
pub const CREATE_FIELDS: &[&str] = &["name", "type", "metadata", "secrets", "delivery"];
/// The fields of a `PATCH .../destinations/{destination}` body (`UpdateDestinationRequest`).
pub const UPDATE_FIELDS: &[&str] = &["updateMask", "destination"];

/// A validated create request.
#[derive(Debug)]
pub struct NewDestination {
    pub name: String,
    pub kind: DestinationType,
    pub metadata: DestinationMetadata,
    /// Secret name → value (AWS credentials); the webhook signing key is generated, not given.
    pub secrets: BTreeMap<String, String>,
    pub delivery: Option<DeliveryPolicy>,
}

/// Reads and validates a `POST .../destinations` body.
pub fn parse_create(body: &Map<String, Value>) -> Result<NewDestination, ApiError> {
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
    issues.finish(NewDestination {
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

/// Webhooks must use https; plain http is only for a receiver on this machine.
pub fn check_endpoint_url(raw: &str, webhook: bool) -> Option<String> {
    let url = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return Some(format!("is not a valid URL ({e})")),
    };
    let host = match url.host() {
        Some(h) => h,
        None => return Some("must name a host".into()),
    };
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(&host) => None,
        "http" => Some(if webhook {
            "must start with https:// (plain http is allowed only for localhost, 127.0.0.0/8 and ::1)".into()
        } else {
            "must use https (plain http is allowed only for localhost, 127.0.0.0/8 and ::1)".into()
        }),
        other => Some(format!("must be an https URL, not {other}")),
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

fn check_stream_name(s: &str) -> Option<String> {
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if s.is_empty() || s.len() > 128 || !ok_chars {
        Some("must be 1 to 128 characters of letters, digits, '_', '.' and '-'".into())
    } else {
        None
    }
}

fn check_region(r: &str) -> Option<String> {
    let ok_chars = r
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok_chars || !r.contains('-') || !r.ends_with(|c: char| c.is_ascii_digit()) {
        Some("must be an AWS region such as us-east-1".into())
    } else {
        None
    }
}

fn check_jmespath(t: &str) -> Option<String> {
    if t.trim().is_empty() {
        return Some("must not be empty".into());
    }
    jmespath::compile(t)
        .err()
        .map(|e| format!("is not a valid JMESPath expression: {e}"))
}

/// Mask paths of `PATCH .../destinations/{d}` that exist in Ampersand's API but belong to
/// destination types this node does not support.
const FOREIGN_MASK_PATHS: &[&str] = &[
    "metadata.bucket",
    "metadata.keyTemplate",
    "metadata.storageClass",
    "metadata.username",
    "metadata.tableName",
    "metadata.database",
    "metadata.accountIdentifier",
    "metadata.userId",
    "metadata.dbName",
    "metadata.schemaName",
    "metadata.projectId",
    "metadata.datasetId",
    "metadata.tableId",
    "metadata.workgroupName",
    "metadata.clusterIdentifier",
    "metadata.dbUser",
    "metadata.account",
    "metadata.container",
    "metadata.queueUrl",
    "metadata.topicId",
    "metadata.serverUrl",
    "metadata.exchange",
    "metadata.tls",
    "metadata.name",
    "metadata.batchSize",
    "metadata.maxWaitSecs",
    "secrets.password",
    "secrets.privateKey",
    "secrets.credentials",
    "secrets.accessKeyId",
    "secrets.secretAccessKey",
    "secrets.accessKey",
    "secrets.username",
    "secrets.connectionString",
];

/// A validated `PATCH` request, applied to the destination's current state.
#[derive(Debug)]
pub struct DestinationUpdate {
    pub name: String,
    pub metadata: DestinationMetadata,
    /// Secrets to set (name → value); secrets not named keep their value.
    pub set_secrets: BTreeMap<String, String>,
    /// Secrets to remove.
    pub clear_secrets: Vec<String>,
    pub delivery: Option<DeliveryPolicy>,
}

/// Applies `{updateMask, destination}` to `current` (its name and metadata) following
/// field-mask semantics: a masked path takes the body's value, or is cleared when the body
/// omits it. The result is validated as a whole, as at creation.
pub fn parse_update(
    body: &Map<String, Value>,
    kind: DestinationType,
    current_name: &str,
    current_metadata: &DestinationMetadata,
    current_secret_names: &[String],
    current_delivery: Option<&DeliveryPolicy>,
) -> Result<DestinationUpdate, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(UPDATE_FIELDS, &mut issues, "a destination update");
    let mask = read_mask(&fields, &mut issues);
    let patch = fields.object("destination", true, &mut issues);
    let (Some(mask), Some(patch)) = (mask, patch) else {
        return Err(ApiError::Invalid { issues: issues.0 });
    };
    let mut secret_fields_allowed: Vec<String> = kind
        .secret_fields()
        .iter()
        .map(|s| format!("secrets.{s}"))
        .collect();
    secret_fields_allowed.sort();

    // Work on the JSON form of the current state so mask paths apply uniformly.
    let mut name = Value::String(current_name.to_string());
    let mut metadata = match serde_json::to_value(current_metadata) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut delivery = match current_delivery.map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    let mut set_secrets = BTreeMap::new();
    let mut clear_secrets = Vec::new();
    for (i, path) in mask.iter().enumerate() {
        let mask_name = format!("updateMask[{i}]");
        let value = lookup(patch_object(&patch), path);
        if path == "name" {
            match value {
                Some(v) => name = v.clone(),
                None => issues.add(
                    "destination.name",
                    None,
                    "is required because updateMask names it",
                ),
            }
        } else if let Some(field) = path.strip_prefix("metadata.") {
            if !kind.metadata_fields().contains(&field) {
                issues.add(
                    &mask_name,
                    Some(&Value::String(path.clone())),
                    not_applicable(path, kind),
                );
                continue;
            }
            match value {
                Some(v) => {
                    metadata.insert(field.to_string(), v.clone());
                }
                None => {
                    metadata.remove(field);
                }
            }
        } else if path == "delivery" {
            delivery = match value {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
        } else if let Some(field) = path.strip_prefix("delivery.") {
            if !DELIVERY_FIELDS.contains(&field) {
                issues.add(
                    &mask_name,
                    Some(&Value::String(path.clone())),
                    unknown_mask(path),
                );
                continue;
            }
            match value {
                Some(v) => {
                    delivery.insert(field.to_string(), v.clone());
                }
                None => {
                    delivery.remove(field);
                }
            }
        } else if let Some(field) = path.strip_prefix("secrets.") {
            if !kind.secret_fields().contains(&field) {
                issues.add(
                    &mask_name,
                    Some(&Value::String(path.clone())),
                    not_applicable(path, kind),
                );
                continue;
            }
            match value {
                Some(Value::String(s)) if !s.is_empty() => {
                    set_secrets.insert(field.to_string(), s.clone());
                }
                Some(Value::String(_)) => {
                    issues.add(format!("destination.{path}"), None, "must not be empty")
                }
                Some(other) => issues.add(
                    format!("destination.{path}"),
                    Some(&other),
                    format!("must be a string, not {}", kind_of(&other)),
                ),
                None => clear_secrets.push(field.to_string()),
            }
        } else {
            issues.add(
                &mask_name,
                Some(&Value::String(path.clone())),
                unknown_mask(path),
            );
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::Invalid { issues: issues.0 });
    }

    // Validate the result as a whole, naming fields as they appear in the request.
    let mut whole = Map::new();
    whole.insert("name".into(), name);
    whole.insert("metadata".into(), Value::Object(metadata));
    let whole_fields = Fields::new(&whole);
    let new_name = whole_fields.string("name", true, &mut issues);
    if let Some(n) = &new_name {
        if let Some(why) = check_name(n, DESTINATION_NAME_MAX) {
            issues.add("name", Some(&Value::String(n.clone())), why);
        }
    }
    let new_metadata = match whole_fields.object("metadata", true, &mut issues) {
        Some(m) => read_metadata(kind, &m, &mut issues),
        None => DestinationMetadata::default(),
    };
    let mut remaining: BTreeMap<String, String> = current_secret_names
        .iter()
        .filter(|n| !clear_secrets.contains(n))
        .map(|n| (n.clone(), String::new()))
        .collect();
    remaining.extend(set_secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
    check_required_secrets(kind, &remaining, "secrets", &mut issues);
    let delivery_value = Value::Object(delivery);
    let delivery = if delivery_value.as_object().is_some_and(|m| m.is_empty()) {
        None
    } else {
        read_delivery(Some(&delivery_value), "delivery", &mut issues)
    };
    for issue in &mut issues.0 {
        issue.name = format!("destination.{}", issue.name);
    }
    issues.finish(DestinationUpdate {
        name: new_name.unwrap_or_default(),
        metadata: new_metadata,
        set_secrets,
        clear_secrets,
        delivery,
    })
}

fn patch_object(patch: &Fields<'_>) -> Map<String, Value> {
    patch
        .entries()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn lookup(obj: Map<String, Value>, path: &str) -> Option<Value> {
    let mut current = Value::Object(obj);
    for part in path.split('.') {
        current = current.get(part)?.clone();
    }
    (!current.is_null()).then_some(current)
}

fn read_mask(fields: &Fields, issues: &mut Issues) -> Option<Vec<String>> {
    let raw = match fields.raw("updateMask") {
        None => {
            issues.add("updateMask", None, "is required");
            return None;
        }
        Some(v) => v,
    };
    let Value::Array(items) = raw else {
        issues.add(
            "updateMask",
            Some(raw),
            format!("must be an array of field paths, not {}", kind_of(raw)),
        );
        return None;
    };
    if items.is_empty() {
        issues.add(
            "updateMask",
            Some(raw),
            "must name at least one field to update",
        );
        return None;
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => issues.add(format!("updateMask[{i}]"), Some(other), "must be a string"),
        }
    }
    Some(out)
}

fn not_applicable(path: &str, kind: DestinationType) -> String {
    format!("'{path}' does not apply to {} destinations", kind.as_str())
}

fn unknown_mask(path: &str) -> String {
    if FOREIGN_MASK_PATHS.contains(&path) {
        format!("'{path}' belongs to a destination type Switchboard does not support")
    } else {
        format!("'{path}' is not an updatable field")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(v: Value) -> Result<NewDestination, Vec<String>> {
        parse_create(v.as_object().unwrap()).map_err(|e| match e {
            ApiError::Invalid { issues } => issues.into_iter().map(|i| i.name).collect(),
            other => panic!("unexpected {other:?}"),
        })
    }

    #[test]
    fn webhook_urls_must_be_https_or_loopback_http() {
        for ok in [
            "https://example.com/h",
            "http://localhost:8080/x",
            "http://127.0.0.9/",
            "http://[::1]:1/",
        ] {
            assert!(
                create(json!({"name":"a","type":"webhook","metadata":{"url":ok}})).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://example.com/",
            "ftp://localhost/",
            "not a url",
            "http://10.0.0.1/",
        ] {
            assert_eq!(
                create(json!({"name":"a","type":"webhook","metadata":{"url":bad}})).unwrap_err(),
                vec!["metadata.url"],
                "{bad}"
            );
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let errs = create(json!({
            "name": "bad name", "type": "webhook",
            "metadata": {"url": 5, "headers": {"X-Ok": "1", "svix-id": "x", "X-Num": 3}, "region": "x"},
            "extra": true
        }))
        .unwrap_err();
        assert_eq!(
            errs,
            vec![
                "extra",
                "name",
                "metadata.region",
                "metadata.url",
                "metadata.headers.X-Num",
                "metadata.headers.svix-id"
            ]
        );
    }

    #[test]
    fn unknown_and_foreign_types_are_rejected_by_name() {
        assert_eq!(
            create(json!({"name":"a","type":"s3","metadata":{}})).unwrap_err(),
            vec!["type"]
        );
        assert_eq!(
            create(json!({"name":"a","type":"pigeon","metadata":{}})).unwrap_err(),
            vec!["type"]
        );
    }

    #[test]
    fn kinesis_needs_stream_region_keys_and_a_valid_template() {
        let errs = create(
            json!({"name":"k","type":"kinesis","metadata":{"partitionKeyTemplate":"data.["}}),
        )
        .unwrap_err();
        assert_eq!(
            errs,
            vec![
                "metadata.streamName",
                "metadata.region",
                "metadata.partitionKeyTemplate",
                "secrets.awsKeyId",
                "secrets.awsSecretKey"
            ]
        );
        let ok = create(json!({"name":"k","type":"kinesis",
            "metadata":{"streamName":"s","region":"us-east-1","partitionKeyTemplate":"data.installationId"},
            "secrets":{"awsKeyId":"AKIA","awsSecretKey":"shh"}}))
        .unwrap();
        assert_eq!(ok.secrets.len(), 2);
    }

    #[test]
    fn update_mask_applies_and_validates_the_whole() {
        let current = DestinationMetadata {
            url: Some("https://a.example/".into()),
            ..Default::default()
        };
        let body = json!({"updateMask":["metadata.url"],"destination":{"metadata":{"url":"https://b.example/"}}});
        let upd = parse_update(
            body.as_object().unwrap(),
            DestinationType::Webhook,
            "w",
            &current,
            &[],
            None,
        )
        .unwrap();
        assert_eq!(upd.metadata.url.as_deref(), Some("https://b.example/"));
        assert_eq!(upd.name, "w");

        let body = json!({"updateMask":["metadata.url"],"destination":{}});
        let err = parse_update(
            body.as_object().unwrap(),
            DestinationType::Webhook,
            "w",
            &current,
            &[],
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ApiError::Invalid { issues } if issues[0].name == "destination.metadata.url")
        );

        for mask in ["metadata.bucket", "metadata.nope", "metadata.streamName"] {
            let body = json!({"updateMask":[mask],"destination":{}});
            let err = parse_update(
                body.as_object().unwrap(),
                DestinationType::Webhook,
                "w",
                &current,
                &[],
                None,
            )
            .unwrap_err();
            assert!(
                matches!(err, ApiError::Invalid { issues } if issues[0].name == "updateMask[0]"),
                "{mask}"
            );
        }
    }
}
