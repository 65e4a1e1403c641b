//! The console UI, embedded in the binary at build time from `ui/dist`. Unknown paths
//! outside the API get `index.html`, so the UI's own routes survive a reload.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "ui/dist"]
struct Assets;

const NOT_BUILT: &str =
    "<!doctype html><title>Switchboard</title><p>The console UI is not part of this build. \
Run <code>npm run build</code> in <code>ui/</code> and rebuild, or use the API at <code>/v1</code> \
(see <a href=\"/openapi.json\">/openapi.json</a>).</p>";

/// The console's Content-Security-Policy: its own scripts only (no inline script, no
/// eval), requests to this node only, never framed. Inline styles stay allowed: the canvas
/// and the editor position their elements with style attributes.
const CONSOLE_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn asset(path: &str) -> Option<Response> {
    let file = Assets::get(path)?;
    let mime = file.metadata.mimetype();
    let mut response = file.data.into_owned().into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Vite names assets by content hash: they never change. index.html always may.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if mime.starts_with("text/html") {
        response.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_POLICY),
        );
    }
    Some(response)
}

/// Everything the API routes do not match.
pub async fn fallback(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("v1/") || path == "v1" {
        return ApiError::NotFound {
            detail: "no such endpoint; see /openapi.json".into(),
            issues: vec![],
        }
        .into_response();
    }
    if let Some(found) = asset(path) {
        return found;
    }
    match asset("index.html") {
        Some(index) => index,
        None => (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response(),
    }
}
