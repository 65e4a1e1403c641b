//! `/v1/projects/{p}/integrations`: deploying `amp.yaml` (`integrations:batch`, revisions),
//! listing, reading and deleting integrations, as Ampersand's API does.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::extract::{JsonObject, QueryParams};
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::integration::{
    parse_deploy, Integration, ManifestIntegration, ReadObjectSummary, Revision,
};
use crate::problem::{Issue, Problem};
use crate::reads::manifest::{
    parse_manifest, ManifestCheck, ManifestIssue, ParsedManifest, Severity,
};
use crate::reads::schedule::{check_schedule, next_runs};
use crate::store;
use crate::store::destinations::{self, DestinationRow};
use crate::store::projects::ProjectRow;
use crate::store::reads::{self, IntegrationRow, RevisionRow};
use crate::time::to_datetime;

/// An integration as the API shows it; `known` are its project's destinations (listed once
/// by the caller, however many integrations it shows).
pub(super) fn view(
    state: &AppState,
    known: &[DestinationRow],
    row: &IntegrationRow,
    revision: &RevisionRow,
) -> Integration {
    let content: Value = serde_json::from_str(&revision.content).unwrap_or_default();
    let manifest: ManifestIntegration = serde_json::from_value(content.clone()).unwrap_or_default();
    let now = to_datetime(state.config.clock.now_ms());
    let read_objects = manifest
        .read
        .unwrap_or_default()
        .objects
        .into_iter()
        .map(|o| ReadObjectSummary {
            destination_id: known
                .iter()
                .find(|d| d.name == o.destination)
                .map(|d| d.id.clone()),
            next_runs: check_schedule(&o.schedule)
                .map(|c| next_runs(&c, now, 3))
                .unwrap_or_default(),
            delivery_mode: if o.page_size().is_some() {
                "onRequest"
            } else {
                "auto"
            }
            .into(),
            object_name: o.object_name,
            destination: o.destination,
            schedule: o.schedule,
        })
        .collect();
    Integration {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        name: row.name.clone(),
        provider: row.provider.clone(),
        create_time: to_datetime(row.create_time),
        update_time: to_datetime(row.update_time),
        latest_revision: Revision {
            id: revision.id.clone(),
            spec_version: revision.spec_version.clone(),
            create_time: to_datetime(revision.create_time),
            content,
        },
        read_objects,
    }
}

/// A manifest issue as a problem's issue: the YAML path as `name`, line and column beside.
pub fn issue_of(m: &ManifestIssue) -> Issue {
    let mut issue = Issue::body(m.path.clone(), None, m.message.clone());
    issue.line = Some(m.line);
    issue.column = Some(m.column);
    issue.rule = Some(m.rule.clone());
    issue
}

pub(super) async fn resolve(
    state: &AppState,
    project: &ProjectRow,
    integration: &str,
) -> ApiResult<(IntegrationRow, RevisionRow)> {
    reads::find_integration(&state.store, &project.id, integration)
        .await?
        .ok_or_else(|| ApiError::not_found("integration", integration))
}

/// Every issue of a manifest for this project: its own, and destinations that do not
/// exist. Errors first, in document order.
async fn all_issues(
    state: &AppState,
    project: &ProjectRow,
    yaml: &str,
) -> ApiResult<(ParsedManifest, Vec<ManifestIssue>)> {
    let parsed = parse_manifest(yaml);
    let known: HashSet<String> = destinations::list(&state.store, &project.id)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let mut issues = parsed.issues.clone();
    issues.extend(parsed.missing_destinations(&known, &project.name));
    issues.sort_by_key(|i| (i.severity != Severity::Error, i.line, i.column));
    Ok((parsed, issues))
}

