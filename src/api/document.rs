//! What the OpenAPI document says beyond the handlers' own annotations, applied once to the
//! whole document: every error response is `application/problem+json` (as it is on the
//! wire), every operation behind the API key can answer 401, and every one with a body
//! 400 (not JSON), 415 (not sent as JSON), 413 (too large) and 408 (too slow). Request
//! bodies are described as strictly as their parsers read them: closed to unknown fields,
//! and the publish body by the notification validator's own table.

use serde_json::{json, Value};
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

const PROBLEM_JSON: &str = "application/problem+json";
const PUBLISH_REQUEST: &str = "PublishRequest";

/// The document as served: the handlers' annotations and everything below, as JSON.
pub fn finish(mut doc: OpenApi) -> Value {
    document_common_responses(&mut doc);
    let mut doc = serde_json::to_value(doc).expect("the document serializes");
    describe_request_bodies(&mut doc);
    doc
}

fn document_common_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        // (operation, whether it changes anything)
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
            (&mut item.head, false),
            (&mut item.options, false),
            (&mut item.trace, false),
        ];
        for (operation, changes) in operations {
            let Some(operation) = operation else {
                continue;
            };
            problems_as_problem_json(operation);
            if operation.security.is_none() {
                // No security of its own: the document-wide API key applies.
                add_problem(
                    operation,
                    "401",
                    "No API key, or one that is unknown, revoked or expired",
                );
                add_problem(
                    operation,
                    "403",
                    if changes {
                        "The key may not do this (read-only, or another project's), or a \
                         console session's change came from another origin"
                    } else {
                        "The key may not do this (another project's)"
                    },
                );
            }
            let has_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
            if has_query {
                add_problem(
                    operation,
                    "422",
                    "A query parameter is malformed or given more than once",
                );
            }
            if operation.request_body.is_some() {
                add_problem(
                    operation,
                    "400",
                    "The body is not JSON of the expected kind",
                );
                add_problem(
                    operation,
                    "415",
                    "The body was not sent as `Content-Type: application/json`",
                );
                add_problem(operation, "413", "The body is over the 16 MiB limit");
                add_problem(
                    operation,
                    "408",
                    "The body did not arrive in time (30 s by default)",
                );
            }
        }
    }
}

/// Closes every parsed request body to unknown fields, says which of `body`/`bodyBase64`
/// an inspection needs, and describes the publish body (and the test send's, which may be
/// one) by the notification table. (On the JSON: the typed builders lack these keywords.)
fn describe_request_bodies(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    for (name, _) in super::request_bodies::all() {
        schemas[&name]["additionalProperties"] = json!(false);
    }
    // Exactly one of the two, as text (`null` counts as absent).
    schemas["InspectRequest"]["oneOf"] = given(&[("body", "string"), ("bodyBase64", "string")]);
    // At least one change.
    schemas["UpdateTopicRequest"]["anyOf"] = given(&[
        ("name", "string"),
        ("eventTypes", "array"),
        ("destinationIds", "array"),
    ]);
    // What the standard, padded alphabet decodes (the last symbol's unused bits zero).
    schemas["InspectRequest"]["properties"]["bodyBase64"]["pattern"] =
        json!("^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$");
    schemas["ReplayRequest"]["properties"]["url"]["pattern"] =
        json!(crate::payload::notification::HTTP_URL_PATTERN);
    // Ampersand's `sourceZipUrl` is named, but an offline node cannot fetch it: always 422.
    let deploy = &mut schemas["DeployRequest"];
    deploy["required"] = json!(["sourceYaml"]);
    deploy["properties"]["sourceYaml"]["type"] = json!("string");
    deploy["properties"]["sourceZipUrl"]["not"] = json!({});
    for topic in ["CreateTopicRequest", "UpdateTopicRequest"] {
        schemas[topic]["properties"]["destinationIds"]["items"]["minLength"] = json!(1);
        schemas[topic]["properties"]["eventTypes"]["uniqueItems"] = json!(true);
    }
    schemas[PUBLISH_REQUEST] = crate::payload::notification::publish_request_schema();
    let publish = json!({"$ref": format!("#/components/schemas/{PUBLISH_REQUEST}")});
    let mut event_types: Vec<Value> = crate::model::EventType::ALL
        .iter()
        .map(|t| json!(t.as_str()))
        .collect();
    event_types.push(Value::Null); // null: the default type
    let test_send = json!({"oneOf": [
        {"type": "object", "additionalProperties": false,
         "properties": {"eventType": {"type": ["string", "null"], "enum": event_types}}},
        publish,
    ]});
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    // The `eventType` filters: the notification types (the message list also takes
    // `read`), or empty for all; drawn from `EventType::ALL`, never spelled out by hand.
    let types: Vec<String> = crate::model::EventType::ALL
        .iter()
        .map(|t| t.as_str().replace('.', "\\."))
        .collect();
    for (path, extra) in [
        ("/v1/projects/{projectIdOrName}/messages", "|read"),
        (
            "/v1/projects/{projectIdOrName}/notification-event-topic-routes",
            "",
        ),
    ] {
        let pattern = format!("^(|{}{extra})$", types.join("|"));
        for parameter in paths[path]["get"]["parameters"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if parameter["name"] == "eventType" {
                parameter["schema"]["pattern"] = json!(pattern);
            }
        }
    }
    for operation in paths.values_mut().filter_map(|item| item.get_mut("post")) {
        let schema = match operation["operationId"].as_str() {
            Some("publish") => publish.clone(),
            Some("send_test") => test_send.clone(),
            _ => continue,
        };
        operation["requestBody"]["content"]["application/json"]["schema"] = schema;
        if operation["operationId"] == "send_test" {
            // No body at all sends the default test notification.
            operation["requestBody"]["required"] = json!(false);
        }
    }
}

/// One `oneOf`/`anyOf` branch per field: that field given, of that JSON type (not null).
fn given(fields: &[(&str, &str)]) -> Value {
    fields
        .iter()
        .map(|(field, kind)| json!({"required": [field], "properties": {*field: {"type": kind}}}))
        .collect()
}

/// Error responses (4xx, 5xx) carry their body as problem+json, never plain JSON.
fn problems_as_problem_json(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        if let Some(content) = response.content.shift_remove("application/json") {
            response.content.insert(PROBLEM_JSON.to_string(), content);
        }
    }
}

/// Documents a problem response the node gives for every such operation.
fn add_problem(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_are_problem_json_and_every_protected_operation_can_answer_401() {
        let doc = super::super::openapi();
        let mut protected = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                for (status, response) in responses {
                    if status.starts_with('4') || status.starts_with('5') {
                        if let Some(content) = response.get("content").and_then(|c| c.as_object()) {
                            let types: Vec<&String> = content.keys().collect();
                            assert_eq!(
                                types,
                                ["application/problem+json"],
                                "{method} {path} {status}"
                            );
                        }
                    }
                }
                let public = op.get("security").is_some();
                if !public {
                    protected += 1;
                    assert!(responses.contains_key("401"), "{method} {path} has no 401");
                }
            }
        }
        assert!(protected > 50, "only {protected} protected operations");
    }
}
