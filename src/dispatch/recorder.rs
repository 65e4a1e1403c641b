//! Records what deliveries did: one transaction per batch of finished attempts (attempt
//! rows, message states, failure clocks), then live events, and disabling of webhooks
//! that keep failing (with their `destination.webhook.disabled` in the same transaction).

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::intake::{self, Accepted, Reach, Submission};
use super::policy::{after_failure, Next};
use super::worker::Finished;
use super::Dispatcher;
use crate::model::live::{
    AttemptFailed, AttemptSucceeded, Attempted, DestinationDisabled, LiveEvent,
};
use crate::model::message::{MessageStatus, PublishResponse};
use crate::model::DestinationType;
use crate::payload::notification::validate_notification;
use crate::store::outbox::{self, FailureClock, LastFailure, Outcome};
use crate::time::to_rfc3339;

/// The most finished deliveries recorded in one transaction.
const BATCH: usize = 1024;
/// How long the first finished delivery of a batch waits for more. Every transaction
/// writes the pages it touched in full (the attempts table and its index, the messages'
/// pages), so while publishing and delivering at once, recording as soon as anything
/// finished made ~700 small transactions a second, each writing the same few pages again.
/// Only the record waits: the delivery is done and its lane place is already free.
const GATHER: Duration = Duration::from_millis(5);

