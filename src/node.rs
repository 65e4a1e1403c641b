//! A running node: opens the data directory, bootstraps it on first start (default project,
//! admin key, secret backend), and serves the API until cancelled. No globals: everything
//! a node needs comes in `NodeConfig`, so tests run many nodes in one process.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::{self, AppState};
use crate::config::NodeConfig;
use crate::dispatch::Dispatcher;
use crate::model::project::DEFAULT_PROJECT;
use crate::secrets::{self, SecretBackendKind, SecretStore};
use crate::store::{self, meta, projects, Store};
use crate::time::now_ms;
use crate::{keys, vault};

pub const DATABASE_FILE: &str = "switchboard.db";

pub struct Node {
    addr: SocketAddr,
    state: AppState,
    cancel: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    dispatcher: JoinHandle<anyhow::Result<()>>,
    reads: JoinHandle<()>,
    pruner: JoinHandle<()>,
    /// Held while the node serves: `restore` refuses to replace the database under it.
    _lock: std::fs::File,
    /// The admin key created on this start, if this was the first start. Shown once.
    pub new_admin_key: Option<String>,
}

/// The file a serving node holds an exclusive lock on, in its data directory.
pub const LOCK_FILE: &str = "node.lock";

/// Takes the data directory's node lock; an error when another node serves from it.
pub fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    let path = data_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another node is running on {} (it holds {LOCK_FILE}); stop it first",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// An opened data directory: the database and the secret store, bootstrapped.
pub struct Opened {
    pub store: Store,
    pub secrets: SecretStore,
    pub node_id: String,
    pub new_admin_key: Option<String>,
    /// Signs download URLs; made on first start, kept as a secret.
    pub blob_key: Vec<u8>,
}

/// Opens (and on first use initialises) a data directory. Used by the node and the CLI.
pub async fn open_data_dir(config: &NodeConfig) -> anyhow::Result<Opened> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    restrict_permissions(&config.data_dir);
    let store = Store::open_with(
        &config.data_dir.join(DATABASE_FILE),
        crate::store::StoreSettings {
            durability: config.durability,
            max_size_mib: config.max_database_mib,
        },
    )
    .await?;
    let node_id = match meta::get(&store, "node_id").await? {
        Some(id) => id,
        None => {
            let id = store::new_id();
            let mut tx = store.begin_write().await?;
            meta::set(&mut tx, "node_id", &id).await?;
            tx.commit().await?;
            id
        }
    };
    let backend = choose_secret_backend(&store, config.secret_backend, &node_id).await?;
    let secrets = SecretStore::open(backend, &config.data_dir, &node_id)?;

    if projects::find(&store, DEFAULT_PROJECT)?.is_none() {
        let mut tx = store.begin_write().await?;
        match projects::insert(&mut tx, &store::new_id(), DEFAULT_PROJECT, now_ms()).await {
            Err(e) if store::is_unique_violation(&e) => {}
            other => other?,
        }
        tx.commit().await?;
    }

    let new_admin_key = if keys::list(&store).await?.is_empty() {
        let created = keys::create(&store, "admin", &Default::default()).await?;
        let mut tx = store.begin_write().await?;
        vault::put(&mut tx, &secrets, vault::ADMIN_API_KEY, &created.secret).await?;
        tx.commit().await?;
        Some(created.secret)
    } else {
        None
    };
    let blob_key = match vault::get(&store, &secrets, vault::BLOB_SIGNING_KEY).await? {
        Some(k) => k,
        None => {
            let k = crate::model::api_key::generate_key();
            let mut tx = store.begin_write().await?;
            vault::put(&mut tx, &secrets, vault::BLOB_SIGNING_KEY, &k).await?;
            tx.commit().await?;
            k
        }
    };
    Ok(Opened {
        store,
        secrets,
        node_id,
        new_admin_key,
        blob_key: blob_key.into_bytes(),
    })
}

/// The backend chosen on first start is kept: secrets sealed by one cannot be read by another.
async fn choose_secret_backend(
    store: &Store,
    requested: SecretBackendKind,
    node_id: &str,
) -> anyhow::Result<SecretBackendKind> {
    let stored = meta::get(store, "secret_backend").await?;
    let chosen = match (requested, stored.as_deref()) {
        (SecretBackendKind::Auto, Some("keyring")) => SecretBackendKind::Keyring,
        (SecretBackendKind::Auto, Some(_)) => SecretBackendKind::File,
        (SecretBackendKind::Auto, None) => secrets::resolve_auto(node_id).await,
        (explicit, Some(stored)) if stored != explicit.as_str() => anyhow::bail!(
            "this data directory keeps its secrets in the {stored} backend; start with --secret-store {stored} (or auto)"
        ),
        (explicit, _) => explicit,
    };
    if chosen == SecretBackendKind::Keyring {
        secrets::probe_keyring(node_id).await.context(
            "the OS keyring is not usable (use --secret-store file on headless servers)",
        )?;
    }
    if stored.is_none() {
        let mut tx = store.begin_write().await?;
        meta::set(&mut tx, "secret_backend", chosen.as_str()).await?;
        tx.commit().await?;
    }
    tracing::info!(backend = chosen.as_str(), "secret store ready");
    Ok(chosen)
}

