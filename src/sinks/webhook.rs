//! Webhook delivery: a signed JSON POST, Standard Webhooks / Svix style.

use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};

use super::http::{DeliveryClient, Reply};
use super::{headers_json, truncate_body, AttemptResult, ErrorClass, Outgoing, Target};
use crate::payload::signing;

pub const USER_AGENT_VALUE: &str =
    concat!("Switchboard/", env!("CARGO_PKG_VERSION"), " (webhooks)");

/// The message ID, timestamp and signature headers, in Svix's and Standard Webhooks'
/// names.
pub const SIGNATURE_HEADERS: [[&str; 3]; 2] = [
    ["svix-id", "svix-timestamp", "svix-signature"],
    ["webhook-id", "webhook-timestamp", "webhook-signature"],
];

pub async fn deliver(client: &DeliveryClient, target: &Target, msg: &Outgoing) -> AttemptResult {
    let url = match (&target.url, &target.metadata.url) {
        (Some(url), _) => url,
        (None, Some(raw)) => {
            return AttemptResult::failed(ErrorClass::Config, format!("invalid URL {raw:?}"))
        }
        (None, None) => {
            return AttemptResult::failed(ErrorClass::Config, "the destination has no URL")
        }
    };
    if msg.payload.len() > crate::payload::size::WEBHOOK_LIMIT {
        let mut result = AttemptResult::failed(
            ErrorClass::Config,
            format!(
                "the payload is {} bytes, over the 300 KB webhook limit",
                msg.payload.len()
            ),
        );
        result.permanent = true;
        return result;
    }
    let timestamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let headers = match build_headers(target, msg, timestamp) {
        Ok(h) => h,
        Err(e) => return AttemptResult::failed(ErrorClass::Config, e),
    };
    let sent = headers_json(&headers, &[]);
    let body = bytes::Bytes::from_owner(SharedPayload(msg.payload.clone()));
    let mut result = match client.post(url, headers, body, target.timeout).await {
        Ok(reply) => read_reply(reply),
        Err(e) => AttemptResult::failed(e.class, e.message),
    };
    result.request_headers = sent;
    result
}

fn build_headers(target: &Target, msg: &Outgoing, timestamp: i64) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    // Custom headers first, so ours win (validation already forbids overriding them).
    for (name, value) in target.metadata.headers.iter().flatten() {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header {name}: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
        headers.insert(name, value);
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    let keys: Vec<&str> = target
        .secrets
        .signing_keys
        .iter()
        .map(String::as_str)
        .collect();
    if keys.is_empty() {
        return Err("the destination has no signing key".into());
    }
    let signature =
        signing::signature_header(&keys, &msg.message_id, timestamp, msg.payload.as_bytes())
            .map_err(|e| format!("signing failed: {e}"))?;
    let id = HeaderValue::from_str(&msg.message_id).map_err(|e| e.to_string())?;
    let ts = HeaderValue::from(timestamp);
    let sig = HeaderValue::from_str(&signature).map_err(|e| e.to_string())?;
    // Both spellings: Svix's, and Standard Webhooks' (the same values).
    for [id_name, ts_name, sig_name] in SIGNATURE_HEADERS {
        headers.insert(HeaderName::from_static(id_name), id.clone());
        headers.insert(HeaderName::from_static(ts_name), ts.clone());
        headers.insert(HeaderName::from_static(sig_name), sig.clone());
    }
    Ok(headers)
}

/// The message's payload as a request body without copying it: every attempt (and every
/// message of a notification) shares the one string.
struct SharedPayload(std::sync::Arc<str>);

impl AsRef<[u8]> for SharedPayload {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn read_reply(reply: Reply) -> AttemptResult {
    let status = reply.status;
    let retry_after = reply
        .headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = Some(truncate_body(&reply.body));
    let code = status.as_u16();
    if status.is_success() {
        return AttemptResult {
            succeeded: true,
            status_code: Some(code),
            response_body: body,
            ..Default::default()
        };
    }
    let class = if code == 429 {
        ErrorClass::Throttled
    } else {
        ErrorClass::Status
    };
    AttemptResult {
        status_code: Some(code),
        response_body: body,
        error_class: Some(class),
        error: Some(format!("the receiver answered {status}")),
        retry_after,
        gone: code == 410,
        ..Default::default()
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let delta = when.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(delta.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
