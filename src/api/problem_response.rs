//! Errors as HTTP responses: each `ApiError` gets its status and its problem+json body
//! here, and nowhere else. 5xx bodies stay generic; the cause goes to the log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::problem::{codes, Issue, Problem};

/// An unexpected error that is the database refusing every write (disk full, read-only):
/// a 503 that says so, not a 500.
fn unwritable(err: &ApiError) -> Option<&'static str> {
    match err {
        ApiError::Internal(cause) => crate::store::error::unwritable_reason(cause),
        _ => None,
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        if unwritable(self).is_some() {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        match self {
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        let (kind, detail, issues) = match self {
            _ if unwritable(self).is_some() => (
                codes::UNAVAILABLE,
                unwritable(self).unwrap_or_default().to_string(),
                vec![],
            ),
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
            ApiError::TooLarge(d) => (codes::TOO_LARGE, d.clone(), vec![]),
            ApiError::Timeout(d) => (codes::TIMEOUT, d.clone(), vec![]),
            ApiError::Unavailable(d) => (codes::UNAVAILABLE, d.clone(), vec![]),
            ApiError::TooManyRequests { detail, .. } => {
                (codes::TOO_MANY_REQUESTS, detail.clone(), vec![])
            }
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
            retryable: matches!(
                self,
                ApiError::Unavailable(_) | ApiError::Internal(_) | ApiError::TooManyRequests { .. }
            )
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
        if let ApiError::TooManyRequests {
            retry_after_secs, ..
        } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}
