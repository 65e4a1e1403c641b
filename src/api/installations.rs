//! Installations (`…/integrations/{id}/installations`, `…/installations`): created, changed
//! and deleted with the `installation.*` notification committed in the same transaction,
//! each config checked against the integration's latest revision. Creating one starts each
//! object's backfill.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use super::extract::{JsonObject, QueryParams};
use super::integrations::resolve as resolve_integration;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::installation::{
    parse_create_installation, parse_update_installation, ConfigContent, Connection, Consumer,
    Group, Installation, InstallationConfig, MaskPath, ReadObjectState,
};
use crate::model::integration::{BackfillWindow, ManifestIntegration};
use crate::model::read::{parse_pause, Operation, ReadType};
use crate::problem::{Issue, IssueLocation, Problem};
use crate::reads::config_check::{check_config, complete_config};
use crate::reads::context::{installation_fields, ReadContext};
use crate::reads::runner::new_operation;
use crate::reads::schedule::{check_schedule, next_runs};
use crate::store::projects::ProjectRow;
use crate::store::reads::{self, InstallationRow, IntegrationRow, OperationRow, Source};
use crate::store::{read_progress, StoreError};
use crate::time::to_datetime;

/// How many of an object's last reads an installation shows.
const RECENT_OPERATIONS: i64 = 5;

pub(super) fn operation_view(row: &OperationRow) -> Operation {
    let progress = crate::model::read::BackfillProgress {
        installation_id: row.installation_id.clone(),
        object_name: row.object_name.clone(),
        operation_id: row.id.clone(),
        records_processed: row.records_processed,
        records_estimated_total: None,
        create_time: to_datetime(row.create_time),
        update_time: to_datetime(row.update_time),
    };
    Operation {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        integration_id: row.integration_id.clone(),
        installation_id: row.installation_id.clone(),
        config_id: row.config_id.clone(),
        action_type: "read".into(),
        status: row.status.clone(),
        result: row.result.clone(),
        metadata: crate::model::read::OperationMetadata {
            objects: vec![row.object_name.clone()],
            progress,
        },
        create_time: to_datetime(row.create_time),
        read_type: ReadType::parse(&row.read_type).unwrap_or(ReadType::Triggered),
        messages: row.messages,
        update_time: to_datetime(row.update_time),
    }
}

pub(super) async fn view(
    state: &AppState,
    row: &InstallationRow,
    provider: &str,
) -> ApiResult<Installation> {
    let group = Group {
        group_ref: row.group_ref.clone(),
        group_name: row.group_name.clone(),
        project_id: row.project_id.clone(),
        create_time: to_datetime(row.create_time),
    };
    let mut read_objects = Vec::new();
    let mut healthy = true;
    let mut last: Option<OperationRow> = None;
    for o in reads::read_objects(&state.store, &row.id).await? {
        let recent = reads::operations(
            &state.store,
            &row.id,
            Some(&o.object_name),
            None,
            RECENT_OPERATIONS,
        )
        .await?;
        if let Some(newest) = recent.first() {
            if last
                .as_ref()
                .is_none_or(|l| l.create_time < newest.create_time)
            {
                last = Some(newest.clone());
            }
        }
        healthy &= !(o.paused && o.failed_runs > 0);
        read_objects.push(ReadObjectState {
            object_name: o.object_name,
            paused: o.paused,
            pause_note: o.pause_note,
            backfill: o.backfill,
            next_run_time: o.next_run_time.map(to_datetime),
            failed_runs: o.failed_runs,
            page_credit: o.page_credit,
            recent_operations: recent.iter().map(operation_view).collect(),
        });
    }
    Ok(Installation {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        integration_id: row.integration_id.clone(),
        health_status: if healthy { "healthy" } else { "unhealthy" }.into(),
        last_operation_status: last.map(|l| l.status),
        connection: Connection {
            id: row.connection_id.clone(),
            project_id: row.project_id.clone(),
            provider: provider.to_string(),
            group: group.clone(),
            consumer: Consumer {
                consumer_ref: row.consumer_ref.clone(),
                consumer_name: row.consumer_name.clone(),
                project_id: row.project_id.clone(),
                create_time: to_datetime(row.create_time),
            },
            create_time: to_datetime(row.create_time),
            auth_scheme: "none".into(),
            status: "working".into(),
        },
        group,
        create_time: to_datetime(row.create_time),
        created_by: row.config_created_by.clone(),
        update_time: (row.update_time != row.create_time).then(|| to_datetime(row.update_time)),
        config: InstallationConfig {
            id: row.config_id.clone(),
            revision_id: row.revision_id.clone(),
            create_time: to_datetime(row.config_create_time),
            created_by: row.config_created_by.clone(),
            content: serde_json::from_str(&row.config).unwrap_or_default(),
        },
        read_objects,
    })
}

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

