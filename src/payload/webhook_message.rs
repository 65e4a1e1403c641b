//! Validates a read-result or subscribe webhook message (`WebhookMessage` of Ampersand's
//! `webhook.yaml`), the other kind of body Ampersand sends besides notifications. Like the
//! notification validator it names one issue per field (dotted paths such as
//! `resultInfo.numRecords` or `result.2.subscribeEventType`), and it adds what the schema
//! cannot say: `resultInfo.numRecords` equals the inline `result`'s length, and a `url`
//! result has a `downloadUrl` and no inline `result`. Read actions (which will publish these
//! messages) and the inspector use this one validator, so they cannot disagree;
//! `tests/spec_support.rs` checks it against the schema itself.

use serde_json::{Map, Value};

use crate::model::input::kind_of;
use crate::problem::Issue;

/// Whether a webhook message comes from a read action or a subscribe action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageOrigin {
    /// It says how it was read (`readType`, `operationId`).
    Read,
    /// Its records say which provider event they are (`subscribeEventType`).
    Subscribe,
    /// Neither: valid for both.
    Unknown,
}

const REQUIRED_STRINGS: &[&str] = &[
    "action",
    "projectId",
    "provider",
    "groupRef",
    "groupName",
    "installationId",
    "objectName",
    "consumerRef",
    "consumerName",
];
const OPTIONAL_STRINGS: &[&str] = &["workspace", "operationId", "rawObjectName"];
const READ_TYPES: &[&str] = &["backfill", "scheduled", "triggered"];
const SUBSCRIBE_EVENT_TYPES: &[&str] =
    &["create", "update", "associationUpdate", "delete", "other"];
const ENTRY_OBJECTS: &[&str] = &["fields", "mappedFields", "raw", "rawEvent", "associations"];

/// True when `body` looks like a webhook message rather than something else: an object with
/// `resultInfo` or with both `action` and `objectName`.
pub fn looks_like_webhook_message(body: &Value) -> bool {
    body.as_object().is_some_and(|o| {
        o.contains_key("resultInfo") || (o.contains_key("action") && o.contains_key("objectName"))
    })
}

/// Where the message comes from, as far as it says.
pub fn origin(body: &Map<String, Value>) -> MessageOrigin {
    if body.contains_key("readType") || body.contains_key("operationId") {
        return MessageOrigin::Read;
    }
    let subscribed = body
        .get("result")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|e| e.get("subscribeEventType").is_some()));
    if subscribed {
        MessageOrigin::Subscribe
    } else {
        MessageOrigin::Unknown
    }
}

/// Every issue of `body` as a webhook message; empty when it is valid.
pub fn validate_webhook_message(body: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut add = |name: String, value: Option<&Value>, detail: String| {
        issues.push(Issue::body(name, value, detail));
    };
    let Some(body) = body.as_object() else {
        add(
            "body".into(),
            Some(body),
            format!("must be a JSON object, not {}", kind_of(body)),
        );
        return issues;
    };
    for name in REQUIRED_STRINGS {
        match body.get(*name) {
            None => add((*name).into(), None, "is required".into()),
            Some(v) if !v.is_string() => add(
                (*name).into(),
                Some(v),
                format!("must be a string, not {}", kind_of(v)),
            ),
            _ => {}
        }
    }
    for name in OPTIONAL_STRINGS {
        if let Some(v) = body.get(*name).filter(|v| !v.is_string()) {
            add(
                (*name).into(),
                Some(v),
                format!("must be a string, not {}", kind_of(v)),
            );
        }
    }
    for (name, required) in [("installationUpdateTime", true), ("operationTime", false)] {
        match body.get(name) {
            None if required => add(name.into(), None, "is required".into()),
            None => {}
            Some(Value::String(s)) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {}
            Some(v) => add(
                name.into(),
                Some(v),
                "must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z".into(),
            ),
        }
    }
    if let Some(v) = body.get("readType") {
        if !v.as_str().is_some_and(|s| READ_TYPES.contains(&s)) {
            add(
                "readType".into(),
                Some(v),
                format!("must be one of: {}", READ_TYPES.join(", ")),
            );
        }
    }

    let result = match body.get("result") {
        None => None,
        Some(Value::Array(entries)) => Some(entries),
        Some(v) => {
            add(
                "result".into(),
                Some(v),
                format!("must be an array, not {}", kind_of(v)),
            );
            None
        }
    };
    for (i, entry) in result.into_iter().flatten().enumerate() {
        let path = format!("result.{i}");
        let Some(entry) = entry.as_object() else {
            add(
                path,
                Some(entry),
                format!("must be an object, not {}", kind_of(entry)),
            );
            continue;
        };
        for key in ENTRY_OBJECTS {
            if let Some(v) = entry.get(*key).filter(|v| !v.is_object()) {
                add(
                    format!("{path}.{key}"),
                    Some(v),
                    format!("must be an object, not {}", kind_of(v)),
                );
            }
        }
        if let Some(v) = entry.get("subscribeEventType") {
            if !v
                .as_str()
                .is_some_and(|s| SUBSCRIBE_EVENT_TYPES.contains(&s))
            {
                add(
                    format!("{path}.subscribeEventType"),
                    Some(v),
                    format!("must be one of: {}", SUBSCRIBE_EVENT_TYPES.join(", ")),
                );
            }
        }
        if let Some(v) = entry.get("fieldsUpdated") {
            if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                add(
                    format!("{path}.fieldsUpdated"),
                    Some(v),
                    "must be an array of strings".into(),
                );
            }
        }
        for end in ["fromRecord", "toRecord"] {
            if let Some(v) = entry.get(end) {
                if !v.get("id").is_some_and(Value::is_string) {
                    add(
                        format!("{path}.{end}.id"),
                        v.get("id"),
                        "is required: the associated record's ID, a string".into(),
                    );
                }
            }
        }
    }

    match body.get("resultInfo") {
        None => add("resultInfo".into(), None, "is required".into()),
        Some(Value::Object(info)) => check_result_info(info, result, &mut add),
        Some(v) => add(
            "resultInfo".into(),
            Some(v),
            format!("must be an object, not {}", kind_of(v)),
        ),
    }
    issues
}

