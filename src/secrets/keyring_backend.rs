//! Secrets in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager
//! on Windows) through the `keyring` crate. Its calls block, so they run off the async threads.

use super::SecretsError;

const SERVICE: &str = "switchboard";

pub struct KeyringBackend {
    namespace: String,
}

impl KeyringBackend {
    pub fn new(namespace: &str) -> Self {
        KeyringBackend {
            namespace: namespace.to_string(),
        }
    }

    fn entry(namespace: &str, id: &str) -> Result<keyring::Entry, SecretsError> {
        keyring::Entry::new(SERVICE, &format!("{namespace}/{id}"))
            .map_err(|e| SecretsError::Keyring(e.to_string()))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        id: &str,
        f: impl FnOnce(keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
    ) -> Result<T, SecretsError> {
        let entry = Self::entry(&self.namespace, id)?;
        let id = id.to_string();
        tokio::task::spawn_blocking(move || f(entry))
            .await
            .map_err(|e| SecretsError::Keyring(e.to_string()))?
            .map_err(|e| match e {
                keyring::Error::NoEntry => SecretsError::Missing(id),
                other => SecretsError::Keyring(other.to_string()),
            })
    }

    pub async fn set(&self, id: &str, value: &str) -> Result<(), SecretsError> {
        let value = value.to_string();
        self.blocking(id, move |e| e.set_password(&value)).await
    }

    pub async fn get(&self, id: &str) -> Result<String, SecretsError> {
        self.blocking(id, |e| e.get_password()).await
    }

    pub async fn delete(&self, id: &str) -> Result<(), SecretsError> {
        match self.blocking(id, |e| e.delete_credential()).await {
            Ok(()) | Err(SecretsError::Missing(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A full round trip, so a keyring that accepts writes but loses them is not trusted.
    pub async fn probe(&self) -> Result<(), SecretsError> {
        let id = format!("probe-{}", uuid::Uuid::new_v4());
        self.set(&id, "probe").await?;
        let back = self.get(&id).await;
        self.delete(&id).await?;
        match back? {
            v if v == "probe" => Ok(()),
            _ => Err(SecretsError::Keyring(
                "the keyring returned a different value".into(),
            )),
        }
    }
}