pub async fn run(
    dispatcher: Dispatcher,
    mut results: mpsc::Receiver<Finished>,
) -> anyhow::Result<()> {
    while let Some(first) = results.recv().await {
        let mut batch = vec![first];
        let gathered = tokio::time::Instant::now() + GATHER;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(gathered, results.recv()).await {
                Ok(Some(f)) => batch.push(f),
                Ok(None) | Err(_) => break,
            }
        }
        // A failed write must not lose the outcome silently: retry until it lands (the
        // messages stay 'delivering', which a restart would re-queue anyway).
        let mut delay = Duration::from_millis(50);
        loop {
            match record(&dispatcher, &batch).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::error!(error = ?e, "recording attempts failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
        let attempts: usize = batch.iter().map(|f| f.claimed.len()).sum();
        dispatcher.inner.meter.add(attempts as u64);
        // Failed attempts may be due again sooner than the claim loop knows. (Waking it
        // after every batch made a claim round, a write transaction, per batch while
        // publishing, with nothing to claim.)
        if batch.iter().any(|f| f.results.iter().any(|r| !r.succeeded)) {
            dispatcher.wake();
        }
    }
    Ok(())
}

/// Per destination, what this batch did to its failure clock.
#[derive(Clone, Default)]
struct ClockChange {
    project_id: String,
    reset: bool,
    first_failure: Option<i64>,
    exhausted_at: Option<i64>,
    last_failure: Option<LastFailure>,
    gone: bool,
    kind: Option<DestinationType>,
    name: String,
    url: Option<String>,
}

async fn record(dispatcher: &Dispatcher, batch: &[Finished]) -> anyhow::Result<()> {
    let inner = &dispatcher.inner;
    let now = inner.clock.now_ms();
    let attempts: usize = batch.iter().map(|f| f.claimed.len()).sum();
    let mut events: Vec<(&str, LiveEvent)> = Vec::with_capacity(attempts);
    let mut clocks: HashMap<String, ClockChange> = HashMap::new();
    let mut outcomes = Vec::with_capacity(attempts);
    for f in batch {
        let target = &f.runtime.target;
        let clock = clocks.entry(target.id.clone()).or_default();
        clock.project_id = target.project_id.clone();
        clock.kind = Some(target.kind);
        clock.name = target.name.clone();
        clock.url = target.metadata.url.clone();
        for (claimed, result) in f.claimed.iter().zip(&f.results) {
            let number = claimed.attempt_count + 1;
            let mut outcome = Outcome {
                message_seq: claimed.seq,
                message_id: claimed.id.clone(),
                number,
                start_time: f.start_time,
                duration_ms: f.duration_ms,
                status_code: result.status_code.map(i64::from),
                response_body: result.response_body.clone(),
                error_class: result.error_class.map(|c| c.as_str()),
                error: None,
                succeeded: result.succeeded,
                request_headers: match result.request_headers.as_str() {
                    "" => "{}".to_string(), // nothing was sent
                    sent => sent.to_string(),
                },
                status: MessageStatus::Delivered,
                next_attempt_time: None,
            };
            let attempted = Attempted {
                message_id: Cow::Borrowed(&claimed.id),
                notification_id: Cow::Borrowed(&claimed.notification_id),
                destination_id: Cow::Borrowed(&target.id),
                destination_name: Cow::Borrowed(&target.name),
                event_type: Cow::Borrowed(&claimed.event_type),
                attempt: number,
                status_code: result.status_code,
                duration_ms: f.duration_ms,
            };
            if result.succeeded {
                outcomes.push(outcome);
                clock.reset = true;
                clock.first_failure = None;
                clock.exhausted_at = None;
                let succeeded = AttemptSucceeded {
                    attempt: attempted,
                    latency_ms: now - claimed.create_time,
                };
                events.push((&claimed.project_id, LiveEvent::AttemptSucceeded(succeeded)));
                continue;
            }
            let in_round = (number - claimed.round_start).max(1) as usize;
            let next = after_failure(
                &f.runtime.schedule,
                in_round,
                result,
                inner.config.jitter,
                inner.config.throttle_floor,
            );
            let error = result.error.as_deref().unwrap_or("failed");
            let next_time = match next {
                Next::RetryIn(d) => Some(now + d.as_millis() as i64),
                Next::Exhausted => None,
            };
            outcome.error = Some(error.to_string());
            outcome.status = if next_time.is_some() {
                MessageStatus::Retrying
            } else {
                MessageStatus::Exhausted
            };
            // An exhausted message keeps the time it gave up as its last due time.
            outcome.next_attempt_time = Some(next_time.unwrap_or(now));
            outcomes.push(outcome);
            clock.first_failure.get_or_insert(f.start_time);
            clock.last_failure = Some(LastFailure {
                error: error.to_string(),
                class: result.error_class.map(|c| c.as_str()),
                time: f.start_time,
            });
            clock.gone |= result.gone;
            let failed = AttemptFailed {
                attempt: attempted,
                error_class: result.error_class.map(|c| Cow::Borrowed(c.as_str())),
                error: Cow::Borrowed(error),
                next_attempt_time: next_time.map(to_rfc3339),
            };
            if next_time.is_none() {
                clock.exhausted_at = Some(now);
                events.push((
                    &claimed.project_id,
                    LiveEvent::AttemptFailed(failed.clone()),
                ));
                events.push((&claimed.project_id, LiveEvent::MessageExhausted(failed)));
            } else {
                events.push((&claimed.project_id, LiveEvent::AttemptFailed(failed)));
            }
        }
    }
    let disable_after = inner.config.disable_after.as_millis() as i64;
    let changes: Vec<(String, ClockChange)> = clocks
        .iter()
        .map(|(id, c)| (id.clone(), c.clone()))
        .collect();
    let handoff = inner.handoff.clone();
    let (disabled, handed) = inner
        .store
        .writer()
        .run(move |conn| {
            conn.transaction(|tx| {
                for outcome in &outcomes {
                    outbox::record_outcome(tx, outcome, now)?;
                }
                let mut handed = handoff.batch(now);
                let mut disabled = Vec::new();
                for (id, change) in &changes {
                    let clock = outbox::move_failure_clock(
                        tx,
                        id,
                        change.reset,
                        change.first_failure,
                        change.exhausted_at,
                        change.last_failure.as_ref(),
                    )?;
                    let Some(clock) = clock else {
                        continue; // deleted meanwhile
                    };
                    if change.kind != Some(DestinationType::Webhook) {
                        continue;
                    }
                    let Some(reason) = disable_reason(change, &clock, now, disable_after) else {
                        continue;
                    };
                    if outbox::disable(tx, id, &reason, now)? {
                        // The announcement commits with the disable: a crash after the commit
                        // can no longer leave a disabled webhook that nobody is told about.
                        let announcement = announcement(id, change, now)?;
                        let mut stored = intake::store(tx, &mut handed, now, &[announcement])?;
                        let response = match stored.pop() {
                            Some(Accepted::Stored(response)) => Some(response),
                            _ => None,
                        };
                        disabled.push(Disabled {
                            id: id.clone(),
                            reason,
                            announced: response,
                        });
                    }
                }
                Ok::<_, anyhow::Error>((disabled, handed.into_handed()))
            })
        })
        .await?;
    inner.handoff.give_to_workers(handed);
    if !disabled.is_empty() {
        crate::fault::crash_point("recorder.after-disable-commit");
    }

    for (project_id, event) in &events {
        inner.events.emit(project_id, event);
    }
    for Disabled {
        id,
        reason,
        announced,
    } in disabled
    {
        let change = &clocks[&id];
        dispatcher.invalidate(&id);
        tracing::warn!(destination = %id, %reason, "webhook destination disabled");
        let disabled = DestinationDisabled {
            destination_id: Cow::Borrowed(&id),
            destination_name: Cow::Borrowed(&change.name),
            reason: Cow::Borrowed(&reason),
            url: change.url.clone(),
            disabled_time: to_rfc3339(now),
        };
        inner.events.emit(
            &change.project_id,
            &LiveEvent::DestinationDisabled(disabled),
        );
        if let Some(response) = announced {
            dispatcher.announce_created(&change.project_id, &response, now);
        }
    }
    Ok(())
}

/// A webhook destination this batch disabled, and the `destination.webhook.disabled`
/// notification stored with it.
struct Disabled {
    id: String,
    reason: String,
    announced: Option<PublishResponse>,
}

/// Why a webhook destination is to be disabled now, if it is: it answered 410 Gone, or
/// its deliveries kept failing for `disable_after` ms with no success and messages
/// exhausted their retries.
fn disable_reason(
    change: &ClockChange,
    clock: &FailureClock,
    now: i64,
    disable_after: i64,
) -> Option<String> {
    if change.gone {
        return Some("the receiver answered 410 Gone".to_string());
    }
    match (clock.failing_since, clock.last_exhausted_time) {
        (Some(since), Some(exhausted)) if now - since >= disable_after && exhausted >= since => Some(format!(
            "deliveries kept failing since {} with no success, and messages exhausted their retries",
            to_rfc3339(since)
        )),
        _ => None,
    }
}

/// `destination.webhook.disabled` for `destination_id`, to go through the normal routes
/// (never to the disabled destination itself).
fn announcement(
    destination_id: &str,
    change: &ClockChange,
    now: i64,
) -> anyhow::Result<Submission> {
    let body = json!({
        "notificationType": "destination.webhook.disabled",
        "data": {
            "projectId": change.project_id,
            "destinationId": destination_id,
            "destinationName": change.name,
            "url": change.url.clone().unwrap_or_default(),
        }
    });
    let valid = validate_notification(&body).map_err(|issues| {
        anyhow::anyhow!("destination.webhook.disabled does not validate: {issues:?}")
    })?;
    Ok(Submission {
        project_id: change.project_id.clone(),
        event_type: valid.event_type,
        payload: serde_json::to_string(&valid)?.into(),
        idempotency_key: None,
        reach: Reach::RoutesExcept(destination_id.to_string()),
        time: now,
    })
}