/// Checks a manifest for this project and returns its integrations' JSON; its errors are a
/// 422 naming each with its YAML path, line and column.
async fn checked(
    state: &AppState,
    project: &ProjectRow,
    yaml: &str,
) -> ApiResult<(String, Vec<Value>)> {
    let (parsed, issues) = all_issues(state, project, yaml).await?;
    let errors: Vec<Issue> = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(issue_of)
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Invalid { issues: errors });
    }
    Ok((parsed.spec_version, parsed.integrations))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations:validate", tag = "Integrations",
    description = "Node extension: checks a manifest as a deploy would (errors and warnings, destinations included) without deploying it.",
    params(("projectIdOrName" = String, Path)),
    request_body = crate::model::integration::DeployRequest,
    responses((status = 200, body = ManifestCheck), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn validate(
    State(state): State<AppState>,
    Path(project): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<ManifestCheck>> {
    let project = projects::resolve(&state, &project).await?;
    let yaml = parse_deploy(&body)?;
    let (_, issues) = all_issues(&state, &project, &yaml).await?;
    Ok(Json(ManifestCheck { issues }))
}

/// Stores each integration of a checked manifest as a new revision (a new integration
/// when the name is new). With `destructive`, reads of objects a revision no longer has
/// are paused on every installation.
async fn upsert(
    state: &AppState,
    project: &ProjectRow,
    spec_version: &str,
    integrations: Vec<Value>,
    only: Option<&IntegrationRow>,
    destructive: bool,
) -> ApiResult<Vec<Integration>> {
    let now = state.config.clock.now_ms();
    let mut tx = state.store.begin_write().await?;
    let mut stored = Vec::new();
    for content in integrations {
        let manifest: ManifestIntegration =
            serde_json::from_value(content.clone()).map_err(anyhow::Error::from)?;
        if let Some(only) = only {
            if only.name != manifest.name {
                return Err(ApiError::invalid(Issue::body(
                    "sourceYaml",
                    None,
                    format!(
                        "a revision of '{}' must define that integration, not '{}'",
                        only.name, manifest.name
                    ),
                )));
            }
        }
        let revision = RevisionRow {
            id: store::new_id(),
            integration_id: String::new(),
            spec_version: spec_version.to_string(),
            content: content.to_string(),
            create_time: now,
        };
        let existing = reads::integration_by_name_tx(&mut tx, &project.id, &manifest.name).await?;
        let row = match existing {
            Some(row) => {
                let revision = RevisionRow {
                    integration_id: row.id.clone(),
                    ..revision
                };
                if destructive {
                    pause_removed_objects(state, &mut tx, &row, &manifest).await?;
                }
                reads::add_revision(&mut tx, &revision, &manifest.provider).await?;
                IntegrationRow {
                    latest_revision_id: revision.id.clone(),
                    provider: manifest.provider.clone(),
                    update_time: now,
                    ..row
                }
            }
            None => {
                let row = IntegrationRow {
                    id: store::new_id(),
                    project_id: project.id.clone(),
                    name: manifest.name.clone(),
                    provider: manifest.provider.clone(),
                    latest_revision_id: revision.id.clone(),
                    create_time: now,
                    update_time: now,
                };
                reads::insert_integration(&mut tx, &row).await?;
                let revision = RevisionRow {
                    integration_id: row.id.clone(),
                    ..revision
                };
                reads::add_revision(&mut tx, &revision, &manifest.provider).await?;
                row
            }
        };
        stored.push(row);
    }
    tx.commit().await?;
    let known = destinations::list(&state.store, &project.id).await?;
    let mut out = Vec::new();
    for row in stored {
        if let Some((row, revision)) =
            reads::find_integration(&state.store, &project.id, &row.id).await?
        {
            out.push(view(state, &known, &row, &revision));
        }
    }
    Ok(out)
}

async fn pause_removed_objects(
    state: &AppState,
    tx: &mut store::WriteTx,
    row: &IntegrationRow,
    manifest: &ManifestIntegration,
) -> ApiResult<()> {
    let Some(old) = reads::revision(&state.store, &row.latest_revision_id).await? else {
        return Ok(());
    };
    let old: ManifestIntegration = serde_json::from_str(&old.content).unwrap_or_default();
    let kept: HashSet<String> = manifest
        .read
        .iter()
        .flat_map(|r| r.objects.iter().map(|o| o.object_name.clone()))
        .collect();
    let removed: Vec<String> = old
        .read
        .iter()
        .flat_map(|r| r.objects.iter().map(|o| o.object_name.clone()))
        .filter(|o| !kept.contains(o))
        .collect();
    if removed.is_empty() {
        return Ok(());
    }
    for i in reads::list_installations(&state.store, &row.project_id, Some(&row.id), None).await? {
        reads::set_paused(
            tx,
            &i.id,
            Some(&removed),
            true,
            Some("the object was removed from the integration"),
        )
        .await?;
    }
    Ok(())
}

#[utoipa::path(put, path = "/v1/projects/{projectIdOrName}/integrations:batch", tag = "Integrations",
    params(("projectIdOrName" = String, Path),
           ("destructive" = Option<bool>, Query, description = "Pause reads of objects a new revision removes")),
    request_body = crate::model::integration::DeployRequest,
    responses((status = 200, body = [Integration], description = "Upserted integrations"),
              (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "The manifest's issues, each with its YAML path as `name`, `line` and `column`")))]
