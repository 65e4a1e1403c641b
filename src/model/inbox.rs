//! Capture inboxes: a receiver on the node that records every request and answers by
//! rules (status, headers, body, delay, in sequence), for seeing exactly what the
//! dispatcher sends and for making a receiver fail on purpose.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{kind_of, Fields, Issues};
use super::names::{check_name, TOPIC_NAME_MAX};
use super::requests::RequestBody;
use crate::error::ApiError;

pub const DEFAULT_MAX_CAPTURES: u32 = 1_000;
/// Seven days.
pub const DEFAULT_MAX_AGE_SECONDS: u32 = 7 * 24 * 3600;
/// Ninety days.
pub const MAX_AGE_SECONDS_LIMIT: u32 = 90 * 24 * 3600;
pub const MAX_CAPTURES_LIMIT: u32 = 100_000;
pub const DEFAULT_BODY_LIMIT: u32 = 1024 * 1024;
pub const BODY_LIMIT_MAX: u32 = 16 * 1024 * 1024;
const MAX_DELAY_MS: u64 = 10 * 60 * 1000;

/// How the inbox answers. Rules apply in order: each answers `times` requests (the last
/// one, or one without `times`, answers all that come after): `[{status: 500, times: 3},
/// {status: 200}]` is "500 three times, then 200".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResponseRule {
    /// 100 to 599.
    #[schema(minimum = 100, maximum = 599)]
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// Wait this long before answering (up to 10 minutes): past a sender's timeout, the
    /// sender sees a timeout.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(maximum = 600000)]
    pub delay_ms: Option<u64>,
    /// How many requests this rule answers before the next one takes over.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 1000000)]
    pub times: Option<u32>,
    /// Close the connection instead of answering (after the delay): the sender sees the
    /// connection drop.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub close: Option<bool>,
}

impl ResponseRule {
    pub fn ok() -> Self {
        ResponseRule {
            status: 200,
            headers: None,
            body: None,
            delay_ms: None,
            times: None,
            close: None,
        }
    }
}

/// The rule that answers the `n`th request (0-based) since the rules were set.
pub fn rule_for(rules: &[ResponseRule], n: u64) -> ResponseRule {
    let mut start = 0u64;
    for (i, rule) in rules.iter().enumerate() {
        match rule.times {
            Some(times) if i + 1 < rules.len() => {
                if n < start + u64::from(times) {
                    return rule.clone();
                }
                start += u64::from(times);
            }
            _ => return rule.clone(),
        }
    }
    ResponseRule::ok()
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inbox {
    pub id: String,
    pub name: String,
    pub project_id: String,
    /// Where to send requests: any method, any sub-path, no API key.
    pub capture_url: String,
    pub rules: Vec<ResponseRule>,
    /// The newest this many captures are kept; older ones are dropped.
    pub max_captures: u32,
    /// Captures older than this are dropped.
    pub max_age_seconds: u32,
    /// At most this many bytes of a body are kept (the full size is recorded).
    pub body_limit: u32,
    /// The webhook destination made to deliver here, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination_id: Option<String>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

/// One request an inbox received.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Capture {
    pub id: String,
    pub inbox_id: String,
    pub method: String,
    /// The path under the capture URL (`/` for the URL itself).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub query: Option<String>,
    /// Name and value pairs, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// The body's bytes as base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body_base64: Option<String>,
    pub body_size: i64,
    /// True when only the first `bodyLimit` bytes were kept.
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remote_addr: Option<String>,
    /// The status the inbox answered with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<i64>,
    /// The message a delivery attempt was for (`webhook-id`, else `svix-id`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub webhook_id: Option<String>,
    pub time: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInboxRequest {
    /// Letters, digits and dashes, at most 64.
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    pub name: String,
    /// Default: always 200.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rules: Option<Vec<ResponseRule>>,
    /// Default 1000, at most 100000.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub max_captures: Option<u32>,
    /// Default 604800 (7 days), at most 90 days.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 7776000)]
    pub max_age_seconds: Option<u32>,
    /// Default 1 MiB, at most 16 MiB.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(maximum = 16777216)]
    pub body_limit: Option<u32>,
    /// Also create a webhook destination (same name) that delivers to this inbox: "send to
    /// a new inbox" in one step.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub create_destination: Option<bool>,
}

/// Each field given replaces the inbox's; new rules start their sequence at once.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInboxRequest {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rules: Option<Vec<ResponseRule>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub max_captures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 7776000)]
    pub max_age_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(maximum = 16777216)]
    pub body_limit: Option<u32>,
}

