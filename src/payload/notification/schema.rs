//! The JSON Schema of a publish body, drawn from the same table the validator reads, so the
//! OpenAPI document accepts exactly what [`super::validate_notification`] accepts: one
//! `oneOf` branch per notification type, with its required and optional `data` fields, the
//! "exactly one of" pairs, and the fields only some types may carry.

use serde_json::{json, Map, Value};

use super::{Kind, RESTRICTED, SHAPES};

/// What the validator's `Kind::HttpUrl` accepts, narrowed to URLs that every matching string
/// is (`url::Url` with an http(s) scheme and a host).
pub const HTTP_URL_PATTERN: &str = r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$";

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::String => json!({"type": "string"}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::StringArray => json!({"type": "array", "items": {"type": "string"}}),
        Kind::Object => json!({"type": "object"}),
        Kind::HttpUrl => json!({"type": "string", "format": "uri", "pattern": HTTP_URL_PATTERN}),
    }
}

fn data_schema(name: &str, shape: &super::Shape) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in shape.fields.iter().flat_map(|group| group.iter()) {
        properties.insert(field.name.to_string(), kind_schema(field.kind));
        if field.required {
            required.push(field.name);
        }
    }
    let mut all_of: Vec<Value> = shape
        .exactly_one_of
        .iter()
        .map(|(a, b)| json!({"oneOf": [{"required": [a]}, {"required": [b]}]}))
        .collect();
    let forbidden: Vec<Value> = RESTRICTED
        .iter()
        .filter(|(field, _)| !properties.contains_key(*field))
        .map(|(field, _)| json!({"required": [field]}))
        .collect();
    if !forbidden.is_empty() {
        all_of.push(json!({"not": {"anyOf": forbidden}}));
    }
    let mut schema = json!({
        "type": "object",
        "description": format!("The `data` of a `{name}` notification"),
        "properties": properties,
        "required": required,
    });
    if !all_of.is_empty() {
        schema["allOf"] = Value::Array(all_of);
    }
    schema
}

/// `{notificationType, data}` for every notification type.
pub fn publish_request_schema() -> Value {
    let branches: Vec<Value> = SHAPES
        .iter()
        .map(|(name, shape)| {
            json!({
                "type": "object",
                "title": name,
                "properties": {
                    "notificationType": {"type": "string", "enum": [name]},
                    "data": data_schema(name, shape),
                },
                "required": ["notificationType", "data"],
                "additionalProperties": false,
            })
        })
        .collect();
    json!({
        "description": "A notification as Ampersand's `notifications.yaml` describes it: \
                        `{notificationType, data}`, exactly the webhook payload",
        "oneOf": branches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventType;

    #[test]
    fn every_example_matches_the_schema_and_the_schema_names_every_type() {
        let schema = publish_request_schema();
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert_eq!(
            schema["oneOf"].as_array().unwrap().len(),
            EventType::ALL.len()
        );
        for t in EventType::ALL {
            let body =
                json!({"notificationType": t.as_str(), "data": super::super::example_data(t)});
            assert!(validator.is_valid(&body), "{}", t.as_str());
        }
        let wrong = [
            json!({"notificationType": "connection.created", "data": {}}),
            json!({"notificationType": "no.such.type", "data": {}}),
            json!(null),
        ];
        for body in wrong {
            assert!(!validator.is_valid(&body), "{body}");
        }
    }
}
