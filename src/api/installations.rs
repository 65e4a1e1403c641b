//! Installations (`…/integrations/{id}/installations`, `…/installations`): created, changed
//! and deleted with the `installation.*` notification committed in the same transaction,
//! each config checked against the integration's latest revision. Creating one starts each
//! object's backfill (`reads::lifecycle`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use super::extract::{JsonObject, QueryParams};
use super::integrations::resolve as resolve_integration;
use super::read_views::installation_view;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::installation::{
    parse_create_installation, parse_update_installation, ConfigContent, Installation, MaskPath,
};
use crate::model::integration::ManifestIntegration;
use crate::problem::Problem;
use crate::reads::config_check::{check_config, complete_config};
use crate::reads::context::installation_fields;
use crate::reads::lifecycle;
use crate::store::projects::ProjectRow;
use crate::store::read_progress;
use crate::store::reads::{self, InstallationRow, IntegrationRow};

fn manifest_of(revision_content: &str) -> ManifestIntegration {
    serde_json::from_str(revision_content).unwrap_or_default()
}

async fn resolve(
    state: &AppState,
    integration: &IntegrationRow,
    installation: &str,
) -> ApiResult<InstallationRow> {
    reads::installation(&state.store, &integration.id, installation)
        .await?
        .ok_or_else(|| ApiError::not_found("installation", installation))
}

pub(super) async fn resolve_all(
    state: &AppState,
    project: &str,
    integration: &str,
    installation: &str,
) -> ApiResult<(ProjectRow, IntegrationRow, String, InstallationRow)> {
    let project = projects::resolve(state, project).await?;
    let (integration, revision) = resolve_integration(state, &project, integration).await?;
    let installation = resolve(state, &integration, installation).await?;
    Ok((project, integration, revision.content, installation))
}

fn config_issues(manifest: &ManifestIntegration, content: &Value, prefix: &str) -> ApiResult<()> {
    let issues = check_config(manifest, content, prefix);
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid { issues })
    }
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path)),
    request_body = crate::model::installation::CreateInstallationRequest,
    responses((status = 201, body = Installation, description = "Created; installation.created is published and each object's backfill starts"),
              (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem, description = "The config does not fit the integration's latest revision")))]
pub async fn create_installation(
    State(state): State<AppState>,
    Path((project, integration)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Installation>)> {
    let project = projects::resolve(&state, &project).await?;
    let (integration, revision) = resolve_integration(&state, &project, &integration).await?;
    let request = parse_create_installation(&body)?;
    let manifest = manifest_of(&revision.content);
    let mut content = request.config.content.clone();
    config_issues(&manifest, &content, "config.content")?;
    complete_config(&manifest, &mut content);
    if reads::installation_for_group(&state.store, &integration.id, &request.group_ref)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "groupRef",
            &request.group_ref,
            "this group already has an installation of this integration",
        ));
    }
    let now = state.config.clock.now_ms();
    let consumer_ref = request
        .consumer_ref
        .clone()
        .unwrap_or_else(|| request.group_ref.clone());
    let row = InstallationRow {
        id: uuid::Uuid::new_v4().to_string(),
        project_id: project.id.clone(),
        integration_id: integration.id.clone(),
        group_name: request
            .group_name
            .clone()
            .unwrap_or_else(|| request.group_ref.clone()),
        consumer_name: request
            .consumer_name
            .clone()
            .unwrap_or_else(|| consumer_ref.clone()),
        consumer_ref,
        group_ref: request.group_ref.clone(),
        connection_id: request
            .connection_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        config_id: uuid::Uuid::new_v4().to_string(),
        revision_id: revision.id.clone(),
        config_created_by: request
            .config
            .created_by
            .clone()
            .unwrap_or_else(|| "api:create-installation".into()),
        config_create_time: now,
        config: content.to_string(),
        create_time: now,
        update_time: now,
    };
    let starts = lifecycle::plan_starts(
        &state.store,
        state.config.clock.now_ms(),
        &row,
        &integration,
        &manifest,
        None,
    )
    .await?;
    let mut data = installation_fields(&row, &integration);
    data.insert("config".into(), content);
    let (stored, project_id) = (row.clone(), project.id.clone());
    let created = state
        .dispatcher
        .commit_with_messages(move |tx, enqueue| {
            match read_progress::insert_installation(tx, &stored) {
                Err(e) if crate::store::is_unique_violation(&e) => return Ok(false),
                other => other?,
            }
            lifecycle::write_starts(tx, &stored.id, &starts)?;
            enqueue.notify(
                tx,
                &project_id,
                &json!({"notificationType": "installation.created", "data": data}),
            )?;
            Ok(true)
        })
        .await?;
    if !created {
        return Err(ApiError::conflict(
            "groupRef",
            &row.group_ref,
            "this group already has an installation of this integration",
        ));
    }
    state.reads.wake();
    Ok((
        StatusCode::CREATED,
        Json(installation_view(&state, &row, &integration.provider).await?),
    ))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path),
           ("groupRef" = Option<String>, Query)),
    responses((status = 200, body = [Installation]), (status = 404, body = Problem)))]
