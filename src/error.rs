//! The one error type of a request to the node, whoever serves it: what went wrong in
//! terms a client can act on (malformed, invalid fields, not found, conflict, …), with no
//! HTTP in it. `api::problem_response` maps it to a status and a problem+json body, once.

use serde_json::Value;

use crate::problem::Issue;

/// Every failure a request can meet. Mapped to HTTP exactly once, in `api::problem_response`.
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
    /// The body is over the node's limit.
    #[error("{0}")]
    TooLarge(String),
    /// The body did not arrive in time.
    #[error("{0}")]
    Timeout(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Slow down: try again after `retry_after_secs`.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// Anything we did not expect. The body stays generic; the cause goes to the log.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// Invalid fields as a 400 rather than a 422: the read API answers them so (Ampersand's
    /// `InputValidationProblem` under 400).
    pub fn as_bad_request(self) -> Self {
        match self {
            ApiError::Invalid { issues } => ApiError::Malformed {
                detail: "invalid input".into(),
                issues,
            },
            other => other,
        }
    }

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
}

impl From<crate::secrets::SecretsError> for ApiError {
    fn from(err: crate::secrets::SecretsError) -> Self {
        ApiError::Internal(err.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
