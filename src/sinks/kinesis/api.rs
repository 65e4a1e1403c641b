//! One `PutRecords` call: the request signed with AWS SigV4, and its answer read into one
//! outcome per record.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::record::Record;
use crate::sinks::http::{classify, describe};
use crate::sinks::webhook::parse_retry_after;
use crate::sinks::{headers_json, truncate_body, AttemptResult, ErrorClass, Target};

pub const USER_AGENT_VALUE: &str = concat!("Switchboard/", env!("CARGO_PKG_VERSION"), " (kinesis)");
const JSON_1_1: &str = "application/x-amz-json-1.1";
const PUT_RECORDS: &str = "Kinesis_20131202.PutRecords";
/// Headers whose values are credentials: kept with the attempt only as "[redacted]".
const REDACTED: [&str; 2] = ["authorization", "x-amz-security-token"];

/// Where and as whom a destination's requests go.
pub struct Endpoint<'a> {
    url: url::Url,
    region: &'a str,
    stream: &'a str,
    key_id: &'a str,
    secret_key: &'a str,
    session_token: Option<&'a str>,
}

impl<'a> Endpoint<'a> {
    pub fn for_target(target: &'a Target) -> Result<Self, String> {
        let meta = &target.metadata;
        let stream = meta
            .stream_name
            .as_deref()
            .ok_or("the destination has no streamName")?;
        let region = meta
            .region
            .as_deref()
            .ok_or("the destination has no region")?;
        let key_id = target
            .secrets
            .aws_key_id
            .as_deref()
            .ok_or("the destination has no awsKeyId")?;
        let secret_key = target
            .secrets
            .aws_secret_key
            .as_deref()
            .ok_or("the destination has no awsSecretKey")?;
        let raw = match meta.endpoint_url.as_deref() {
            Some(u) => u.to_string(),
            None => format!("https://kinesis.{region}.amazonaws.com"),
        };
        let url = url::Url::parse(&raw).map_err(|e| format!("bad Kinesis endpoint {raw}: {e}"))?;
        if url.host().is_none() {
            return Err(format!("the Kinesis endpoint {raw} names no host"));
        }
        Ok(Endpoint {
            url,
            region,
            stream,
            key_id,
            secret_key,
            session_token: target.secrets.aws_session_token.as_deref(),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordsInput<'a> {
    stream_name: &'a str,
    records: Vec<RecordInput<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RecordInput<'a> {
    data: String,
    partition_key: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordsOutput {
    #[serde(default)]
    failed_record_count: Option<u64>,
    records: Vec<Map<String, Value>>,
}

/// Sends `records` in one request; one result per record, in order.
pub async fn put_records(
    http: &reqwest::Client,
    endpoint: &Endpoint<'_>,
    timeout: std::time::Duration,
    records: &[&Record],
) -> Vec<AttemptResult> {
    let all = |r: AttemptResult| vec![r; records.len()];
    let input = PutRecordsInput {
        stream_name: endpoint.stream,
        records: records
            .iter()
            .map(|r| RecordInput {
                data: STANDARD.encode(&r.data),
                partition_key: &r.partition_key,
            })
            .collect(),
    };
    let body = match serde_json::to_vec(&input) {
        Ok(b) => b,
        Err(e) => return all(AttemptResult::failed(ErrorClass::Config, e.to_string())),
    };
    let headers = match signed_headers(endpoint, &body, SystemTime::now()) {
        Ok(h) => h,
        Err(e) => return all(AttemptResult::failed(ErrorClass::Config, e)),
    };
    let sent = headers_json(&headers, &REDACTED);
    let response = http
        .post(endpoint.url.clone())
        .headers(headers)
        .timeout(timeout)
        .body(body)
        .send()
        .await;
    let mut results = match response {
        Ok(resp) => read_response(resp, records.len()).await,
        Err(e) => all(failure(&e)),
    };
    for r in &mut results {
        r.request_headers = sent.clone();
    }
    results
}

/// The request's headers with the SigV4 `Authorization`, `X-Amz-Date` and (with temporary
/// credentials) `X-Amz-Security-Token` added.
fn signed_headers(
    endpoint: &Endpoint<'_>,
    body: &[u8],
    time: SystemTime,
) -> Result<HeaderMap, String> {
    let identity: Identity = Credentials::new(
        endpoint.key_id,
        endpoint.secret_key,
        endpoint.session_token.map(str::to_string),
        None,
        "switchboard-destination",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(endpoint.region)
        .name("kinesis")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into();
    let to_sign = [("content-type", JSON_1_1), ("x-amz-target", PUT_RECORDS)];
    let request = SignableRequest::new(
        "POST",
        endpoint.url.as_str(),
        to_sign.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("cannot sign the request: {e}"))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into_parts();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_1_1));
    headers.insert(
        HeaderName::from_static("x-amz-target"),
        HeaderValue::from_static(PUT_RECORDS),
    );
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    for (name, value) in instructions.headers() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
        headers.insert(name, value);
    }
    Ok(headers)
}

async fn read_response(resp: reqwest::Response, count: usize) -> Vec<AttemptResult> {
    let status = resp.status();
    let code = status.as_u16();
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            let mut r = failure(&e);
            r.status_code = Some(code);
            return vec![r; count];
        }
    };
    results_of(status, &bytes, retry_after, count)
}

