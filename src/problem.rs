//! RFC 9457 problem details in Ampersand's shape (`ApiProblem`, `InputValidationProblem`),
//! and the one error type every HTTP handler returns.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Where an invalid input was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IssueLocation {
    Body,
    Header,
    Path,
    Query,
}

/// One invalid input: `{in, name, value, detail}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Issue {
    #[serde(rename = "in")]
    pub location: IssueLocation,
    /// Dotted path of the field, e.g. `metadata.url`.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<Value>,
    pub detail: String,
}

impl Issue {
    pub fn body(name: impl Into<String>, value: Option<&Value>, detail: impl Into<String>) -> Self {
        Issue {
            location: IssueLocation::Body,
            name: name.into(),
            value: value.cloned(),
            detail: detail.into(),
        }
    }

    pub fn at(
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Issue {
            location,
            name: name.into(),
            value,
            detail: detail.into(),
        }
    }
}

/// The JSON body of an error response.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:problem-type:switchboard:conflict`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default)]
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub issues: Vec<Issue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retryable: Option<bool>,
}

/// Stable problem codes; clients match on these, never on message text.
pub mod codes {
    pub const MALFORMED: &str = "urn:problem-type:switchboard:malformed-request";
    pub const INVALID: &str = "urn:problem-type:switchboard:invalid-input";
    pub const NOT_FOUND: &str = "urn:problem-type:switchboard:not-found";
    pub const CONFLICT: &str = "urn:problem-type:switchboard:conflict";
    pub const UNAUTHORIZED: &str = "urn:problem-type:switchboard:unauthorized";
    pub const FORBIDDEN: &str = "urn:problem-type:switchboard:forbidden";
    pub const UNSUPPORTED_MEDIA: &str = "urn:problem-type:switchboard:unsupported-media-type";
    pub const INTERNAL: &str = "urn:problem-type:switchboard:internal";
    pub const UNAVAILABLE: &str = "urn:problem-type:switchboard:unavailable";
}

/// Every failure a handler can report. Mapped to HTTP exactly once, in `into_response`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read at all (bad JSON syntax, wrong shape at the top).
    #[error("malformed request: {detail}")]
    Malformed { detail: String, issues: Vec<Issue> },
    /// The request was read, but some fields are invalid.
    #[error("invalid input")]
    Invalid { issues: Vec<Issue> },
    #[error("{detail}")]
    NotFound { detail: String, issues: Vec<Issue> },
    #[error("{detail}")]
    Conflict { detail: String, issues: Vec<Issue> },
    #[error("missing or invalid API key")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything we did not expect. The body stays generic; the cause goes to the log.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(issue: Issue) -> Self {
        ApiError::Invalid {
            issues: vec![issue],
        }
    }

    pub fn not_found(what: &str, key: &str) -> Self {
        ApiError::NotFound {
            detail: format!("{what} '{key}' was not found"),
            issues: vec![],
        }
    }

    /// A reference inside the request body points at nothing: 404, naming the field.
    pub fn missing_reference(field: &str, what: &str, key: &str) -> Self {
        ApiError::NotFound {
            detail: format!("{what} '{key}' was not found"),
            issues: vec![Issue::body(
                field,
                Some(&Value::String(key.to_string())),
                format!("no {what} with this ID or name exists in the project"),
            )],
        }
    }

    pub fn conflict(field: &str, value: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        ApiError::Conflict {
            issues: vec![Issue::body(
                field,
                Some(&Value::String(value.to_string())),
                detail.clone(),
            )],
            detail,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        let (kind, detail, issues) = match self {
            ApiError::Malformed { detail, issues } => {
                (codes::MALFORMED, detail.clone(), issues.clone())
            }
            ApiError::Invalid { issues } => {
                (codes::INVALID, summarize_issues(issues), issues.clone())
            }
            ApiError::NotFound { detail, issues } => {
                (codes::NOT_FOUND, detail.clone(), issues.clone())
            }
            ApiError::Conflict { detail, issues } => {
                (codes::CONFLICT, detail.clone(), issues.clone())
            }
            ApiError::Unauthorized => (
                codes::UNAUTHORIZED,
                "send a valid API key in the X-Api-Key header".to_string(),
                vec![],
            ),
            ApiError::Forbidden(d) => (codes::FORBIDDEN, d.clone(), vec![]),
            ApiError::UnsupportedMediaType(d) => (codes::UNSUPPORTED_MEDIA, d.clone(), vec![]),
            ApiError::Unavailable(d) => (codes::UNAVAILABLE, d.clone(), vec![]),
            ApiError::Internal(_) => (
                codes::INTERNAL,
                "the node hit an unexpected error; see its log".to_string(),
                vec![],
            ),
        };
        Problem {
            kind: kind.to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            issues,
            time: Some(crate::time::to_rfc3339(crate::time::now_ms())),
            retryable: matches!(self, ApiError::Unavailable(_) | ApiError::Internal(_))
                .then_some(true),
        }
    }
}

fn summarize_issues(issues: &[Issue]) -> String {
    match issues {
        [] => "the input is invalid".to_string(),
        [one] => format!("{}: {}", one.name, one.detail),
        [first, rest @ ..] => format!("{}: {} (and {} more)", first.name, first.detail, rest.len()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error while handling a request");
        }
        let problem = self.to_problem();
        let mut response = (self.status(), axum::Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.message().contains("database is locked") {
                return ApiError::Unavailable("the database is busy; retry shortly".into());
            }
        }
        ApiError::Internal(err.into())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::Internal(err.into())
    }
}

impl From<crate::secrets::SecretsError> for ApiError {
    fn from(err: crate::secrets::SecretsError) -> Self {
        ApiError::Internal(err.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::vault::VaultError> for ApiError {
    fn from(err: crate::vault::VaultError) -> Self {
        match err {
            crate::vault::VaultError::Db(e) => e.into(),
            crate::vault::VaultError::Secrets(e) => e.into(),
        }
    }
}
