//! Follows the node's live stream (`GET /v1/projects/{p}/stream`, Server-Sent Events) and
//! yields typed events. When the connection drops — the node restarts, a proxy times out,
//! the network blinks — it reconnects with backoff and sends `Last-Event-ID`, so the node
//! resumes after the last event seen and nothing is missed or repeated.
//!
//! Pull-based (`next().await`), no background task: dropping `LiveEvents` closes the
//! connection.

use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use rand::Rng;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{api_error, Client, ClientError};
use crate::model;

/// One event of the stream, as received. Its shape is the node's
/// [`LiveEvent`](crate::model::live::LiveEvent) (`typed`); kind and data stay as sent so a
/// kind this client does not know yet (a newer node) still comes through.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveEvent {
    /// The SSE event ID (a number increasing with every event). As with EventSource's
    /// `lastEventId`, an event sent without `id:` carries the last ID seen before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The SSE `event:` name: the live event's `kind`.
    pub kind: String,
    /// The SSE `data:` as JSON (a JSON string when it was not JSON).
    pub data: Value,
}

impl LiveEvent {
    /// The event as the node describes it; None for a kind this client does not know, or
    /// data that does not fit its kind.
    pub fn typed(&self) -> Option<model::live::LiveEvent<'static>> {
        let tagged = serde_json::json!({"kind": self.kind, "data": self.data});
        serde_json::from_value(tagged).ok()
    }
}

/// What `next()` reports: events, and the state of the connection in between.
#[derive(Clone, Debug)]
pub enum LiveUpdate {
    /// Connected (or reconnected), resuming after `last_event_id` if there was one.
    Connected {
        last_event_id: Option<String>,
    },
    Event(LiveEvent),
    /// The connection failed or dropped; the next `next()` reconnects after `retry_in`.
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
}

#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Start after this event (as if reconnecting); `None` starts with what is new.
    pub last_event_id: Option<String>,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Reconnect when nothing at all (not even a keep-alive comment) arrived for this long:
    /// catches half-open connections. `None` waits forever.
    pub idle_timeout: Option<Duration>,
    /// Give up after this many failed connection attempts in a row; `None` never gives up.
    pub max_failures: Option<u32>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            last_event_id: None,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            idle_timeout: Some(Duration::from_secs(90)),
            max_failures: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum StreamFailure {
    #[error("{0}")]
    Http(reqwest::Error),
    #[error("nothing received for {0:?}")]
    Idle(Duration),
}

type EventStream = Pin<
    Box<
        dyn Stream<Item = Result<eventsource_stream::Event, EventStreamError<StreamFailure>>>
            + Send,
    >,
>;

/// How long a stream request may run once its headers arrived: "forever", in a form every
/// timer accepts.
const STREAM_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

pub struct LiveEvents {
    client: Client,
    options: LiveOptions,
    last_id: Option<String>,
    stream: Option<EventStream>,
    /// Wait before the next connection attempt.
    pending_wait: Option<Duration>,
    /// Failed connection attempts in a row.
    failures: u32,
    /// The server's `retry:` hint, which replaces our backoff.
    server_retry: Option<Duration>,
    finished: bool,
}

impl LiveEvents {
    pub(crate) fn new(client: Client, options: LiveOptions) -> Self {
        LiveEvents {
            client,
            last_id: options.last_event_id.clone(),
            options,
            stream: None,
            pending_wait: None,
            failures: 0,
            server_retry: None,
            finished: false,
        }
    }

