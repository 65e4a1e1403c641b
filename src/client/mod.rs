//! A typed client for the node's API — the same one an embedded node, a remote Switchboard
//! node or an Ampersand-compatible API (same paths, `X-Api-Key`) speaks. Used by the CLI,
//! the desktop shell and the tests.
//!
//! Errors keep the API's problem+json apart from transport failures (`ClientError`).
//! Idempotent calls are retried with backoff on connection errors, 429 (honouring
//! `Retry-After`) and 502/503/504 — see `retry`. A publish always carries an
//! `Idempotency-Key` (generated when the caller gives none), which is what makes it safe
//! to retry.

pub mod error;
pub mod live;
pub mod profiles;
pub mod reads;
pub mod retry;
pub mod types;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
pub use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

pub use error::ClientError;
pub use live::{LiveEvent, LiveEvents, LiveOptions, LiveUpdate};
pub use retry::RetryPolicy;
pub use types::*;

/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("switchboard-client/", env!("CARGO_PKG_VERSION"));
pub const API_KEY_HEADER: &str = "x-api-key";
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Establishing the TCP (and TLS) connection.
    pub connect: Duration,
    /// A whole request, from sending to the last byte of the answer. The live stream is
    /// exempt after its headers arrived.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
        }
    }
}

/// Where and as whom to connect.
#[derive(Clone)]
pub struct ClientConfig {
    /// The node's root (`http://127.0.0.1:8700`); a trailing `/v1` is accepted too.
    pub base_url: String,
    /// Sent as `X-Api-Key`.
    pub api_key: Option<String>,
    /// Project ID or name that every `/v1/projects/{p}/...` call uses.
    pub project: String,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    /// A PEM file of CA certificates to trust besides the Mozilla roots: for a node
    /// serving TLS with an internal CA's (or its own self-signed) certificate.
    pub ca_cert: Option<std::path::PathBuf>,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, project: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key: None,
            project: project.into(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            ca_cert: None,
        }
    }

    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("project", &self.project)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

/// The one place the HTTP client is built: timeouts, user agent, rustls, and the CA
/// certificates of `ca_cert` (a PEM file) trusted besides the Mozilla roots.
pub fn http_client(
    timeouts: &Timeouts,
    ca_cert: Option<&std::path::Path>,
) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request);
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            ClientError::Config(format!(
                "reading the CA certificate {}: {e}",
                path.display()
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            ClientError::Config(format!(
                "reading the CA certificate {}: {e}",
                path.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(ClientError::Config(format!(
                "{} holds no PEM certificate",
                path.display()
            )));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| ClientError::Config(format!("building the HTTP client: {e}")))
}

/// Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    api_key: Option<HeaderValue>,
    project: String,
    timeouts: Timeouts,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base.as_str())
            .field("project", &self.inner.project)
            .finish()
    }
}

/// One request, kept whole so that it can be sent again.
struct Call {
    method: Method,
    url: Url,
    body: Option<Vec<u8>>,
    headers: Vec<(HeaderName, HeaderValue)>,
    idempotent: bool,
}

impl Call {
    fn new(method: Method, url: Url) -> Self {
        // PATCH here always carries a full field mask, so repeating it lands on the same state.
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::PATCH
        );
        Call {
            method,
            url,
            body: None,
            headers: Vec::new(),
            idempotent,
        }
    }

    fn json(mut self, body: &impl Serialize) -> Result<Self> {
        self.body = Some(
            serde_json::to_vec(body)
                .map_err(|e| ClientError::Config(format!("encoding the request body: {e}")))?,
        );
        Ok(self)
    }

    fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    fn query(mut self, name: &str, value: Option<impl AsRef<str>>) -> Self {
        if let Some(v) = value {
            self.url.query_pairs_mut().append_pair(name, v.as_ref());
        }
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Result<Self> {
        let value = HeaderValue::from_str(value)
            .map_err(|_| ClientError::Config(format!("'{value}' is not a valid {name} header")))?;
        self.headers.push((HeaderName::from_static(name), value));
        Ok(self)
    }
}