pub async fn list_installations(
    State(state): State<AppState>,
    Path((project, integration)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Json<Vec<Installation>>> {
    let project = projects::resolve(&state, &project).await?;
    let (integration, _) = resolve_integration(&state, &project, &integration).await?;
    let rows = reads::list_installations(
        &state.store,
        &project.id,
        Some(&integration.id),
        query.string("groupRef"),
    )
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(installation_view(&state, r, &integration.provider).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/installations", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("groupRef" = Option<String>, Query)),
    responses((status = 200, body = [Installation]), (status = 404, body = Problem)))]
pub async fn list_project_installations(
    State(state): State<AppState>,
    Path(project): Path<String>,
    query: QueryParams,
) -> ApiResult<Json<Vec<Installation>>> {
    let project = projects::resolve(&state, &project).await?;
    let rows = reads::list_installations(&state.store, &project.id, None, query.string("groupRef"))
        .await?;
    let integrations = reads::list_integrations(&state.store, &project.id).await?;
    let mut out = Vec::new();
    for r in &rows {
        let provider = integrations
            .iter()
            .find(|(i, _)| i.id == r.integration_id)
            .map(|(i, _)| i.provider.clone())
            .unwrap_or_default();
        out.push(installation_view(&state, r, &provider).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path)),
    responses((status = 200, body = Installation), (status = 404, body = Problem)))]
pub async fn get_installation(
    State(state): State<AppState>,
    Path((project, integration, installation)): Path<(String, String, String)>,
) -> ApiResult<Json<Installation>> {
    let (_, integration, _, row) =
        resolve_all(&state, &project, &integration, &installation).await?;
    Ok(Json(
        installation_view(&state, &row, &integration.provider).await?,
    ))
}

#[utoipa::path(patch, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path)),
    request_body = crate::model::installation::UpdateInstallationRequest,
    responses((status = 200, body = Installation, description = "Updated; installation.updated is published with config and lastConfig"),
              (status = 400, body = Problem, description = "An update mask path that is unknown or has no value"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_installation(
    State(state): State<AppState>,
    Path((project, integration, installation)): Path<(String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Installation>> {
    let (project, integration, revision_content, mut row) =
        resolve_all(&state, &project, &integration, &installation).await?;
    let (mask, patch) = parse_update_installation(&body)?;
    let manifest = manifest_of(&revision_content);
    let last: Value = serde_json::from_str(&row.config).unwrap_or_default();
    let mut content = last.clone();
    for path in &mask {
        match path {
            MaskPath::ConnectionId => {
                row.connection_id = patch
                    .get("connectionId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            }
            MaskPath::CreatedBy => {
                row.config_created_by = patch
                    .pointer_get("config.createdBy")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            }
            MaskPath::ProxyEnabled => set_at(
                &mut content,
                &["proxy", "enabled"],
                patch.pointer_get("config.content.proxy.enabled"),
            ),
            MaskPath::Objects { action, object } => {
                let mut at = vec![action.as_str(), "objects"];
                let key = format!("config.content.{action}.objects");
                let key = match object {
                    Some(o) => {
                        at.push(o);
                        format!("{key}.{o}")
                    }
                    None => key,
                };
                set_at(&mut content, &at, patch.pointer_get(&key));
            }
        }
    }
    config_issues(&manifest, &content, "installation.config.content")?;
    complete_config(&manifest, &mut content);
    let now = state.config.clock.now_ms();
    let old_objects = read_object_names(&last);
    row.config = content.to_string();
    row.config_id = uuid::Uuid::new_v4().to_string();
    row.config_create_time = now;
    row.revision_id = integration.latest_revision_id.clone();
    row.update_time = now;
    let new_objects = read_object_names(&content);
    let added: Vec<String> = new_objects
        .iter()
        .filter(|o| !old_objects.contains(o))
        .cloned()
        .collect();
    let removed: Vec<String> = old_objects
        .iter()
        .filter(|o| !new_objects.contains(o))
        .cloned()
        .collect();
    let starts = lifecycle::plan_starts(
        &state.store,
        state.config.clock.now_ms(),
        &row,
        &integration,
        &manifest,
        Some(&added),
    )
    .await?;
    let mut data = installation_fields(&row, &integration);
    data.insert("config".into(), content);
    data.insert("lastConfig".into(), last);
    let (stored, project_id) = (row.clone(), project.id.clone());
    state
        .dispatcher
        .commit_with_messages(move |tx, enqueue| {
            read_progress::update_installation(tx, &stored)?;
            for o in &removed {
                read_progress::remove_read_object(tx, &stored.id, o)?;
            }
            lifecycle::write_starts(tx, &stored.id, &starts)?;
            enqueue.notify(
                tx,
                &project_id,
                &json!({"notificationType": "installation.updated", "data": data}),
            )
        })
        .await?;
    state.reads.wake();
    Ok(Json(
        installation_view(&state, &row, &integration.provider).await?,
    ))
}

/// The provider names of a config's read objects that are not disabled.
fn read_object_names(content: &Value) -> Vec<String> {
    let typed: ConfigContent = serde_json::from_value(content.clone()).unwrap_or_default();
    typed
        .read
        .unwrap_or_default()
        .objects
        .into_values()
        .filter(|o| !o.disabled)
        .map(|o| o.object_name)
        .collect()
}

trait DottedGet {
    fn pointer_get(&self, path: &str) -> Option<&Value>;
}

impl DottedGet for Map<String, Value> {
    fn pointer_get(&self, path: &str) -> Option<&Value> {
        crate::model::installation::lookup(self, path)
    }
}

/// Sets (or, for null, removes) the value at `path` of `root`, making objects on the way.
fn set_at(root: &mut Value, path: &[&str], value: Option<&Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = root;
    for p in parents {
        if !at.get(*p).is_some_and(Value::is_object) {
            if let Some(o) = at.as_object_mut() {
                o.insert(p.to_string(), Value::Object(Map::new()));
            }
        }
        at = &mut at[*p];
    }
    if let Some(o) = at.as_object_mut() {
        match value {
            None | Some(Value::Null) => {
                o.remove(*last);
            }
            Some(v) => {
                o.insert(last.to_string(), v.clone());
            }
        }
    }
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}", tag = "Installations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path)),
    responses((status = 204, description = "Deleted; installation.deleted is published with its config"), (status = 404, body = Problem)))]
pub async fn delete_installation(
    State(state): State<AppState>,
    Path((project, integration, installation)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let (_, integration, _, row) =
        resolve_all(&state, &project, &integration, &installation).await?;
    crate::reads::lifecycle::delete_installation(&state.dispatcher, &integration, &row).await?;
    Ok(StatusCode::NO_CONTENT)
}
