//! Reads of an installation: pausing and unpausing them (`read-api.yaml`), and its
//! operations and backfill progress (`api.yaml`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::extract::BodyBytes;
use super::installations::resolve_all;
use super::read_views::operation_view;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::read::{parse_pause, Operation};
use crate::problem::{Issue, IssueLocation, Problem};
use crate::store::reads;

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}", tag = "Read",
    description = "`{installationId}:pause` pauses scheduled reads (all objects, or `objects`); `{installationId}:unpause` resumes them.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path),
           ("installationId" = String, Path, description = "`<installationId>:pause` or `<installationId>:unpause`")),
    request_body(content = Option<crate::model::read::PauseRequest>, description = "Optional"),
    responses((status = 204, description = "Paused or unpaused"), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn pause_or_unpause(
    State(state): State<AppState>,
    Path((project, integration, action)): Path<(String, String, String)>,
    BodyBytes(body): BodyBytes,
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
