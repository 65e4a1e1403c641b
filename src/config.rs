//! The node's configuration: what a node is started with (`NodeConfig`), the settings file
//! that adjusts it (`FileConfig`), and where its data lives by default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::dispatch::DeliveryConfig;
pub use crate::retention::RetentionConfig;
use crate::secrets::SecretBackendKind;
pub use crate::store::Durability;
use crate::time::Clock;

#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub data_dir: PathBuf,
    /// Where to listen; port 0 picks a free one (see `Node::addr`).
    pub listen: SocketAddr,
    pub secret_backend: SecretBackendKind,
    /// How long a rotated-out webhook signing key keeps signing.
    pub signing_key_grace: Duration,
    pub delivery: DeliveryConfig,
    /// The node's address as receivers reach it, for download URLs (default: the address
    /// it listens on).
    pub public_url: Option<String>,
    /// How long a download URL stays valid.
    pub blob_url_lifetime: Duration,
    /// What the node reads the time from (the system clock unless a test says otherwise).
    pub clock: Clock,
    /// What an answered write survives: power loss (the default) or only a crash.
    pub durability: Durability,
    /// How long a request body may take to arrive before the request is answered 408.
    pub body_read_timeout: Duration,
    /// What old data is pruned, and when.
    pub retention: RetentionConfig,
    /// The most the database may hold, in MiB (default: as much as the disk takes).
    pub max_database_mib: Option<u64>,
    /// Serve over TLS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
}

/// A server certificate chain and its private key, as PEM files.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl NodeConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        NodeConfig {
            data_dir,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            secret_backend: SecretBackendKind::Auto,
            signing_key_grace: Duration::from_secs(24 * 3600),
            delivery: DeliveryConfig::default(),
            public_url: None,
            blob_url_lifetime: Duration::from_secs(15 * 60),
            clock: Clock::System,
            durability: Durability::default(),
            body_read_timeout: Duration::from_secs(30),
            retention: RetentionConfig::default(),
            max_database_mib: None,
            tls: None,
        }
    }
}

/// What a node's settings file (TOML) may set; everything is optional.
///
/// ```toml
/// signing-key-grace = "24h"
/// durability = "power-loss"   # or "crash"
/// [delivery]
/// retry-schedule = ["0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"]
/// timeout = "15s"
/// max-in-flight-per-destination = 16
/// disable-after = "5days"
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    #[serde(default)]
    pub delivery: Option<DeliveryConfig>,
    #[serde(default, with = "humantime_serde")]
    pub signing_key_grace: Option<Duration>,
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default, with = "humantime_serde")]
    pub blob_url_lifetime: Option<Duration>,
    /// `power-loss` (default: every commit synced) or `crash` (faster; a power cut may roll
    /// back the last commits).
    #[serde(default)]
    pub durability: Option<Durability>,
    #[serde(default)]
    pub retention: Option<RetentionConfig>,
    /// A size limit for the database, in MiB: past it, publishes get a 503 as on a full disk.
    #[serde(default)]
    pub max_database_mib: Option<u64>,
}

impl FileConfig {
    pub fn load(path: &std::path::Path) -> anyhow::Result<FileConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("reading settings from {}", path.display()))
    }

    pub fn apply(self, config: &mut NodeConfig) {
        if let Some(d) = self.delivery {
            config.delivery = d;
        }
        if let Some(g) = self.signing_key_grace {
            config.signing_key_grace = g;
        }
        if self.public_url.is_some() {
            config.public_url = self.public_url;
        }
        if let Some(l) = self.blob_url_lifetime {
            config.blob_url_lifetime = l;
        }
        if let Some(d) = self.durability {
            config.durability = d;
        }
        if let Some(r) = self.retention {
            config.retention = r;
        }
        if self.max_database_mib.is_some() {
            config.max_database_mib = self.max_database_mib;
        }
    }
}

/// The platform's data directory for Switchboard (e.g. `~/.local/share/switchboard`).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("dev", "switchboard", "switchboard")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".switchboard"))
}
