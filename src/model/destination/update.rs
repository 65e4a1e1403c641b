//! Applying a `PATCH .../destinations/{d}` body: field-mask semantics over the current
//! state, then the same checks as at creation.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::create::*;
use super::*;
use crate::error::ApiError;
use crate::model::delivery::{read_delivery, DeliveryPolicy, DELIVERY_FIELDS};
use crate::model::input::{kind_of, Fields, Issues};
use crate::model::names::{check_name, DESTINATION_NAME_MAX};

/// The fields of a `PATCH .../destinations/{destination}` body (`UpdateDestinationRequest`).
pub const UPDATE_FIELDS: &[&str] = &["updateMask", "destination"];

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
