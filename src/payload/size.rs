//! The payload size rule: a webhook body may not exceed 300 KB (a Kinesis record 1 MiB).
//! An installation event's `config` (then `lastConfig`) that would break it moves to a
//! signed download URL in `configURL` (`lastConfigURL`).

use serde_json::{Map, Value};

/// The largest webhook body Ampersand sends: 300 KB.
pub const WEBHOOK_LIMIT: usize = 307_200;
/// Kinesis' own limit per record (data and partition key), less room for our metadata.
pub const KINESIS_PAYLOAD_LIMIT: usize = 1_048_576 - 2_048;

/// Inline fields that may move to a URL, in the order they are moved.
pub const MOVABLE: [(&str, &str); 2] = [("config", "configURL"), ("lastConfig", "lastConfigURL")];

/// The fields to move out of `payload` (`{notificationType, data}`) so it fits `limit`,
/// with their JSON; empty when it fits already. None when even moving them all would
/// not make it fit.
pub fn plan(payload: &str, limit: usize) -> Option<Vec<(&'static str, &'static str, String)>> {
    if payload.len() <= limit {
        return Some(Vec::new());
    }
    let value: Value = serde_json::from_str(payload).ok()?;
    let data = value.get("data")?.as_object()?;
    let mut size = payload.len();
    let mut moves = Vec::new();
    for (inline, url_field) in MOVABLE {
        if size <= limit {
            break;
        }
        if let Some(part) = data.get(inline) {
            let json = part.to_string();
            // `"config":{…},` goes; `"configURL":"<about 200 bytes of URL>",` comes.
            size = size.saturating_sub(json.len() + inline.len() + 4) + url_field.len() + 260;
            moves.push((inline, url_field, json));
        }
    }
    (size <= limit).then_some(moves)
}

/// Applies a plan: removes each moved field and sets its URL field.
pub fn apply(payload: &str, urls: &[(&str, &str, String)]) -> Option<String> {
    let mut value: Value = serde_json::from_str(payload).ok()?;
    let data: &mut Map<String, Value> = value.get_mut("data")?.as_object_mut()?;
    for (inline, url_field, url) in urls {
        data.remove(*inline);
        data.insert(url_field.to_string(), Value::String(url.clone()));
    }
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn moves_config_then_last_config_only_as_needed() {
        let big = "x".repeat(320_000);
        let payload = json!({"notificationType": "installation.updated",
            "data": {"projectId": "p", "config": {"a": big}, "lastConfig": {"b": big}}})
        .to_string();
        let moves = plan(&payload, WEBHOOK_LIMIT).unwrap();
        assert_eq!(
            moves.iter().map(|m| m.0).collect::<Vec<_>>(),
            ["config", "lastConfig"]
        );
        let urls: Vec<_> = moves
            .iter()
            .map(|m| (m.0, m.1, "https://n/v1/blobs/x".to_string()))
            .collect();
        let out = apply(&payload, &urls).unwrap();
        assert!(out.len() <= WEBHOOK_LIMIT);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["data"].get("config").is_none() && v["data"]["configURL"].is_string());
        assert!(v["data"].get("lastConfig").is_none() && v["data"]["lastConfigURL"].is_string());

        let one = json!({"notificationType": "installation.created", "data": {"config": {"a": "x".repeat(400_000)}}})
            .to_string();
        assert_eq!(plan(&one, WEBHOOK_LIMIT).unwrap().len(), 1);
        assert!(
            plan(&one, KINESIS_PAYLOAD_LIMIT).unwrap().is_empty(),
            "fits a Kinesis record"
        );
        let hopeless = json!({"data": {"error": "x".repeat(400_000)}}).to_string();
        assert!(plan(&hopeless, WEBHOOK_LIMIT).is_none());
    }
}