async fn resolve_all(
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

/// What starting to read an object means: its state row and, with a backfill, the backfill.
struct ObjectStart {
    object_name: String,
    cursor: i64,
    backfill: &'static str,
    next_run: Option<i64>,
    operation: Option<OperationRow>,
}

/// Plans the first reads of each (enabled) read object of a config.
async fn plan_starts(
    state: &AppState,
    installation: &InstallationRow,
    integration: &IntegrationRow,
    manifest: &ManifestIntegration,
    only: Option<&[String]>,
) -> ApiResult<Vec<ObjectStart>> {
    let now = state.config.clock.now_ms();
    let content: ConfigContent = serde_json::from_str(&installation.config).unwrap_or_default();
    let mut starts = Vec::new();
    for object in content.read.unwrap_or_default().objects.into_values() {
        if object.disabled || only.is_some_and(|o| !o.contains(&object.object_name)) {
            continue;
        }
        let Some(spec) = manifest
            .read
            .iter()
            .flat_map(|r| r.objects.iter())
            .find(|o| o.object_name == object.object_name)
        else {
            continue;
        };
        let source = Source {
            project_id: &installation.project_id,
            provider: &integration.provider,
            group_ref: &installation.group_ref,
            object_name: &spec.object_name,
        };
        let max = reads::max_seq(&state.store, &source).await?;
        let schedule = object
            .schedule
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&spec.schedule);
        let next_run = check_schedule(schedule).ok().and_then(|c| {
            next_runs(&c, to_datetime(now), 1)
                .first()
                .map(|t| t.timestamp_millis())
        });
        let window = object
            .backfill
            .as_ref()
            .map(|b| {
                crate::model::integration::ReadObjectSpec {
                    backfill: Some(b.clone()),
                    ..Default::default()
                }
                .backfill_window()
            })
            .unwrap_or_else(|| spec.backfill_window());
        let since = match window {
            BackfillWindow::None => None,
            BackfillWindow::FullHistory => Some(None),
            BackfillWindow::Days(d) => Some(Some(now - d * 86_400_000)),
        };
        let operation = since.map(|since| {
            let ctx = ReadContext {
                installation: installation.clone(),
                integration: integration.clone(),
                spec: spec.clone(),
                config: object.clone(),
            };
            new_operation(&ctx, ReadType::Backfill, 0, max, since, None, now)
        });
        starts.push(ObjectStart {
            object_name: spec.object_name.clone(),
            cursor: if operation.is_some() { 0 } else { max },
            backfill: if operation.is_some() {
                "running"
            } else {
                "none"
            },
            next_run,
            operation,
        });
    }
    Ok(starts)
}

fn write_starts(
    tx: &crate::store::writer::OutboxTx,
    installation_id: &str,
    starts: &[ObjectStart],
) -> Result<(), StoreError> {
    for s in starts {
        read_progress::ensure_read_object(
            tx,
            installation_id,
            &s.object_name,
            s.cursor,
            s.backfill,
            s.next_run,
        )?;
        if let Some(op) = &s.operation {
            read_progress::insert_operation(tx, op)?;
        }
    }
    Ok(())
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
    let starts = plan_starts(&state, &row, &integration, &manifest, None).await?;
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
            write_starts(tx, &stored.id, &starts)?;
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
        Json(view(&state, &row, &integration.provider).await?),
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
        out.push(view(&state, r, &integration.provider).await?);
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
        out.push(view(&state, r, &provider).await?);
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
    Ok(Json(view(&state, &row, &integration.provider).await?))
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
    let starts = plan_starts(&state, &row, &integration, &manifest, Some(&added)).await?;
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
            write_starts(tx, &stored.id, &starts)?;
            enqueue.notify(
                tx,
                &project_id,
                &json!({"notificationType": "installation.updated", "data": data}),
            )
        })
        .await?;
    state.reads.wake();
    Ok(Json(view(&state, &row, &integration.provider).await?))
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

