//! Named secrets of destinations and of the node: values go through the `SecretStore`,
//! SQLite keeps only the sealed form. Shared by the API, the CLI and the dispatcher.

use crate::model::destination::{WEBHOOK_SIGNING_KEY, WEBHOOK_SIGNING_KEY_PREVIOUS};
use crate::secrets::{SecretStore, SecretsError};
use crate::store::{self, destinations::DestinationRow, Store, StoreError, WriteTx};
use crate::time::now_ms;

/// The node's own admin API key, kept so the desktop shell can use it for the local profile.
pub const ADMIN_API_KEY: &str = "node/adminApiKey";
/// The key that signs download URLs (`crate::blobs`).
pub const BLOB_SIGNING_KEY: &str = "node/blobSigningKey";

pub fn destination_secret_id(destination_id: &str, name: &str) -> String {
    format!("destination/{destination_id}/{name}")
}

fn destination_prefix(destination_id: &str) -> String {
    format!("destination/{destination_id}/")
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Db(#[from] StoreError),
}

/// Seals `value` and writes its row in `tx`.
pub async fn put(
    tx: &mut WriteTx,
    secrets: &SecretStore,
    id: &str,
    value: &str,
) -> Result<(), VaultError> {
    let sealed = secrets.seal(id, value).await?;
    store::secrets::upsert(tx, id, &sealed, now_ms()).await?;
    Ok(())
}

pub async fn get(
    store: &Store,
    secrets: &SecretStore,
    id: &str,
) -> Result<Option<String>, VaultError> {
    match store::secrets::get(store, id).await? {
        Some(row) => Ok(Some(
            secrets
                .open_secret(&row.id, &row.backend, &row.sealed)
                .await?,
        )),
        None => Ok(None),
    }
}

/// Names (not values) of the secrets a destination has.
pub async fn destination_secret_names(
    store: &Store,
    destination_id: &str,
) -> Result<Vec<String>, VaultError> {
    let prefix = destination_prefix(destination_id);
    let ids = store::secrets::ids_with_prefix(store, &prefix).await?;
    Ok(ids
        .into_iter()
        .map(|id| id[prefix.len()..].to_string())
        .collect())
}

pub async fn get_destination_secret(
    store: &Store,
    secrets: &SecretStore,
    destination_id: &str,
    name: &str,
) -> Result<Option<String>, VaultError> {
    get(store, secrets, &destination_secret_id(destination_id, name)).await
}

/// Deletes every secret row of a destination in `tx`; returns their IDs so the caller can
/// remove them from the backend once the transaction has committed.
pub async fn delete_destination_secrets(
    tx: &mut WriteTx,
    destination_id: &str,
) -> Result<Vec<String>, VaultError> {
    let prefix = destination_prefix(destination_id);
    Ok(store::secrets::delete_with_prefix(tx, &prefix).await?)
}

/// Removes secrets from the backend after their rows are gone (best effort: a leftover
/// keyring entry is harmless, a missing one for a live row is not).
pub async fn forget_all(secrets: &SecretStore, ids: &[String]) {
    for id in ids {
        if let Err(e) = secrets.forget(id).await {
            tracing::warn!(secret = %id, error = %e, "could not remove a secret from the backend");
        }
    }
}

/// The keys a webhook is signed with now: the current one, plus the previous one while its
/// rotation grace period lasts.
pub async fn signing_keys(
    store: &Store,
    secrets: &SecretStore,
    destination: &DestinationRow,
    now: i64,
) -> Result<Vec<String>, VaultError> {
    let mut keys = Vec::new();
    if let Some(current) =
        get_destination_secret(store, secrets, &destination.id, WEBHOOK_SIGNING_KEY).await?
    {
        keys.push(current);
    }
    if destination
        .previous_key_expire_time
        .is_some_and(|t| t > now)
    {
        if let Some(previous) = get_destination_secret(
            store,
            secrets,
            &destination.id,
            WEBHOOK_SIGNING_KEY_PREVIOUS,
        )
        .await?
        {
            keys.push(previous);
        }
    }
    Ok(keys)
}

impl From<VaultError> for crate::error::ApiError {
    fn from(err: VaultError) -> Self {
        match err {
            VaultError::Db(e) => e.into(),
            VaultError::Secrets(e) => e.into(),
        }
    }
}
