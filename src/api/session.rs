//! Browser logins for the console served by `switchboard serve`: a one-time link printed
//! at start (as Jupyter does), or a pasted API key, each exchanged for an HttpOnly session
//! cookie. The web view never holds a key.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::header::{COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{JsonObject, PeerAddress};
use super::AppState;
use crate::error::{ApiError, ApiResult};
use crate::model::api_key::{generate_key, hash_key};
use crate::model::input::{Fields, Issues};
use crate::model::requests::RequestBody;
use crate::problem::Problem;
use crate::store::{api_keys, sessions};

pub const COOKIE_NAME: &str = "switchboard_session";
const SESSION_DAYS: i64 = 7;

/// The current one-time login token (its hash), if it was not used yet.
#[derive(Clone, Default)]
pub struct LoginLink(Arc<Mutex<Option<String>>>);

impl LoginLink {
    /// Makes a new one-time token and returns it (the old one stops working).
    pub fn issue(&self) -> String {
        let token = generate_key();
        *self.0.lock().expect("login link") = Some(hash_key(&token));
        token
    }

    /// True once for the right token.
    fn redeem(&self, token: &str) -> bool {
        let mut current = self.0.lock().expect("login link");
        if current.as_deref() == Some(hash_key(token).as_str()) {
            *current = None;
            true
        } else {
            false
        }
    }
}

/// The session token in the request's cookies, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
}

/// True when a browser sent this request from the console's own origin (the CSRF defence
/// for cookie-authenticated writes): `Origin` names this node — as the request reached it
/// (`Host`) or as its public URL says — or, without `Origin`, `Sec-Fetch-Site` says
/// same-origin. A request with neither is not taken on a cookie's word.
pub fn from_own_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
    let Some(origin) = origin else {
        return headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|site| site == "same-origin");
    };
    let scheme = if state.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let public = state.public_url.trim_end_matches('/');
    host.is_some_and(|h| origin == format!("{scheme}://{h}")) || origin == public
}

pub async fn session_is_live(state: &AppState, token: &str) -> ApiResult<bool> {
    Ok(sessions::is_live(&state.store, &hash_key(token), state.config.clock.now_ms()).await?)
}

async fn start_session(state: &AppState) -> ApiResult<HeaderValue> {
    let token = generate_key();
    let now = state.config.clock.now_ms();
    let expire = now + SESSION_DAYS * 24 * 3600 * 1000;
    let mut tx = state.store.begin_write().await?;
    sessions::insert(&mut tx, &hash_key(&token), now, expire).await?;
    tx.commit().await?;
    let cookie = format!(
        "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        SESSION_DAYS * 24 * 3600,
        secure_attribute(state)
    );
    HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))
}

/// `; Secure` when browsers reach the node over TLS (its own, or a proxy's the public URL
/// names): the cookie then never travels in clear.
fn secure_attribute(state: &AppState) -> &'static str {
    if state.config.tls.is_some() || state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// `POST /v1/session`: logs a browser in with an API key.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    pub api_key: String,
}

impl RequestBody for LoginRequest {
    const FIELDS: &'static [&'static str] = &["apiKey"];
}

/// Reads a login body into its request type.
fn parse_login(body: &serde_json::Map<String, serde_json::Value>) -> ApiResult<LoginRequest> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(LoginRequest::FIELDS, &mut issues, "a login");
    let key = fields.string("apiKey", true, &mut issues);
    let api_key = issues.finish(key.unwrap_or_default())?;
    Ok(LoginRequest { api_key })
}

#[utoipa::path(post, path = "/v1/session", tag = "Node", security(()),
    request_body = LoginRequest,
    responses((status = 204, description = "Logged in: sets the HttpOnly session cookie"),
              (status = 401, body = Problem), (status = 403, body = Problem, description = "Sent from another site's page"),
              (status = 422, body = Problem),
              (status = 429, body = Problem, description = "Too many wrong keys from this address: wait `Retry-After` seconds")))]
pub async fn create_session(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    // Another site must not log a browser into a key of its choosing.
    if headers.contains_key(ORIGIN) && !from_own_origin(&state, &headers) {
        return Err(cross_site());
    }
    let now = state.config.clock.now_ms();
    if let Some(wait_ms) = state.login_throttle.wait_ms(address, now) {
        return Err(ApiError::TooManyRequests {
            detail: "too many logins with wrong keys from this address; wait before trying again"
                .into(),
            retry_after_secs: (wait_ms as u64).div_ceil(1000),
        });
    }
    let hash = hash_key(&parse_login(&body)?.api_key);
    if api_keys::find_live_by_hash(&state.store, &hash)?.is_none() {
        state.login_throttle.failed(address, now);
        return Err(ApiError::Unauthorized);
    }
    state.login_throttle.succeeded(address);
    let cookie = start_session(&state).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie);
    Ok(response)
}

#[utoipa::path(delete, path = "/v1/session", tag = "Node", security(()),
    responses((status = 204, description = "Logged out")))]
pub async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = session_cookie(&headers) {
        let mut tx = state.store.begin_write().await?;
        sessions::delete(&mut tx, &hash_key(&token)).await?;
        tx.commit().await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let expired = format!(
        "{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure_attribute(&state)
    );
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&expired).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(response)
}

/// A cookie-authenticated write from another origin (or one that will not say).
pub fn cross_site() -> ApiError {
    ApiError::Forbidden(
        "a change made with the console's session must come from the console's own origin".into(),
    )
}

#[derive(Deserialize)]
pub struct LoginQuery {
    token: String,
}

/// `GET /login?token=…`: the one-time link printed at start.
pub async fn login_link(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> ApiResult<Response> {
    if !state.login.redeem(&q.token) {
        return Err(ApiError::Forbidden(
            "this login link was already used or is not valid; log in with an API key instead"
                .into(),
        ));
    }
    let cookie = start_session(&state).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie);
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static("/"));
    Ok(response)
}
