//! API key management shared by the HTTP API and `switchboard keys …` (which works on the
//! data directory directly, so an operator who lost every key can still get in).

use serde::Deserialize;
use sqlx::SqlitePool;

use crate::model::api_key::{generate_key, hash_key, hint, ApiKey, CreatedApiKey};
use crate::store::{self, api_keys};
use crate::time::now_ms;

pub async fn create(pool: &SqlitePool, name: &str) -> sqlx::Result<CreatedApiKey> {
    let secret = generate_key();
    let id = store::new_id();
    let now = now_ms();
    api_keys::insert(pool, &id, name, &hint(&secret), &hash_key(&secret), now).await?;
    let key = list(pool)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(CreatedApiKey { key, secret })
}

pub async fn list(pool: &SqlitePool) -> sqlx::Result<Vec<ApiKey>> {
    Ok(api_keys::list(pool)
        .await?
        .into_iter()
        .map(ApiKey::from)
        .collect())
}

/// Revokes the key with this ID or name; false when no live key matched.
pub async fn revoke(pool: &SqlitePool, id_or_name: &str) -> sqlx::Result<bool> {
    Ok(api_keys::revoke(pool, id_or_name, now_ms()).await? > 0)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateKeyRequest {
    pub name: String,
}