impl RequestBody for CreateInboxRequest {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "rules",
        "maxCaptures",
        "maxAgeSeconds",
        "bodyLimit",
        "createDestination",
    ];
}

impl RequestBody for UpdateInboxRequest {
    const FIELDS: &'static [&'static str] =
        &["name", "rules", "maxCaptures", "maxAgeSeconds", "bodyLimit"];
}

pub fn parse_create_inbox(body: &Map<String, Value>) -> Result<CreateInboxRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(CreateInboxRequest::FIELDS, &mut issues, "an inbox");
    let name = read_name(&fields, true, &mut issues);
    let request = CreateInboxRequest {
        name: name.unwrap_or_default(),
        rules: read_rules(&fields, &mut issues),
        max_captures: read_number(&fields, "maxCaptures", 1, MAX_CAPTURES_LIMIT, &mut issues),
        max_age_seconds: read_number(
            &fields,
            "maxAgeSeconds",
            1,
            MAX_AGE_SECONDS_LIMIT,
            &mut issues,
        ),
        body_limit: read_number(&fields, "bodyLimit", 0, BODY_LIMIT_MAX, &mut issues),
        create_destination: match fields.raw("createDestination") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                issues.add(
                    "createDestination",
                    Some(other),
                    format!("must be true or false, not {}", kind_of(other)),
                );
                None
            }
        },
    };
    issues.finish(request)
}

pub fn parse_update_inbox(body: &Map<String, Value>) -> Result<UpdateInboxRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(UpdateInboxRequest::FIELDS, &mut issues, "an inbox");
    let request = UpdateInboxRequest {
        name: read_name(&fields, false, &mut issues),
        rules: read_rules(&fields, &mut issues),
        max_captures: read_number(&fields, "maxCaptures", 1, MAX_CAPTURES_LIMIT, &mut issues),
        max_age_seconds: read_number(
            &fields,
            "maxAgeSeconds",
            1,
            MAX_AGE_SECONDS_LIMIT,
            &mut issues,
        ),
        body_limit: read_number(&fields, "bodyLimit", 0, BODY_LIMIT_MAX, &mut issues),
    };
    issues.finish(request)
}

fn read_name(fields: &Fields, required: bool, issues: &mut Issues) -> Option<String> {
    let name = fields.string("name", required, issues)?;
    if let Some(why) = check_name(&name, TOPIC_NAME_MAX) {
        issues.add("name", Some(&Value::String(name.clone())), why);
    }
    Some(name)
}

fn read_number(fields: &Fields, key: &str, min: u32, max: u32, issues: &mut Issues) -> Option<u32> {
    let raw = fields.raw(key)?;
    match crate::model::input::whole_number(raw)
        .filter(|n| (i64::from(min)..=i64::from(max)).contains(n))
    {
        Some(n) => Some(n as u32),
        None => {
            issues.add(
                key,
                Some(raw),
                format!("must be a whole number from {min} to {max}"),
            );
            None
        }
    }
}

/// How many requests one rule may answer.
const MAX_TIMES: u32 = 1_000_000;

/// A rule's numbers as integers where they are whole (`553.0` is JSON's 553 too), so the
/// typed reading below takes what JSON Schema's `integer` allows.
fn integral_numbers_as_integers(item: &Value) -> Value {
    let mut item = item.clone();
    if let Some(map) = item.as_object_mut() {
        for value in map.values_mut() {
            if let Some(f) = value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            {
                if value.is_f64() {
                    *value = Value::from(f as i64);
                }
            }
        }
    }
    item
}

