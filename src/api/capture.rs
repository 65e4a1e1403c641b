//! `ANY /in/{token}[/{path}]`: an inbox's capture URL. No API key (the token is the
//! secret): every request is stored, then answered by the inbox's rules — the status,
//! headers and body of the rule whose turn it is, after its delay.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ApiError;
use crate::model::inbox::{rule_for, ResponseRule, BODY_LIMIT_MAX};
use crate::model::live::{CaptureReceived, LiveEvent};
use crate::store::{self, inboxes};
use crate::time::to_rfc3339;

/// Where each inbox is in its rule sequence: how many requests it answered since its rules
/// were last set (kept in memory: a restart starts the sequences again).
#[derive(Default)]
pub struct Sequences(Mutex<HashMap<String, (i64, u64)>>);

impl Sequences {
    /// The 0-based turn of this request, for rules set at `rules_time`.
    fn next(&self, inbox_id: &str, rules_time: i64) -> u64 {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(inbox_id.to_string()).or_insert((rules_time, 0));
        if entry.0 != rules_time {
            *entry = (rules_time, 0);
        }
        entry.1 += 1;
        entry.1 - 1
    }
}

pub async fn capture(State(state): State<AppState>, request: Request) -> Response {
    match record_and_answer(&state, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn record_and_answer(state: &AppState, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let rest = parts.uri.path().strip_prefix("/in/").unwrap_or_default();
    let (token, sub_path) = match rest.split_once('/') {
        Some((token, sub)) => (token, format!("/{sub}")),
        None => (rest, "/".to_string()),
    };
    let inbox = state
        .inbox_cache
        .get(&state.store, token)
        .await?
        .ok_or_else(|| ApiError::not_found("inbox", "this capture URL"))?;
    let bytes = axum::body::to_bytes(body, BODY_LIMIT_MAX as usize * 4)
        .await
        .map_err(|e| ApiError::Malformed {
            detail: format!("could not read the body: {e}"),
            issues: vec![],
        })?;
    let rules: Vec<ResponseRule> = serde_json::from_str(&inbox.rules).unwrap_or_default();
    let rule = rule_for(
        &rules,
        state.inbox_sequences.next(&inbox.id, inbox.update_time),
    );

    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let webhook_id = ["webhook-id", "svix-id"]
        .iter()
        .find_map(|h| parts.headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_string);
    let kept = bytes.len().min(inbox.body_limit.max(0) as usize);
    let row = inboxes::CaptureRow {
        seq: 0,
        id: format!("cap_{}", store::new_id().replace('-', "")),
        inbox_id: inbox.id.clone(),
        method: parts.method.to_string(),
        path: sub_path,
        query: parts.uri.query().map(str::to_string),
        headers: serde_json::to_string(&headers).map_err(anyhow::Error::from)?,
        body: bytes[..kept].to_vec(),
        body_size: bytes.len() as i64,
        remote_addr: parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.to_string()),
        status: Some(i64::from(rule.status)),
        webhook_id,
        time: state.config.clock.now_ms(),
    };
    // Stored before answering: what the sender sent is kept whatever the answer does.
    let before = row.time - inbox.max_age_ms;
    if let Err(e) = state
        .capture_writer
        .store(row.clone(), inbox.max_captures, before)
        .await
    {
        // Deleted since it was cached: no inbox behind this URL any more.
        state.inbox_cache.forget(token);
        return Err(e);
    }
    let received = CaptureReceived {
        capture_id: Cow::Borrowed(&row.id),
        inbox_id: Cow::Borrowed(&inbox.id),
        inbox_name: Cow::Borrowed(&inbox.name),
        method: Cow::Borrowed(&row.method),
        path: Cow::Borrowed(&row.path),
        status: rule.status,
        webhook_id: row.webhook_id.as_deref().map(Cow::Borrowed),
        body_size: row.body_size,
        time: Cow::Owned(to_rfc3339(row.time)),
    };
    state
        .dispatcher
        .events()
        .emit(&inbox.project_id, &LiveEvent::CaptureReceived(received));

    if let Some(ms) = rule.delay_ms.filter(|ms| *ms > 0) {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
            _ = state.cancel.cancelled() => {}
        }
    }
    if rule.close == Some(true) {
        // A body that fails before its first byte: hyper gives up on the response and
        // closes the connection, so the sender gets no status at all.
        let aborted = futures_util::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other("closed on purpose"))
        });
        return Ok(Response::new(Body::from_stream(aborted)));
    }
    let mut response = Response::new(Body::from(rule.body.clone().unwrap_or_default()));
    *response.status_mut() = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::OK);
    for (name, value) in rule.headers.iter().flatten() {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(n, v);
        }
    }
    Ok(response)
}

/// Writes captures in group commits: every capture waiting when a transaction starts goes
/// into it, and each request is answered once its own capture is committed. One
/// transaction per request held an inbox to ~1,800 requests/s (bench/README.md).
pub struct CaptureWriter {
    jobs: tokio::sync::mpsc::Sender<CaptureJob>,
}

struct CaptureJob {
    row: inboxes::CaptureRow,
    keep: i64,
    /// Captures of the inbox older than this (Unix ms) go.
    before: i64,
    done: tokio::sync::oneshot::Sender<Result<(), CaptureFailed>>,
}

