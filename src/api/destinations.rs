//! `/v1/projects/{p}/destinations`: webhook, Kinesis and log destinations and their secrets.

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{JsonObject, QueryParams};
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::destination::{
    parse_create, parse_update, DestinationSecrets, AWS_KEY_ID, WEBHOOK_SIGNING_KEY,
    WEBHOOK_SIGNING_KEY_PREVIOUS,
};
use crate::model::requests::DestinationSecretsInput;
use crate::model::{Destination, DestinationStatus, DestinationType};
use crate::payload::signing::generate_secret;
use crate::problem::Problem;
use crate::store::{self, destinations, destinations::DestinationRow};
use crate::time::to_datetime;
use crate::vault;

fn name_conflict(name: &str) -> ApiError {
    ApiError::conflict(
        "name",
        name,
        "a destination with this name already exists in this project",
    )
}

pub async fn resolve_destination(
    state: &AppState,
    project_id: &str,
    destination: &str,
) -> ApiResult<DestinationRow> {
    destinations::find(&state.store, project_id, destination)
        .await?
        .ok_or_else(|| ApiError::not_found("destination", destination))
}

/// Log files default to `<data dir>/<name>.jsonl`; relative paths are taken from the data dir.
fn resolve_log_path(state: &AppState, name: &str, given: Option<&str>) -> String {
    let path = match given {
        Some(p) => state.config.data_dir.join(PathBuf::from(p)),
        None => state.config.data_dir.join(format!("{name}.jsonl")),
    };
    path.to_string_lossy().into_owned()
}

