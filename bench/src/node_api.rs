//! The node under test, started in this process, and the API calls the benchmark makes:
//! setting up the route and publishing.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::body::Bytes;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use switchboard::config::NodeConfig;
use switchboard::model::EventType;
use switchboard::node::Node;
use switchboard::secrets::SecretBackendKind;
use tokio_util::sync::CancellationToken;

pub struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
    /// The publishers' client: hyper's own pooled HTTP/1.1 client, without reqwest's
    /// per-request layers (URL re-parsing, redirects, timers). Publishers are load
    /// generators sharing the node's two cores, so they are kept as lean as possible.
    publisher: PublishClient,
    /// The publish URI, parsed once.
    notifications: axum::http::Uri,
}

type PublishClient = hyper_util::client::legacy::Client<HttpConnector, http_body_util::Full<Bytes>>;

fn publish_client() -> PublishClient {
    let mut connector = HttpConnector::new();
    // As reqwest does: no Nagle delay on a request written while a segment is unacked.
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build(connector)
}

/// The part of a publish response the publishers read.
#[derive(serde::Deserialize)]
struct Published {
    messages: Vec<PublishedMessage>,
}

#[derive(serde::Deserialize)]
struct PublishedMessage {
    id: String,
}

impl Api {
    /// The API of a node at `base` (e.g. one running as its own process), with `key`.
    pub fn connect(base: &str, key: &str) -> anyhow::Result<Api> {
        Ok(Api {
            http: reqwest::Client::new(),
            publisher: publish_client(),
            notifications: format!("{base}/v1/projects/default/notifications").parse()?,
            base: base.to_string(),
            key: key.to_string(),
        })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `method` on `/v1/projects/default{path}` with a JSON body, if any; the answer's JSON.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let request = self
            .http
            .request(
                method.clone(),
                format!("{}/v1/projects/default{path}", self.base),
            )
            .header("X-Api-Key", &self.key);
        let request = match &body {
            Some(body) => request.json(body),
            None => request,
        };
        let resp = request.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("{method} {path}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Publishes one notification; the ID of its (single) message.
    pub async fn publish(&self, body: &Bytes) -> anyhow::Result<String> {
        let request = axum::http::Request::post(self.notifications.clone())
            .header("x-api-key", &self.key)
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(body.clone()))?;
        let response = self.publisher.request(request).await?;
        let status = response.status();
        let text = response.into_body().collect().await?.to_bytes();
        if status != 202 {
            bail!("publish: {status}: {}", String::from_utf8_lossy(&text));
        }
        let published: Published = serde_json::from_slice(&text)?;
        published
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .context("publish response without a message (not routed?)")
    }
}

pub async fn start_node(
    dir: &Path,
    rate_limit: u32,
    durability: switchboard::config::Durability,
    receiver_url: &str,
    cancel: CancellationToken,
) -> anyhow::Result<(Node, Arc<Api>)> {
    let mut config = NodeConfig::new(dir.to_path_buf());
    config.secret_backend = SecretBackendKind::File;
    config.delivery.rate_limit = rate_limit;
    config.durability = durability;
    let node = Node::start(config, cancel).await?;
    let key = node.admin_api_key().await?.context("no admin key")?;
    let base = node.base_url();
    let api = Arc::new(Api {
        http: reqwest::Client::new(),
        publisher: publish_client(),
        notifications: format!("{base}/v1/projects/default/notifications").parse()?,
        base,
        key,
    });
    api.post(
        "/destinations",
        json!({"name": "bench", "type": "webhook", "metadata": {"url": receiver_url}}),
    )
    .await?;
    let topic = api.post("/topics", json!({"name": "bench"})).await?;
    api.post(
        "/notification-event-topic-routes",
        json!({"eventType": "connection.created", "topicId": topic["id"]}),
    )
    .await?;
    api.post(
        "/topic-destination-routes",
        json!({"topicId": topic["id"], "destinationId": "bench"}),
    )
    .await?;
    Ok((node, api))
}

/// A valid `connection.created` notification of about 1 KB.
pub fn notification() -> Vec<u8> {
    let mut data = switchboard::payload::notification::example_data(EventType::ConnectionCreated);
    let base = json!({"notificationType": "connection.created", "data": data.clone()})
        .to_string()
        .len();
    data["consumerName"] = json!(format!("John Doe {}", "x".repeat(1024 - base - 9)));
    json!({"notificationType": "connection.created", "data": data})
        .to_string()
        .into_bytes()
}

/// Publishes `n` notifications from `publishers` concurrent clients: each message ID with
/// the instant its request was sent, the number of failed publishes, and the elapsed time.
pub async fn publish_many(
    api: &Arc<Api>,
    body: &Bytes,
    n: usize,
    publishers: usize,
) -> (Vec<(String, Instant)>, usize, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..publishers.max(1) {
        let (api, body, next) = (api.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            let mut ok = Vec::new();
            let mut failed = 0;
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let sent = Instant::now();
                match api.publish(&body).await {
                    Ok(id) => ok.push((id, sent)),
                    Err(e) => {
                        if failed == 0 {
                            eprintln!("publish failed: {e:#}");
                        }
                        failed += 1;
                    }
                }
            }
            (ok, failed)
        });
    }
    let mut ids = Vec::with_capacity(n);
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        let (ok, f) = done.expect("publisher task");
        ids.extend(ok);
        failed += f;
    }
    (ids, failed, started.elapsed())
}
