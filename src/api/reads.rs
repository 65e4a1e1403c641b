//! The read API (`read-api.yaml`): triggering a read and `deliverResults` for `onRequest`
//! objects; and the node's local record source that stands in for a group's SaaS
//! instance (`…/installations/{id}/objects/{objectName}/records`, `records:generate`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use super::extract::{BodyBytes, JsonObject, QueryParams};
use super::integrations::resolve as resolve_integration;
use super::{projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::model::input::kind_of;
use crate::model::integration::{ManifestIntegration, ReadObjectSpec};
use crate::model::read::{
    parse_deliver_results, parse_generate, parse_read_request, ReadResultAsync, ReadType,
    RecordsAccepted,
};
use crate::problem::{Issue, IssueLocation, Problem};
use crate::reads::context::ReadContext;
use crate::reads::generate::{field_names, sample_record};
use crate::reads::runner::new_operation;
use crate::store::read_progress;
use crate::store::reads::{self, NewRecord, Source};
use crate::time::parse_rfc3339;

/// The largest record the source takes (a larger one could never be delivered, even by
/// URL, within the body limit).
pub const RECORD_LIMIT: usize = 4 * 1024 * 1024;
/// Records stored per transaction when generating.
const GENERATE_BATCH: u64 = 5000;

fn path_issue(name: &str, value: &str, detail: &str) -> Issue {
    Issue::at(
        IssueLocation::Path,
        name,
        Some(Value::String(value.to_string())),
        detail,
    )
}

/// The context of a read object of an installation, or a 404 naming what is missing.
async fn object_context(
    state: &AppState,
    installation_id: &str,
    object: &str,
) -> ApiResult<ReadContext> {
    ReadContext::load(&state.store, installation_id, object)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            detail: format!("this installation does not read an object '{object}'"),
            issues: vec![path_issue(
                "objectName",
                object,
                "is not read by this installation",
            )],
        })
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/objects/{objectNameAction}", tag = "Read",
    description = "`{objectName}` triggers a read (body `ReadRequest`, answered 201 with an `operationId`); `{objectName}:deliverResults` lets an `onRequest` object deliver `pages` more pages (204).",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path),
           ("objectNameAction" = String, Path, description = "`<objectName>` or `<objectName>:deliverResults`")),
    request_body = crate::model::read::ReadRequest,
    responses((status = 201, body = ReadResultAsync), (status = 204, description = "Pages granted (deliverResults)"),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn trigger_read(
    State(state): State<AppState>,
    Path((project, integration, object)): Path<(String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let project = projects::resolve(&state, &project).await?;
    let (integration, _) = resolve_integration(&state, &project, &integration).await?;
    if let Some(object) = object.strip_suffix(":deliverResults") {
        let request = parse_deliver_results(&body).map_err(ApiError::as_bad_request)?;
        let installation =
            reads::installation_for_group(&state.store, &integration.id, &request.group_ref)
                .await?
                .ok_or_else(|| no_installation(&request.group_ref))?;
        let ctx = object_context(&state, &installation.id, object).await?;
        if ctx.spec.page_size().is_none() {
            return Err(ApiError::Malformed {
                detail: format!("'{object}' is delivered automatically (delivery mode auto); only onRequest objects take deliverResults"),
                issues: vec![path_issue("objectName", object, "is not an onRequest object")],
            });
        }
        let mut tx = state.store.begin_write().await?;
        reads::add_page_credit(&mut tx, &installation.id, object, request.pages).await?;
        tx.commit().await?;
        state.reads.wake();
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let request = parse_read_request(&body).map_err(ApiError::as_bad_request)?;
    let installation =
        reads::installation_for_group(&state.store, &integration.id, &request.group_ref)
            .await?
            .ok_or_else(|| no_installation(&request.group_ref))?;
    let ctx = object_context(&state, &installation.id, &object).await?;
    let now = state.config.clock.now_ms();
    let to_seq = reads::max_seq(&state.store, &ctx.source()).await?;
    let op = new_operation(
        &ctx,
        ReadType::Triggered,
        0,
        to_seq,
        request.since,
        request.until,
        now,
    );
    let id = op.id.clone();
    state
        .dispatcher
        .commit_with_messages(move |tx, _| Ok(read_progress::insert_operation(tx, &op)?))
        .await?;
    state.reads.wake();
    Ok((
        StatusCode::CREATED,
        Json(ReadResultAsync { operation_id: id }),
    )
        .into_response())
}

fn no_installation(group_ref: &str) -> ApiError {
    ApiError::NotFound {
        detail: format!("group '{group_ref}' has no installation of this integration"),
        issues: vec![Issue::body(
            "groupRef",
            Some(&Value::String(group_ref.to_string())),
            "has no installation of this integration",
        )],
    }
}

/// Reads an upload: a JSON array of records, or one JSON record per line (NDJSON).
fn parse_upload(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::Malformed {
        detail: "the records are not UTF-8".into(),
        issues: vec![],
    })?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ApiError::Malformed {
            detail: "the body is empty: send a JSON array of records, or one per line".into(),
            issues: vec![],
        });
    }
    if trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).map_err(|e| ApiError::Malformed {
            detail: format!("the records are not a JSON array: {e}"),
            issues: vec![],
        });
    }
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        out.push(serde_json::from_str(line).map_err(|e| ApiError::Malformed {
            detail: format!("line {} is not JSON: {e}", i + 1),
            issues: vec![Issue::body(
                format!("[{i}]"),
                None,
                format!("line {} is not JSON: {e}", i + 1),
            )],
        })?);
    }
    Ok(out)
}

