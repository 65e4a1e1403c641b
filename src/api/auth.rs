//! API-key authentication: `X-Api-Key: <key>` (as Ampersand's API) or `Authorization: Bearer <key>`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{session, AppState};
use crate::error::ApiError;
use crate::model::api_key::hash_key;
use crate::store::api_keys;

pub const API_KEY_HEADER: &str = "x-api-key";

/// Who made an authenticated request, as the handlers that care may ask (an extension
/// the check adds to the request).
#[derive(Clone, Debug)]
pub enum Caller {
    /// An API key, by ID.
    Key(String),
    /// The console, with a session cookie.
    Session,
}

impl Caller {
    pub fn key_id(&self) -> Option<&str> {
        match self {
            Caller::Key(id) => Some(id),
            Caller::Session => None,
        }
    }
}
const TOUCH_EVERY_MS: i64 = 60_000;

pub async fn require_api_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let headers = request.headers();
    let presented = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(presented) = presented else {
        // The console in a browser: a session cookie from a login.
        return match session::session_cookie(headers) {
            Some(token) if session::session_is_live(&state, &token).await? => {
                request.extensions_mut().insert(Caller::Session);
                Ok(next.run(request).await)
            }
            _ => Err(ApiError::Unauthorized),
        };
    };
    let hash = hash_key(presented);
    let (key_id, last_used) = state
        .lookups
        .live_key(&state.store, &hash)?
        .ok_or(ApiError::Unauthorized)?;
    // Record use at most once a minute: a write per request would make every read
    // request contend for the database's write lock.
    let now = state.config.clock.now_ms();
    if last_used.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
        let mut tx = state.store.begin_write().await?;
        api_keys::touch(&mut tx, &key_id, now).await?;
        tx.commit().await?;
        state.lookups.key_used(&hash, now);
    }
    request.extensions_mut().insert(Caller::Key(key_id));
    Ok(next.run(request).await)
}
