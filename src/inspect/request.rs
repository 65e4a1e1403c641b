//! `POST /v1/inspect` and `POST /v1/diff`: what they take, read field by field so every bad
//! field is named.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::model::input::{kind_of, Fields, Issues};
use crate::model::requests::RequestBody;

/// A body to inspect, as received.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectRequest {
    /// The body as text (give this or `bodyBase64`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// The body's bytes as base64, for a body that is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body_base64: Option<String>,
    /// The request's headers (names in any case): the signature headers are read from here.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub headers: Option<BTreeMap<String, String>>,
    /// Signing secrets (`whsec_…`) to check the signatures with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secrets: Option<Vec<String>>,
    /// A webhook destination (ID or name) whose signing keys to check with: the current
    /// one, and the previous one during a rotation's grace period.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination: Option<String>,
    /// The project of `destination` (default: `default`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub project: Option<String>,
}

impl RequestBody for InspectRequest {
    const FIELDS: &'static [&'static str] = &[
        "body",
        "bodyBase64",
        "headers",
        "secrets",
        "destination",
        "project",
    ];
}

/// Two JSON values to compare.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffRequest {
    pub before: Value,
    pub after: Value,
}

impl RequestBody for DiffRequest {
    const FIELDS: &'static [&'static str] = &["before", "after"];
}

/// An inspect request and the body's bytes.
pub fn parse_inspect(body: &Map<String, Value>) -> Result<(InspectRequest, Vec<u8>), ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(InspectRequest::FIELDS, &mut issues, "an inspect request");
    let text = fields.string("body", false, &mut issues);
    let encoded = fields.string("bodyBase64", false, &mut issues);
    let bytes = match (&text, &encoded) {
        (Some(t), None) => t.clone().into_bytes(),
        (None, Some(b)) => BASE64.decode(b).unwrap_or_else(|_| {
            issues.add("bodyBase64", None, "is not valid base64");
            Vec::new()
        }),
        (Some(_), Some(_)) => {
            issues.add("bodyBase64", None, "give `body` or `bodyBase64`, not both");
            Vec::new()
        }
        (None, None) => {
            issues.add("body", None, "is required (or `bodyBase64`)");
            Vec::new()
        }
    };
    let headers = fields.raw("headers").and_then(|raw| {
        let map = raw.as_object().filter(|m| m.values().all(Value::is_string));
        if map.is_none() {
            issues.add(
                "headers",
                Some(raw),
                "must be an object of header names to string values",
            );
        }
        map.map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
    });
    let secrets = fields.raw("secrets").and_then(|raw| match raw.as_array() {
        Some(list) if list.iter().all(Value::is_string) => Some(
            list.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect(),
        ),
        _ => {
            issues.add(
                "secrets",
                Some(raw),
                format!("must be an array of strings, not {}", kind_of(raw)),
            );
            None
        }
    });
    let request = InspectRequest {
        body: text,
        body_base64: encoded,
        headers,
        secrets,
        destination: fields.string("destination", false, &mut issues),
        project: fields.string("project", false, &mut issues),
    };
    issues.finish((request, bytes))
}

pub fn parse_diff(body: &Map<String, Value>) -> Result<DiffRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(DiffRequest::FIELDS, &mut issues, "a diff request");
    // Any JSON value, `null` included, is something to compare.
    let mut get = |name: &str| {
        body.get(name).cloned().unwrap_or_else(|| {
            issues.add(name, None, "is required: any JSON value");
            Value::Null
        })
    };
    let (before, after) = (get("before"), get("after"));
    issues.finish(DiffRequest { before, after })
}
