//! Which node the console talks to — the embedded one ("local") or a stored profile — and
//! the UI's requests and live subscriptions, sent there through the core's API client.
//! Keys are read here, in Rust, and never cross into the web view.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use switchboard::client::profiles::{Profiles, DEFAULT_PROJECT};
use switchboard::client::{Client, ClientConfig, LiveOptions, LiveUpdate, Method, RawRequest};
use tauri::async_runtime;
use tauri::ipc::Channel;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The embedded node's profile name in the selector.
pub const LOCAL: &str = "local";

/// The profile in use: its name and a client with its URL and key.
#[derive(Clone, Debug)]
pub struct Current {
    pub name: String,
    pub client: Client,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeRequest {
    pub method: String,
    /// Path and query on the node, starting with `/`.
    pub path: String,
    pub body: Option<serde_json::Value>,
    /// Extra headers, e.g. `Idempotency-Key` (the client drops `X-Api-Key`/`Authorization`).
    #[serde(default)]
    pub headers: HashMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub base_url: String,
    pub profile: String,
}

/// A profile as the selector shows it: no key, only where it points.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileEntry {
    pub name: String,
    pub url: String,
    pub project: String,
    pub current: bool,
}

/// One event for the UI's channel (the same shape as the browser's EventSource gives).
#[derive(Clone, Debug, Serialize)]
pub struct LiveEnvelope {
    pub id: Option<String>,
    pub event: String,
    pub data: serde_json::Value,
}

pub struct Connections {
    /// The embedded node's client (with its admin key), or why it is not there.
    local: Result<Client, String>,
    current: watch::Sender<Option<Current>>,
    subscriptions: Mutex<HashMap<u64, CancellationToken>>,
    next_id: AtomicU64,
    /// Ends every subscription when the app quits.
    cancel: CancellationToken,
}

impl Connections {
    pub fn new(local: Result<Client, String>) -> Self {
        let current = local.as_ref().ok().map(|client| Current {
            name: LOCAL.into(),
            client: client.clone(),
        });
        Connections {
            local,
            current: watch::channel(current).0,
            subscriptions: Mutex::default(),
            next_id: AtomicU64::new(1),
            cancel: CancellationToken::new(),
        }
    }

    /// Follows profile switches (the tray's alert count uses it).
    pub fn watch(&self) -> watch::Receiver<Option<Current>> {
        self.current.subscribe()
    }

    fn current(&self) -> Result<Current, String> {
        match &*self.current.borrow() {
            Some(c) => Ok(c.clone()),
            None => Err(self.local.clone().err().unwrap_or_default()),
        }
    }

    pub fn info(&self) -> Result<NodeInfo, String> {
        let current = self.current()?;
        Ok(NodeInfo {
            base_url: current
                .client
                .base_url()
                .as_str()
                .trim_end_matches('/')
                .into(),
            profile: current.name,
        })
    }

    pub async fn request(&self, request: NodeRequest) -> Result<NodeResponse, String> {
        let client = self.current()?.client;
        let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("bad method {:?}", request.method))?;
        let body = match &request.body {
            Some(v) => Some(serde_json::to_vec(v).map_err(|e| e.to_string())?),
            None => None,
        };
        let raw = RawRequest {
            method,
            path: request.path,
            headers: request.headers.into_iter().collect(),
            body,
        };
        let answer = client.send_raw(raw).await.map_err(|e| e.to_string())?;
        Ok(NodeResponse {
            status: answer.status,
            content_type: answer.content_type,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        })
    }

    /// "local" (the embedded node) first, then the stored profiles (a stored one named
    /// "local" is shadowed by the embedded node).
    pub fn profiles(&self) -> Result<Vec<ProfileEntry>, String> {
        let current = self.current.borrow().as_ref().map(|c| c.name.clone());
        let mut list = Vec::new();
        if let Ok(client) = &self.local {
            list.push(ProfileEntry {
                name: LOCAL.into(),
                url: client.base_url().as_str().trim_end_matches('/').into(),
                project: client.project().into(),
                current: current.as_deref() == Some(LOCAL),
            });
        }
        let stored = Profiles::open()
            .and_then(|p| p.list())
            .map_err(|e| e.to_string())?;
        list.extend(
            stored
                .into_iter()
                .filter(|p| p.name != LOCAL)
                .map(|p| ProfileEntry {
                    current: current.as_deref() == Some(p.name.as_str()),
                    name: p.name,
                    url: p.url,
                    project: p.project,
                }),
        );
        Ok(list)
    }

    /// Switches every request and live subscription to the profile `name`.
    pub fn use_profile(&self, name: &str) -> Result<NodeInfo, String> {
        let client = if name == LOCAL {
            self.local.clone()?
        } else {
            let profiles = Profiles::open().map_err(|e| e.to_string())?;
            let profile = profiles.get(name).map_err(|e| e.to_string())?;
            let mut config = ClientConfig::new(&profile.url, &profile.project);
            config.api_key = profiles.api_key(&profile).map_err(|e| e.to_string())?;
            Client::new(config).map_err(|e| e.to_string())?
        };
        tracing::info!(profile = name, url = %client.base_url(), "profile selected");
        self.current.send_replace(Some(Current {
            name: name.into(),
            client,
        }));
        self.info()
    }

    /// Streams `project`'s live events to `channel` until `unsubscribe` (or app exit). It
    /// follows profile switches: the stream moves to the newly selected node.
    pub fn subscribe(&self, project: String, channel: Channel<LiveEnvelope>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let cancel = self.cancel.child_token();
        self.subscriptions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, cancel.clone());
        let rx = self.watch();
        async_runtime::spawn(forward_live(project, rx, channel, cancel));
        id
    }

    pub fn unsubscribe(&self, id: u64) -> Result<(), String> {
        let token = self
            .subscriptions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        match token {
            Some(t) => {
                t.cancel();
                Ok(())
            }
            None => Err(format!("no live subscription {id}")),
        }
    }

    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