pub async fn batch_upsert(
    State(state): State<AppState>,
    Path(project): Path<String>,
    query: QueryParams,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Vec<Integration>>> {
    let project = projects::resolve(&state, &project).await?;
    let destructive = query.bool("destructive")?;
    let yaml = parse_deploy(&body)?;
    let (spec_version, integrations) = checked(&state, &project, &yaml).await?;
    let out = upsert(
        &state,
        &project,
        &spec_version,
        integrations,
        None,
        destructive,
    )
    .await?;
    state.reads.wake();
    Ok(Json(out))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/revisions", tag = "Integrations",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path),
           ("destructive" = Option<bool>, Query, description = "Pause reads of objects this revision removes")),
    request_body = crate::model::integration::DeployRequest,
    responses((status = 201, body = Integration), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_revision(
    State(state): State<AppState>,
    Path((project, integration)): Path<(String, String)>,
    query: QueryParams,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Integration>)> {
    let project = projects::resolve(&state, &project).await?;
    let destructive = query.bool("destructive")?;
    let (row, _) = resolve(&state, &project, &integration).await?;
    let yaml = parse_deploy(&body)?;
    let (spec_version, integrations) = checked(&state, &project, &yaml).await?;
    if integrations.len() != 1 {
        return Err(ApiError::invalid(Issue::body(
            "sourceYaml",
            None,
            "a revision defines exactly one integration",
        )));
    }
    let mut out = upsert(
        &state,
        &project,
        &spec_version,
        integrations,
        Some(&row),
        destructive,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out.remove(0))))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations", tag = "Integrations",
    params(("projectIdOrName" = String, Path)),
    responses((status = 200, body = [Integration]), (status = 404, body = Problem)))]
pub async fn list_integrations(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Vec<Integration>>> {
    let project = projects::resolve(&state, &project).await?;
    let known = destinations::list(&state.store, &project.id).await?;
    let out = reads::list_integrations(&state.store, &project.id)
        .await?
        .iter()
        .map(|(row, revision)| view(&state, &known, row, revision))
        .collect();
    Ok(Json(out))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/integrations/{integrationIdOrName}", tag = "Integrations",
    params(("projectIdOrName" = String, Path), ("integrationIdOrName" = String, Path)),
    responses((status = 200, body = Integration), (status = 404, body = Problem)))]
pub async fn get_integration(
    State(state): State<AppState>,
    Path((project, integration)): Path<(String, String)>,
) -> ApiResult<Json<Integration>> {
    let project = projects::resolve(&state, &project).await?;
    let (row, revision) = resolve(&state, &project, &integration).await?;
    let known = destinations::list(&state.store, &project.id).await?;
    Ok(Json(view(&state, &known, &row, &revision)))
}

#[utoipa::path(delete, path = "/v1/projects/{projectIdOrName}/integrations/{integrationIdOrName}", tag = "Integrations",
    params(("projectIdOrName" = String, Path), ("integrationIdOrName" = String, Path)),
    responses((status = 204, description = "Deleted with its installations (each announced with installation.deleted)"),
              (status = 404, body = Problem)))]
pub async fn delete_integration(
    State(state): State<AppState>,
    Path((project, integration)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = projects::resolve(&state, &project).await?;
    let (row, _) = resolve(&state, &project, &integration).await?;
    for installation in
        reads::list_installations(&state.store, &project.id, Some(&row.id), None).await?
    {
        crate::reads::lifecycle::delete_installation(&state.dispatcher, &row, &installation)
            .await?;
    }
    let mut tx = state.store.begin_write().await?;
    reads::delete_integration(&mut tx, &row.id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
