//! The in-process node: started on launch, announced in `<data dir>/node.json`, cancelled
//! when the app exits.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use switchboard::config::{default_data_dir, NodeConfig};
use switchboard::node::Node;
use tauri::async_runtime::{self, JoinHandle};
use tauri::AppHandle;
use tokio_util::sync::CancellationToken;

use switchboard::client::Client;

use crate::connection;

/// File in the data directory that tells other local tools (and the desktop smoke test)
/// where the embedded node listens. Holds the address only: nothing secret.
const ANNOUNCE_FILE: &str = "node.json";
/// In-flight requests get this long to finish when the app quits.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfo {
    base_url: String,
}

pub struct EmbeddedNode {
    /// A client for the node with its admin key, or why it did not start (the UI shows it;
    /// the window stays up).
    client: Result<Client, String>,
    cancel: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
    announce: Option<PathBuf>,
}

/// `SWITCHBOARD_DATA_DIR` if set (as for the headless node), else the platform data dir.
pub fn data_dir() -> PathBuf {
    std::env::var_os("SWITCHBOARD_DATA_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(default_data_dir)
}

impl EmbeddedNode {
    /// Starts the node on 127.0.0.1 with a free port. Blocks until it listens (it binds
    /// and opens its database, which is quick), so `node_info` is answerable at once.
    pub fn start(data_dir: PathBuf) -> Self {
        let cancel = CancellationToken::new();
        let config = NodeConfig::new(data_dir.clone());
        match async_runtime::block_on(Node::start(config, cancel.clone())) {
            // The admin key is read from the node's secret store into the client; the desktop
            // never shows, logs or writes it, and the web view never gets it.
            Ok(node) => {
                let key = async_runtime::block_on(node.admin_api_key()).unwrap_or_else(|err| {
                    tracing::error!("cannot read the embedded node's admin key: {err:#}");
                    None
                });
                let client = connection::local_client(&node.base_url(), key);
                let info = NodeInfo {
                    base_url: node.base_url(),
                };
                tracing::info!(base_url = %info.base_url, data_dir = %data_dir.display(), "embedded node started");
                let announce = data_dir.join(ANNOUNCE_FILE);
                let announce = match write_announcement(&announce, &info) {
                    Ok(()) => Some(announce),
                    Err(err) => {
                        tracing::warn!("could not write {}: {err:#}", announce.display());
                        None
                    }
                };
                let task = async_runtime::spawn(async move {
                    if let Err(err) = node.wait().await {
                        tracing::error!("embedded node stopped with an error: {err:#}");
                    }
                });
                EmbeddedNode {
                    client,
                    cancel,
                    task: Mutex::new(Some(task)),
                    announce,
                }
            }
            Err(err) => {
                tracing::error!("embedded node failed to start: {err:#}");
                EmbeddedNode {
                    client: Err(format!("the embedded node failed to start: {err:#}")),
                    cancel,
                    task: Mutex::new(None),
                    announce: None,
                }
            }
        }
    }

    /// The client for the embedded node (the "local" profile).
    pub fn client(&self) -> Result<Client, String> {
        self.client.clone()
    }

    /// Cancels the node and waits (bounded) for in-flight requests and the database to close.
    pub fn shutdown(&self) {
        self.cancel.cancel();
        if let Some(path) = &self.announce {
            let _ = std::fs::remove_file(path);
        }
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let finished =
                async_runtime::block_on(async { tokio::time::timeout(SHUTDOWN_GRACE, task).await });
            match finished {
                Ok(_) => tracing::info!("embedded node stopped"),
                Err(_) => tracing::warn!("embedded node did not stop within {SHUTDOWN_GRACE:?}"),
            }
        }
    }
}

/// Written to a temporary name and renamed, so a reader never sees half a file.
fn write_announcement(path: &Path, info: &NodeInfo) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(info)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// SIGINT/SIGTERM end the app the same way closing the window does, so the node is
/// cancelled and `node.json` removed (a test harness or a session logout stops it cleanly).
pub fn exit_on_signal(app: AppHandle) {
    async_runtime::spawn(async move {
        wait_for_signal().await;
        tracing::info!("termination signal received; quitting");
        app.exit(0);
    });
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(err) => {
            tracing::warn!("cannot listen for SIGTERM: {err}");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
