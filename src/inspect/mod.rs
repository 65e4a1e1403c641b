//! Payload inspection: given the raw bytes of a body (and optionally its headers and
//! signing secrets), say what it is and everything that is wrong with it — its kind, every
//! schema issue as a JSON pointer, the invariants the schemas cannot express, the
//! signatures, and for `installation.updated` what changed in the config. Pure functions
//! over bytes: the API (`POST /v1/inspect`), the CLI (`switchboard inspect`) and the
//! console use them; nothing here touches the network or the store.
//!
//! The validators are the ones publishing uses (`payload::notification`,
//! `payload::webhook_message`), so inspecting and publishing cannot disagree.

pub mod diff;
pub mod request;
pub mod signature;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::model::EventType;
use crate::payload::notification::validate_notification;
use crate::payload::size::WEBHOOK_LIMIT;
use crate::payload::webhook_message::{
    looks_like_webhook_message, origin, validate_webhook_message, MessageOrigin,
};
use crate::problem::Issue;

pub use diff::{diff, Change, ChangeKind};
pub use signature::{NamedSecret, SignatureReport};

/// Deeper than this, a body is refused before it is parsed (serde_json stops at 128 too;
/// this names the cause instead of a parser message).
const MAX_NESTING: usize = 128;

/// What a body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PayloadKind {
    /// No bytes at all.
    Empty,
    /// Not UTF-8, or not JSON (see `parseError`).
    NotJson,
    /// One of the 15 notification types: `{notificationType, data}`.
    Notification,
    /// A read action's result message (`webhook.yaml`).
    ReadResult,
    /// A subscribe action's message (`webhook.yaml`).
    SubscribeMessage,
    /// A `webhook.yaml` message that says neither how it was read nor which event it is.
    WebhookMessage,
    /// A Kinesis record of this node: `{data, metadata: {notificationType, …}}`.
    KinesisRecord,
    /// JSON of some other shape.
    Json,
}

/// Where and why a body is not JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParseFailure {
    /// Byte offset of the error in the body.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One thing wrong with a payload, at a JSON pointer (`/data/installationId`; `` for the
/// whole body).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayloadIssue {
    pub pointer: String,
    pub message: String,
}

/// `lastConfig` → `config` of an `installation.updated`, by path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigDiff {
    /// One line per change a person would name ("field selected: account.industry").
    pub summary: Vec<String>,
    pub changes: Vec<Change>,
}

/// Everything `inspect` found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectReport {
    pub kind: PayloadKind,
    /// The body's size in bytes.
    pub size: usize,
    /// For notifications and Kinesis records: the notification type, as written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notification_type: Option<String>,
    /// One sentence: what this is and whether it checks out.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parse_error: Option<ParseFailure>,
    /// Schema issues and broken invariants; empty when the body is valid for its kind.
    pub issues: Vec<PayloadIssue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signature: Option<SignatureReport>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_diff: Option<ConfigDiff>,
    /// The download links the payload carries (`configURL`, `lastConfigURL`,
    /// `resultInfo.downloadUrl`) and what became of fetching them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub links: Vec<PayloadLink>,
}

/// A download link in a payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayloadLink {
    /// Where it is, as a JSON pointer (`/data/configURL`).
    pub pointer: String,
    pub url: String,
    /// When the link stops working, if it says (`expires=` in its query).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expire_time: Option<chrono::DateTime<chrono::Utc>>,
    /// fetched, expired, refused, missing, or notFetched (not this node's link).
    pub outcome: String,
    /// What it holds, when fetched and JSON.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content: Option<Value>,
}

/// The download links a payload carries, by pointer.
pub fn links_in(value: &Value) -> Vec<(String, String)> {
    [
        "/data/configURL",
        "/data/lastConfigURL",
        "/resultInfo/downloadUrl",
    ]
    .into_iter()
    .filter_map(|p| Some((p.to_string(), value.pointer(p)?.as_str()?.to_string())))
    .collect()
}

/// `lastConfig` → `config`, by path, as a person would name each change.
pub fn diff_configs(before: &Value, after: &Value) -> ConfigDiff {
    let changes = diff(before, after);
    ConfigDiff {
        summary: changes.iter().map(describe_config_change).collect(),
        changes,
    }
}

