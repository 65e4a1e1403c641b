//! API keys: what a client sends in `X-Api-Key`. Only their SHA-256 is stored.

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Prefix that makes a Switchboard key recognisable in a leaked config file.
pub const KEY_PREFIX: &str = "sbk_";

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The first characters of the key, to tell keys apart without revealing them.
    pub hint: String,
    pub create_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revoke_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_used_time: Option<DateTime<Utc>>,
    /// Only reads (GET): every change is refused with 403.
    #[serde(default)]
    pub read_only: bool,
    /// Only this project's API (and the stateless tools: inspect, diff, event types).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub project_id: Option<String>,
    /// From then on the key no longer authenticates.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expire_time: Option<DateTime<Utc>>,
}

/// What a key may do: everything, unless it is read-only, for one project, or expiring.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyScope {
    pub read_only: bool,
    pub project_id: Option<String>,
    /// Unix ms.
    pub expire_time: Option<i64>,
}

/// A key as returned once, at creation.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The key itself. It is shown only in this response.
    pub secret: String,
}

pub fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    use base64::Engine;
    format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

pub fn hint(key: &str) -> String {
    key.chars().take(KEY_PREFIX.len() + 6).collect()
}