/// Checks every record (an object, with an ID and an update time, within the size limit);
/// one bad record refuses the whole upload.
fn check_records(
    records: &[Value],
    id_field: &str,
    time_field: &str,
) -> Result<Vec<NewRecord>, ApiError> {
    let mut issues = Vec::new();
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let Some(obj) = r.as_object() else {
            issues.push(Issue::body(
                format!("[{i}]"),
                None,
                format!("must be a JSON object, not {}", kind_of(r)),
            ));
            continue;
        };
        let id = match obj.get(id_field) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            other => {
                issues.push(Issue::body(
                    format!("[{i}].{id_field}"),
                    other,
                    "is required: the record's ID (a string or a number)",
                ));
                None
            }
        };
        let time = match obj.get(time_field) {
            Some(Value::String(s)) => parse_rfc3339(s).or_else(|| {
                issues.push(Issue::body(
                    format!("[{i}].{time_field}"),
                    obj.get(time_field),
                    "must be an RFC 3339 time",
                ));
                None
            }),
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            other => {
                issues.push(Issue::body(
                    format!("[{i}].{time_field}"),
                    other,
                    "is required: when the record was last updated (RFC 3339 or Unix ms)",
                ));
                None
            }
        };
        let body = r.to_string();
        if body.len() > RECORD_LIMIT {
            issues.push(Issue::body(
                format!("[{i}]"),
                None,
                format!(
                    "is {} bytes; a record may be at most {RECORD_LIMIT} bytes",
                    body.len()
                ),
            ));
            continue;
        }
        if let (Some(record_id), Some(update_time)) = (id, time) {
            out.push(NewRecord {
                record_id,
                update_time,
                body,
            });
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Invalid { issues })
    }
}

/// A group's local source for one object of an integration's manifest.
struct SourceKey {
    project_id: String,
    provider: String,
    group_ref: String,
    spec: ReadObjectSpec,
}

impl SourceKey {
    fn source(&self) -> Source<'_> {
        Source {
            project_id: &self.project_id,
            provider: &self.provider,
            group_ref: &self.group_ref,
            object_name: &self.spec.object_name,
        }
    }
}

/// The source of `object` (one the integration's manifest reads) for a group.
async fn source_key(
    state: &AppState,
    project: &str,
    integration: &str,
    group_ref: Option<&str>,
    installation: Option<&str>,
    object: &str,
) -> ApiResult<SourceKey> {
    let project = projects::resolve(state, project).await?;
    let (integration, revision) = resolve_integration(state, &project, integration).await?;
    let group_ref = match (group_ref, installation) {
        (Some(g), _) => g.to_string(),
        (None, Some(id)) => {
            reads::installation(&state.store, &integration.id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("installation", id))?
                .group_ref
        }
        (None, None) => unreachable!("one of them is given"),
    };
    let manifest: ManifestIntegration = serde_json::from_str(&revision.content).unwrap_or_default();
    let spec = manifest
        .read
        .unwrap_or_default()
        .objects
        .into_iter()
        .find(|o| o.object_name == object)
        .ok_or_else(|| ApiError::NotFound {
            detail: format!(
                "integration '{}' does not read an object '{object}'",
                integration.name
            ),
            issues: vec![path_issue(
                "objectName",
                object,
                "is not an object this integration reads",
            )],
        })?;
    Ok(SourceKey {
        project_id: project.id,
        provider: integration.provider,
        group_ref,
        spec,
    })
}

async fn store_upload(
    state: &AppState,
    key: &SourceKey,
    query: &QueryParams,
    body: &[u8],
) -> ApiResult<RecordsAccepted> {
    let records = parse_upload(body)?;
    let checked = check_records(
        &records,
        query.string("idField").unwrap_or("id"),
        query.string("updateTimeField").unwrap_or("updatedAt"),
    )?;
    let mut tx = state.store.begin_write().await?;
    reads::put_records(&mut tx, &key.source(), &checked).await?;
    tx.commit().await?;
    Ok(RecordsAccepted {
        object_name: key.spec.object_name.clone(),
        accepted: checked.len(),
    })
}

