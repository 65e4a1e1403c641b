//! Which node the console talks to — the embedded one ("local") or a stored profile — and
//! the UI's requests and live subscriptions, sent there through the core's API client.
//! Keys are read here, in Rust, and never cross into the web view. The choice is kept in
//! the app's config dir, so the next launch talks to the same node.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use switchboard::client::profiles::{Profiles, DEFAULT_PROJECT};
use switchboard::client::{Client, ClientConfig, LiveOptions, LiveUpdate, Method, RawRequest};
use switchboard::model::live::{Lagged, LiveEvent};
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

/// One event for the UI's channel: the SSE event ID and the node's `LiveEvent` as
/// `{kind, data}`, as the UI builds it from the browser's EventSource.
#[derive(Clone, Debug, Serialize)]
pub struct LiveEnvelope {
    pub id: Option<String>,
    pub kind: String,
    pub data: serde_json::Value,
}

/// What `follow_live` reports, in order.
#[derive(Clone, Debug)]
pub enum Followed {
    /// Another profile was selected (or following started): what was known is stale.
    Switched,
    /// The stream (re)connected: events from here on arrive; anything earlier may be missed.
    Connected,
    Event(LiveEnvelope),
}

/// The file in the app's config dir that remembers the selected profile.
pub const CHOICE_FILE: &str = "connection.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Choice {
    profile: String,
}

pub struct Connections {
    /// The embedded node's client (with its admin key), or why it is not there.
    local: Result<Client, String>,
    /// Where the selected profile is remembered (`None`: not remembered).
    choice_file: Option<PathBuf>,
    current: watch::Sender<Option<Current>>,
    subscriptions: Mutex<HashMap<u64, CancellationToken>>,
    next_id: AtomicU64,
    /// Ends every subscription when the app quits.
    cancel: CancellationToken,
}

impl Connections {
    /// Starts with the profile remembered in `choice_file` (the embedded node when there is
    /// none, or when the remembered profile can no longer be used).
    pub fn new(local: Result<Client, String>, choice_file: Option<PathBuf>) -> Self {
        let current = local.as_ref().ok().map(|client| Current {
            name: LOCAL.into(),
            client: client.clone(),
        });
        let conns = Connections {
            local,
            choice_file,
            current: watch::channel(current).0,
            subscriptions: Mutex::default(),
            next_id: AtomicU64::new(1),
            cancel: CancellationToken::new(),
        };
        let remembered = conns.choice_file.as_deref().and_then(read_choice);
        if let Some(name) = remembered.filter(|name| name != LOCAL) {
            match profile_client(&name) {
                Ok(client) => {
                    tracing::info!(profile = %name, url = %client.base_url(), "remembered profile selected");
                    conns.current.send_replace(Some(Current { name, client }));
                }
                Err(err) => tracing::warn!(
                    profile = %name,
                    "the remembered profile cannot be used ({err}); using the embedded node"
                ),
            }
        }
        conns
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

    /// Switches every request and live subscription to the profile `name`, and remembers
    /// it for the next launch.
    pub fn use_profile(&self, name: &str) -> Result<NodeInfo, String> {
        let client = if name == LOCAL {
            self.local.clone()?
        } else {
            profile_client(name)?
        };
        tracing::info!(profile = name, url = %client.base_url(), "profile selected");
        self.current.send_replace(Some(Current {
            name: name.into(),
            client,
        }));
        if let Some(path) = &self.choice_file {
            if let Err(err) = write_choice(path, name) {
                // The switch itself worked; only the next launch will not know of it.
                tracing::warn!(
                    "could not remember the profile in {}: {err}",
                    path.display()
                );
            }
        }
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

/// A client for the stored profile `name`, with its key.
fn profile_client(name: &str) -> Result<Client, String> {
    let profiles = Profiles::open().map_err(|e| e.to_string())?;
    let profile = profiles.get(name).map_err(|e| e.to_string())?;
    let mut config = ClientConfig::new(&profile.url, &profile.project);
    config.api_key = profiles.api_key(&profile).map_err(|e| e.to_string())?;
    config.ca_cert = profile.ca_cert.clone();
    Client::new(config).map_err(|e| e.to_string())
}

/// The remembered profile's name; `None` when nothing (readable) is remembered.
fn read_choice(path: &Path) -> Option<String> {
    let raw = match std::fs::read(path) {
        Ok(raw) => raw,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            tracing::warn!("cannot read {}: {err}", path.display());
            return None;
        }
    };
    match serde_json::from_slice::<Choice>(&raw) {
        Ok(choice) if !choice.profile.is_empty() => Some(choice.profile),
        Ok(_) => None,
        Err(err) => {
            tracing::warn!("ignoring {}: {err}", path.display());
            None
        }
    }
}

/// Written to a temporary name and renamed, so a crash never leaves half a file.
fn write_choice(path: &Path, name: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let choice = Choice {
        profile: name.into(),
    };
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&choice)?)?;
    std::fs::rename(&tmp, path)
}

