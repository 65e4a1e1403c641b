//! The OpenAPI document describes exactly what the request parsers accept: for each
//! request shape, the document's properties and the parser's field list are compared.
//! (The parsers read bodies field by field to name every bad field, so the two are
//! separate descriptions; this test keeps them from drifting apart.)

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::delivery::DELIVERY_FIELDS;
use crate::model::destination::{
    parse_update, DestinationMetadata, DestinationType, CREATE_FIELDS, UPDATE_FIELDS,
};

fn properties(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{schema} has no properties in the document"))
        .keys()
        .cloned()
        .collect()
}

fn set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_string).collect()
}

const KINDS: [DestinationType; 3] = [
    DestinationType::Webhook,
    DestinationType::Kinesis,
    DestinationType::Log,
];

#[test]
fn the_document_names_exactly_the_fields_the_destination_parsers_accept() {
    let doc = super::openapi();
    assert_eq!(
        properties(&doc, "CreateDestinationRequest"),
        set(CREATE_FIELDS.iter().copied())
    );
    assert_eq!(
        properties(&doc, "UpdateDestinationRequest"),
        set(UPDATE_FIELDS.iter().copied())
    );
    assert_eq!(
        properties(&doc, "DeliveryPolicy"),
        set(DELIVERY_FIELDS.iter().copied())
    );
    assert_eq!(
        properties(&doc, "DestinationMetadata"),
        set(KINDS
            .iter()
            .flat_map(|k| k.metadata_fields().iter().copied()))
    );
    assert_eq!(
        properties(&doc, "DestinationSecretsInput"),
        set(KINDS.iter().flat_map(|k| k.secret_fields().iter().copied()))
    );
}

/// Every request body the document describes by a schema is a `RequestBody` whose parser
/// accepts exactly the schema's properties.
#[test]
fn every_documented_request_body_names_exactly_what_its_parser_accepts() {
    let doc = super::openapi();
    let bodies: Vec<(String, BTreeSet<String>)> = super::request_bodies::all()
        .into_iter()
        .map(|(name, fields)| (name, set(fields.iter().copied())))
        .collect();
    for (name, fields) in &bodies {
        assert_eq!(&properties(&doc, name), fields, "{name}");
    }
    // And no operation takes a schema body that is not in the list above.
    let listed: BTreeSet<&str> = bodies.iter().map(|(n, _)| n.as_str()).collect();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(reference) = schema["$ref"].as_str() {
                let name = reference.trim_start_matches("#/components/schemas/");
                // The publish body's schema is drawn from the validator's own table.
                assert!(
                    listed.contains(name) || name == "PublishRequest",
                    "{method} {path} takes {name}, which has no RequestBody check"
                );
            }
        }
    }
}

/// Every field the document offers under `destination` in a PATCH can be named in
/// `updateMask` (and nothing else can: an unknown path is refused).
#[test]
fn every_patchable_field_in_the_document_is_an_update_mask_path() {
    let doc = super::openapi();
    let patchable = properties(&doc, "DestinationPatch");
    assert_eq!(
        patchable,
        set(["name", "metadata", "secrets", "delivery"]),
        "the document's patchable fields"
    );
    let mask_rejected = |kind: DestinationType, path: &str| {
        let body = serde_json::json!({"updateMask": [path], "destination": {}});
        let secrets: Vec<String> = kind.secret_fields().iter().map(|s| s.to_string()).collect();
        match parse_update(
            body.as_object().unwrap(),
            kind,
            "d",
            &DestinationMetadata::default(),
            &secrets,
            None,
        ) {
            Ok(_) => false,
            Err(e) => e
                .to_problem()
                .issues
                .iter()
                .any(|i| i.name == "updateMask[0]"),
        }
    };
    for kind in KINDS {
        let mut paths = vec!["name".to_string(), "delivery".to_string()];
        paths.extend(DELIVERY_FIELDS.iter().map(|f| format!("delivery.{f}")));
        paths.extend(
            kind.metadata_fields()
                .iter()
                .map(|f| format!("metadata.{f}")),
        );
        paths.extend(kind.secret_fields().iter().map(|f| format!("secrets.{f}")));
        for path in &paths {
            let root = path.split('.').next().unwrap();
            assert!(patchable.contains(root), "{path} is not in the document");
            assert!(!mask_rejected(kind, path), "{path} refused for {kind:?}");
        }
        assert!(mask_rejected(kind, "delivery.retries"));
        assert!(mask_rejected(kind, "createTime"));
    }
}
