//! `amp.yaml`: checked as Ampersand checks a deploy, each issue with the YAML path, line
//! and column of the node it is about (parsed by `marked-yaml`, which keeps positions).
//! What needs the project (that a destination exists) is the caller's; everything else is
//! here, as a pure function of the text. Unknown keys and very large backfills are warnings.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{parse_yaml, LoadError, Node, Span};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::schedule::check_schedule;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One thing wrong with a manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManifestIssue {
    pub severity: Severity,
    /// Dotted YAML path: `integrations[0].read.objects[1].schedule`.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    /// A short name of the rule broken (`schedule`, `duplicate-object`, …).
    pub rule: String,
    pub message: String,
}

const TOP_KEYS: &[&str] = &["specVersion", "integrations"];
const INTEGRATION_KEYS: &[&str] = &[
    "name",
    "provider",
    "displayName",
    "module",
    "read",
    "write",
    "proxy",
    "subscribe",
    "watchSchema",
];
const ACTIONS: &[&str] = &["read", "write", "proxy", "subscribe"];
const OBJECT_KEYS: &[&str] = &[
    "objectName",
    "destination",
    "schedule",
    "mapToName",
    "mapToDisplayName",
    "requiredFields",
    "optionalFields",
    "optionalFieldsAuto",
    "backfill",
    "delivery",
    "enabled",
];
const FIELD_KEYS: &[&str] = &[
    "fieldName",
    "mapToName",
    "mapToDisplayName",
    "default",
    "prompt",
];
/// Backfills longer than this many days are allowed, with a warning.
const LARGE_BACKFILL_DAYS: i64 = 180;

/// Collects issues with their positions.
struct Issues(Vec<ManifestIssue>);

impl Issues {
    fn add(&mut self, severity: Severity, path: &str, span: &Span, rule: &str, message: String) {
        let (line, column) = span.start().map_or((1, 1), |m| (m.line(), m.column()));
        self.0.push(ManifestIssue {
            severity,
            path: path.to_string(),
            line,
            column,
            rule: rule.to_string(),
            message,
        });
    }

    fn error(&mut self, path: &str, span: &Span, rule: &str, message: impl Into<String>) {
        self.add(Severity::Error, path, span, rule, message.into());
    }

    fn warning(&mut self, path: &str, span: &Span, rule: &str, message: impl Into<String>) {
        self.add(Severity::Warning, path, span, rule, message.into());
    }
}

fn scalar<'a>(map: &'a MarkedMappingNode, key: &str) -> Option<&'a MarkedScalarNode> {
    map.get_scalar(key)
}

