//! `GET /v1/projects/{p}/stream`: live events as Server-Sent Events, resumable with
//! `Last-Event-ID`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::{projects, AppState};
use crate::dispatch::events::Emitted;
use crate::error::ApiResult;
use crate::model::live::{Lagged, LiveEvent};
use crate::problem::Problem;

fn to_sse(e: &Emitted) -> Event {
    Event::default()
        .id(e.id.to_string())
        .event(e.kind)
        .data(&e.data)
}

#[utoipa::path(get, path = "/v1/projects/{projectIdOrName}/stream", tag = "Live",
    params(("projectIdOrName" = String, Path),
           ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event")),
    responses((status = 200, content_type = "text/event-stream", body = LiveEvent,
                description = "Server-Sent Events: each event's name is a LiveEvent's kind, its data the LiveEvent's data"),
              (status = 404, body = Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let project = projects::resolve(&state, &project).await?;
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (backlog, receiver) = state.dispatcher.events().subscribe(last_id);
    let project_id: Arc<str> = Arc::from(project.id.as_str());
    let newest_backlog = backlog.last().map(|e| e.id).or(last_id).unwrap_or(0);

    let pid = project_id.clone();
    let replay = stream::iter(
        backlog
            .into_iter()
            .filter(move |e| *e.project_id == *pid)
            .map(|e| Ok(to_sse(&e))),
    );
    let live = stream::unfold(receiver, |mut rx| async move {
        match rx.recv().await {
            Ok(e) => Some((Some(e), rx)),
            // A slow reader missed events: tell it, so it can re-read the lists.
            Err(RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "a live stream reader fell behind");
                Some((None, rx))
            }
            Err(RecvError::Closed) => None,
        }
    })
    .filter_map(move |e| {
        let pid = project_id.clone();
        async move {
            match e {
                Some(e) if e.id > newest_backlog && *e.project_id == *pid => Some(Ok(to_sse(&e))),
                Some(_) => None,
                None => {
                    let lagged = LiveEvent::StreamLagged(Lagged {});
                    Some(Ok(Event::default()
                        .event(lagged.kind())
                        .data(lagged.data_json())))
                }
            }
        }
    });
    Ok(Sse::new(
        replay
            .chain(live)
            .take_until(state.cancel.clone().cancelled_owned()),
    )
    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
