//! API key management shared by the HTTP API and `switchboard keys …` (which works on the
//! data directory directly, so an operator who lost every key can still get in).

use serde::Deserialize;

use crate::model::api_key::{generate_key, hash_key, hint, ApiKey, CreatedApiKey, KeyScope};
use crate::model::requests::RequestBody;
use crate::store::{self, api_keys, Store, StoreError};
use crate::time::now_ms;

/// Makes a key with `scope` (`KeyScope::default()`: may do everything, never expires).
pub async fn create(
    store: &Store,
    name: &str,
    scope: &KeyScope,
) -> Result<CreatedApiKey, StoreError> {
    let secret = generate_key();
    let id = store::new_id();
    let now = now_ms();
    let mut tx = store.begin_write().await?;
    let key = api_keys::NewKey {
        id: &id,
        name,
        hint: &hint(&secret),
        key_hash: &hash_key(&secret),
        scope,
    };
    api_keys::insert(&mut tx, key, now).await?;
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
#[serde(rename_all = "camelCase")]
pub struct CreateKeyRequest {
    /// 1 to 128 characters, not all blank.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub name: String,
    /// Only reads: every change (POST, PUT, PATCH, DELETE) is refused with 403.
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Only this project (ID or name): other projects and node-wide endpoints answer 403.
    #[serde(default)]
    pub project: Option<String>,
    /// How long the key works, e.g. `30d`, `12h` (default: until revoked).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,6} ?(s|m|h|d|w|minutes?|hours?|days?|weeks?)$")]
    pub expires_in: Option<String>,
}

impl RequestBody for CreateKeyRequest {
    const FIELDS: &'static [&'static str] = &["name", "readOnly", "project", "expiresIn"];
}

/// When a key made at `now` (Unix ms) and told to last `expires_in` (`30d`, `12h`)
/// expires; why not, for a duration that is not one or not positive.
pub fn expiry(expires_in: &str, now: i64) -> Result<i64, String> {
    const WHAT: &str = "must be a number (up to 6 digits) and a unit: s, m, h, d, w, e.g. 30d";
    let digits = expires_in.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = expires_in.split_at(digits);
    let count: i64 = match number.parse() {
        Ok(n) if (1..=6).contains(&digits) => n,
        _ => return Err(WHAT.into()),
    };
    let unit_ms: i64 = match unit.strip_prefix(' ').unwrap_or(unit) {
        "s" => 1000,
        "m" | "minute" | "minutes" => 60 * 1000,
        "h" | "hour" | "hours" => 3600 * 1000,
        "d" | "day" | "days" => 24 * 3600 * 1000,
        "w" | "week" | "weeks" => 7 * 24 * 3600 * 1000,
        _ => return Err(WHAT.into()),
    };
    if count == 0 {
        return Err("must be longer than nothing".into());
    }
    Ok(now + count * unit_ms)
}
