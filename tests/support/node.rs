//! A real node on 127.0.0.1:0 with its own temporary data directory, and a small HTTP
//! helper that sends the admin key.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard::config::NodeConfig;
use switchboard::node::Node;
use switchboard::secrets::SecretBackendKind;
use tokio_util::sync::CancellationToken;

pub struct TestNode {
    pub node: Node,
    pub base_url: String,
    pub key: String,
    pub http: reqwest::Client,
    pub data_dir: PathBuf,
    // Keeps the temporary directory alive as long as the node.
    _dir: Option<tempfile::TempDir>,
}

/// What a response said: status, content type and JSON body (Null when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// The names of the fields a problem+json response blames.
    pub fn issue_names(&self) -> Vec<String> {
        self.body["issues"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["name"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect_problem(&self, status: u16, issues: &[&str]) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.content_type, "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], status, "body: {}", self.body);
        assert!(
            self.body["title"].is_string() && self.body["type"].is_string(),
            "body: {}",
            self.body
        );
        assert_eq!(self.issue_names(), issues, "body: {}", self.body);
    }
}

pub fn config(dir: &Path) -> NodeConfig {
    let mut config = NodeConfig::new(dir.to_path_buf());
    config.secret_backend = SecretBackendKind::File;
    config
}

impl TestNode {
    pub async fn start() -> TestNode {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let mut node = Self::start_with(config(&path)).await;
        node._dir = Some(dir);
        node
    }

    /// Starts a node with a temporary data directory and a config adjusted by `adjust`.
    pub async fn start_configured(adjust: impl FnOnce(&mut NodeConfig)) -> TestNode {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cfg = config(dir.path());
        adjust(&mut cfg);
        let mut node = Self::start_with(cfg).await;
        node._dir = Some(dir);
        node
    }

    /// Starts a node on a given config; the key is the admin key kept in its secret store.
    pub async fn start_with(config: NodeConfig) -> TestNode {
        let data_dir = config.data_dir.clone();
        let node = Node::start(config, CancellationToken::new())
            .await
            .expect("node starts");
        let key = node
            .admin_api_key()
            .await
            .expect("admin key readable")
            .expect("admin key exists");
        TestNode {
            base_url: node.base_url(),
            node,
            key,
            http: reqwest::Client::new(),
            data_dir,
            _dir: None,
        }
    }

    /// Stops the node and starts a new one on the same data directory.
    pub async fn restart(self) -> TestNode {
        let delivery = self.node.state().config.delivery.clone();
        let grace = self.node.state().config.signing_key_grace;
        let clock = self.node.state().config.clock.clone();
        self.restart_with(move |c| {
            c.delivery = delivery;
            c.signing_key_grace = grace;
            c.clock = clock;
        })
        .await
    }

    /// Stops the node and starts a new one on the same data directory, config adjusted.
    pub async fn restart_with(self, adjust: impl FnOnce(&mut NodeConfig)) -> TestNode {
        let TestNode {
            node,
            data_dir,
            _dir,
            ..
        } = self;
        node.shutdown().await.expect("clean shutdown");
        let mut cfg = config(&data_dir);
        adjust(&mut cfg);
        let mut again = Self::start_with(cfg).await;
        again._dir = _dir;
        again
    }

    /// Moves the node's manual clock (see `switchboard::time::Clock`) and wakes the
    /// dispatcher, so what became due is delivered.
    #[allow(dead_code)] // not every test binary moves time
    pub fn advance(&self, by: std::time::Duration) {
        let state = self.node.state();
        assert!(
            matches!(state.config.clock, switchboard::time::Clock::Manual(_)),
            "start the node with a manual clock to move it"
        );
        state.config.clock.advance(by);
        state.dispatcher.wake();
        state.reads.wake();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// `path` is relative to `/v1/projects/default`.
    pub fn p(&self, path: &str) -> String {
        format!("/v1/projects/default{path}")
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("X-Api-Key", &self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request sent")).await
    }

    pub async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = resp.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            content_type,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Posts raw bytes with a chosen content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &'static str) -> Reply {
        let resp = self
            .http
            .post(self.url(path))
            .header("X-Api-Key", &self.key)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent");
        Self::read(resp).await
    }

    /// Creates a webhook destination and returns its JSON.
    pub async fn webhook(&self, name: &str, url: &str) -> Value {
        self.webhook_with(name, url, Value::Null).await
    }

    /// Creates a webhook destination with its own delivery policy (unless null); returns
    /// its JSON.
    pub async fn webhook_with(&self, name: &str, url: &str, delivery: Value) -> Value {
        let mut body =
            serde_json::json!({"name": name, "type": "webhook", "metadata": {"url": url}});
        if !delivery.is_null() {
            body["delivery"] = delivery;
        }
        let r = self.post(&self.p("/destinations"), body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }

    pub async fn topic(&self, name: &str) -> Value {
        let r = self
            .post(&self.p("/topics"), serde_json::json!({"name": name}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }

    /// A snapshot of the database file's bytes plus its WAL (where fresh writes sit).
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for name in ["switchboard.db", "switchboard.db-wal"] {
            if let Ok(b) = std::fs::read(self.data_dir.join(name)) {
                bytes.extend(b);
            }
        }
        bytes
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A delivery config on a seconds scale for tests.
pub fn fast_delivery(schedule_ms: &[u64]) -> switchboard::dispatch::DeliveryConfig {
    switchboard::dispatch::DeliveryConfig {
        retry_schedule: schedule_ms
            .iter()
            .map(|ms| std::time::Duration::from_millis(*ms))
            .collect(),
        jitter: 0.0,
        throttle_floor: std::time::Duration::from_millis(1500),
        timeout: std::time::Duration::from_secs(5),
        ..Default::default()
    }
}

impl TestNode {
    /// Wires `event_type` → a new topic → each destination (by name); returns the topic ID.
    pub async fn wire(&self, topic: &str, event_types: &[&str], destinations: &[&str]) -> String {
        let t = match self.get(&self.p(&format!("/topics/{topic}"))).await {
            r if r.status == 200 => r.body,
            _ => self.topic(topic).await,
        };
        let tid = t["id"].as_str().unwrap().to_string();
        for e in event_types {
            let r = self
                .post(
                    &self.p("/notification-event-topic-routes"),
                    serde_json::json!({"eventType": e, "topicId": tid}),
                )
                .await;
            assert!(r.status == 201 || r.status == 409, "{}", r.body);
        }
        for d in destinations {
            let r = self
                .post(
                    &self.p("/topic-destination-routes"),
                    serde_json::json!({"topicId": tid, "destinationId": d}),
                )
                .await;
            assert!(r.status == 201 || r.status == 409, "{}", r.body);
        }
        tid
    }

    /// Publishes a valid example of `event_type`.
    pub async fn notify(&self, event_type: &str) -> Reply {
        let t = switchboard::model::EventType::parse(event_type).expect("event type");
        let body = serde_json::json!({
            "notificationType": event_type,
            "data": switchboard::payload::notification::example_data(t),
        });
        self.post(&self.p("/notifications"), body).await
    }

    /// Polls a message until `done` says so (or panics after `within`).
    pub async fn wait_message(
        &self,
        id: &str,
        within: std::time::Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = std::time::Instant::now() + within;
        loop {
            let m = self.get(&self.p(&format!("/messages/{id}"))).await.body;
            if done(&m) {
                return m;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "message never reached the state: {m}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits until `count` messages of the project are delivered: a final state, after
    /// which nothing more is sent for them.
    #[allow(dead_code)] // not every test binary uses it
    pub async fn wait_delivered(&self, count: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let page = self
                .get(&self.p("/messages?status=delivered&limit=500"))
                .await
                .body;
            let delivered = page["items"].as_array().map_or(0, Vec::len);
            if delivered >= count {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{delivered} of {count} delivered"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_destination(
        &self,
        name: &str,
        within: std::time::Duration,
        status: &str,
    ) -> Value {
        let deadline = std::time::Instant::now() + within;
        loop {
            let d = self
                .get(&self.p(&format!("/destinations/{name}")))
                .await
                .body;
            if d["status"] == status {
                return d;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "destination never became {status}: {d}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
