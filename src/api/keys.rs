//! `/v1/keys`: API keys of this node (stored hashed; a key is shown once, at creation).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Extension;
use axum::Json;
use serde_json::Value;

use super::auth::Caller;
use super::extract::JsonObject;
use super::AppState;
use crate::error::{ApiError, ApiResult};
use crate::keys::{self, Revocation};
use crate::model::api_key::{ApiKey, CreatedApiKey, KeyScope};
use crate::model::input::{Fields, Issues};
use crate::model::requests::RequestBody;
use crate::problem::{Issue, IssueLocation, Problem};

#[utoipa::path(get, path = "/v1/keys", tag = "Keys", responses((status = 200, body = [ApiKey])))]
pub async fn list_keys(State(state): State<AppState>) -> ApiResult<Json<Vec<ApiKey>>> {
    Ok(Json(keys::list(&state.store).await?))
}

#[utoipa::path(post, path = "/v1/keys", tag = "Keys", request_body = keys::CreateKeyRequest,
    responses((status = 201, body = CreatedApiKey), (status = 404, body = Problem, description = "No such project"),
              (status = 422, body = Problem)))]
pub async fn create_key(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    let request = parse_create_key(&body)?;
    let project_id = match &request.project {
        Some(p) => Some(
            state
                .lookups
                .project(&state.store, p)?
                .ok_or_else(|| ApiError::missing_reference("project", "project", p))?
                .id,
        ),
        None => None,
    };
    let now = state.config.clock.now_ms();
    let scope = KeyScope {
        read_only: request.read_only.unwrap_or(false),
        project_id,
        expire_time: request
            .expires_in
            .as_deref()
            .and_then(|e| keys::expiry(e, now).ok()),
    };
    Ok((
        StatusCode::CREATED,
        Json(keys::create(&state.store, &request.name, &scope).await?),
    ))
}

/// Reads a `POST /v1/keys` body into its request type.
fn parse_create_key(body: &serde_json::Map<String, Value>) -> ApiResult<keys::CreateKeyRequest> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(keys::CreateKeyRequest::FIELDS, &mut issues, "an API key");
    let name = fields.string("name", true, &mut issues);
    if let Some(n) = &name {
        if n.trim().is_empty() || n.chars().count() > 128 {
            issues.add(
                "name",
                Some(&Value::String(n.clone())),
                "must be 1 to 128 characters",
            );
        }
    }
    let read_only = fields.bool("readOnly", &mut issues);
    let project = fields.string("project", false, &mut issues);
    let expires_in = fields.string("expiresIn", false, &mut issues);
    if let Some(e) = &expires_in {
        if let Err(why) = keys::expiry(e, 0) {
            issues.add("expiresIn", Some(&Value::String(e.clone())), why);
        }
    }
    let name = issues.finish(name.unwrap_or_default())?;
    Ok(keys::CreateKeyRequest {
        name,
        read_only,
        project,
        expires_in,
    })
}

#[utoipa::path(delete, path = "/v1/keys/{key}", tag = "Keys",
    params(("key" = String, Path, description = "Key ID or name")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The key making the request, or the node's last active key: revoking it would lock the caller (or everyone) out")))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(key): Path<String>,
) -> ApiResult<StatusCode> {
    let caller_key = caller.as_ref().and_then(|Extension(c)| c.key_id());
    let conflict = |detail: &str| ApiError::Conflict {
        detail: detail.to_string(),
        issues: vec![Issue::at(
            IssueLocation::Path,
            "key",
            Some(Value::String(key.clone())),
            detail,
        )],
    };
    match keys::revoke(&state.store, &key, keys::RevokedBy::Api(caller_key)).await? {
        Revocation::Revoked => {}
        Revocation::NotFound => return Err(ApiError::not_found("API key", &key)),
        Revocation::OwnKey => {
            return Err(conflict(
                "this is the key making the request; revoke it with another key (or `switchboard keys revoke` on the node)",
            ))
        }
        Revocation::LastKey => {
            return Err(conflict(
                "this is the node's last active API key; create another first (POST /v1/keys or `switchboard keys create`)",
            ))
        }
    }
    state.lookups.forget_keys();
    Ok(StatusCode::NO_CONTENT)
}
