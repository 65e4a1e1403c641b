//! Where secret values live. SQLite only ever holds what `seal` returns: ciphertext
//! (file backend) or nothing at all (keyring backend, the value lives in the OS keyring).

mod file;
mod keyring_backend;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

pub use file::MASTER_KEY_ENV;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("OS keyring: {0}")]
    Keyring(String),
    #[error("master key: {0}")]
    MasterKey(String),
    #[error("secret '{0}' could not be decrypted (wrong master key, or the data was altered)")]
    Decrypt(String),
    #[error(
        "secret '{id}' is kept by the {stored} backend, but this node uses the {active} backend"
    )]
    WrongBackend {
        id: String,
        stored: String,
        active: String,
    },
    #[error("secret '{0}' is missing from the OS keyring")]
    Missing(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Which backend to use; `Auto` prefers the OS keyring and falls back to the file backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SecretBackendKind {
    Auto,
    Keyring,
    File,
}

impl SecretBackendKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Keyring => "keyring",
            Self::File => "file",
        }
    }
}

/// A sealed secret, as stored in the `secrets` table.
#[derive(Clone, Debug)]
pub struct Sealed {
    pub backend: &'static str,
    pub bytes: Vec<u8>,
}

enum Backend {
    Keyring(keyring_backend::KeyringBackend),
    File(file::FileBackend),
}

/// Seals and opens secrets, and caches opened values in memory so hot paths (signing a
/// webhook) do not hit the keyring daemon or decrypt on every message.
#[derive(Clone)]
pub struct SecretStore {
    backend: Arc<Backend>,
    cache: Arc<Mutex<HashMap<String, String>>>,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("backend", &self.backend_name())
            .finish()
    }
}

impl SecretStore {
    /// Opens the backend `kind` (never `Auto`: resolve it with [`resolve_auto`] first).
    /// `namespace` keeps keyring entries of different nodes apart.
    pub fn open(
        kind: SecretBackendKind,
        data_dir: &Path,
        namespace: &str,
    ) -> Result<Self, SecretsError> {
        let backend = match kind {
            SecretBackendKind::Keyring => {
                Backend::Keyring(keyring_backend::KeyringBackend::new(namespace))
            }
            SecretBackendKind::File | SecretBackendKind::Auto => {
                Backend::File(file::FileBackend::open(data_dir)?)
            }
        };
        Ok(SecretStore {
            backend: Arc::new(backend),
            cache: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match &*self.backend {
            Backend::Keyring(_) => "keyring",
            Backend::File(_) => "file",
        }
    }

    /// Stores `value` under `id` and returns what the database keeps.
    pub async fn seal(&self, id: &str, value: &str) -> Result<Sealed, SecretsError> {
        let bytes = match &*self.backend {
            Backend::Keyring(k) => {
                k.set(id, value).await?;
                Vec::new()
            }
            Backend::File(f) => f.encrypt(id, value)?,
        };
        self.cache
            .lock()
            .expect("secret cache")
            .insert(id.to_string(), value.to_string());
        Ok(Sealed {
            backend: self.backend_name(),
            bytes,
        })
    }

    /// Recovers the value of `id` from what the database kept.
    pub async fn open_secret(
        &self,
        id: &str,
        backend: &str,
        sealed: &[u8],
    ) -> Result<String, SecretsError> {
        if let Some(v) = self.cache.lock().expect("secret cache").get(id) {
            return Ok(v.clone());
        }
        if backend != self.backend_name() {
            return Err(SecretsError::WrongBackend {
                id: id.to_string(),
                stored: backend.to_string(),
                active: self.backend_name().to_string(),
            });
        }
        let value = match &*self.backend {
            Backend::Keyring(k) => k.get(id).await?,
            Backend::File(f) => f.decrypt(id, sealed)?,
        };
        self.cache
            .lock()
            .expect("secret cache")
            .insert(id.to_string(), value.clone());
        Ok(value)
    }

    /// Removes `id` from the backend (the caller deletes the row).
    pub async fn forget(&self, id: &str) -> Result<(), SecretsError> {
        self.cache.lock().expect("secret cache").remove(id);
        if let Backend::Keyring(k) = &*self.backend {
            k.delete(id).await?;
        }
        Ok(())
    }
}

/// Decides what `Auto` means on this machine: the keyring if a round trip through it works.
pub async fn resolve_auto(namespace: &str) -> SecretBackendKind {
    if keyring_backend::KeyringBackend::new(namespace)
        .probe()
        .await
        .is_ok()
    {
        SecretBackendKind::Keyring
    } else {
        SecretBackendKind::File
    }
}

/// Tells whether the OS keyring works here, with the reason when it does not.
pub async fn probe_keyring(namespace: &str) -> Result<(), SecretsError> {
    keyring_backend::KeyringBackend::new(namespace)
        .probe()
        .await
}