    /// The ID of the last event seen: where a new consumer would resume.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The next event, skipping connection updates. `None` after a fatal error was returned.
    pub async fn next_event(&mut self) -> Option<Result<LiveEvent, ClientError>> {
        loop {
            match self.next().await? {
                Ok(LiveUpdate::Event(e)) => return Some(Ok(e)),
                Ok(_) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// The next event or connection change. Errors are fatal (the node refused the stream:
    /// bad key, unknown project, no such endpoint; or too many failures in a row); after
    /// one, `next` returns `None`.
    pub async fn next(&mut self) -> Option<Result<LiveUpdate, ClientError>> {
        if self.finished {
            return None;
        }
        let Some(stream) = self.stream.as_mut() else {
            if let Some(wait) = self.pending_wait.take() {
                tokio::time::sleep(wait).await;
            }
            return Some(self.connect().await);
        };
        match stream.next().await {
            Some(Ok(event)) => {
                if event.retry.is_some() {
                    self.server_retry = event.retry;
                }
                if !event.id.is_empty() {
                    self.last_id = Some(event.id.clone());
                }
                let data = serde_json::from_str(&event.data)
                    .unwrap_or_else(|_| Value::String(event.data.clone()));
                Some(Ok(LiveUpdate::Event(LiveEvent {
                    id: event.id.trim().parse().ok(),
                    // The parser names events without `event:` "message", as EventSource does.
                    kind: event.event,
                    data,
                })))
            }
            Some(Err(e)) => Some(Ok(self.dropped(e.to_string()))),
            None => Some(Ok(self.dropped("the node closed the stream".into()))),
        }
    }

    fn dropped(&mut self, reason: String) -> LiveUpdate {
        self.stream = None;
        // A connection that worked and then dropped starts the backoff over.
        let retry_in = self.wait_for(1);
        self.pending_wait = Some(retry_in);
        tracing::debug!(%reason, ?retry_in, "live stream dropped");
        LiveUpdate::Disconnected { reason, retry_in }
    }

    fn wait_for(&self, failures: u32) -> Duration {
        if let Some(hint) = self.server_retry {
            return hint;
        }
        let o = &self.options;
        let exp = o
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1)))
            .min(o.max_backoff);
        let half = exp / 2;
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=half.as_millis() as u64))
    }

    async fn connect(&mut self) -> Result<LiveUpdate, ClientError> {
        let url = self.client.project_url(&["stream"]);
        let mut req = self
            .client
            .request(Method::GET, url)
            .header(ACCEPT, "text/event-stream")
            .header(CACHE_CONTROL, "no-cache")
            .timeout(STREAM_LIFETIME);
        if let Some(id) = &self.last_id {
            req = req.header("last-event-id", id.as_str());
        }
        let headers_within = self.client.inner.timeouts.request;
        let outcome = match tokio::time::timeout(headers_within, req.send()).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(super::error::ClientError::Transport(e).to_string()),
            Err(_) => Err(format!("no answer within {headers_within:?}")),
        };
        let reason = match outcome {
            Ok(resp) if resp.status().is_success() => {
                let is_sse = resp
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|ct| ct.starts_with("text/event-stream"));
                if !is_sse {
                    self.finished = true;
                    return Err(ClientError::Decode(
                        "the stream endpoint did not answer with text/event-stream".into(),
                    ));
                }
                self.failures = 0;
                self.stream = Some(event_stream(resp, self.options.idle_timeout));
                return Ok(LiveUpdate::Connected {
                    last_event_id: self.last_id.clone(),
                });
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let err = api_error(resp).await;
                // 408, 429 and 5xx pass; anything else will not get better by itself.
                if !(status == 408 || status == 429 || status >= 500) {
                    self.finished = true;
                    return Err(err);
                }
                err.to_string()
            }
            Err(reason) => reason,
        };
        self.failures += 1;
        if self
            .options
            .max_failures
            .is_some_and(|max| self.failures > max)
        {
            self.finished = true;
            return Err(ClientError::Stream(format!(
                "gave up after {} failed connections; last: {reason}",
                self.failures
            )));
        }
        let retry_in = self.wait_for(self.failures);
        self.pending_wait = Some(retry_in);
        tracing::debug!(%reason, ?retry_in, "live stream connection failed");
        Ok(LiveUpdate::Disconnected { reason, retry_in })
    }
}

/// SSE events parsed from the response body, failing when it stays silent too long.
fn event_stream(resp: reqwest::Response, idle: Option<Duration>) -> EventStream {
    let bytes = Box::pin(resp.bytes_stream());
    let guarded = futures_util::stream::unfold(Some(bytes), move |state| async move {
        let mut body = state?;
        let next = match idle {
            Some(limit) => match tokio::time::timeout(limit, body.next()).await {
                Ok(next) => next,
                Err(_) => return Some((Err(StreamFailure::Idle(limit)), None)),
            },
            None => body.next().await,
        };
        next.map(|item| (item.map_err(StreamFailure::Http), Some(body)))
    });
    Box::pin(guarded.eventsource())
}