/// The live events of `project` on whichever node is current, as envelopes, until `cancel`.
/// Returns when the channel is gone (the web view reloaded) or the stream failed for good.
pub async fn follow_live(
    project: &str,
    mut rx: watch::Receiver<Option<Current>>,
    cancel: CancellationToken,
    mut deliver: impl FnMut(LiveEnvelope) -> bool,
) {
    loop {
        let client = rx.borrow_and_update().as_ref().map(|c| c.client.clone());
        let mut live = client.map(|c| {
            let project = if project.is_empty() {
                c.project().to_string()
            } else {
                project.to_string()
            };
            c.for_project(project).live_events(LiveOptions::default())
        });
        loop {
            let next = async {
                match live.as_mut() {
                    Some(l) => l.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = cancel.cancelled() => return,
                changed = rx.changed() => {
                    if changed.is_err() { return; }
                    break; // reconnect to the new profile's node
                }
                update = next => match update {
                    Some(Ok(LiveUpdate::Event(e))) => {
                        let envelope = LiveEnvelope {
                            id: e.id.map(|i| i.to_string()),
                            event: e.kind.to_string(),
                            data: e.data,
                        };
                        if !deliver(envelope) { return; }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(err)) => {
                        tracing::warn!(project, "live stream refused: {err}");
                        live = None; // wait for a profile switch
                    }
                    None => live = None,
                },
            }
        }
    }
}

async fn forward_live(
    project: String,
    rx: watch::Receiver<Option<Current>>,
    channel: Channel<LiveEnvelope>,
    cancel: CancellationToken,
) {
    follow_live(&project, rx, cancel, |envelope| {
        channel.send(envelope).is_ok()
    })
    .await;
}

/// The project used for the embedded node.
pub fn local_client(base_url: &str, admin_key: Option<String>) -> Result<Client, String> {
    let mut config = ClientConfig::new(base_url, DEFAULT_PROJECT);
    config.api_key = admin_key;
    Client::new(config).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard::node::{Node, NodeConfig};
    use switchboard::secrets::SecretBackendKind;

    fn get(path: &str) -> NodeRequest {
        NodeRequest {
            method: "GET".into(),
            path: path.into(),
            body: None,
            headers: HashMap::new(),
        }
    }

    #[tokio::test]
    async fn requests_go_to_the_embedded_node_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = NodeConfig::new(dir.path().to_path_buf());
        config.secret_backend = SecretBackendKind::File;
        let node = Node::start(config, CancellationToken::new()).await.unwrap();
        let key = node.admin_api_key().await.unwrap();
        assert!(key.is_some());
        let conns = Connections::new(local_client(&node.base_url(), key));
        assert_eq!(conns.info().unwrap().profile, LOCAL);

        let ok = conns.request(get("/healthz")).await.unwrap();
        assert_eq!(ok.status, 200);
        // The admin key is sent: an authenticated list works.
        let list = conns
            .request(get("/v1/projects/default/destinations"))
            .await
            .unwrap();
        assert_eq!(list.status, 200, "{}", list.body);
        // Errors come back as answers (problem+json), not as transport failures.
        let missing = conns.request(get("/v1/no-such-endpoint")).await.unwrap();
        assert_eq!(missing.status, 404);
        // A path cannot name another host.
        assert!(conns.request(get("healthz")).await.is_err());

        // Without the key the same list is refused.
        let anonymous = Connections::new(local_client(&node.base_url(), None));
        let refused = anonymous
            .request(get("/v1/projects/default/destinations"))
            .await
            .unwrap();
        assert_eq!(refused.status, 401);

        node.shutdown().await.unwrap();
    }
}
