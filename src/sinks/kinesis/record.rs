//! Turns a message into a Kinesis record: the JSON body and its partition key.

use serde_json::{json, Value};

use super::{MAX_PARTITION_KEY_CHARS, MAX_RECORD_BYTES};
use crate::model::message::MessageKind;
use crate::sinks::{AttemptResult, ErrorClass, Outgoing};
use crate::time::to_rfc3339;

/// One record ready for `PutRecords`.
#[derive(Debug)]
pub struct Record {
    /// The record's JSON body (sent base64-encoded as `Data`).
    pub data: Vec<u8>,
    pub partition_key: String,
}

impl Record {
    /// What counts against Kinesis' per-record and per-request limits.
    pub fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }
}

/// Builds the records of a batch. Kept synchronous: JMESPath values are not `Send`.
pub fn prepare_all(
    template: Option<&str>,
    batch: &[Outgoing],
) -> Vec<Result<Record, AttemptResult>> {
    let expression = match template.map(jmespath::compile).transpose() {
        Ok(e) => e,
        Err(e) => {
            // Validation rejects such templates; a stored one that no longer compiles
            // cannot start working by itself.
            let why = format!("the partitionKeyTemplate is not a valid JMESPath expression: {e}");
            return batch.iter().map(|_| Err(permanent(why.clone()))).collect();
        }
    };
    batch
        .iter()
        .map(|msg| prepare(template.zip(expression.as_ref()), msg))
        .collect()
}

fn prepare(
    template: Option<(&str, &jmespath::Expression<'_>)>,
    msg: &Outgoing,
) -> Result<Record, AttemptResult> {
    let record = body(msg)?;
    let partition_key = match template {
        Some((text, expression)) => partition_key(text, expression, &record)?,
        None => msg.message_id.clone(),
    };
    let data = serde_json::to_vec(&record)
        .map_err(|e| permanent(format!("the record could not be serialized: {e}")))?;
    let record = Record {
        data,
        partition_key,
    };
    if record.size() > MAX_RECORD_BYTES {
        return Err(permanent(format!(
            "the record is {} bytes (data {} + partition key {}); Kinesis takes at most {} bytes per record",
            record.size(),
            record.data.len(),
            record.partition_key.len(),
            MAX_RECORD_BYTES
        )));
    }
    Ok(record)
}

/// `{"data": …, "metadata": {notificationType, messageId, projectId, createTime}}`.
fn body(msg: &Outgoing) -> Result<Value, AttemptResult> {
    let mut payload: Value = serde_json::from_str(&msg.payload)
        .map_err(|e| permanent(format!("the notification payload is not JSON: {e}")))?;
    let data = match msg.kind {
        MessageKind::Notification(_) => payload
            .get_mut("data")
            .map(Value::take)
            .unwrap_or(Value::Null),
        // A read result's record is the whole webhook message.
        MessageKind::ReadResult => payload,
    };
    Ok(json!({
        "data": data,
        "metadata": {
            "notificationType": msg.kind.as_str(),
            "messageId": msg.message_id,
            "projectId": msg.project_id,
            "createTime": to_rfc3339(msg.create_time),
        },
    }))
}

fn partition_key(
    template: &str,
    expression: &jmespath::Expression<'_>,
    record: &Value,
) -> Result<String, AttemptResult> {
    let result = expression.search(record).map_err(|e| {
        permanent(format!(
            "the partitionKeyTemplate '{template}' failed on this message: {e}"
        ))
    })?;
    let key = match result.as_string() {
        Some(key) if !key.is_empty() => key.clone(),
        Some(_) => {
            return Err(permanent(format!(
                "the partitionKeyTemplate '{template}' gave an empty string for this message; a partition key must be a non-empty string"
            )))
        }
        None if result.is_null() => {
            return Err(permanent(format!(
                "the partitionKeyTemplate '{template}' gave null for this message (is the field missing?); a partition key must be a non-empty string"
            )))
        }
        None => {
            let shown = serde_json::to_string(&*result).unwrap_or_default();
            let kind = result.get_type().to_string();
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            return Err(permanent(format!(
                "the partitionKeyTemplate '{template}' gave {article} {kind} ({}) for this message; a partition key must be a non-empty string",
                cut(&shown, 100)
            )));
        }
    };
    let chars = key.chars().count();
    if chars > MAX_PARTITION_KEY_CHARS {
        return Err(permanent(format!(
            "the partitionKeyTemplate '{template}' gave a partition key of {chars} characters; Kinesis takes at most {MAX_PARTITION_KEY_CHARS}"
        )));
    }
    Ok(key)
}

/// A failure retrying cannot fix: the message is exhausted at once.
fn permanent(why: String) -> AttemptResult {
    AttemptResult {
        permanent: true,
        ..AttemptResult::failed(ErrorClass::Config, why)
    }
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::EventType;

    fn msg(data: Value) -> Outgoing {
        Outgoing {
            message_id: "msg_1".into(),
            project_id: "default".into(),
            kind: MessageKind::Notification(EventType::parse("connection.created").unwrap()),
            payload: Arc::from(
                json!({"notificationType": "connection.created", "data": data}).to_string(),
            ),
            create_time: 1_700_000_000_123,
        }
    }

    fn one(template: Option<&str>, data: Value) -> Result<Record, AttemptResult> {
        prepare_all(template, &[msg(data)]).pop().unwrap()
    }

    #[test]
    fn the_record_carries_data_and_metadata_and_defaults_the_key_to_the_message_id() {
        let r = one(None, json!({"connectionId": "c1"})).unwrap();
        let body: Value = serde_json::from_slice(&r.data).unwrap();
        assert_eq!(
            body,
            json!({"data": {"connectionId": "c1"}, "metadata": {
                "notificationType": "connection.created", "messageId": "msg_1",
                "projectId": "default", "createTime": "2023-11-14T22:13:20.123Z"}})
        );
        assert_eq!(r.partition_key, "msg_1");
    }

    #[test]
    fn templates_address_the_record_and_must_give_a_non_empty_string() {
        let data = json!({"connectionId": "c1", "n": 42, "empty": ""});
        assert_eq!(
            one(Some("data.connectionId"), data.clone())
                .unwrap()
                .partition_key,
            "c1"
        );
        assert_eq!(
            one(Some("metadata.notificationType"), data.clone())
                .unwrap()
                .partition_key,
            "connection.created"
        );
        for (template, needle) in [
            ("data.n", "gave a number (42)"),
            ("data.missing", "gave null"),
            ("data.empty", "gave an empty string"),
            ("data", "gave an object"),
        ] {
            let err = one(Some(template), data.clone()).unwrap_err();
            assert!(err.permanent);
            assert_eq!(err.error_class, Some(ErrorClass::Config));
            let text = err.error.unwrap();
            assert!(text.contains(needle), "{template}: {text}");
        }
        let long = "k".repeat(257);
        let err = one(Some("data.k"), json!({ "k": long })).unwrap_err();
        assert!(err.error.unwrap().contains("257 characters"));
    }

    #[test]
    fn a_record_over_one_mebibyte_fails_permanently() {
        let err = one(None, json!({ "big": "x".repeat(MAX_RECORD_BYTES) })).unwrap_err();
        assert!(err.permanent);
        assert!(err
            .error
            .unwrap()
            .contains("at most 1048576 bytes per record"));
        // Just under the limit passes.
        let r = one(None, json!({ "big": "x".repeat(MAX_RECORD_BYTES - 300) })).unwrap();
        assert!(r.size() <= MAX_RECORD_BYTES);
    }
}
