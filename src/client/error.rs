//! What can go wrong when talking to a node, and how problem+json bodies are read.
//!
//! Problems are read leniently: RFC 9457 makes every member optional and Ampersand's issues
//! may omit `detail`, so a missing field falls back to the HTTP status instead of turning an
//! API error into a decoding error.

use serde_json::Value;

use crate::problem::{Issue, IssueLocation, Problem};

/// Every failure of a client call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The API answered with an error status; `problem` is its problem+json body (or one
    /// made up from the status when the body was not problem+json). Boxed to keep
    /// `Result`s small.
    #[error("{}", describe(*status, problem))]
    Api { status: u16, problem: Box<Problem> },
    /// No usable answer: connection refused or reset, timeout, TLS failure, ...
    #[error("could not reach the node: {}", transport_detail(.0))]
    Transport(#[source] reqwest::Error),
    /// The answer was a success but its body did not have the expected shape.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// The live stream kept failing to connect and its `max_failures` ran out.
    #[error("the live stream failed: {0}")]
    Stream(String),
    /// The client was set up wrongly (bad base URL, unusable header value, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl ClientError {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The problem of an API error.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Api { problem, .. } => Some(problem.as_ref()),
            _ => None,
        }
    }

    /// The issues an API error names (empty for other errors).
    pub fn issues(&self) -> &[Issue] {
        self.problem().map(|p| p.issues.as_slice()).unwrap_or(&[])
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

fn describe(status: u16, problem: &Problem) -> String {
    let mut out = format!("{} ({status})", problem.title);
    if !problem.detail.is_empty() {
        out.push_str(": ");
        out.push_str(&problem.detail);
    }
    out
}

/// reqwest's top-level message ("error sending request") hides the cause; show the chain.
fn transport_detail(err: &reqwest::Error) -> String {
    let mut out = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// The longest body excerpt quoted in errors.
const EXCERPT: usize = 300;

pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut cut: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        cut.push('…');
    }
    cut
}

/// Builds a `Problem` from an error response of status `status`, whatever its body holds.
pub fn parse_problem(status: u16, body: &[u8]) -> Problem {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
        .to_string();
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => obj,
        _ => {
            let text = excerpt(body);
            return Problem {
                kind: "about:blank".into(),
                title: reason,
                status,
                detail: text.trim().to_string(),
                issues: vec![],
                time: None,
                retryable: None,
            };
        }
    };
    let string = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    let issues = obj
        .get("issues")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(parse_issue).collect())
        .unwrap_or_default();
    Problem {
        kind: string("type").unwrap_or_else(|| "about:blank".into()),
        title: string("title").unwrap_or(reason),
        status: obj
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(status),
        detail: string("detail").unwrap_or_default(),
        issues,
        time: string("time"),
        retryable: obj.get("retryable").and_then(Value::as_bool),
    }
}

fn parse_issue(item: &Value) -> Option<Issue> {
    let obj = item.as_object()?;
    let location = match obj.get("in").and_then(Value::as_str) {
        Some("header") => IssueLocation::Header,
        Some("path") => IssueLocation::Path,
        Some("query") => IssueLocation::Query,
        _ => IssueLocation::Body,
    };
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    Some(Issue {
        location,
        name: text("name").unwrap_or_default(),
        value: obj.get("value").cloned(),
        detail: text("detail").or_else(|| text("title")).unwrap_or_default(),
        line: obj.get("line").and_then(Value::as_u64).map(|n| n as usize),
        column: obj
            .get("column")
            .and_then(Value::as_u64)
            .map(|n| n as usize),
        rule: text("rule"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_switchboard_and_ampersand_problems() {
        let p = parse_problem(
            422,
            br#"{"type":"urn:x","title":"Unprocessable Entity","status":422,"detail":"d",
                "issues":[{"in":"body","name":"metadata.url","value":5,"detail":"must be a string"}]}"#,
        );
        assert_eq!(p.kind, "urn:x");
        assert_eq!(p.issues[0].name, "metadata.url");
        assert_eq!(p.issues[0].value, Some(serde_json::json!(5)));

        // Ampersand's example: issues without `detail` but with a `title`, an `instance`.
        let p = parse_problem(
            400,
            br#"{"type":"about:blank","title":"Bad Request","status":400,"instance":"x",
                "issues":[{"in":"path","name":"n","value":"abc"},{"title":"t","in":"query","name":"q"}]}"#,
        );
        assert_eq!(p.issues.len(), 2);
        assert_eq!(p.issues[0].location, IssueLocation::Path);
        assert_eq!(p.issues[1].detail, "t");
    }

    #[test]
    fn makes_a_problem_out_of_anything() {
        let p = parse_problem(502, b"<html>Bad gateway</html>");
        assert_eq!(p.status, 502);
        assert_eq!(p.title, "Bad Gateway");
        assert!(p.detail.contains("Bad gateway"));
        let p = parse_problem(404, b"");
        assert_eq!(p.title, "Not Found");
        assert_eq!(p.kind, "about:blank");
    }
}
