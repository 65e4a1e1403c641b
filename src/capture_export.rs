//! Captures as files other tools read: curl commands, HAR 1.2 (through the `har` crate's
//! types), or NDJSON. Credentials are redacted on the way out: `Authorization`, API keys,
//! cookies, and any `whsec_` signing secret in a header or body.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use har::v1_2;

use crate::model::inbox::Capture;

const REDACTED: &str = "[redacted]";
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
];

/// The capture's headers with credentials replaced.
pub fn redacted_headers(capture: &Capture) -> Vec<(String, String)> {
    capture
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                REDACTED.to_string()
            } else {
                redact_secrets(value)
            };
            (name.clone(), value)
        })
        .collect()
}

/// `text` with every `whsec_…` signing secret replaced.
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("whsec_") {
        out.push_str(&rest[..at]);
        out.push_str("whsec_");
        out.push_str(REDACTED);
        let tail = &rest[at + 6..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn body_text(capture: &Capture) -> Option<String> {
    capture.body.as_deref().map(redact_secrets)
}

fn full_url(capture: &Capture, capture_url: &str) -> String {
    let path = capture.path.trim_start_matches('/');
    let mut url = if path.is_empty() {
        capture_url.to_string()
    } else {
        format!("{capture_url}/{path}")
    };
    if let Some(q) = &capture.query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// A shell-quoted word.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One `curl` command that sends the capture again to `capture_url` (its inbox).
pub fn curl(capture: &Capture, capture_url: &str) -> String {
    let mut parts = vec![
        "curl".to_string(),
        "-X".into(),
        capture.method.clone(),
        quote(&full_url(capture, capture_url)),
    ];
    for (name, value) in redacted_headers(capture) {
        if matches!(name.as_str(), "host" | "content-length") {
            continue;
        }
        parts.push("-H".into());
        parts.push(quote(&format!("{name}: {value}")));
    }
    match (body_text(capture), &capture.body_base64) {
        (Some(text), _) if !text.is_empty() => {
            parts.push("--data-binary".into());
            parts.push(quote(&text));
        }
        (None, Some(b64)) => {
            // Bytes that are not text go through base64 on the way back in.
            return format!(
                "echo {} | base64 -d | {} --data-binary @-",
                quote(b64),
                parts.join(" ")
            );
        }
        _ => {}
    }
    parts.join(" ")
}

/// The captures as a HAR 1.2 log (oldest first), each with the answer the inbox gave.
pub fn har(captures: &[Capture], capture_url: &str) -> har::Har {
    let entries = captures
        .iter()
        .map(|c| {
            let headers: Vec<v1_2::Headers> = redacted_headers(c)
                .into_iter()
                .map(|(name, value)| v1_2::Headers {
                    name,
                    value,
                    comment: None,
                })
                .collect();
            let mime = c
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| "application/octet-stream".into());
            let query = c
                .query
                .as_deref()
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .map(|(name, value)| v1_2::QueryString {
                            name: name.into_owned(),
                            value: value.into_owned(),
                            comment: None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let text = body_text(c).or_else(|| c.body_base64.clone());
            v1_2::Entries {
                started_date_time: c.time.to_rfc3339(),
                time: 0.0,
                request: v1_2::Request {
                    method: c.method.clone(),
                    url: full_url(c, capture_url),
                    http_version: "HTTP/1.1".into(),
                    headers,
                    query_string: query,
                    post_data: text.map(|text| v1_2::PostData {
                        mime_type: mime,
                        text: Some(text),
                        params: None,
                        comment: c.body_base64.as_ref().map(|_| "base64".to_string()),
                    }),
                    headers_size: -1,
                    body_size: c.body_size,
                    ..Default::default()
                },
                response: v1_2::Response {
                    status: c.status.unwrap_or(0),
                    status_text: String::new(),
                    http_version: "HTTP/1.1".into(),
                    content: v1_2::Content {
                        size: -1,
                        ..Default::default()
                    },
                    headers_size: -1,
                    body_size: -1,
                    ..Default::default()
                },
                timings: v1_2::Timings {
                    send: 0.0,
                    wait: 0.0,
                    receive: 0.0,
                    ..Default::default()
                },
                ..Default::default()
            }
        })
        .collect();
    har::Har {
        log: har::Spec::V1_2(v1_2::Log {
            creator: v1_2::Creator {
                name: "Switchboard".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                comment: None,
            },
            entries,
            ..Default::default()
        }),
    }
}

/// One JSON capture per line, redacted.
pub fn ndjson(captures: &[Capture]) -> String {
    let mut out = String::new();
    for c in captures {
        let mut c = c.clone();
        c.headers = redacted_headers(&c);
        c.body = c.body.as_deref().map(redact_secrets);
        if let Ok(line) = serde_json::to_string(&c) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The capture's body bytes, as received (within the inbox's limit).
pub fn body_bytes(capture: &Capture) -> Vec<u8> {
    match (&capture.body, &capture.body_base64) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(b64)) => BASE64.decode(b64).unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_wherever_they_are() {
        assert_eq!(
            redact_secrets(r#"{"key": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "n": 1}"#),
            r#"{"key": "whsec_[redacted]", "n": 1}"#
        );
        assert_eq!(redact_secrets("nothing here"), "nothing here");
    }
}
