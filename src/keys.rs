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

/// Who asks for a revocation, and so what it may not do.
#[derive(Clone, Copy, Debug)]
pub enum RevokedBy<'a> {
    /// A request through the API, with the key it came with (None: a console session).
    /// It may not revoke that key, nor the node's last active one: either would lock the
    /// caller (or everyone) out until someone with the data directory made a new key.
    Api(Option<&'a str>),
    /// `switchboard keys revoke` on the data directory: its user can always make a new key.
    Operator,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    NotFound,
    /// Refused: the key making the request.
    OwnKey,
    /// Refused: no active key would be left.
    LastKey,
}

/// Revokes the live key(s) with this ID or name, unless `by` may not.
pub async fn revoke(
    store: &Store,
    id_or_name: &str,
    by: RevokedBy<'_>,
) -> Result<Revocation, StoreError> {
    let mut tx = store.begin_write().await?;
    let (matching, live) = api_keys::live_matching(&mut tx, id_or_name).await?;
    if matching.is_empty() {
        return Ok(Revocation::NotFound);
    }
    if let RevokedBy::Api(caller) = by {
        if caller.is_some_and(|c| matching.iter().any(|m| m == c)) {
            return Ok(Revocation::OwnKey);
        }
        if live - matching.len() as i64 <= 0 {
            return Ok(Revocation::LastKey);
        }
    }
    api_keys::revoke(&mut tx, id_or_name, now_ms()).await?;
    tx.commit().await?;
    Ok(Revocation::Revoked)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateKeyRequest {
    /// 1 to 128 characters, not all blank.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub name: String,
}

impl RequestBody for CreateKeyRequest {
    const FIELDS: &'static [&'static str] = &["name"];
}