/// Why a capture was not stored.
#[derive(Clone, Debug)]
enum CaptureFailed {
    /// Its inbox was deleted meanwhile (the others in its group are stored all the same).
    InboxGone,
    /// The database takes no writes now (disk full, read-only): why.
    Unwritable(&'static str),
    Store(String),
}

/// Captures in one transaction at most.
const GROUP: usize = 512;

impl CaptureWriter {
    /// Starts the writer task on the current runtime; it ends when the writer is dropped.
    pub fn start(store: crate::store::Store) -> CaptureWriter {
        let (jobs, queue) = tokio::sync::mpsc::channel(GROUP * 8);
        tokio::spawn(write_groups(store, queue));
        CaptureWriter { jobs }
    }

    /// Stores one capture (retention applied), returning once it is committed.
    pub async fn store(
        &self,
        row: inboxes::CaptureRow,
        keep: i64,
        before: i64,
    ) -> Result<(), ApiError> {
        let (done, committed) = tokio::sync::oneshot::channel();
        let job = CaptureJob {
            row,
            keep,
            before,
            done,
        };
        let stopped = || ApiError::Unavailable("the node is shutting down".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        committed
            .await
            .map_err(|_| stopped())?
            .map_err(|e| match e {
                CaptureFailed::InboxGone => ApiError::not_found("inbox", "this capture URL"),
                CaptureFailed::Unwritable(why) => ApiError::Unavailable(why.into()),
                CaptureFailed::Store(e) => {
                    ApiError::Internal(anyhow::anyhow!("storing the capture: {e}"))
                }
            })
    }
}

async fn write_groups(
    store: crate::store::Store,
    mut queue: tokio::sync::mpsc::Receiver<CaptureJob>,
) {
    let mut group = Vec::with_capacity(GROUP);
    while queue.recv_many(&mut group, GROUP).await > 0 {
        let results = match write_group(&store, &group).await {
            Ok(results) => results,
            Err(crate::store::StoreError::Unwritable { reason, .. }) => {
                vec![Err(CaptureFailed::Unwritable(reason)); group.len()]
            }
            Err(e) => vec![Err(CaptureFailed::Store(e.to_string())); group.len()],
        };
        for (job, result) in group.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// One transaction for the group; a capture whose inbox went meanwhile is left out, not the
/// whole group.
async fn write_group(
    store: &crate::store::Store,
    group: &[CaptureJob],
) -> Result<Vec<Result<(), CaptureFailed>>, crate::store::StoreError> {
    let mut tx = store.begin_write().await?;
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        results.push(match inboxes::add_capture(&mut tx, &job.row).await {
            Ok(()) => Ok(()),
            Err(e) if crate::store::is_foreign_key_violation(&e) => Err(CaptureFailed::InboxGone),
            Err(e) => return Err(e),
        });
    }
    // Once per inbox per group: the cap is a scan of the inbox's newest `keep` entries.
    let mut trimmed: Vec<&str> = Vec::new();
    for (job, result) in group.iter().zip(&results).rev() {
        if result.is_ok() && !trimmed.contains(&job.row.inbox_id.as_str()) {
            inboxes::trim_captures(&mut tx, &job.row.inbox_id, job.keep, job.before).await?;
            trimmed.push(&job.row.inbox_id);
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// Inboxes by capture token, as every capture looks them up (one read per request cost
/// more than the capture's share of a group commit). Only this node's API changes an
/// inbox, and it calls `forget` when it does; a capture that finds its inbox gone forgets
/// it too.
#[derive(Default)]
pub struct InboxCache(Mutex<HashMap<String, std::sync::Arc<inboxes::InboxRow>>>);

impl InboxCache {
    pub async fn get(
        &self,
        store: &crate::store::Store,
        token: &str,
    ) -> Result<Option<std::sync::Arc<inboxes::InboxRow>>, crate::store::StoreError> {
        if let Some(row) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(token) {
            return Ok(Some(row.clone()));
        }
        let Some(row) = inboxes::by_token(store, token).await? else {
            return Ok(None);
        };
        let row = std::sync::Arc::new(row);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_string(), row.clone());
        Ok(Some(row))
    }

    /// An inbox changed or went: its next capture reads it again.
    pub fn forget(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{projects, Store};

    fn capture(id: &str, inbox: &str) -> inboxes::CaptureRow {
        inboxes::CaptureRow {
            seq: 0,
            id: id.into(),
            inbox_id: inbox.into(),
            method: "POST".into(),
            path: "/".into(),
            query: None,
            headers: "[]".into(),
            body: b"{}".to_vec(),
            body_size: 2,
            remote_addr: None,
            status: Some(200),
            webhook_id: None,
            time: 10,
        }
    }

    /// An inbox deleted while its capture waited for a group commit costs that capture
    /// only: the others in the group are stored.
    #[tokio::test]
    async fn a_capture_for_a_deleted_inbox_does_not_sink_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        projects::insert(&mut tx, "p1", "default", 0).await.unwrap();
        let inbox = inboxes::InboxRow {
            id: "i1".into(),
            project_id: "p1".into(),
            name: "box".into(),
            token: "t".into(),
            rules: "[]".into(),
            max_captures: 10,
            max_age_ms: 1_000_000,
            body_limit: 1024,
            destination_id: None,
            create_time: 0,
            update_time: 0,
        };
        inboxes::insert(&mut tx, &inbox).await.unwrap();
        tx.commit().await.unwrap();
        let writer = CaptureWriter::start(store.clone());
        let (kept, gone) = tokio::join!(
            writer.store(capture("c1", "i1"), 10, 0),
            writer.store(capture("c2", "gone"), 10, 0)
        );
        kept.unwrap();
        assert!(matches!(gone, Err(ApiError::NotFound { .. })), "{gone:?}");
        assert_eq!(inboxes::count_captures(&store, "i1").await.unwrap(), 1);
    }
}
