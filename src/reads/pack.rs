//! Packing read records into webhook messages (`webhook.yaml`'s `WebhookMessage`): records
//! in order, as many to a message as fit in 300 KB (at most `pageSize` for an `onRequest`
//! object); a record whose message alone would pass 300 KB goes by itself as a signed
//! download URL (`resultInfo.type: "url"`). Pure: the runner stores what this makes.

use serde_json::{Map, Value};

use crate::payload::size::WEBHOOK_LIMIT;

/// What every message of one read says about where it comes from, in order.
#[derive(Clone, Debug)]
pub struct MessageHeader {
    pub project_id: String,
    pub provider: String,
    pub group_ref: String,
    pub group_name: String,
    pub installation_id: String,
    /// RFC 3339.
    pub installation_update_time: String,
    pub consumer_ref: String,
    pub consumer_name: String,
    /// The mapped name when the object is mapped, else the provider's.
    pub object_name: String,
    /// The provider's name when the object is mapped.
    pub raw_object_name: Option<String>,
    pub operation_id: String,
    /// RFC 3339.
    pub operation_time: String,
    pub read_type: &'static str,
}

/// Which fields of a record a message carries.
#[derive(Clone, Debug, Default)]
pub struct FieldSelection {
    /// Every field of the record (`optionalFieldsAuto: all` with `selectedFieldsAuto: all`).
    pub all: bool,
    /// Provider field names, in the order they are listed.
    pub fields: Vec<String>,
    /// `mapToName` → provider field.
    pub mappings: Vec<(String, String)>,
}

/// One record to pack.
pub struct Record<'a> {
    pub seq: i64,
    /// The record as stored: a JSON object.
    pub body: &'a str,
}

/// A message ready to store.
#[derive(Debug, PartialEq)]
pub enum Packed {
    /// `resultInfo.type: "inline"` with `numRecords` records; `last_seq` is the last of them.
    Inline {
        json: String,
        records: usize,
        last_seq: i64,
    },
    /// One record too large to go inline: `result` is the download's content (the
    /// `result` array); the runner stores it and writes the message with [`url_message`].
    Large { result: String, last_seq: i64 },
}

/// Room kept for `numRecords`' digits and the closing brackets.
const SLACK: usize = 64;

impl MessageHeader {
    /// The message's fields before `resultInfo`, as a JSON object's members without braces.
    fn members(&self) -> String {
        let mut o = Map::new();
        let mut put = |k: &str, v: &str| {
            o.insert(k.to_string(), Value::String(v.to_string()));
        };
        put("action", "read");
        put("projectId", &self.project_id);
        put("provider", &self.provider);
        put("groupRef", &self.group_ref);
        put("groupName", &self.group_name);
        put("installationId", &self.installation_id);
        put("installationUpdateTime", &self.installation_update_time);
        put("consumerRef", &self.consumer_ref);
        put("consumerName", &self.consumer_name);
        put("objectName", &self.object_name);
        if let Some(raw) = &self.raw_object_name {
            put("rawObjectName", raw);
        }
        put("operationId", &self.operation_id);
        put("operationTime", &self.operation_time);
        put("readType", self.read_type);
        let text = Value::Object(o).to_string();
        text[1..text.len() - 1].to_string()
    }
}

/// The `result` entry of one record: `{fields, mappedFields, raw}`.
pub fn entry(selection: &FieldSelection, body: &str) -> String {
    let raw: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let object = raw.as_object();
    let mut fields = Map::new();
    if let Some(record) = object {
        if selection.all {
            fields = record.clone();
        } else {
            for name in &selection.fields {
                if let Some(v) = record.get(name) {
                    fields.insert(name.clone(), v.clone());
                }
            }
        }
    }
    let mut mapped = Map::new();
    for (to, from) in &selection.mappings {
        if let Some(v) = object.and_then(|r| r.get(from)) {
            mapped.insert(to.clone(), v.clone());
        }
    }
    // `raw` is the stored text itself: no second serialization of the largest part.
    format!(
        "{{\"fields\":{},\"mappedFields\":{},\"raw\":{}}}",
        Value::Object(fields),
        Value::Object(mapped),
        body
    )
}

/// Packs `records` in order. `max_records` bounds a message (`pageSize`); `limit` is the
/// largest message (300 KB for every destination type: Ampersand's rule).
pub fn pack(
    header: &MessageHeader,
    selection: &FieldSelection,
    records: &[Record<'_>],
    max_records: Option<usize>,
    limit: usize,
) -> Vec<Packed> {
    let members = header.members();
    // {members,"resultInfo":{"type":"inline","numRecords":N},"result":[…]}
    let overhead = members.len() + 70 + SLACK;
    let mut out = Vec::new();
    let mut entries: Vec<String> = Vec::new();
    let mut size = overhead;
    let mut last_seq = 0;
    let flush = |entries: &mut Vec<String>, last_seq: i64, out: &mut Vec<Packed>| {
        if entries.is_empty() {
            return;
        }
        out.push(Packed::Inline {
            json: inline_message(&members, entries),
            records: entries.len(),
            last_seq,
        });
        entries.clear();
    };
    for record in records {
        let e = entry(selection, record.body);
        if overhead + e.len() > limit {
            flush(&mut entries, last_seq, &mut out);
            size = overhead;
            out.push(Packed::Large {
                result: format!("[{e}]"),
                last_seq: record.seq,
            });
            last_seq = record.seq;
            continue;
        }
        let full = max_records.is_some_and(|m| entries.len() >= m);
        if size + e.len() + 1 > limit || full {
            flush(&mut entries, last_seq, &mut out);
            size = overhead;
        }
        size += e.len() + 1;
        entries.push(e);
        last_seq = record.seq;
    }
    flush(&mut entries, last_seq, &mut out);
    out
}

fn inline_message(members: &str, entries: &[String]) -> String {
    let mut json = String::with_capacity(
        members.len() + 80 + entries.iter().map(|e| e.len() + 1).sum::<usize>(),
    );
    json.push('{');
    json.push_str(members);
    json.push_str(&format!(
        ",\"resultInfo\":{{\"type\":\"inline\",\"numRecords\":{}}},\"result\":[",
        entries.len()
    ));
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(e);
    }
    json.push_str("]}");
    json
}