fn restrict_permissions(dir: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
}

impl Node {
    /// Binds `config.listen` and starts serving.
    pub async fn start(config: NodeConfig, cancel: CancellationToken) -> anyhow::Result<Node> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        Self::start_with_listener(config, listener, cancel).await
    }

    /// Opens the data directory and builds the API's state on it: what `start` serves,
    /// without a listener and without the dispatcher's workers (handler tests send requests
    /// to `api::router(state)` directly with `tower::ServiceExt::oneshot`).
    pub async fn open_api(
        config: NodeConfig,
        public_url: &str,
        cancel: CancellationToken,
    ) -> anyhow::Result<(AppState, Opened)> {
        let opened = open_data_dir(&config).await?;
        let blobs = crate::blobs::Blobs::new(
            opened.store.clone(),
            &opened.blob_key,
            public_url,
            config.blob_url_lifetime,
            config.clock.clone(),
        );
        let dispatcher = Dispatcher::new(
            opened.store.clone(),
            opened.secrets.clone(),
            config.delivery.clone(),
            blobs.clone(),
            config.clock.clone(),
        )?;
        let reads = crate::reads::runner::Reads::new(opened.store.clone(), dispatcher.clone());
        let pruner = crate::retention::Pruner::new(
            opened.store.clone(),
            config.clock.clone(),
            config.retention.clone(),
        );
        let state = AppState::new(api::Services {
            store: opened.store.clone(),
            secrets: opened.secrets.clone(),
            config: Arc::new(config),
            dispatcher,
            login: Default::default(),
            login_throttle: Default::default(),
            blobs,
            cancel,
            lookups: Default::default(),
            public_url: public_url.to_string(),
            inbox_sequences: Default::default(),
            capture_writer: crate::api::capture::CaptureWriter::start(opened.store.clone()),
            inbox_cache: Default::default(),
            reads,
            pruner,
        });
        Ok((state, opened))
    }

    /// Starts serving on an already bound listener.
    pub async fn start_with_listener(
        config: NodeConfig,
        listener: TcpListener,
        cancel: CancellationToken,
    ) -> anyhow::Result<Node> {
        let addr = listener.local_addr()?;
        let lock = lock_data_dir(&config.data_dir)?;
        // Read before anything starts: a bad certificate stops the node here, saying why.
        let tls = config
            .tls
            .as_ref()
            .map(crate::serve_tls::server_config)
            .transpose()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{addr}"));
        let (state, opened) = Self::open_api(config, &public_url, cancel.clone()).await?;
        let dispatcher = state.dispatcher.clone();
        let dispatcher = tokio::spawn(dispatcher.run(cancel.clone()));
        let reads = tokio::spawn(state.reads.clone().run(cancel.clone()));
        let pruner = tokio::spawn(state.pruner.clone().run(cancel.clone()));
        let app = api::router(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let shutdown = cancel.clone();
        let server = match tls {
            None => tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move { shutdown.cancelled().await })
                    .await
            }),
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let stop = handle.clone();
                tokio::spawn(async move {
                    shutdown.cancelled().await;
                    // In-flight requests finish; the live stream ends with `cancel` too.
                    stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
                });
                let listener = listener.into_std()?;
                let config = axum_server::tls_rustls::RustlsConfig::from_config(tls);
                tokio::spawn(async move {
                    axum_server::from_tcp_rustls(listener, config)
                        .handle(handle)
                        .serve(app)
                        .await
                })
            }
        };
        tracing::info!(%addr, node = %opened.node_id, "node listening");
        Ok(Node {
            addr,
            state,
            cancel,
            server,
            dispatcher,
            reads,
            pruner,
            _lock: lock,
            new_admin_key: opened.new_admin_key,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        let scheme = if self.state.config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// A one-time link that logs a browser into the console (each call makes a new one).
    pub fn login_url(&self) -> String {
        format!(
            "{}/login?token={}",
            self.base_url(),
            self.state.login.issue()
        )
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The admin API key this node created on its first start (kept in the secret store).
    pub async fn admin_api_key(&self) -> anyhow::Result<Option<String>> {
        Ok(vault::get(&self.state.store, &self.state.secrets, vault::ADMIN_API_KEY).await?)
    }

    /// Stops serving (in-flight requests finish) and waits for it.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.cancel.cancel();
        self.wait().await
    }

    /// Waits until the server stops (after the cancellation token fires).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.server.await.context("server task")??;
        self.reads.await.context("read runner task")?;
        self.pruner.await.context("retention task")?;
        self.dispatcher.await.context("dispatcher task")??;
        self.state.store.close().await;
        Ok(())
    }
}