/// Deletes an installation with its `installation.deleted` notification.
pub(super) async fn remove(
    state: &AppState,
    integration: &IntegrationRow,
    row: &InstallationRow,
) -> ApiResult<()> {
    let mut data = installation_fields(row, integration);
    data.insert(
        "config".into(),
        serde_json::from_str(&row.config).unwrap_or_default(),
    );
    let (id, project_id) = (row.id.clone(), row.project_id.clone());
    state
        .dispatcher
        .commit_with_messages(move |tx, enqueue| {
            if read_progress::delete_installation(tx, &id)? {
                enqueue.notify(
                    tx,
                    &project_id,
                    &json!({"notificationType": "installation.deleted", "data": data}),
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(())
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
    remove(&state, &integration, &row).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}", tag = "Read",
    description = "`{installationId}:pause` pauses scheduled reads (all objects, or `objects`); `{installationId}:unpause` resumes them.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path),
           ("installationId" = String, Path, description = "`<installationId>:pause` or `<installationId>:unpause`")),
    request_body(content = Option<crate::model::read::PauseRequest>, description = "Optional"),
    responses((status = 204, description = "Paused or unpaused"), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn pause_or_unpause(
    State(state): State<AppState>,
    Path((project, integration, action)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let (id, paused) = match action.rsplit_once(':') {
        Some((id, "pause")) => (id, true),
        Some((id, "unpause")) => (id, false),
        _ => {
            return Err(ApiError::NotFound {
                detail: format!(
                    "'{action}' is neither <installationId>:pause nor <installationId>:unpause"
                ),
                issues: vec![],
            })
        }
    };
    let (_, _, _, row) = resolve_all(&state, &project, &integration, id).await?;
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Default::default()
    } else {
        let value: Value = serde_json::from_slice(&body).map_err(|e| ApiError::Malformed {
            detail: format!("the request body is not JSON: {e}"),
            issues: vec![],
        })?;
        parse_pause(crate::model::input::body_object(&value)?).map_err(ApiError::as_bad_request)?
    };
    let known: Vec<String> = reads::read_objects(&state.store, &row.id)
        .await?
        .into_iter()
        .map(|o| o.object_name)
        .collect();
    if let Some(objects) = &request.objects {
        let issues: Vec<Issue> = objects
            .iter()
            .enumerate()
            .filter(|(_, o)| !known.contains(o))
            .map(|(i, o)| {
                Issue::body(
                    format!("objects[{i}]"),
                    Some(&Value::String(o.clone())),
                    "is not an object this installation reads",
                )
            })
            .collect();
        if !issues.is_empty() {
            return Err(ApiError::Malformed {
                detail: "unknown objects".into(),
                issues,
            });
        }
    }
    let mut tx = state.store.begin_write().await?;
    reads::set_paused(
        &mut tx,
        &row.id,
        request.objects.as_deref(),
        paused,
        request.note.as_deref(),
    )
    .await?;
    tx.commit().await?;
    state.reads.wake();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}/operations", tag = "Read",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path)),
    responses((status = 200, body = [Operation]), (status = 404, body = Problem)))]
pub async fn list_operations(
    State(state): State<AppState>,
    Path((project, integration, installation)): Path<(String, String, String)>,
) -> ApiResult<Json<Vec<Operation>>> {
    let (_, _, _, row) = resolve_all(&state, &project, &integration, &installation).await?;
    let rows = reads::operations(&state.store, &row.id, None, None, 200).await?;
    Ok(Json(rows.iter().map(operation_view).collect()))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/operations/{operationId}", tag = "Read",
    params(("projectIdOrName" = String, Path), ("operationId" = String, Path)),
    responses((status = 200, body = Operation), (status = 404, body = Problem)))]
pub async fn get_operation(
    State(state): State<AppState>,
    Path((project, operation)): Path<(String, String)>,
) -> ApiResult<Json<Operation>> {
    let project = projects::resolve(&state, &project).await?;
    let row = reads::operation(&state.store, &project.id, &operation)
        .await?
        .ok_or_else(|| ApiError::not_found("operation", &operation))?;
    Ok(Json(operation_view(&row)))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}/objects/{objectName}/backfill-progress", tag = "Read",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path), ("objectName" = String, Path)),
    responses((status = 200, body = crate::model::read::BackfillProgress), (status = 404, body = Problem)))]
pub async fn backfill_progress(
    State(state): State<AppState>,
    Path((project, integration, installation, object)): Path<(String, String, String, String)>,
) -> ApiResult<Json<crate::model::read::BackfillProgress>> {
    let (_, _, _, row) = resolve_all(&state, &project, &integration, &installation).await?;
    let op = reads::operations(&state.store, &row.id, Some(&object), Some("backfill"), 1)
        .await?
        .pop()
        .ok_or_else(|| ApiError::NotFound {
            detail: format!("object '{object}' of this installation has no backfill"),
            issues: vec![Issue::at(
                IssueLocation::Path,
                "objectName",
                Some(Value::String(object.clone())),
                "has no backfill",
            )],
        })?;
    Ok(Json(operation_view(&op).metadata.progress))
}
