//! What the OpenAPI document says beyond the handlers' own annotations, applied once to the
//! whole document: every error response is `application/problem+json` (as it is on the
//! wire), every operation behind the API key can answer 401, and every one with a body
//! 413 (too large) and 408 (too slow).

use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

const PROBLEM_JSON: &str = "application/problem+json";

pub fn finish(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            problems_as_problem_json(operation);
            if operation.security.is_none() {
                // No security of its own: the document-wide API key applies.
                add_problem(
                    operation,
                    "401",
                    "No API key, or one that is unknown or revoked",
                );
            }
            if operation.request_body.is_some() {
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
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
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