/// A request for `Client::send_raw`.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub method: Method,
    /// Path and query below the base URL, e.g. `/v1/projects/default/topics?x=1`.
    pub path: String,
    /// Headers to send (`X-Api-Key` and `Authorization` are ignored: the client sends its key).
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// What `Client::send_raw` got back.
#[derive(Clone, Debug)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// `Ok(self)` for a 2xx answer, else the API error it carries.
    pub fn error_for_status(self) -> Result<Self> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(ClientError::Api {
                status: self.status,
                problem: Box::new(error::parse_problem(self.status, &self.body)),
            })
        }
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Result<Value> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        decode(&self.body, "response")
    }
}

/// Normalises a base URL: http(s) only, no query, no trailing `/` or `/v1`.
pub fn normalize_base_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| ClientError::Config(format!("'{raw}' is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ClientError::Config(format!(
            "'{raw}' must be an http:// or https:// URL"
        )));
    }
    url.set_query(None);
    url.set_fragment(None);
    let mut segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    if segments.last().map(String::as_str) == Some("v1") {
        segments.pop();
    }
    url.set_path("");
    url.path_segments_mut()
        .map_err(|_| ClientError::Config(format!("'{raw}' cannot be a base URL")))?
        .extend(&segments);
    Ok(url)
}

fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// reqwest errors worth another try: the connection failed or broke before an answer.
/// A request that timed out as a whole is not retried (it would multiply the wait).
fn retryable_transport(e: &reqwest::Error) -> bool {
    e.is_connect() || (e.is_request() && !e.is_timeout())
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = http_client(&config.timeouts, config.ca_cert.as_deref())?;
        Self::with_http(config, http)
    }

    /// Shares an existing HTTP client (its timeouts win over `config.timeouts`).
    pub fn with_http(config: ClientConfig, http: reqwest::Client) -> Result<Self> {
        let base = normalize_base_url(&config.base_url)?;
        let api_key = match &config.api_key {
            Some(k) => {
                let mut v = HeaderValue::from_str(k.trim()).map_err(|_| {
                    ClientError::Config("the API key contains characters a header cannot".into())
                })?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        if config.project.is_empty() {
            return Err(ClientError::Config("the project must not be empty".into()));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                api_key,
                project: config.project,
                timeouts: config.timeouts,
                retry: config.retry,
            }),
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn project(&self) -> &str {
        &self.inner.project
    }

    /// The same connection and key, another project.
    pub fn for_project(&self, project: impl Into<String>) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                base: i.base.clone(),
                api_key: i.api_key.clone(),
                project: project.into(),
                timeouts: i.timeouts,
                retry: i.retry.clone(),
            }),
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `/v1/projects/{project}/<rest...>`, each segment percent-encoded.
    fn project_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["v1", "projects", self.inner.project.as_str()];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let mut req = self.inner.http.request(method, url);
        if let Some(key) = &self.inner.api_key {
            req = req.header(API_KEY_HEADER, key.clone());
        }
        req
    }

    /// Sends `call`, retrying as the policy allows; returns a 2xx response or the error.
    async fn execute(&self, call: Call) -> Result<reqwest::Response> {
        let (resp, maybe_applied) = self.execute_any(&call).await?;
        let status = resp.status().as_u16();
        // A DELETE that an earlier try may already have done: gone is success.
        let gone_already = status == 404 && maybe_applied && call.method == Method::DELETE;
        if resp.status().is_success() || gone_already {
            Ok(resp)
        } else {
            Err(api_error(resp).await)
        }
    }

    /// Sends `call`, retrying as the policy allows, and returns the last answer whatever its
    /// status, with whether an earlier try may have been carried out unseen.
    async fn execute_any(&self, call: &Call) -> Result<(reqwest::Response, bool)> {
        let policy = &self.inner.retry;
        let mut attempt: u32 = 1;
        let mut maybe_applied = false;
        loop {
            let mut req = self
                .request(call.method.clone(), call.url.clone())
                .header(ACCEPT, "application/json, application/problem+json");
            for (name, value) in &call.headers {
                req = req.header(name, value);
            }
            if let Some(body) = &call.body {
                if !call.headers.iter().any(|(n, _)| n == CONTENT_TYPE) {
                    req = req.header(CONTENT_TYPE, "application/json");
                }
                req = req.body(body.clone());
            }
            let can_retry = call.idempotent && attempt < policy.max_attempts;
            let wait = match req.send().await {
                Err(e) if can_retry && retryable_transport(&e) => {
                    maybe_applied |= !e.is_connect();
                    tracing::debug!(url = %call.url, attempt, error = %e, "retrying after a transport error");
                    policy.backoff(attempt)
                }
                Err(e) => return Err(ClientError::Transport(e)),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let wait = if can_retry && retry::retryable_status(status) {
                        match retry::retry_after(resp.headers(), Utc::now()) {
                            Some(d) if d > policy.max_retry_after => None,
                            Some(d) => Some(d),
                            None => Some(policy.backoff(attempt)),
                        }
                    } else {
                        None
                    };
                    match wait {
                        Some(d) => {
                            maybe_applied |= retry::outcome_unknown_status(status);
                            tracing::debug!(url = %call.url, attempt, status, wait_ms = d.as_millis() as u64, "retrying");
                            d
                        }
                        None => return Ok((resp, maybe_applied)),
                    }
                }
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends a request as given — the desktop shell's transport for the web view, which
    /// speaks the same REST API. The key is added and idempotent methods are retried like
    /// any call; every answer comes back as it is, error statuses included.
    pub async fn send_raw(&self, req: RawRequest) -> Result<RawResponse> {
        if !req.path.starts_with('/') {
            return Err(ClientError::Config(format!(
                "'{}' must be a path starting with '/'",
                req.path
            )));
        }
        let joined = format!(
            "{}{}",
            self.inner.base.as_str().trim_end_matches('/'),
            req.path
        );
        let url = Url::parse(&joined).map_err(|e| {
            ClientError::Config(format!("'{}' is not a valid path ({e})", req.path))
        })?;
        let mut call = Call::new(req.method, url);
        call.body = req.body;
        for (name, value) in &req.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ClientError::Config(format!("'{name}' is not a header name")))?;
            if name == API_KEY_HEADER || name == reqwest::header::AUTHORIZATION {
                continue; // The key is the client's to send, not the caller's.
            }
            let value = HeaderValue::from_str(value)
                .map_err(|_| ClientError::Config(format!("bad value for header {name}")))?;
            if name == IDEMPOTENCY_KEY_HEADER {
                call.idempotent = true;
            }
            call.headers.push((name, value));
        }
        let (resp, _) = self.execute_any(&call).await?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.bytes().await.map_err(ClientError::Transport)?.to_vec();
        Ok(RawResponse {
            status,
            content_type,
            body,
        })
    }

    async fn json<T: DeserializeOwned>(&self, call: Call, what: &str) -> Result<T> {
        let resp = self.execute(call).await?;
        let bytes = resp.bytes().await.map_err(ClientError::Transport)?;
        decode(&bytes, what)
    }

    async fn empty(&self, call: Call) -> Result<()> {
        let resp = self.execute(call).await?;
        // Read the body so the connection returns to the pool.
        let _ = resp.bytes().await;
        Ok(())
    }

    // ---- Node ----

    /// `GET /healthz` (needs no key).
    pub async fn healthz(&self) -> Result<Health> {
        self.json(Call::new(Method::GET, self.url(&["healthz"])), "health")
            .await
    }

    // ---- Projects ----

    pub async fn list_projects(&self) -> Result<Vec<Project>> {
        let url = self.url(&["v1", "projects"]);
        self.json(Call::new(Method::GET, url), "project list").await
    }

    pub async fn create_project(&self, name: &str) -> Result<Project> {
        let url = self.url(&["v1", "projects"]);
        let call = Call::new(Method::POST, url).json(&json!({ "name": name }))?;
        self.json(call, "project").await
    }

    /// A project by ID or name.
    pub async fn get_project(&self, project: &str) -> Result<Project> {
        let url = self.url(&["v1", "projects", project]);
        self.json(Call::new(Method::GET, url), "project").await
    }

    // ---- Destinations ----

    pub async fn create_destination(&self, req: &CreateDestinationRequest) -> Result<Destination> {
        let call = Call::new(Method::POST, self.project_url(&["destinations"])).json(req)?;
        self.json(call, "destination").await
    }

    pub async fn list_destinations(&self) -> Result<Vec<Destination>> {
        let call = Call::new(Method::GET, self.project_url(&["destinations"]));
        self.json(call, "destination list").await
    }

    /// A destination by ID or name; optionally with its secrets, or after rotating its
    /// signing key (a rotation is never retried: a repeat would push out the old key).
    pub async fn get_destination(
        &self,
        destination: &str,
        options: GetDestination,
    ) -> Result<Destination> {
        let call = Call::new(
            Method::GET,
            self.project_url(&["destinations", destination]),
        )
        .query("includeSecrets", options.include_secrets.then_some("true"))
        .query("rotate", options.rotate.then_some("true"))
        .idempotent(!options.rotate);
        self.json(call, "destination").await
    }

    /// `PATCH` with `{updateMask, destination}`.
    pub async fn update_destination(
        &self,
        destination: &str,
        req: &UpdateDestinationRequest,
    ) -> Result<Destination> {
        let call = Call::new(
            Method::PATCH,
            self.project_url(&["destinations", destination]),
        )
        .json(req)?;
        self.json(call, "destination").await
    }

    pub async fn delete_destination(&self, destination: &str) -> Result<()> {
        let call = Call::new(
            Method::DELETE,
            self.project_url(&["destinations", destination]),
        );
        self.empty(call).await
    }

    /// Holds deliveries (they wait, in order) until `resume_destination`.
    pub async fn pause_destination(&self, destination: &str) -> Result<Destination> {
        self.destination_action(destination, "pause").await
    }

    pub async fn resume_destination(&self, destination: &str) -> Result<Destination> {
        self.destination_action(destination, "resume").await
    }

    /// Re-enables a destination that was disabled after failing.
    pub async fn enable_destination(&self, destination: &str) -> Result<Destination> {
        self.destination_action(destination, "enable").await
    }

    /// Setting a state is idempotent, so these are retried like a GET.
    async fn destination_action(&self, destination: &str, action: &str) -> Result<Destination> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["destinations", destination, action]),
        )
        .idempotent(true);
        self.json(call, "destination").await
    }

    /// Queues again the failed and skipped messages of a destination since `since`.
    pub async fn recover_destination(
        &self,
        destination: &str,
        since: DateTime<Utc>,
    ) -> Result<RecoverResult> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["destinations", destination, "recover"]),
        )
        .json(&json!({ "since": rfc3339(&since) }))?;
        self.json(call, "recover result").await
    }

    // ---- Topics ----

    /// A topic, with its routes when the request lists event types or destinations (one
    /// transaction on this node; other nodes may not take the lists).
    pub async fn create_topic(&self, request: &CreateTopicRequest) -> Result<Topic> {
        let call = Call::new(Method::POST, self.project_url(&["topics"])).json(request)?;
        self.json(call, "topic").await
    }

    pub async fn list_topics(&self) -> Result<Vec<Topic>> {
        let call = Call::new(Method::GET, self.project_url(&["topics"]));
        self.json(call, "topic list").await
    }

    /// A topic by ID (this node also accepts its name).
    pub async fn get_topic(&self, topic: &str) -> Result<Topic> {
        let call = Call::new(Method::GET, self.project_url(&["topics", topic]));
        self.json(call, "topic").await
    }

    /// Renames a topic.
    /// Renames a topic and/or replaces the event types routed into it and the destinations
    /// it feeds (each field given replaces the topic's).
    pub async fn update_topic(&self, topic: &str, request: &UpdateTopicRequest) -> Result<Topic> {
        let call = Call::new(Method::PATCH, self.project_url(&["topics", topic])).json(request)?;
        self.json(call, "topic").await
    }

    pub async fn delete_topic(&self, topic: &str) -> Result<()> {
        let call = Call::new(Method::DELETE, self.project_url(&["topics", topic]));
        self.empty(call).await
    }

    /// `POST /v1/inspect`: the node inspects a body, with a destination's keys if named
    /// (in this client's project unless the request names one).
    pub async fn inspect(
        &self,
        request: &crate::inspect::request::InspectRequest,
    ) -> Result<crate::inspect::InspectReport> {
        let mut request = request.clone();
        request
            .project
            .get_or_insert_with(|| self.inner.project.clone());
        let call = Call::new(Method::POST, self.url(&["v1", "inspect"])).json(&request)?;
        self.json(call, "inspection").await
    }

    // ---- Capture inboxes ----

    pub async fn create_inbox(&self, request: &CreateInboxRequest) -> Result<Inbox> {
        let call = Call::new(Method::POST, self.project_url(&["inboxes"])).json(request)?;
        self.json(call, "inbox").await
    }

    pub async fn list_inboxes(&self) -> Result<Vec<Inbox>> {
        let call = Call::new(Method::GET, self.project_url(&["inboxes"]));
        self.json(call, "inbox list").await
    }

    pub async fn update_inbox(&self, inbox: &str, request: &UpdateInboxRequest) -> Result<Inbox> {
        let call = Call::new(Method::PATCH, self.project_url(&["inboxes", inbox])).json(request)?;
        self.json(call, "inbox").await
    }

    pub async fn delete_inbox(&self, inbox: &str) -> Result<()> {
        let call = Call::new(Method::DELETE, self.project_url(&["inboxes", inbox]));
        self.empty(call).await
    }

    /// The inbox's newest captures, newest first (at most `limit`, 1 to 1000).
    pub async fn list_captures(&self, inbox: &str, limit: u32) -> Result<Vec<Capture>> {
        let mut url = self.project_url(&["inboxes", inbox, "captures"]);
        url.query_pairs_mut()
            .append_pair("limit", &limit.to_string());
        self.json(Call::new(Method::GET, url), "capture list").await
    }

    /// Sends a capture again (see `ReplayRequest`); the result is kept beside it.
    pub async fn replay_capture(
        &self,
        inbox: &str,
        capture: &str,
        request: &ReplayRequest,
    ) -> Result<ReplayResult> {
        let url = self.project_url(&["inboxes", inbox, "captures", capture, "replay"]);
        self.json(Call::new(Method::POST, url).json(request)?, "replay")
            .await
    }

    /// The captures as `har`, `curl` or `ndjson` text (credentials redacted by the node),
    /// all of the newest 1000 or those of `ids`.
    pub async fn export_captures(
        &self,
        inbox: &str,
        format: &str,
        ids: &[String],
    ) -> Result<String> {
        let mut url = self.project_url(&["inboxes", inbox, "export"]);
        url.query_pairs_mut().append_pair("format", format);
        if !ids.is_empty() {
            url.query_pairs_mut().append_pair("ids", &ids.join(","));
        }
        let response = self.execute(Call::new(Method::GET, url)).await?;
        let bytes = response.bytes().await.map_err(ClientError::Transport)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    // ---- Event type → topic routes ----

    pub async fn create_event_topic_route(
        &self,
        event_type: &str,
        topic_id: &str,
    ) -> Result<EventTopicRoute> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["notification-event-topic-routes"]),
        )
        .json(&json!({ "eventType": event_type, "topicId": topic_id }))?;
        self.json(call, "event-topic route").await
    }

    pub async fn list_event_topic_routes(
        &self,
        filter: &EventTopicRouteFilter,
    ) -> Result<Vec<EventTopicRoute>> {
        let call = Call::new(
            Method::GET,
            self.project_url(&["notification-event-topic-routes"]),
        )
        .query("topicId", filter.topic_id.as_deref())
        .query("eventType", filter.event_type.as_deref());
        self.json(call, "event-topic route list").await
    }

    pub async fn delete_event_topic_route(&self, route_id: &str) -> Result<()> {
        let call = Call::new(
            Method::DELETE,
            self.project_url(&["notification-event-topic-routes", route_id]),
        );
        self.empty(call).await
    }

    // ---- Topic → destination routes ----

    pub async fn create_topic_destination_route(
        &self,
        topic_id: &str,
        destination_id: &str,
    ) -> Result<TopicDestinationRoute> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["topic-destination-routes"]),
        )
        .json(&json!({ "topicId": topic_id, "destinationId": destination_id }))?;
        self.json(call, "topic-destination route").await
    }

    pub async fn list_topic_destination_routes(
        &self,
        filter: &TopicDestinationRouteFilter,
    ) -> Result<Vec<TopicDestinationRoute>> {
        let call = Call::new(Method::GET, self.project_url(&["topic-destination-routes"]))
            .query("topicId", filter.topic_id.as_deref())
            .query("destinationId", filter.destination_id.as_deref());
        self.json(call, "topic-destination route list").await
    }

    pub async fn delete_topic_destination_route(&self, route_id: &str) -> Result<()> {
        let call = Call::new(
            Method::DELETE,
            self.project_url(&["topic-destination-routes", route_id]),
        );
        self.empty(call).await
    }

    // ---- API keys (node extension) ----

    pub async fn list_keys(&self) -> Result<Vec<ApiKey>> {
        self.json(
            Call::new(Method::GET, self.url(&["v1", "keys"])),
            "key list",
        )
        .await
    }

    /// Creates a key; its value is in the answer only.
    pub async fn create_key(&self, name: &str) -> Result<CreatedApiKey> {
        let call =
            Call::new(Method::POST, self.url(&["v1", "keys"])).json(&json!({ "name": name }))?;
        self.json(call, "created key").await
    }

    /// Revokes a key by ID or name.
    pub async fn revoke_key(&self, key: &str) -> Result<()> {
        self.empty(Call::new(Method::DELETE, self.url(&["v1", "keys", key])))
            .await
    }

    // ---- Dispatcher (node extensions) ----

    /// Publishes a notification. Always sends an `Idempotency-Key` (a new UUID when none is
    /// given), so a retry after a lost answer cannot publish twice.
    pub async fn publish(
        &self,
        notification: &Notification,
        idempotency_key: Option<&str>,
    ) -> Result<PublishResponse> {
        let generated;
        let key = match idempotency_key {
            Some(k) => k,
            None => {
                generated = uuid::Uuid::new_v4().to_string();
                &generated
            }
        };
        let call = Call::new(Method::POST, self.project_url(&["notifications"]))
            .json(notification)?
            .header(IDEMPOTENCY_KEY_HEADER, key)?
            .idempotent(true);
        self.json(call, "publish result").await
    }

    /// A page of messages, newest first; follow `next_cursor` for older ones.
    pub async fn list_messages(&self, filter: &MessageFilter) -> Result<MessagePage> {
        let call = Call::new(Method::GET, self.project_url(&["messages"]))
            .query("destinationId", filter.destination_id.as_deref())
            .query("eventType", filter.event_type.as_deref())
            .query("status", filter.status.as_deref())
            .query("since", filter.since.as_ref().map(rfc3339))
            .query("until", filter.until.as_ref().map(rfc3339))
            .query("cursor", filter.cursor.as_deref())
            .query("limit", filter.limit.map(|l| l.to_string()));
        self.json(call, "message page").await
    }

    /// A message with its payload and every attempt.
    pub async fn get_message(&self, message_id: &str) -> Result<MessageDetail> {
        let call = Call::new(Method::GET, self.project_url(&["messages", message_id]));
        self.json(call, "message").await
    }

    /// Delivers a message again (not retried: each call is one more delivery).
    pub async fn resend_message(&self, message_id: &str) -> Result<Message> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["messages", message_id, "resend"]),
        );
        self.json(call, "message").await
    }

    /// Delivery statistics per destination, as the node reports them.
    pub async fn stats(&self) -> Result<Value> {
        self.json(
            Call::new(Method::GET, self.project_url(&["stats"])),
            "stats",
        )
        .await
    }

    /// Sends a test notification (an example of `event_type`, default `connection.created`)
    /// to one destination, whatever the routes say.
    pub async fn test_destination(
        &self,
        destination: &str,
        event_type: Option<&str>,
    ) -> Result<PublishResponse> {
        let body = match event_type {
            Some(t) => json!({ "eventType": t }),
            None => json!({}),
        };
        let call = Call::new(
            Method::POST,
            self.project_url(&["destinations", destination, "test"]),
        )
        .json(&body)?;
        self.json(call, "publish result").await
    }

    /// The notification event types, each with a valid example payload.
    pub async fn event_types(&self) -> Result<Value> {
        let call = Call::new(Method::GET, self.url(&["v1", "event-types"])).idempotent(true);
        self.json(call, "event types").await
    }

    /// Downloads what a signed link in a payload points to (`configURL`, `lastConfigURL`,
    /// `resultInfo.downloadUrl`). The link is its own credential: no API key is sent, so a
    /// link to another host never learns it.
    pub async fn download(&self, url: &str) -> Result<Value> {
        let url = Url::parse(url)
            .map_err(|e| ClientError::Config(format!("'{url}' is not a URL ({e})")))?;
        let resp = self
            .inner
            .http
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(ClientError::Transport)?;
        if !resp.status().is_success() {
            return Err(api_error(resp).await);
        }
        let bytes = resp.bytes().await.map_err(ClientError::Transport)?;
        decode(&bytes, "download")
    }

    /// Follows `GET .../stream`, reconnecting with `Last-Event-ID` (see `live`).
    pub fn live_events(&self, options: LiveOptions) -> LiveEvents {
        LiveEvents::new(self.clone(), options)
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        ClientError::Decode(format!(
            "the {what} could not be read: {e} (body: {})",
            error::excerpt(bytes)
        ))
    })
}