/// Warns of each key not in `known`, at the key.
fn unknown_keys(map: &MarkedMappingNode, known: &[&str], path: &str, issues: &mut Issues) {
    for (key, _) in map.iter() {
        if !known.contains(&key.as_str()) {
            issues.warning(
                &join(path, key.as_str()),
                key.span(),
                "unknown-key",
                format!("unknown key '{}' is ignored", key.as_str()),
            );
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A required string field: present, a non-empty scalar.
fn required_string<'a>(
    map: &'a MarkedMappingNode,
    key: &str,
    path: &str,
    issues: &mut Issues,
) -> Option<&'a MarkedScalarNode> {
    match map.get_node(key) {
        None => {
            issues.error(
                &join(path, key),
                map.span(),
                "required",
                format!("'{key}' is required"),
            );
            None
        }
        Some(Node::Scalar(s)) if !s.as_str().trim().is_empty() => Some(s),
        Some(other) => {
            issues.error(
                &join(path, key),
                other.span(),
                "type",
                format!("'{key}' must be a non-empty string"),
            );
            None
        }
    }
}

/// A read object's `destination`, where it is written (checking that it exists needs
/// the project, so the caller does it).
#[derive(Clone, Debug, PartialEq)]
pub struct DestinationRef {
    pub name: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// A manifest as a deploy sees it: every issue, and each integration as JSON (the
/// revision's `content`) with the destinations its read objects name.
#[derive(Debug, Default)]
pub struct ParsedManifest {
    pub issues: Vec<ManifestIssue>,
    pub spec_version: String,
    pub integrations: Vec<Value>,
    pub destinations: Vec<DestinationRef>,
}

impl ParsedManifest {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

impl ParsedManifest {
    /// An error for each read object whose destination is not among `known` (the
    /// project's destination names).
    pub fn missing_destinations(
        &self,
        known: &std::collections::HashSet<String>,
        project: &str,
    ) -> Vec<ManifestIssue> {
        self.destinations
            .iter()
            .filter(|d| !known.contains(&d.name))
            .map(|d| ManifestIssue {
                severity: Severity::Error,
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                rule: "destination".into(),
                message: format!(
                    "destination '{}' does not exist in project '{project}'",
                    d.name
                ),
            })
            .collect()
    }
}

/// What checking a manifest found: errors block a deploy, warnings do not.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ManifestCheck {
    pub issues: Vec<ManifestIssue>,
}

/// Checks `text` and, as far as it parses, converts it.
pub fn parse_manifest(text: &str) -> ParsedManifest {
    let issues = validate_manifest(text);
    let Ok(root) = parse_yaml(0, text) else {
        return ParsedManifest {
            issues,
            ..Default::default()
        };
    };
    let top = root.as_mapping();
    let spec_version = top
        .and_then(|t| t.get_scalar("specVersion"))
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let list = top.and_then(|t| t.get_sequence("integrations"));
    let mut integrations = Vec::new();
    let mut destinations = Vec::new();
    for (i, node) in list.iter().flat_map(|l| l.iter()).enumerate() {
        integrations.push(to_json(node));
        let objects = node
            .as_mapping()
            .and_then(|m| m.get_mapping("read"))
            .and_then(|r| r.get_sequence("objects"));
        for (j, object) in objects.iter().flat_map(|o| o.iter()).enumerate() {
            if let Some(d) = object
                .as_mapping()
                .and_then(|o| o.get_scalar("destination"))
            {
                let (line, column) = d.span().start().map_or((1, 1), |m| (m.line(), m.column()));
                destinations.push(DestinationRef {
                    name: d.as_str().to_string(),
                    path: format!("integrations[{i}].read.objects[{j}].destination"),
                    line,
                    column,
                });
            }
        }
    }
    ParsedManifest {
        issues,
        spec_version,
        integrations,
        destinations,
    }
}

/// YAML to JSON, with plain scalars typed as YAML 1.2's core schema types them (quoted
/// ones stay strings).
fn to_json(node: &Node) -> Value {
    match node {
        Node::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().to_string(), to_json(v)))
                .collect(),
        ),
        Node::Sequence(list) => Value::Array(list.iter().map(to_json).collect()),
        Node::Scalar(s) => {
            let text = s.as_str();
            if !s.may_coerce() {
                return Value::String(text.to_string());
            }
            match text {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                "null" | "Null" | "NULL" | "~" => Value::Null,
                _ => {
                    if let Ok(n) = text.parse::<i64>() {
                        Value::from(n)
                    } else if let Some(f) = text
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && text.contains('.'))
                    {
                        Value::from(f)
                    } else {
                        Value::String(text.to_string())
                    }
                }
            }
        }
    }
}

/// Every issue of the manifest `text`; errors block a deploy, warnings do not.
pub fn validate_manifest(text: &str) -> Vec<ManifestIssue> {
    let mut issues = Issues(Vec::new());
    let root = match parse_yaml(0, text) {
        Ok(root) => root,
        Err(e) => {
            let (marker, message) = match &e {
                LoadError::TopLevelMustBeMapping(m) => {
                    (Some(m), "the manifest must be a YAML mapping".to_string())
                }
                LoadError::ScanError(m, err) => (Some(m), format!("not valid YAML: {err}")),
                other => (None, format!("not valid YAML: {other}")),
            };
            let (line, column) = marker.map_or((1, 1), |m| (m.line(), m.column()));
            return vec![ManifestIssue {
                severity: Severity::Error,
                path: String::new(),
                line,
                column,
                rule: "yaml".into(),
                message,
            }];
        }
    };
    let Some(top) = root.as_mapping() else {
        issues.error(
            "",
            root.span(),
            "yaml",
            "the manifest must be a YAML mapping",
        );
        return issues.0;
    };
    unknown_keys(top, TOP_KEYS, "", &mut issues);
    match scalar(top, "specVersion") {
        None => issues.error(
            "specVersion",
            top.span(),
            "spec-version",
            "'specVersion' is required",
        ),
        Some(v) if v.as_str() != "1.0.0" => issues.error(
            "specVersion",
            v.span(),
            "spec-version",
            format!("specVersion '{}' is not supported; use 1.0.0", v.as_str()),
        ),
        Some(_) => {}
    }
    match top.get_node("integrations") {
        Some(Node::Sequence(list)) if !list.is_empty() => {
            for (i, node) in list.iter().enumerate() {
                let path = format!("integrations[{i}]");
                match node.as_mapping() {
                    Some(integration) => check_integration(integration, &path, &mut issues),
                    None => issues.error(
                        &path,
                        node.span(),
                        "type",
                        "an integration must be a mapping",
                    ),
                }
            }
        }
        Some(other) => issues.error(
            "integrations",
            other.span(),
            "integrations",
            "'integrations' must list at least one integration",
        ),
        None => issues.error(
            "integrations",
            top.span(),
            "integrations",
            "'integrations' is required: at least one integration",
        ),
    }
    issues.0
}

