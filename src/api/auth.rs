//! API-key authentication: `X-Api-Key: <key>` (as Ampersand's API) or `Authorization: Bearer <key>`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{session, AppState};
use crate::error::ApiError;
use crate::model::api_key::hash_key;
use crate::model::api_key::KeyScope;
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
        // The console in a browser: a session cookie from a login. A browser sends the
        // cookie whoever asks it to, so a change must come from the console itself.
        return match session::session_cookie(headers) {
            Some(token) if session::session_is_live(&state, &token).await? => {
                if !request.method().is_safe() && !session::from_own_origin(&state, headers) {
                    return Err(session::cross_site());
                }
                request.extensions_mut().insert(Caller::Session);
                Ok(next.run(request).await)
            }
            _ => Err(ApiError::Unauthorized),
        };
    };
    let hash = hash_key(presented);
    let key = state
        .lookups
        .live_key(&state.store, &hash)?
        .ok_or(ApiError::Unauthorized)?;
    let now = state.config.clock.now_ms();
    if key.scope.expire_time.is_some_and(|t| t <= now) {
        return Err(ApiError::Unauthorized);
    }
    check_scope(&state, &key.scope, &request)?;
    // Record use at most once a minute: a write per request would make every read
    // request contend for the database's write lock.
    if key.last_used.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
        let mut tx = state.store.begin_write().await?;
        api_keys::touch(&mut tx, &key.id, now).await?;
        tx.commit().await?;
        state.lookups.key_used(&hash, now);
    }
    request.extensions_mut().insert(Caller::Key(key.id));
    Ok(next.run(request).await)
}

/// Endpoints a project's key may use besides its project's: stateless tools.
const TOOLS: &[&str] = &["/v1/inspect", "/v1/diff", "/v1/event-types"];

/// What a scoped key may not do: change anything (read-only), or reach past its project.
fn check_scope(state: &AppState, scope: &KeyScope, request: &Request) -> Result<(), ApiError> {
    if scope.read_only && !request.method().is_safe() {
        return Err(ApiError::Forbidden(
            "this API key is read-only: it cannot change anything".into(),
        ));
    }
    let Some(own) = &scope.project_id else {
        return Ok(());
    };
    let path = request.uri().path();
    if TOOLS.contains(&path) {
        return Ok(());
    }
    let named = path
        .strip_prefix("/v1/projects/")
        .and_then(|rest| rest.split('/').next())
        .filter(|p| !p.is_empty());
    let allowed = match named {
        // Project IDs and names need no percent-decoding (UUIDs; letters, digits, dashes).
        // An unknown project is refused as well: it is not this key's to probe.
        Some(p) => state
            .lookups
            .project(&state.store, p)?
            .is_some_and(|row| &row.id == own),
        None => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this API key is for project {own} only"
        )))
    }
}