async fn api_error(resp: reqwest::Response) -> ClientError {
    let status = resp.status().as_u16();
    let body = resp.bytes().await.unwrap_or_default();
    ClientError::Api {
        status,
        problem: Box::new(error::parse_problem(status, &body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised() {
        for (raw, want) in [
            ("http://127.0.0.1:8700", "http://127.0.0.1:8700/"),
            ("http://127.0.0.1:8700/", "http://127.0.0.1:8700/"),
            (
                "https://api.withampersand.com/v1",
                "https://api.withampersand.com/",
            ),
            ("https://h/prefix/v1/?x=1", "https://h/prefix"),
        ] {
            assert_eq!(normalize_base_url(raw).unwrap().as_str(), want, "{raw}");
        }
        assert!(normalize_base_url("ftp://h").is_err());
        assert!(normalize_base_url("not a url").is_err());
    }

    #[test]
    fn paths_are_encoded_per_segment() {
        let c = Client::new(ClientConfig::new("http://h/prefix", "my project")).unwrap();
        assert_eq!(
            c.project_url(&["destinations", "a/b"]).as_str(),
            "http://h/prefix/v1/projects/my%20project/destinations/a%2Fb"
        );
        assert_eq!(c.url(&["healthz"]).as_str(), "http://h/prefix/healthz");
        let c = Client::new(ClientConfig::new("http://h:1", "p")).unwrap();
        assert_eq!(c.url(&["healthz"]).as_str(), "http://h:1/healthz");
    }

    #[test]
    fn the_config_never_shows_its_key() {
        let cfg = ClientConfig::new("http://h", "p").api_key("sbk_secret");
        assert!(!format!("{cfg:?}").contains("sbk_secret"));
    }
}