/// `resultInfo`: its fields, and how they must agree with the inline `result`.
fn check_result_info(
    info: &Map<String, Value>,
    result: Option<&Vec<Value>>,
    add: &mut impl FnMut(String, Option<&Value>, String),
) {
    let kind = info.get("type");
    match kind.and_then(Value::as_str) {
        Some("url" | "inline") => {}
        _ => add(
            "resultInfo.type".into(),
            kind,
            match kind {
                None => "is required".into(),
                Some(_) => "must be one of: url, inline".into(),
            },
        ),
    }
    let count = info.get("numRecords");
    let records = count.and_then(Value::as_u64);
    if records.is_none() {
        add(
            "resultInfo.numRecords".into(),
            count,
            match count {
                None => "is required".into(),
                Some(v) => format!("must be a whole number of records, not {}", kind_of(v)),
            },
        );
    }
    let download = info.get("downloadUrl");
    if let Some(v) = download.filter(|v| !v.is_string()) {
        add(
            "resultInfo.downloadUrl".into(),
            Some(v),
            format!("must be a string, not {}", kind_of(v)),
        );
    }
    match kind.and_then(Value::as_str) {
        Some("url") => {
            if download.is_none() {
                add(
                    "resultInfo.downloadUrl".into(),
                    None,
                    "is required when resultInfo.type is url: the result is only there".into(),
                );
            }
            if let Some(entries) = result {
                add(
                    "result".into(),
                    Some(&Value::from(entries.len())),
                    "must be absent when resultInfo.type is url (the records are at downloadUrl)"
                        .into(),
                );
            }
        }
        Some("inline") => {
            if download.is_some() {
                add(
                    "resultInfo.downloadUrl".into(),
                    download,
                    "is only for resultInfo.type url".into(),
                );
            }
            let inline = result.map_or(0, Vec::len) as u64;
            if let Some(n) = records.filter(|n| *n != inline) {
                add(
                    "resultInfo.numRecords".into(),
                    count,
                    format!("says {n} records, but the inline result holds {inline}"),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub fn valid() -> Value {
        json!({
            "action": "read", "projectId": "p", "provider": "salesforce", "groupRef": "g",
            "groupName": "G", "installationId": "i", "installationUpdateTime": "2026-01-01T00:00:00Z",
            "objectName": "account", "consumerRef": "c", "consumerName": "C",
            "readType": "scheduled", "operationId": "op",
            "resultInfo": {"type": "inline", "numRecords": 2},
            "result": [{"fields": {"id": "1"}}, {"fields": {"id": "2"}}]
        })
    }

    fn names(body: &Value) -> Vec<String> {
        validate_webhook_message(body)
            .into_iter()
            .map(|i| i.name)
            .collect()
    }

    #[test]
    fn a_valid_read_result_has_no_issue() {
        assert_eq!(names(&valid()), Vec::<String>::new());
        assert_eq!(origin(valid().as_object().unwrap()), MessageOrigin::Read);
    }

    #[test]
    fn each_wrong_field_is_named_once() {
        let mut m = valid();
        m["resultInfo"]["numRecords"] = json!(3);
        m["readType"] = json!("hourly");
        m.as_object_mut().unwrap().remove("groupName");
        m["result"][1]["subscribeEventType"] = json!("created");
        assert_eq!(
            names(&m),
            [
                "groupName",
                "readType",
                "result.1.subscribeEventType",
                "resultInfo.numRecords"
            ]
        );
    }

    #[test]
    fn a_url_result_has_a_download_url_and_nothing_inline() {
        let mut m = valid();
        m["resultInfo"] = json!({"type": "url", "numRecords": 2});
        assert_eq!(names(&m), ["resultInfo.downloadUrl", "result"]);
        m.as_object_mut().unwrap().remove("result");
        m["resultInfo"]["downloadUrl"] = json!("https://x.example/r");
        assert_eq!(names(&m), Vec::<String>::new());
    }
}