/// One result per record sent (`count`) from a PutRecords answer's status and body: the
/// parser the fuzz target `kinesis_response` drives with arbitrary bodies.
pub fn results_of(
    status: reqwest::StatusCode,
    bytes: &[u8],
    retry_after: Option<std::time::Duration>,
    count: usize,
) -> Vec<AttemptResult> {
    let code = status.as_u16();
    if !status.is_success() {
        let r = request_failure(code, &status.to_string(), bytes, retry_after);
        return vec![r; count];
    }
    let unreadable = |why: String| {
        let mut r = AttemptResult::failed(ErrorClass::Status, why);
        r.status_code = Some(code);
        r.response_body = Some(truncate_body(bytes));
        vec![r; count]
    };
    let output: PutRecordsOutput = match serde_json::from_slice(bytes) {
        Ok(o) => o,
        Err(e) => return unreadable(format!("the PutRecords response could not be read: {e}")),
    };
    if output.records.len() != count {
        return unreadable(format!(
            "the PutRecords response has {} records for {count} sent",
            output.records.len()
        ));
    }
    let failed = output.failed_record_count.unwrap_or(0);
    output
        .records
        .into_iter()
        .map(|entry| record_outcome(code, failed, count, entry))
        .collect()
}

/// One record's entry of a 200 answer: `{SequenceNumber, ShardId}` or `{ErrorCode, ErrorMessage}`.
fn record_outcome(
    code: u16,
    failed: u64,
    count: usize,
    entry: Map<String, Value>,
) -> AttemptResult {
    // The record's own entry tells the operator more than the first 4 KiB of a 500-record answer.
    let mut shown = entry.clone();
    shown.insert("FailedRecordCount".into(), failed.into());
    shown.insert("RecordCount".into(), count.into());
    let response_body = Some(truncate_body(Value::Object(shown).to_string().as_bytes()));
    let text = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let error_code = text("ErrorCode");
    if error_code.is_empty() {
        return AttemptResult {
            succeeded: true,
            status_code: Some(code),
            response_body,
            ..Default::default()
        };
    }
    let class = record_error_class(error_code);
    AttemptResult {
        status_code: Some(code),
        response_body,
        error_class: Some(class),
        error: Some(format!(
            "Kinesis did not take the record: {error_code}: {}",
            text("ErrorMessage")
        )),
        ..Default::default()
    }
}

fn record_error_class(error_code: &str) -> ErrorClass {
    match error_code {
        "ProvisionedThroughputExceededException" | "KMSThrottlingException" => {
            ErrorClass::Throttled
        }
        // Encryption key disabled, missing or not allowed: the stream's setup is at fault.
        c if c.starts_with("KMS") => ErrorClass::Config,
        _ => ErrorClass::Status,
    }
}

