//! The HTTP client webhook deliveries go out through: hyper's pooled HTTP/1.1 client with
//! rustls (the Mozilla roots of `webpki-roots`, plus any CA certificates the node is told
//! to trust).
//!
//! Why not reqwest, as the API client and the Kinesis sink use: a delivery is one POST
//! with a body already in memory, and reqwest's per-request layers around the same hyper
//! client (URL parsing and conversion, redirect handling, response wrapping) cost ~15 µs
//! of CPU per request on the benchmark's machine, 6–10 % of what a message costs end to
//! end (bench/README.md, sixth round). What deliveries need from a client is here: a
//! connection pool per receiver, TLS, a timeout, and errors told apart for operators.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::policy::{NetworkPolicy, PolicyResolver};
use super::ErrorClass;

/// How long connecting (TCP and TLS) may take, whatever the destination's timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections kept per receiver host (as the reqwest client before).
const IDLE_PER_HOST: usize = 64;
/// An idle pooled connection is closed after this long (reqwest's default).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// How much of an answer's body is read; attempts keep its first 4 KiB.
const BODY_READ_LIMIT: usize = 64 * 1024;

/// A receiver's answer.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why no answer came: its class, and the error with its causes.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub class: ErrorClass,
    pub message: String,
}

/// Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct DeliveryClient {
    client: Client<HttpsConnector<HttpConnector<PolicyResolver>>, Full<Bytes>>,
    policy: Arc<NetworkPolicy>,
}

impl DeliveryClient {
    /// A client trusting the Mozilla roots and `extra_roots` (see [`read_certificates`]),
    /// connecting only where the default network policy allows.
    pub fn new(extra_roots: &[CertificateDer<'static>]) -> anyhow::Result<DeliveryClient> {
        Self::with_policy(extra_roots, Arc::new(NetworkPolicy::default()))
    }

    /// A client connecting only where `policy` allows.
    pub fn with_policy(
        extra_roots: &[CertificateDer<'static>],
        policy: Arc<NetworkPolicy>,
    ) -> anyhow::Result<DeliveryClient> {
        let mut http = HttpConnector::new_with_resolver(PolicyResolver::new(policy.clone()));
        // https URLs pass through to the TLS layer wrapped around this connector.
        http.enforce_http(false);
        // No Nagle delay for a request written while a segment is unacked (as reqwest).
        http.set_nodelay(true);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(extra_roots)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_max_idle_per_host(IDLE_PER_HOST)
            .build(https);
        Ok(DeliveryClient { client, policy })
    }

    /// POSTs `body` with `headers` to `uri`; the whole exchange, answer body included,
    /// within `timeout`.
    pub async fn post(
        &self,
        uri: &Uri,
        headers: HeaderMap,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Reply, SendError> {
        // A literal address never reaches the resolver: judged here.
        if let Some(why) = uri.host().and_then(|h| self.policy.literal_refusal(h)) {
            return Err(SendError {
                class: ErrorClass::Policy,
                message: why,
            });
        }
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                let message = describe(&e);
                let class = classify(e.is_connect(), &message);
                SendError { class, message }
            })?;
            let (parts, body) = response.into_parts();
            Ok(Reply {
                status: parts.status,
                headers: parts.headers,
                body: read_body(body).await?,
            })
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err(SendError {
                class: ErrorClass::Timeout,
                message: format!("no answer within {} ms", timeout.as_millis()),
            }),
        }
    }
}

/// The answer's body, read to its end (so that the connection can be reused) unless it
/// runs past `BODY_READ_LIMIT`: only its start is kept, and a receiver answering with
/// gigabytes must not hold them in memory.
async fn read_body(mut body: hyper::body::Incoming) -> Result<Bytes, SendError> {
    let mut read = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| SendError {
            class: ErrorClass::Io,
            message: format!("reading the answer: {}", describe(&e)),
        })?;
        if let Ok(data) = frame.into_data() {
            read.extend_from_slice(&data);
        }
        if read.len() > BODY_READ_LIMIT {
            break; // the connection closes with the unread rest
        }
    }
    Ok(read.freeze())
}

/// rustls with the `ring` provider (as reqwest's `rustls-tls` here), TLS 1.2 and 1.3.
fn tls_config(extra_roots: &[CertificateDer<'static>]) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in extra_roots {
        roots.add(cert.clone()).context("adding a CA certificate")?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The CA certificates of PEM files (`delivery.ca-certificates`), read once for every
/// client that delivers; a file without any is an error, not a silent no-op.
pub fn read_certificates(
    paths: &[impl AsRef<Path>],
) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let mut all = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .with_context(|| format!("reading CA certificates from {}", path.display()))?;
        anyhow::ensure!(
            !certs.is_empty(),
            "{} holds no PEM certificate",
            path.display()
        );
        all.extend(certs);
    }
    Ok(all)
}

/// TLS failures (an untrusted or expired certificate, a failed handshake) show as
/// connect errors; operators need them told apart.
pub(crate) fn classify(is_connect: bool, described: &str) -> ErrorClass {
    let lower = described.to_ascii_lowercase();
    if described.contains(super::policy::REFUSED) {
        ErrorClass::Policy
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        ErrorClass::Tls
    } else if is_connect {
        ErrorClass::Connect
    } else {
        ErrorClass::Io
    }
}

/// The error with its causes, e.g. "client error (Connect): tcp connect error: Connection
/// refused (os error 111)".
pub(crate) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