/// A URL whose host is a literal address the network policy forbids is refused when the
/// destination is made or changed (a name is judged when it is resolved, at each attempt).
fn check_network_policy(
    state: &AppState,
    metadata: &crate::model::DestinationMetadata,
) -> ApiResult<()> {
    let policy = &state.dispatcher.config().network;
    for (field, url) in [
        ("metadata.url", &metadata.url),
        ("metadata.endpointUrl", &metadata.endpoint_url),
    ] {
        let Some(url) = url else { continue };
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        if let Some(why) = host.and_then(|h| policy.literal_refusal(&h)) {
            return Err(ApiError::invalid(crate::problem::Issue::body(
                field,
                Some(&serde_json::Value::String(url.to_string())),
                why,
            )));
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/destinations", tag = "Destinations",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::requests::CreateDestinationRequest,
    responses((status = 201, body = Destination), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_destination(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Destination>)> {
    let project = projects::resolve(&state, &project).await?;
    let mut new = parse_create(&body)?;
    check_network_policy(&state, &new.metadata)?;
    if new.kind == DestinationType::Log {
        new.metadata.path = Some(resolve_log_path(
            &state,
            &new.name,
            new.metadata.path.as_deref(),
        ));
    }
    let mut secrets = new
        .secrets
        .as_ref()
        .map(DestinationSecretsInput::values)
        .unwrap_or_default();
    if new.kind == DestinationType::Webhook {
        secrets.insert(WEBHOOK_SIGNING_KEY.into(), generate_secret());
    }
    let now = state.config.clock.now_ms();
    let row = DestinationRow {
        id: store::new_id(),
        project_id: project.id,
        name: new.name.clone(),
        kind: new.kind,
        metadata: serde_json::to_string(&new.metadata).map_err(anyhow::Error::from)?,
        status: DestinationStatus::Active,
        disabled_reason: None,
        disabled_time: None,
        previous_key_expire_time: None,
        create_time: now,
        update_time: now,
        delivery: match &new.delivery {
            Some(d) => Some(serde_json::to_string(d).map_err(anyhow::Error::from)?),
            None => None,
        },
        failing_since: None,
        last_error: None,
        last_error_class: None,
        last_failure_time: None,
    };
    let mut tx = state.store.begin_write().await?;
    match destinations::insert(&mut tx, &row).await {
        Err(e) if store::is_unique_violation(&e) => return Err(name_conflict(&new.name)),
        other => other?,
    }
    let mut sealed_ids = Vec::new();
    for (name, value) in &secrets {
        let id = vault::destination_secret_id(&row.id, name);
        if let Err(e) = vault::put(&mut tx, &state.secrets, &id, value).await {
            drop(tx);
            vault::forget_all(&state.secrets, &sealed_ids).await;
            return Err(ApiError::Internal(e.into()));
        }
        sealed_ids.push(id);
    }
    if let Err(e) = tx.commit().await {
        vault::forget_all(&state.secrets, &sealed_ids).await;
        return Err(e.into());
    }
    state.dispatcher.invalidate(&row.id);
    tracing::info!(destination = %row.id, kind = row.kind.as_str(), "destination created");
    Ok((StatusCode::CREATED, Json(view(&state, &row))))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/destinations", tag = "Destinations",
    params(("projectIdOrName" = String, Path)),
    responses((status = 200, body = [Destination]), (status = 404, body = Problem)))]
pub async fn list_destinations(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Vec<Destination>>> {
    let project = projects::resolve(&state, &project).await?;
    let rows = destinations::list(&state.store, &project.id).await?;
    Ok(Json(rows.iter().map(|row| view(&state, row)).collect()))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/destinations/{destination}", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path, description = "Destination ID or name"),
           ("includeSecrets" = Option<bool>, Query, description = "Include the signing key"),
           ("rotate" = Option<bool>, Query, description = "Rotate the signing key (the previous one keeps signing for a grace period)")),
    responses((status = 200, body = Destination), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_destination(
    State(state): State<AppState>,
    Path((project, destination)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Json<Destination>> {
    let project = projects::resolve(&state, &project).await?;
    let include_secrets = query.bool("includeSecrets")?;
    let rotate = query.bool("rotate")?;
    let mut row = resolve_destination(&state, &project.id, &destination).await?;
    if rotate {
        row = rotate_signing_key(&state, row).await?;
    }
    let mut shown = view(&state, &row);
    if include_secrets || rotate {
        shown.secrets = Some(load_secrets(&state, &row).await?);
    }
    Ok(Json(shown))
}

/// A destination as the API shows it: the stored row, with when a failing webhook would be
/// disabled under this node's rule.
pub fn view(state: &AppState, row: &DestinationRow) -> Destination {
    let mut shown = row.to_api();
    if let Some(failing) = shown.failing.as_mut() {
        if row.kind == DestinationType::Webhook && row.status == DestinationStatus::Active {
            let disable_after = state.dispatcher.config().disable_after;
            failing.disable_time = chrono::Duration::from_std(disable_after)
                .ok()
                .map(|span| failing.since + span);
        }
    }
    shown
}

/// The destination's secrets as `?includeSecrets=true` shows them (the previous signing key
/// only while its grace period lasts).
pub(super) async fn load_secrets(
    state: &AppState,
    row: &DestinationRow,
) -> ApiResult<DestinationSecrets> {
    let pool = &state.store;
    let get =
        |name: &'static str| vault::get_destination_secret(pool, &state.secrets, &row.id, name);
    let mut out = DestinationSecrets {
        webhook_signing_key: get(WEBHOOK_SIGNING_KEY).await?,
        aws_key_id: get(AWS_KEY_ID).await?,
        ..Default::default()
    };
    if let Some(expire) = row
        .previous_key_expire_time
        .filter(|t| *t > state.config.clock.now_ms())
    {
        out.previous_webhook_signing_key = get(WEBHOOK_SIGNING_KEY_PREVIOUS).await?;
        out.previous_webhook_signing_key_expire_time = Some(to_datetime(expire));
    }
    Ok(out)
}

/// Makes a new signing key current; the old one keeps signing for the configured grace period.
async fn rotate_signing_key(state: &AppState, row: DestinationRow) -> ApiResult<DestinationRow> {
    if row.kind != DestinationType::Webhook {
        return Err(ApiError::invalid(crate::problem::Issue::at(
            crate::problem::IssueLocation::Query,
            "rotate",
            Some(serde_json::Value::Bool(true)),
            "only webhook destinations have a signing key to rotate",
        )));
    }
    let pool = &state.store;
    let current =
        vault::get_destination_secret(pool, &state.secrets, &row.id, WEBHOOK_SIGNING_KEY).await?;
    let now = state.config.clock.now_ms();
    let grace_ms = i64::try_from(state.config.signing_key_grace.as_millis()).unwrap_or(i64::MAX);
    let mut tx = state.store.begin_write().await?;
    if let Some(current) = current {
        let prev_id = vault::destination_secret_id(&row.id, WEBHOOK_SIGNING_KEY_PREVIOUS);
        vault::put(&mut tx, &state.secrets, &prev_id, &current).await?;
        destinations::set_previous_key_expiry(
            &mut tx,
            &row.id,
            Some(now.saturating_add(grace_ms)),
            now,
        )
        .await?;
    }
    let id = vault::destination_secret_id(&row.id, WEBHOOK_SIGNING_KEY);
    vault::put(&mut tx, &state.secrets, &id, &generate_secret()).await?;
    tx.commit().await?;
    state.dispatcher.invalidate(&row.id);
    tracing::info!(destination = %row.id, "signing key rotated");
    resolve_destination(state, &row.project_id, &row.id).await
}

#[utoipa::path(patch, path = "/v1/projects/{projectIdOrName}/destinations/{destination}", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path, description = "Destination ID or name")),
    request_body = crate::model::requests::UpdateDestinationRequest,
    responses((status = 200, body = Destination), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_destination(
    State(state): State<AppState>,
    Path((project, destination)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Destination>> {
    let project = projects::resolve(&state, &project).await?;
    let row = resolve_destination(&state, &project.id, &destination).await?;
    let secret_names = vault::destination_secret_names(&state.store, &row.id).await?;
    let current_delivery = row.to_api().delivery;
    let mut update = parse_update(
        &body,
        row.kind,
        &row.name,
        &row.metadata(),
        &secret_names,
        current_delivery.as_ref(),
    )?;
    check_network_policy(&state, &update.metadata)?;
    if row.kind == DestinationType::Log {
        let given = update.metadata.path.take();
        update.metadata.path = Some(resolve_log_path(&state, &update.name, given.as_deref()));
    }
    let metadata = serde_json::to_string(&update.metadata).map_err(anyhow::Error::from)?;
    let mut tx = state.store.begin_write().await?;
    match destinations::update_fields(
        &mut tx,
        &row.id,
        &update.name,
        &metadata,
        state.config.clock.now_ms(),
    )
    .await
    {
        Err(e) if store::is_unique_violation(&e) => return Err(name_conflict(&update.name)),
        other => other?,
    }
    let delivery = match &update.delivery {
        Some(d) => Some(serde_json::to_string(d).map_err(anyhow::Error::from)?),
        None => None,
    };
    destinations::set_delivery_policy(
        &mut tx,
        &row.id,
        delivery.as_deref(),
        state.config.clock.now_ms(),
    )
    .await?;
    for (name, value) in &update.set_secrets {
        let id = vault::destination_secret_id(&row.id, name);
        vault::put(&mut tx, &state.secrets, &id, value).await?;
    }
    let mut cleared = Vec::new();
    for name in &update.clear_secrets {
        let id = vault::destination_secret_id(&row.id, name);
        store::secrets::delete(&mut tx, &id).await?;
        cleared.push(id);
    }
    tx.commit().await?;
    vault::forget_all(&state.secrets, &cleared).await;
    state.dispatcher.invalidate(&row.id);
    let updated = resolve_destination(&state, &project.id, &row.id).await?;
    Ok(Json(view(&state, &updated)))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/destinations/{destination}", tag = "Destinations",
    params(("projectIdOrName" = String, Path), ("destination" = String, Path, description = "Destination ID or name")),
    responses((status = 204, description = "Deleted, with its routes and secrets"), (status = 404, body = Problem)))]
pub async fn delete_destination(
    State(state): State<AppState>,
    Path((project, destination)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let row = resolve_destination(&state, &project.id, &destination).await?;
    let mut tx = state.store.begin_write().await?;
    let secret_ids = vault::delete_destination_secrets(&mut tx, &row.id).await?;
    if !destinations::delete(&mut tx, &row.id).await? {
        return Err(ApiError::not_found("destination", &destination));
    }
    tx.commit().await?;
    // Stops its deliveries: what it had claimed is not sent anywhere any more.
    state.dispatcher.invalidate(&row.id);
    vault::forget_all(&state.secrets, &secret_ids).await;
    tracing::info!(destination = %row.id, "destination deleted");
    Ok(StatusCode::NO_CONTENT)
}