async fn store_generated(
    state: &AppState,
    key: &SourceKey,
    body: &Map<String, Value>,
) -> ApiResult<RecordsAccepted> {
    let request = parse_generate(body)?;
    let fields = field_names(&key.spec);
    let bytes = request.record_bytes.unwrap_or(300) as usize;
    let now = state.config.clock.now_ms();
    // Numbered after what the source holds, so a second batch adds rather than rewrites.
    let start = reads::max_seq(&state.store, &key.source()).await? as u64;
    let mut made = 0;
    while made < request.count {
        let n = GENERATE_BATCH.min(request.count - made);
        let batch: Vec<NewRecord> = (made..made + n)
            .map(|i| {
                let (record_id, update_time, body) = sample_record(&fields, start + i, bytes, now);
                NewRecord {
                    record_id,
                    update_time,
                    body,
                }
            })
            .collect();
        let mut tx = state.store.begin_write().await?;
        reads::put_records(&mut tx, &key.source(), &batch).await?;
        tx.commit().await?;
        made += n;
    }
    Ok(RecordsAccepted {
        object_name: key.spec.object_name.clone(),
        accepted: made as usize,
    })
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}/objects/{objectName}/records", tag = "Read",
    description = "Node extension: adds records to the installation's group's local source (a JSON array or NDJSON). Each record needs an ID and an update time (`idField`, `updateTimeField`, default `id` and `updatedAt`); a record written again is a change the next read delivers.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path), ("objectName" = String, Path),
           ("idField" = Option<String>, Query), ("updateTimeField" = Option<String>, Query)),
    request_body(content = Vec<Object>, description = "Provider records"),
    responses((status = 201, body = RecordsAccepted), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "A record that is not an object, lacks its ID or update time, or is too large; nothing was stored")))]
pub async fn add_records(
    State(state): State<AppState>,
    Path((project, integration, installation, object)): Path<(String, String, String, String)>,
    query: QueryParams,
    BodyBytes(body): BodyBytes,
) -> ApiResult<(StatusCode, Json<RecordsAccepted>)> {
    let key = source_key(
        &state,
        &project,
        &integration,
        None,
        Some(&installation),
        &object,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(store_upload(&state, &key, &query, &body).await?),
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/groups/{groupRef}/objects/{objectName}/records", tag = "Read",
    description = "Node extension: adds records to a group's local source before (or without) an installation, so a new installation has something to backfill. Same body and rules as the installation's records.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("groupRef" = String, Path), ("objectName" = String, Path),
           ("idField" = Option<String>, Query), ("updateTimeField" = Option<String>, Query)),
    request_body(content = Vec<Object>, description = "Provider records"),
    responses((status = 201, body = RecordsAccepted), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_group_records(
    State(state): State<AppState>,
    Path((project, integration, group, object)): Path<(String, String, String, String)>,
    query: QueryParams,
    BodyBytes(body): BodyBytes,
) -> ApiResult<(StatusCode, Json<RecordsAccepted>)> {
    let key = source_key(&state, &project, &integration, Some(&group), None, &object).await?;
    Ok((
        StatusCode::CREATED,
        Json(store_upload(&state, &key, &query, &body).await?),
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/installations/{installationId}/objects/{objectName}/records:generate", tag = "Read",
    description = "Node extension: adds `count` sample records with the manifest's fields to the installation's group's local source.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("installationId" = String, Path), ("objectName" = String, Path)),
    request_body = crate::model::read::GenerateRecordsRequest,
    responses((status = 201, body = RecordsAccepted), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn generate_records(
    State(state): State<AppState>,
    Path((project, integration, installation, object)): Path<(String, String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<RecordsAccepted>)> {
    let key = source_key(
        &state,
        &project,
        &integration,
        None,
        Some(&installation),
        &object,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(store_generated(&state, &key, &body).await?),
    ))
}

#[utoipa::path(post, path = "/v1/projects/{projectIdOrName}/integrations/{integrationId}/groups/{groupRef}/objects/{objectName}/records:generate", tag = "Read",
    description = "Node extension: adds `count` sample records with the manifest's fields to a group's local source.",
    params(("projectIdOrName" = String, Path), ("integrationId" = String, Path), ("groupRef" = String, Path), ("objectName" = String, Path)),
    request_body = crate::model::read::GenerateRecordsRequest,
    responses((status = 201, body = RecordsAccepted), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn generate_group_records(
    State(state): State<AppState>,
    Path((project, integration, group, object)): Path<(String, String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<RecordsAccepted>)> {
    let key = source_key(&state, &project, &integration, Some(&group), None, &object).await?;
    Ok((
        StatusCode::CREATED,
        Json(store_generated(&state, &key, &body).await?),
    ))
}