/// Inspects `body` as received with `headers`, checking signatures with `secrets`, at
/// `now` (Unix seconds).
pub fn inspect(
    body: &[u8],
    headers: &[(String, String)],
    secrets: &[NamedSecret],
    now: i64,
) -> InspectReport {
    let mut report = InspectReport {
        kind: PayloadKind::Empty,
        size: body.len(),
        notification_type: None,
        summary: String::new(),
        parse_error: None,
        issues: Vec::new(),
        signature: signature::report(headers, body, secrets, now),
        config_diff: None,
        links: Vec::new(),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        report.summary = if body.is_empty() {
            "An empty body.".into()
        } else {
            "Only whitespace: no JSON value.".into()
        };
        return finish(report);
    }
    let value = match parse(body) {
        Ok(value) => value,
        Err(failure) => {
            report.kind = PayloadKind::NotJson;
            report.summary = format!(
                "Not JSON: {} at byte {} (line {}, column {}).",
                failure.message, failure.offset, failure.line, failure.column
            );
            report.parse_error = Some(failure);
            return finish(report);
        }
    };
    classify(&value, &mut report);
    if report.kind != PayloadKind::KinesisRecord && body.len() > WEBHOOK_LIMIT {
        report.issues.push(PayloadIssue {
            pointer: String::new(),
            message: format!(
                "the body is {} bytes, over the 300 KB ({WEBHOOK_LIMIT} bytes) a webhook may carry; \
                 configs move to configURL/lastConfigURL instead",
                body.len()
            ),
        });
    }
    finish(report)
}

/// The summary's verdict, once the issues are known.
fn finish(mut report: InspectReport) -> InspectReport {
    let what = match report.kind {
        PayloadKind::Notification | PayloadKind::KinesisRecord => format!(
            "{} {}",
            match report.kind {
                PayloadKind::KinesisRecord => "A Kinesis record of",
                _ => "A",
            },
            report
                .notification_type
                .as_deref()
                .map_or("notification".to_string(), |t| format!(
                    "`{t}` notification"
                ))
        ),
        PayloadKind::ReadResult => "A read-result webhook message".into(),
        PayloadKind::SubscribeMessage => "A subscribe webhook message".into(),
        PayloadKind::WebhookMessage => "A webhook message (read or subscribe)".into(),
        PayloadKind::Json => "JSON that is neither a notification nor a webhook message".into(),
        PayloadKind::Empty | PayloadKind::NotJson => return report,
    };
    let verdict = match report.issues.len() {
        0 => "valid".to_string(),
        1 => "1 issue".to_string(),
        n => format!("{n} issues"),
    };
    let signed = match &report.signature {
        Some(s) if s.verified => "; signature verified",
        Some(_) => "; signature NOT verified",
        None => "",
    };
    report.summary = format!("{what}: {verdict}{signed}.");
    report
}

/// Parses JSON, naming where it stops being JSON; too deep a body is refused by name.
fn parse(body: &[u8]) -> Result<Value, ParseFailure> {
    let text = std::str::from_utf8(body).map_err(|e| {
        let offset = e.valid_up_to();
        let (line, column) = position(&body[..offset]);
        ParseFailure {
            offset,
            line,
            column,
            message: "not UTF-8 text".into(),
        }
    })?;
    if let Some(offset) = too_deep(text.as_bytes()) {
        let (line, column) = position(&body[..offset]);
        return Err(ParseFailure {
            offset,
            line,
            column,
            message: format!("nested deeper than {MAX_NESTING} levels"),
        });
    }
    serde_json::from_str(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column());
        ParseFailure {
            offset,
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        }
    })
}

/// The offset of the first bracket past `MAX_NESTING` levels (outside strings), if any.
fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// 1-based line and column (in characters) at the end of `before`.
fn position(before: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(before);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The byte offset of serde_json's 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    (start + within).min(text.len())
}

