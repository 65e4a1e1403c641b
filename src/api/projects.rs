//! `/v1/projects`: list, create and read projects.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::JsonObject;
use super::AppState;
use crate::error::{ApiError, ApiResult};
use crate::model::project::parse_project_name;
use crate::model::Project;
use crate::problem::Problem;
use crate::store::{self, projects, projects::ProjectRow};

/// Resolves `{projectIdOrName}` or answers 404.
pub async fn resolve(state: &AppState, id_or_name: &str) -> ApiResult<ProjectRow> {
    state
        .lookups
        .project(&state.store, id_or_name)?
        .ok_or_else(|| ApiError::not_found("project", id_or_name))
}

#[utoipa::path(get, path = "/v1/projects", tag = "Projects",
    responses((status = 200, body = [Project]), (status = 401, body = Problem)))]
pub async fn list_projects(State(state): State<AppState>) -> ApiResult<Json<Vec<Project>>> {
    let rows = projects::list(&state.store).await?;
    Ok(Json(rows.into_iter().map(Project::from).collect()))
}

#[utoipa::path(post, path = "/v1/projects", tag = "Projects",
    request_body = crate::model::requests::NameRequest,
    responses((status = 201, body = Project), (status = 400, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_project(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let name = parse_project_name(&body)?.name;
    let id = store::new_id();
    let now = state.config.clock.now_ms();
    let mut tx = state.store.begin_write().await?;
    match projects::insert(&mut tx, &id, &name, now).await {
        Err(e) if store::is_unique_violation(&e) => Err(ApiError::conflict(
            "name",
            &name,
            "a project with this name already exists",
        )),
        other => other.map_err(ApiError::from),
    }?;
    tx.commit().await?;
    let row = resolve(&state, &id).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}", tag = "Projects",
    params(("projectIdOrName" = String, Path, description = "Project ID or name")),
    responses((status = 200, body = Project), (status = 404, body = Problem)))]
pub async fn get_project(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Project>> {
    Ok(Json(resolve(&state, &project).await?.into()))
}