/// A non-2xx answer: the whole request failed. Kinesis names the error in `__type`.
fn request_failure(
    code: u16,
    status: &str,
    body: &[u8],
    retry_after: Option<std::time::Duration>,
) -> AttemptResult {
    let parsed: Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
    let error_type = parsed
        .get("__type")
        .and_then(Value::as_str)
        .map(|t| t.rsplit('#').next().unwrap_or(t))
        .unwrap_or("");
    let message = ["message", "Message"]
        .iter()
        .find_map(|k| parsed.get(*k).and_then(Value::as_str))
        .unwrap_or("");
    let class = match error_type {
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "LimitExceededException"
        | "KMSThrottlingException"
        | "RequestLimitExceeded"
        | "SlowDown" => ErrorClass::Throttled,
        "ResourceNotFoundException"
        | "AccessDeniedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "ValidationException"
        | "InvalidArgumentException"
        | "SerializationException" => ErrorClass::Config,
        t if t.starts_with("KMS") => ErrorClass::Config,
        _ if code == 429 => ErrorClass::Throttled,
        _ if code == 401 || code == 403 => ErrorClass::Config,
        _ => ErrorClass::Status,
    };
    let mut error = format!("Kinesis answered {status}");
    if !error_type.is_empty() {
        error.push_str(": ");
        error.push_str(error_type);
    }
    if !message.is_empty() {
        error.push_str(": ");
        error.push_str(message);
    }
    AttemptResult {
        status_code: Some(code),
        response_body: Some(truncate_body(body)),
        error_class: Some(class),
        error: Some(error),
        retry_after,
        ..Default::default()
    }
}

/// A request that got no (complete) answer.
fn failure(e: &reqwest::Error) -> AttemptResult {
    let described = describe(e);
    let class = match e.is_timeout() {
        true => ErrorClass::Timeout,
        false => classify(e.is_connect(), &described),
    };
    AttemptResult::failed(class, described)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_errors_are_classified_by_type_then_status() {
        let class = |code, body: &str| request_failure(code, "x", body.as_bytes(), None);
        let r = class(
            400,
            r#"{"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException","message":"Stream s not found"}"#,
        );
        assert_eq!(r.error_class, Some(ErrorClass::Config));
        assert_eq!(
            r.error.as_deref(),
            Some("Kinesis answered x: ResourceNotFoundException: Stream s not found")
        );
        for t in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "LimitExceededException",
        ] {
            let r = class(400, &format!(r#"{{"__type":"{t}"}}"#));
            assert_eq!(r.error_class, Some(ErrorClass::Throttled), "{t}");
        }
        assert_eq!(class(500, "oops").error_class, Some(ErrorClass::Status));
        assert_eq!(class(503, "{}").error_class, Some(ErrorClass::Status));
        assert_eq!(class(429, "").error_class, Some(ErrorClass::Throttled));
        assert!(!class(400, "{}").permanent);
    }

    #[test]
    fn record_errors_are_classified() {
        assert_eq!(
            record_error_class("ProvisionedThroughputExceededException"),
            ErrorClass::Throttled
        );
        assert_eq!(
            record_error_class("KMSThrottlingException"),
            ErrorClass::Throttled
        );
        assert_eq!(
            record_error_class("KMSDisabledException"),
            ErrorClass::Config
        );
        assert_eq!(record_error_class("InternalFailure"), ErrorClass::Status);
    }

    #[test]
    fn credentials_never_reach_the_recorded_headers() {
        let target = Target {
            id: "d".into(),
            project_id: "p".into(),
            name: "k".into(),
            kind: crate::model::DestinationType::Kinesis,
            metadata: crate::model::DestinationMetadata {
                stream_name: Some("s".into()),
                region: Some("eu-west-1".into()),
                endpoint_url: Some("http://127.0.0.1:4567".into()),
                ..Default::default()
            },
            url: None,
            secrets: crate::sinks::SinkSecrets {
                aws_key_id: Some("AKIDEXAMPLE".into()),
                aws_secret_key: Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into()),
                aws_session_token: Some("SESSIONTOKEN".into()),
                ..Default::default()
            },
            timeout: std::time::Duration::from_secs(1),
        };
        let endpoint = Endpoint::for_target(&target).unwrap();
        let headers = signed_headers(&endpoint, b"{}", SystemTime::now()).unwrap();
        let auth = headers["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/eu-west-1/kinesis/aws4_request"), "{auth}");
        assert_eq!(headers["x-amz-security-token"], "SESSIONTOKEN");
        let recorded = headers_json(&headers, &REDACTED);
        assert!(!recorded.contains("SESSIONTOKEN") && !recorded.contains("EXAMPLEKEY"));
        assert!(!recorded.contains("Signature="), "{recorded}");
        assert!(recorded.contains(PUT_RECORDS) && recorded.contains("x-amz-date"));
    }
}
