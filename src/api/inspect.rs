//! `POST /v1/inspect` (what a payload is and what is wrong with it and its signature) and
//! `POST /v1/diff` (two JSON values, by path). The work is `crate::inspect`'s; here the
//! request is read and a named destination's signing keys are fetched.

use axum::extract::State;
use axum::Json;

use super::extract::JsonObject;
use super::{destinations, projects, AppState};
use crate::error::{ApiError, ApiResult};
use crate::inspect::request::{parse_diff, parse_inspect};
use crate::inspect::{
    diff, diff_configs, inspect, links_in, Change, InspectReport, NamedSecret, PayloadLink,
};
use crate::model::DestinationType;
use crate::problem::{Issue, Problem};

#[utoipa::path(post, path = "/v1/inspect", tag = "Inspect",
    request_body = crate::inspect::request::InspectRequest,
    responses((status = 200, body = InspectReport), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn inspect_payload(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<InspectReport>> {
    let (request, bytes) = parse_inspect(&body)?;
    let mut secrets: Vec<NamedSecret> = request
        .secrets
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| NamedSecret {
            label: format!("given {}", i + 1),
            secret: s.clone(),
        })
        .collect();
    if let Some(reference) = &request.destination {
        let project =
            projects::resolve(&state, request.project.as_deref().unwrap_or("default")).await?;
        let row = crate::store::destinations::find(&state.store, &project.id, reference)
            .await?
            .ok_or_else(|| ApiError::missing_reference("destination", "destination", reference))?;
        if row.kind != DestinationType::Webhook {
            return Err(ApiError::invalid(Issue::body(
                "destination",
                Some(&serde_json::Value::String(reference.clone())),
                "is not a webhook destination: only webhooks sign what they send",
            )));
        }
        let keys = destinations::load_secrets(&state, &row).await?;
        let named = [
            (format!("{}'s current", row.name), keys.webhook_signing_key),
            (
                format!("{}'s previous", row.name),
                keys.previous_webhook_signing_key,
            ),
        ];
        for (label, key) in named {
            if let Some(secret) = key {
                secrets.push(NamedSecret { label, secret });
            }
        }
    }
    let headers: Vec<(String, String)> = request.headers.unwrap_or_default().into_iter().collect();
    let now = state.config.clock.now_ms() / 1000;
    // Pure CPU work on a body of up to megabytes: off the async workers.
    // Only a body that names a link is parsed a second time, to follow it.
    let names_a_link = bytes.windows(3).any(|w| w == b"URL" || w == b"Url");
    let body_value: Option<serde_json::Value> = names_a_link
        .then(|| serde_json::from_slice(&bytes).ok())
        .flatten();
    let links = body_value.as_ref().map(links_in).unwrap_or_default();
    let mut report = tokio::task::spawn_blocking(move || inspect(&bytes, &headers, &secrets, now))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    for (pointer, url) in links {
        report.links.push(follow(&state, pointer, url).await?);
    }
    // An installation update whose configs travel as links: diff what the links hold.
    if report.config_diff.is_none()
        && report.notification_type.as_deref() == Some("installation.updated")
    {
        let config = |name: &str, link: &str| {
            let data = body_value.as_ref()?.get("data")?;
            data.get(name).cloned().or_else(|| {
                report
                    .links
                    .iter()
                    .find(|l| l.pointer == format!("/data/{link}"))?
                    .content
                    .clone()
            })
        };
        if let (Some(before), Some(after)) = (
            config("lastConfig", "lastConfigURL"),
            config("config", "configURL"),
        ) {
            report.config_diff = Some(diff_configs(&before, &after));
        }
    }
    Ok(Json(report))
}

#[utoipa::path(post, path = "/v1/diff", tag = "Inspect",
    request_body = crate::inspect::request::DiffRequest,
    responses((status = 200, body = [Change]), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn diff_values(JsonObject(body): JsonObject) -> ApiResult<Json<Vec<Change>>> {
    let request = parse_diff(&body)?;
    Ok(Json(diff(&request.before, &request.after)))
}

/// Fetches a payload's download link when it is one of this node's own (a signed blob
/// link, checked as its download would be); others are listed, not fetched: the node does
/// not make requests to addresses a payload names.
async fn follow(state: &AppState, pointer: String, url: String) -> ApiResult<PayloadLink> {
    let parsed = url::Url::parse(&url).ok();
    let query = |key: &str| {
        parsed
            .as_ref()?
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let expires = query("expires").and_then(|e| e.parse::<i64>().ok());
    let mut link = PayloadLink {
        pointer,
        url: url.clone(),
        expire_time: expires.map(|e| crate::time::to_datetime(e * 1000)),
        outcome: "notFetched".into(),
        content: None,
    };
    let own = format!("{}/v1/blobs/", state.public_url);
    let Some(id) = url
        .strip_prefix(&own)
        .map(|rest| rest.split('?').next().unwrap_or_default().to_string())
    else {
        return Ok(link);
    };
    let raw_expires = query("expires");
    let signature = query("signature");
    let verdict = crate::blobs::link_parts(raw_expires.as_deref(), signature.as_deref())
        .and_then(|(expires, signature)| state.blobs.verify(&id, expires, signature));
    if let Err(denied) = verdict {
        link.outcome = match denied {
            crate::blobs::BlobDenied::Expired => "expired",
            crate::blobs::BlobDenied::BadSignature | crate::blobs::BlobDenied::Incomplete => {
                "refused"
            }
        }
        .into();
        return Ok(link);
    }
    match state.blobs.get(&id).await? {
        Some(content) => {
            link.outcome = "fetched".into();
            link.content = serde_json::from_str(&content).ok();
        }
        None => link.outcome = "missing".into(),
    }
    Ok(link)
}