/// Decides the kind and collects its issues with the validator of that kind.
fn classify(value: &Value, report: &mut InspectReport) {
    let object = value.as_object();
    if object.is_some_and(|o| o.contains_key("notificationType")) {
        report.kind = PayloadKind::Notification;
        report.notification_type = value["notificationType"].as_str().map(str::to_string);
        if let Err(issues) = validate_notification(value) {
            report
                .issues
                .extend(issues.iter().map(|i| to_pointer_issue(i, "")));
        }
        config_diff(value.get("data"), report);
        return;
    }
    if let Some(record) = object.filter(|o| o.contains_key("metadata") && o.contains_key("data")) {
        report.kind = PayloadKind::KinesisRecord;
        let event_type = record["metadata"].get("notificationType").cloned();
        report.notification_type = event_type
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_string);
        for field in ["messageId", "projectId", "createTime"] {
            if !record["metadata"].get(field).is_some_and(Value::is_string) {
                report.issues.push(PayloadIssue {
                    pointer: format!("/metadata/{field}"),
                    message: "is required: a string".into(),
                });
            }
        }
        // The record's notification is `{notificationType, data}` in another arrangement.
        let notification = serde_json::json!({
            "notificationType": event_type.unwrap_or(Value::Null),
            "data": record["data"],
        });
        if let Err(issues) = validate_notification(&notification) {
            report.issues.extend(issues.iter().map(|i| {
                let mut issue = to_pointer_issue(i, "");
                if issue.pointer == "/notificationType" {
                    issue.pointer = "/metadata/notificationType".into();
                }
                issue
            }));
        }
        config_diff(record.get("data"), report);
        return;
    }
    if looks_like_webhook_message(value) {
        report.kind = match value.as_object().map(origin) {
            Some(MessageOrigin::Read) => PayloadKind::ReadResult,
            Some(MessageOrigin::Subscribe) => PayloadKind::SubscribeMessage,
            _ => PayloadKind::WebhookMessage,
        };
        report.issues.extend(
            validate_webhook_message(value)
                .iter()
                .map(|i| to_pointer_issue(i, "")),
        );
        return;
    }
    report.kind = PayloadKind::Json;
}

/// For an `installation.updated` that carries both configs inline: what changed.
fn config_diff(data: Option<&Value>, report: &mut InspectReport) {
    if report.notification_type.as_deref() != Some(EventType::InstallationUpdated.as_str()) {
        return;
    }
    let Some((before, after)) = data.and_then(|d| Some((d.get("lastConfig")?, d.get("config")?)))
    else {
        return;
    };
    report.config_diff = Some(diff_configs(before, after));
}

/// A config change as a person would name it, from where in the config it is.
fn describe_config_change(change: &Change) -> String {
    let parts: Vec<&str> = change.path.split('/').filter(|p| !p.is_empty()).collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| *p == key)
            .and_then(|i| parts.get(i + 1))
            .copied()
    };
    let verb = match change.kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    };
    let object = after("objects");
    let last = parts.last().copied().unwrap_or("/");
    let topic = if parts.contains(&"selectedFieldMappings") {
        format!("field mapping {verb}: {}.{last}", object.unwrap_or("?"))
    } else if parts.contains(&"selectedFields") {
        let what = match change.kind {
            ChangeKind::Added => "field selected",
            ChangeKind::Removed => "field unselected",
            ChangeKind::Changed => "field selection changed",
        };
        format!("{what}: {}.{last}", object.unwrap_or("?"))
    } else if parts.iter().any(|p| p.eq_ignore_ascii_case("schedule")) {
        format!("schedule {verb}: {}", object.unwrap_or(last))
    } else if parts.iter().any(|p| p.eq_ignore_ascii_case("destination")) {
        format!("destination {verb}: {}", object.unwrap_or(last))
    } else if object.is_some() && parts.last() == object.as_ref() {
        format!("object {verb}: {}", object.unwrap_or("?"))
    } else {
        format!("{verb}: {}", change.path)
    };
    topic
}

/// A validator's dotted issue name (`data.configURL`, `result.2.id`) as a JSON pointer
/// under `prefix`.
fn to_pointer_issue(issue: &Issue, prefix: &str) -> PayloadIssue {
    let pointer = if issue.name == crate::payload::notification::WHOLE_BODY || issue.name == "body"
    {
        prefix.to_string()
    } else {
        let mut p = prefix.to_string();
        for part in issue.name.split('.') {
            p.push('/');
            p.push_str(&diff::escape(part));
        }
        p
    };
    PayloadIssue {
        pointer,
        message: issue.detail.clone(),
    }
}

#[cfg(test)]
mod tests;
