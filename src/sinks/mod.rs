//! Where messages go: one module per destination type. The dispatcher hands a sink a batch
//! of messages for one destination and gets one `AttemptResult` per message back.

pub mod http;
pub mod kinesis;
pub mod log;
pub mod policy;
pub mod webhook;

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::{Serialize, Serializer};

use crate::model::message::MessageKind;
use crate::model::{DestinationMetadata, DestinationType};

/// Why an attempt failed, for operators (and for retry decisions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorClass {
    Timeout,
    Connect,
    Tls,
    /// The receiver answered with a non-2xx status.
    Status,
    /// Reading or writing failed midway (connection reset, file I/O).
    Io,
    /// The destination cannot take the message as configured (bad credentials, too large…).
    Config,
    /// The receiver asked us to slow down (HTTP 429, Kinesis throttling).
    Throttled,
    /// The network policy forbids the address (see `sinks::policy`).
    Policy,
}

impl ErrorClass {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Status => "status",
            Self::Io => "io",
            Self::Config => "config",
            Self::Throttled => "throttled",
            Self::Policy => "policy",
        }
    }
}

/// Secrets a sink needs, opened from the vault by the dispatcher.
#[derive(Clone, Default)]
pub struct SinkSecrets {
    /// Webhook signing keys: the current one first, then one in its rotation grace period.
    pub signing_keys: Vec<String>,
    pub aws_key_id: Option<String>,
    pub aws_secret_key: Option<String>,
    pub aws_session_token: Option<String>,
}

impl std::fmt::Debug for SinkSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkSecrets(..)")
    }
}

/// What a sink knows about its destination.
#[derive(Clone, Debug)]
pub struct Target {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub kind: DestinationType,
    pub metadata: DestinationMetadata,
    /// `metadata.url` parsed once (None when absent or invalid), not once per delivery.
    pub url: Option<::http::Uri>,
    pub secrets: SinkSecrets,
    pub timeout: Duration,
}

/// One message on its way out.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub message_id: String,
    pub project_id: String,
    pub kind: MessageKind,
    /// The webhook body as serialized JSON: `{"notificationType": …, "data": …}` for a
    /// notification, the webhook message itself for a read result.
    pub payload: std::sync::Arc<str>,
    /// When the message was created (Unix ms).
    pub create_time: i64,
}

/// The outcome of one attempt at one message.
#[derive(Clone, Debug, Default)]
pub struct AttemptResult {
    pub succeeded: bool,
    pub status_code: Option<u16>,
    /// At most the first 4 KiB of what the receiver answered.
    pub response_body: Option<String>,
    pub error_class: Option<ErrorClass>,
    pub error: Option<String>,
    /// The receiver's `Retry-After`, if any.
    pub retry_after: Option<Duration>,
    /// Retrying cannot help (e.g. a record over the size limit): exhaust at once.
    pub permanent: bool,
    /// The destination is gone for good (HTTP 410): disable it at once.
    pub gone: bool,
    /// Headers sent, as a JSON object of names and values ([`headers_json`]), kept with
    /// the attempt.
    pub request_headers: String,
}

impl AttemptResult {
    pub fn failed(class: ErrorClass, error: impl Into<String>) -> Self {
        AttemptResult {
            error_class: Some(class),
            error: Some(error.into()),
            ..Default::default()
        }
    }
}

pub const RESPONSE_BODY_LIMIT: usize = 4096;

/// Cuts a response body to its first 4 KiB, on a character boundary.
pub fn truncate_body(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RESPONSE_BODY_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    text.trim_end_matches('\u{FFFD}').to_string()
}

/// Clients and state the sinks share.
#[derive(Clone)]
pub struct Sinks {
    pub webhooks: http::DeliveryClient,
    pub log: log::LogSink,
    pub kinesis: kinesis::KinesisSink,
}

impl Sinks {
    /// `ca_certificates`: PEM files of CA certificates to trust besides the Mozilla roots;
    /// `policy`: where webhooks may connect.
    pub fn new(
        ca_certificates: &[std::path::PathBuf],
        policy: &policy::NetworkPolicy,
    ) -> anyhow::Result<Self> {
        let extra_roots = http::read_certificates(ca_certificates)?;
        let policy = std::sync::Arc::new(policy.clone());
        Ok(Sinks {
            webhooks: http::DeliveryClient::with_policy(&extra_roots, policy.clone())?,
            log: log::LogSink::default(),
            kinesis: kinesis::KinesisSink::new(&extra_roots, policy)?,
        })
    }

    /// How many messages one delivery call may carry for this kind of destination.
    pub fn max_batch(kind: DestinationType) -> usize {
        match kind {
            DestinationType::Kinesis => kinesis::MAX_RECORDS_PER_REQUEST,
            DestinationType::Webhook | DestinationType::Log => 1,
        }
    }

    /// Delivers a batch to one destination; one result per message, in order.
    pub async fn deliver(&self, target: &Target, batch: &[Outgoing]) -> Vec<AttemptResult> {
        match target.kind {
            DestinationType::Webhook => {
                let mut out = Vec::with_capacity(batch.len());
                for msg in batch {
                    out.push(webhook::deliver(&self.webhooks, target, msg).await);
                }
                out
            }
            DestinationType::Log => {
                let mut out = Vec::with_capacity(batch.len());
                for msg in batch {
                    out.push(self.log.deliver(target, msg).await);
                }
                out
            }
            DestinationType::Kinesis => self.kinesis.deliver(target, batch).await,
        }
    }
}

/// `headers` as a JSON object text, names to values, for the attempt's record; the values
/// of names in `redacted` are replaced. A name sent more than once keeps its values joined
/// by `, ` (as HTTP allows). Written straight from the header map: going through a
/// `serde_json::Map` cost a tree and two strings per header on every attempt.
pub fn headers_json(headers: &HeaderMap, redacted: &[&str]) -> String {
    struct AsObject<'a>(&'a HeaderMap, &'a [&'a str]);
    impl Serialize for AsObject<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let (headers, redacted) = (self.0, self.1);
            s.collect_map(headers.keys().map(|name| {
                let value = if redacted.contains(&name.as_str()) {
                    std::borrow::Cow::Borrowed("[redacted]")
                } else {
                    let mut values = headers
                        .get_all(name)
                        .iter()
                        .map(|v| v.to_str().unwrap_or(""));
                    let first = values.next().unwrap_or("");
                    values.fold(std::borrow::Cow::Borrowed(first), |joined, next| {
                        std::borrow::Cow::Owned(format!("{joined}, {next}"))
                    })
                };
                (name.as_str(), value)
            }))
        }
    }
    serde_json::to_string(&AsObject(headers, redacted)).unwrap_or_else(|_| "{}".into())
}