fn check_integration(integration: &MarkedMappingNode, path: &str, issues: &mut Issues) {
    unknown_keys(integration, INTEGRATION_KEYS, path, issues);
    required_string(integration, "name", path, issues);
    required_string(integration, "provider", path, issues);
    if !ACTIONS.iter().any(|a| integration.get_node(a).is_some()) {
        issues.error(
            path,
            integration.span(),
            "actions",
            "an integration needs at least one action: read, write, subscribe or proxy",
        );
    }
    let Some(read) = integration.get_node("read") else {
        return;
    };
    let read_path = join(path, "read");
    let objects = read.as_mapping().and_then(|r| r.get_sequence("objects"));
    let Some(objects) = objects.filter(|o| !o.is_empty()) else {
        issues.error(
            &join(&read_path, "objects"),
            read.span(),
            "read-objects",
            "'read.objects' must list at least one object",
        );
        return;
    };
    let mut seen: Vec<&str> = Vec::new();
    for (i, node) in objects.iter().enumerate() {
        let object_path = format!("{read_path}.objects[{i}]");
        let Some(object) = node.as_mapping() else {
            issues.error(
                &object_path,
                node.span(),
                "type",
                "an object must be a mapping",
            );
            continue;
        };
        if let Some(name) = required_string(object, "objectName", &object_path, issues) {
            if seen.contains(&name.as_str()) {
                issues.error(
                    &join(&object_path, "objectName"),
                    name.span(),
                    "duplicate-object",
                    format!(
                        "object '{}' is read twice in this integration",
                        name.as_str()
                    ),
                );
            }
            seen.push(name.as_str());
        }
        check_object(object, &object_path, issues);
    }
}

fn check_object(object: &MarkedMappingNode, path: &str, issues: &mut Issues) {
    unknown_keys(object, OBJECT_KEYS, path, issues);
    required_string(object, "destination", path, issues);
    if let Some(schedule) = required_string(object, "schedule", path, issues) {
        if let Err(why) = check_schedule(schedule.as_str()) {
            issues.error(&join(path, "schedule"), schedule.span(), "schedule", why);
        }
    }
    if let Some(auto) = object.get_node("optionalFieldsAuto") {
        if auto.as_scalar().map(|s| s.as_str()) != Some("all") {
            issues.error(
                &join(path, "optionalFieldsAuto"),
                auto.span(),
                "optional-fields-auto",
                "optionalFieldsAuto may only be 'all'",
            );
        }
    }
    for list in ["requiredFields", "optionalFields"] {
        let Some(node) = object.get_node(list) else {
            continue;
        };
        let list_path = join(path, list);
        let Some(fields) = node.as_sequence() else {
            issues.error(
                &list_path,
                node.span(),
                "type",
                format!("'{list}' must be a list of fields"),
            );
            continue;
        };
        for (i, field) in fields.iter().enumerate() {
            check_field(field, &format!("{list_path}[{i}]"), issues);
        }
    }
    if let Some(backfill) = object.get_mapping("backfill") {
        check_backfill(backfill, &join(path, "backfill"), issues);
    }
    if let Some(delivery) = object.get_mapping("delivery") {
        check_delivery(delivery, &join(path, "delivery"), issues);
    }
}

