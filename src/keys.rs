//! API key management shared by the HTTP API and `switchboard keys …` (which works on the
//! data directory directly, so an operator who lost every key can still get in).

use serde::Deserialize;

use crate::model::api_key::{generate_key, hash_key, hint, ApiKey, CreatedApiKey};
use crate::model::requests::RequestBody;
use crate::store::{self, api_keys, Store, StoreError};
use crate::time::now_ms;

pub async fn create(store: &Store, name: &str) -> Result<CreatedApiKey, StoreError> {
    let secret = generate_key();
    let id = store::new_id();
    let now = now_ms();
    let mut tx = store.begin_write().await?;
    api_keys::insert(&mut tx, &id, name, &hint(&secret), &hash_key(&secret), now).await?;
    tx.commit().await?;
    let key = list(store)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("the new key was not found")))?;
    Ok(CreatedApiKey { key, secret })
}

pub async fn list(store: &Store) -> Result<Vec<ApiKey>, StoreError> {
    Ok(api_keys::list(store)
        .await?
        .into_iter()
        .map(ApiKey::from)
        .collect())
}

/// Revokes the key with this ID or name; false when no live key matched.
pub async fn revoke(store: &Store, id_or_name: &str) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let revoked = api_keys::revoke(&mut tx, id_or_name, now_ms()).await? > 0;
    tx.commit().await?;
    Ok(revoked)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateKeyRequest {
    pub name: String,
}

impl RequestBody for CreateKeyRequest {
    const FIELDS: &'static [&'static str] = &["name"];
}