/// The live events of `project` on whichever node is current, until `cancel`; with each
/// profile switch and each (re)connection reported in between, so a reader can recount what
/// it keeps (events from before a connection are not replayed to a new reader).
/// Returns when `deliver` says no more (the web view reloaded) or the profile watch closed.
pub async fn follow_live(
    project: &str,
    mut rx: watch::Receiver<Option<Current>>,
    cancel: CancellationToken,
    mut deliver: impl FnMut(Followed) -> bool,
) {
    loop {
        let client = rx.borrow_and_update().as_ref().map(|c| c.client.clone());
        if !deliver(Followed::Switched) {
            return;
        }
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
                            kind: e.kind,
                            data: e.data,
                        };
                        if !deliver(Followed::Event(envelope)) { return; }
                    }
                    Some(Ok(LiveUpdate::Connected { .. })) => {
                        if !deliver(Followed::Connected) { return; }
                    }
                    Some(Ok(LiveUpdate::Disconnected { .. })) => {}
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
    follow_live(&project, rx, cancel, |followed| match followed {
        Followed::Event(envelope) => channel.send(envelope).is_ok(),
        // What the UI shows was read before this connection: events in between are not
        // replayed to a new stream, so have it re-read its lists (as after a lag).
        Followed::Connected => {
            let lagged = LiveEvent::StreamLagged(Lagged {});
            channel
                .send(LiveEnvelope {
                    id: None,
                    kind: lagged.kind().into(),
                    data: serde_json::from_str(&lagged.data_json()).unwrap_or_default(),
                })
                .is_ok()
        }
        Followed::Switched => true,
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
    use switchboard::config::NodeConfig;
    use switchboard::node::Node;
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
        let conns = Connections::new(local_client(&node.base_url(), key), None);
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
        let anonymous = Connections::new(local_client(&node.base_url(), None), None);
        let refused = anonymous
            .request(get("/v1/projects/default/destinations"))
            .await
            .unwrap();
        assert_eq!(refused.status, 401);

        node.shutdown().await.unwrap();
    }

    #[test]
    fn the_chosen_profile_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app").join(CHOICE_FILE);
        assert_eq!(read_choice(&file), None);
        write_choice(&file, "remote").unwrap();
        assert_eq!(read_choice(&file).as_deref(), Some("remote"));
        // Garbage is ignored rather than failing the launch.
        std::fs::write(&file, b"{not json").unwrap();
        assert_eq!(read_choice(&file), None);
    }

    #[test]
    fn a_remembered_profile_that_is_gone_falls_back_to_the_embedded_node() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(CHOICE_FILE);
        write_choice(&file, "no-such-profile-for-this-test").unwrap();
        let local = local_client("http://127.0.0.1:9", None);
        let conns = Connections::new(local, Some(file.clone()));
        assert_eq!(conns.info().unwrap().profile, LOCAL);
        // Selecting the embedded node remembers it.
        conns.use_profile(LOCAL).unwrap();
        assert_eq!(read_choice(&file).as_deref(), Some(LOCAL));
    }
}