/// A field is either an existing field (`fieldName`) or a mapping the user makes
/// (`mapToName`, with `mapToDisplayName`, `default`, `prompt`).
fn check_field(field: &Node, path: &str, issues: &mut Issues) {
    let Some(map) = field.as_mapping() else {
        issues.error(
            path,
            field.span(),
            "field",
            "a field must be a mapping with fieldName or mapToName",
        );
        return;
    };
    unknown_keys(map, FIELD_KEYS, path, issues);
    let named = map.get_node("fieldName").is_some();
    let mapped = map.get_node("mapToName").is_some();
    if named == mapped {
        issues.error(
            path,
            map.span(),
            "field",
            "a field has either 'fieldName' or 'mapToName' (with mapToDisplayName, default, prompt), not both or neither",
        );
    } else if named {
        for key in ["mapToDisplayName", "default", "prompt"] {
            if let Some(node) = map.get_node(key) {
                issues.error(
                    &join(path, key),
                    node.span(),
                    "field",
                    format!("'{key}' belongs to a mapping (mapToName), not to a fieldName entry"),
                );
            }
        }
    }
}

/// `backfill.defaultPeriod`: exactly one of `days` (≥ 0) and `fullHistory`.
fn check_backfill(backfill: &MarkedMappingNode, path: &str, issues: &mut Issues) {
    let Some(period) = backfill.get_mapping("defaultPeriod") else {
        return;
    };
    let period_path = join(path, "defaultPeriod");
    let days = period.get_scalar("days");
    let full = period.get_scalar("fullHistory");
    match (days, full) {
        (Some(_), Some(_)) | (None, None) => issues.error(
            &period_path,
            period.span(),
            "backfill-period",
            "defaultPeriod takes exactly one of 'days' and 'fullHistory'",
        ),
        (Some(d), None) => {
            match d.as_str().parse::<i64>() {
                Ok(n) if n >= 0 => {
                    if n > LARGE_BACKFILL_DAYS {
                        issues.warning(
                        &join(&period_path, "days"),
                        d.span(),
                        "large-backfill",
                        format!("a backfill of {n} days reads a lot of history for every installation"),
                    );
                    }
                }
                _ => issues.error(
                    &join(&period_path, "days"),
                    d.span(),
                    "backfill-period",
                    "days must be a whole number of days, 0 or more",
                ),
            }
        }
        (None, Some(f)) => {
            if f.as_bool() != Some(true) {
                issues.error(
                    &join(&period_path, "fullHistory"),
                    f.span(),
                    "backfill-period",
                    "fullHistory must be true (or use days)",
                );
            } else {
                issues.warning(
                    &join(&period_path, "fullHistory"),
                    f.span(),
                    "large-backfill",
                    "a full-history backfill reads everything for every installation",
                );
            }
        }
    }
}

/// `delivery.mode`: `auto` (no pageSize) or `onRequest` (pageSize 50 to 500).
fn check_delivery(delivery: &MarkedMappingNode, path: &str, issues: &mut Issues) {
    let mode = delivery.get_scalar("mode");
    let page = delivery.get_scalar("pageSize");
    match mode.map(|m| m.as_str()) {
        None | Some("auto") => {
            if let Some(p) = page {
                issues.error(
                    &join(path, "pageSize"),
                    p.span(),
                    "delivery",
                    "pageSize is only for delivery mode onRequest",
                );
            }
        }
        Some("onRequest") => match page.map(|p| p.as_str().parse::<i64>()) {
            Some(Ok(n)) if (50..=500).contains(&n) => {}
            Some(_) => issues.error(
                &join(path, "pageSize"),
                page.map_or(delivery.span(), |p| p.span()),
                "delivery",
                "pageSize must be a whole number from 50 to 500",
            ),
            None => issues.error(
                &join(path, "pageSize"),
                delivery.span(),
                "delivery",
                "delivery mode onRequest needs a pageSize (50 to 500)",
            ),
        },
        Some(other) => issues.error(
            &join(path, "mode"),
            mode.map_or(delivery.span(), |m| m.span()),
            "delivery",
            format!("delivery mode '{other}' is not one of auto, onRequest"),
        ),
    }
}

#[cfg(test)]
mod tests;