/// The message for a [`Packed::Large`] record, once its download is stored at `url`.
pub fn url_message(header: &MessageHeader, url: &str) -> String {
    format!(
        "{{{},\"resultInfo\":{{\"type\":\"url\",\"downloadUrl\":{},\"numRecords\":1}}}}",
        header.members(),
        Value::String(url.to_string())
    )
}

/// Ampersand's limit, the default.
pub const MESSAGE_LIMIT: usize = WEBHOOK_LIMIT;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::webhook_message::validate_webhook_message;

    fn header() -> MessageHeader {
        MessageHeader {
            project_id: "p".into(),
            provider: "salesforce".into(),
            group_ref: "g".into(),
            group_name: "G".into(),
            installation_id: "i".into(),
            installation_update_time: "2026-12-07T00:00:00.000Z".into(),
            consumer_ref: "c".into(),
            consumer_name: "C".into(),
            object_name: "contact".into(),
            raw_object_name: None,
            operation_id: "op".into(),
            operation_time: "2026-12-07T00:00:00.000Z".into(),
            read_type: "backfill",
        }
    }

    fn selection() -> FieldSelection {
        FieldSelection {
            all: false,
            fields: vec!["id".into(), "name".into()],
            mappings: vec![("pronoun".into(), "pronoun_custom".into())],
        }
    }

    #[test]
    fn fills_messages_up_to_the_limit_and_keeps_every_record_once() {
        let bodies: Vec<String> = (0..3000)
            .map(|i| {
                format!(
                    r#"{{"id":"r{i}","name":"{}","pronoun_custom":"she","x":1}}"#,
                    "n".repeat(200)
                )
            })
            .collect();
        let records: Vec<Record> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| Record {
                seq: i as i64 + 1,
                body: b,
            })
            .collect();
        let packed = pack(&header(), &selection(), &records, None, MESSAGE_LIMIT);
        assert!(packed.len() > 1);
        let mut seen = Vec::new();
        for p in &packed {
            let Packed::Inline { json, records, .. } = p else {
                panic!("no record is large")
            };
            assert!(json.len() <= MESSAGE_LIMIT, "{} bytes", json.len());
            let v: Value = serde_json::from_str(json).unwrap();
            assert!(
                validate_webhook_message(&v).is_empty(),
                "{:?}",
                validate_webhook_message(&v)
            );
            assert_eq!(v["resultInfo"]["numRecords"], *records);
            for e in v["result"].as_array().unwrap() {
                assert_eq!(e["mappedFields"]["pronoun"], "she");
                assert!(e["fields"].get("x").is_none());
                seen.push(e["raw"]["id"].as_str().unwrap().to_string());
            }
        }
        let expected: Vec<String> = (0..3000).map(|i| format!("r{i}")).collect();
        assert_eq!(seen, expected);
        // Full messages are nearly full: no more than one record's room is left.
        let Packed::Inline { json, .. } = &packed[0] else {
            unreachable!()
        };
        assert!(json.len() > MESSAGE_LIMIT - 600);
    }

    #[test]
    fn a_record_too_large_goes_alone_as_a_url_between_the_others() {
        let big = format!(r#"{{"id":"big","name":"{}"}}"#, "b".repeat(400_000));
        let small = r#"{"id":"s","name":"x"}"#;
        let records = [
            Record {
                seq: 1,
                body: small,
            },
            Record { seq: 2, body: &big },
            Record {
                seq: 3,
                body: small,
            },
        ];
        let packed = pack(&header(), &selection(), &records, None, MESSAGE_LIMIT);
        assert_eq!(packed.len(), 3);
        assert!(matches!(
            &packed[0],
            Packed::Inline {
                records: 1,
                last_seq: 1,
                ..
            }
        ));
        let Packed::Large {
            result,
            last_seq: 2,
        } = &packed[1]
        else {
            panic!("{:?}", packed[1])
        };
        let v: Value = serde_json::from_str(result).unwrap();
        assert_eq!(v[0]["raw"]["id"], "big");
        let message: Value =
            serde_json::from_str(&url_message(&header(), "http://n/v1/blobs/x")).unwrap();
        assert!(validate_webhook_message(&message).is_empty());
        assert_eq!(message["resultInfo"]["type"], "url");
        assert!(matches!(
            &packed[2],
            Packed::Inline {
                records: 1,
                last_seq: 3,
                ..
            }
        ));
    }

    #[test]
    fn page_size_bounds_a_message() {
        let small = r#"{"id":"s"}"#;
        let records: Vec<Record> = (0..120)
            .map(|i| Record {
                seq: i,
                body: small,
            })
            .collect();
        let packed = pack(&header(), &selection(), &records, Some(50), MESSAGE_LIMIT);
        let counts: Vec<usize> = packed
            .iter()
            .map(|p| match p {
                Packed::Inline { records, .. } => *records,
                Packed::Large { .. } => 0,
            })
            .collect();
        assert_eq!(counts, [50, 50, 20]);
    }
}
