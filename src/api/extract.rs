//! Request extractors whose failures are problem+json, never axum's plain-text rejections.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::AppState;
use crate::error::ApiError;
use crate::problem::{Issue, IssueLocation};

/// The largest request body the API takes (capture URLs have their inboxes' own limits).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;
/// A request body, read within the node's `body_read_timeout` (a client that trickles it
/// is answered, not waited for) and [`BODY_LIMIT`]: 408 and 413 problems rather than a
/// hang or a generic 400.
pub struct BodyBytes(pub Bytes);

impl FromRequest<AppState> for BodyBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config.body_read_timeout;
        let read = tokio::time::timeout(limit, Bytes::from_request(req, state));
        match read.await {
            Err(_) => Err(ApiError::Timeout(format!(
                "the request body did not arrive within {:?}",
                limit
            ))),
            Ok(Err(e)) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge(format!(
                    "the request body is over the {} MiB limit",
                    BODY_LIMIT / (1024 * 1024)
                )))
            }
            Ok(Err(e)) => Err(ApiError::Malformed {
                detail: format!("the request body could not be read: {e}"),
                issues: vec![],
            }),
            Ok(Ok(bytes)) => Ok(BodyBytes(bytes)),
        }
    }
}

/// A JSON object body. Wrong content type → 415; unreadable JSON or a non-object → 400.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with 'Content-Type: application/json'".into(),
            ));
        }
        let BodyBytes(bytes) = BodyBytes::from_request(req, state).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::Malformed {
            detail: format!("the request body is not valid JSON: {e}"),
            issues: vec![Issue::at(IssueLocation::Body, "body", None, e.to_string())],
        })?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            other => Err(ApiError::Malformed {
                detail: format!(
                    "the request body must be a JSON object, not {}",
                    crate::model::input::kind_of(&other)
                ),
                issues: vec![],
            }),
        }
    }
}

/// Query parameters, read one by one so a bad one is named in the problem.
pub struct QueryParams(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let mut pairs = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()).into_owned() {
            // Which of two values was meant is not ours to guess.
            if pairs.contains_key(&name) {
                return Err(ApiError::invalid(Issue::at(
                    IssueLocation::Query,
                    &name,
                    Some(Value::String(value)),
                    "is given more than once",
                )));
            }
            pairs.insert(name, value);
        }
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    pub fn string(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A whole number from `min` to `max`; `default` when the parameter is absent (given
    /// empty, it is refused: an empty value is no number).
    pub fn whole_number(
        &self,
        name: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> Result<i64, ApiError> {
        let Some(raw) = self.0.get(name) else {
            return Ok(default);
        };
        raw.parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(Issue::at(
                    IssueLocation::Query,
                    name,
                    Some(Value::String(raw.clone())),
                    format!("must be a whole number from {min} to {max}"),
                ))
            })
    }

    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.0.get(name).map(String::as_str) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::invalid(Issue::at(
                IssueLocation::Query,
                name,
                Some(Value::String(other.to_string())),
                "must be true or false",
            ))),
        }
    }
}

/// The client's address, when the server knows it (handler tests send requests without).
pub struct PeerAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}