fn read_rules(fields: &Fields, issues: &mut Issues) -> Option<Vec<ResponseRule>> {
    let raw = fields.raw("rules")?;
    let Some(list) = raw.as_array() else {
        issues.add(
            "rules",
            Some(raw),
            format!("must be an array, not {}", kind_of(raw)),
        );
        return None;
    };
    let mut rules = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = format!("rules[{i}]");
        match serde_json::from_value::<ResponseRule>(integral_numbers_as_integers(item)) {
            Err(e) => issues.add(path, Some(item), format!("is not a response rule: {e}")),
            Ok(rule) if !(100..=599).contains(&rule.status) => issues.add(
                format!("{path}.status"),
                Some(item),
                "must be from 100 to 599",
            ),
            Ok(rule) if rule.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) => issues.add(
                format!("{path}.delayMs"),
                Some(item),
                "must be at most 600000 (10 minutes)",
            ),
            Ok(rule) if rule.times.is_some_and(|t| !(1..=MAX_TIMES).contains(&t)) => issues.add(
                format!("{path}.times"),
                Some(item),
                "must be from 1 to 1000000",
            ),
            Ok(rule) => rules.push(rule),
        }
    }
    Some(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_answers_in_order_then_repeats_its_last_rule() {
        let rule = |status, times| ResponseRule {
            status,
            times,
            ..ResponseRule::ok()
        };
        let rules = [rule(500, Some(3)), rule(429, Some(1)), rule(200, None)];
        let got: Vec<u16> = (0..7).map(|n| rule_for(&rules, n).status).collect();
        assert_eq!(got, [500, 500, 500, 429, 200, 200, 200]);
        // A last rule with `times` still answers everything after.
        assert_eq!(rule_for(&[rule(410, Some(1))], 9).status, 410);
        assert_eq!(rule_for(&[], 0).status, 200);
    }
}

/// `POST .../captures/{capture}/replay`: send a capture again.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayRequest {
    /// Where to send it (any http or https URL).
    pub url: String,
    /// An edited body, as text (default: the body as captured).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// Sign it again with this webhook destination's current key (ID or name), over the
    /// body as sent, with a fresh timestamp.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resign_with: Option<String>,
    /// With `resignWith`: a new message ID instead of the captured one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub new_id: Option<bool>,
}

impl RequestBody for ReplayRequest {
    const FIELDS: &'static [&'static str] = &["url", "body", "resignWith", "newId"];
}

/// What a replay sent and what came back; kept beside the capture.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayResult {
    pub id: String,
    pub url: String,
    pub method: String,
    /// The headers sent (credentials redacted).
    pub sent_headers: Vec<(String, String)>,
    pub body_size: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    /// The answer's first 4 KiB.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub response_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    pub duration_ms: u64,
    pub time: DateTime<Utc>,
}

pub fn parse_replay(body: &Map<String, Value>) -> Result<ReplayRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(ReplayRequest::FIELDS, &mut issues, "a replay");
    let url = fields.string("url", true, &mut issues);
    if let Some(u) = &url {
        let ok = url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"));
        if !ok {
            issues.add(
                "url",
                Some(&Value::String(u.clone())),
                "must be an absolute http or https URL",
            );
        }
    }
    let new_id = match fields.raw("newId") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            issues.add(
                "newId",
                Some(other),
                format!("must be true or false, not {}", kind_of(other)),
            );
            None
        }
    };
    let request = ReplayRequest {
        url: url.unwrap_or_default(),
        body: fields.string("body", false, &mut issues),
        resign_with: fields.string("resignWith", false, &mut issues),
        new_id,
    };
    issues.finish(request)
}

/// The captures of one message (one `webhook-id`): the dispatcher's attempts as the inbox
/// saw them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapturedMessage {
    pub webhook_id: String,
    pub attempts: Vec<CapturedAttempt>,
    /// Answered with a success more than once: the receiver got it twice (at-least-once
    /// delivery after a lost answer, or a replay).
    pub duplicate: bool,
    /// When the dispatcher will try again, if the message is still waiting (this node's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_attempt_time: Option<DateTime<Utc>>,
    /// The message's status on this node, if it is one of this node's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<super::message::MessageStatus>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapturedAttempt {
    pub capture_id: String,
    pub time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<i64>,
    /// Since the previous attempt of the same message.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gap_ms: Option<i64>,
}
