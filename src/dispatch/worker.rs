//! The claim loop: takes due messages of each active destination from the outbox (within
//! that destination's lane) and starts deliveries, bounded per destination and globally.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::handoff::HandedOver;
use super::runtime::{Lane, Runtime};
use super::Dispatcher;
use crate::model::message::MessageKind;
use crate::model::DestinationType;
use crate::payload::size;
use crate::sinks::{AttemptResult, ErrorClass, Outgoing, Sinks};
use crate::store::outbox::{self, ClaimedRow};

/// One delivery call's outcome, for the recorder.
pub struct Finished {
    pub runtime: Arc<Runtime>,
    pub claimed: Vec<ClaimedRow>,
    pub results: Vec<AttemptResult>,
    pub start_time: i64,
    pub duration_ms: i64,
}

/// Longest sleep when nothing is due (a safety net: wakes normally come from `Notify`).
const IDLE: Duration = Duration::from_secs(1);

pub async fn claim_loop(
    dispatcher: &Dispatcher,
    tracker: &TaskTracker,
    results: mpsc::Sender<Finished>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let inner = &dispatcher.inner;
    loop {
        let mut sleep = IDLE;
        match claim_round(dispatcher, tracker, &results).await {
            Ok(next) => sleep = next,
            Err(e) => tracing::error!(error = ?e, "claim round failed; retrying shortly"),
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = inner.wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// Claims what is due for every active destination that wants work, in one job on the
/// writer thread; returns how long to sleep.
async fn claim_round(
    dispatcher: &Dispatcher,
    tracker: &TaskTracker,
    results: &mpsc::Sender<Finished>,
) -> anyhow::Result<Duration> {
    let inner = &dispatcher.inner;
    let now = inner.clock.now_ms();
    let mut wanted = Vec::new();
    for row in inner.active.get(&inner.store)?.iter() {
        let runtime = match inner
            .handoff
            .targets
            .get(&inner.store, &inner.secrets, &inner.config, row, now)
            .await
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!(destination = %row.id, error = ?e, "cannot prepare destination for delivery");
                continue;
            }
        };
        let lane = inner.handoff.lanes.get(&row.id, runtime.max_in_flight);
        if !lane.wants_work() {
            continue; // woken when enough of its attempts are under way
        }
        // Publishing may take places meanwhile (`handoff`): the claim-ahead is a soft
        // bound, so a round may overshoot it by what was handed over during the round.
        let limit = lane.room().min(inner.config.claim_batch);
        wanted.push((runtime, lane, limit));
    }
    if wanted.is_empty() {
        return Ok(IDLE);
    }
    let asks: Vec<(String, i64)> = wanted
        .iter()
        .map(|(runtime, _, limit)| (runtime.target.id.clone(), *limit as i64))
        .collect();
    let claims = inner
        .store
        .writer()
        .run(move |conn| {
            // All or nothing: claims that are not returned would stay `delivering`. (Also
            // one commit per round rather than one per statement.)
            conn.transaction(|tx| {
                let mut claims = Vec::with_capacity(asks.len());
                for (id, limit) in &asks {
                    let claimed = outbox::claim(tx, id, now, *limit)?;
                    // Nothing due now: when is (to sleep until then; new messages wake sooner).
                    let due = match claimed.is_empty() {
                        true => outbox::next_due(tx, id)?,
                        false => None,
                    };
                    claims.push((claimed, due));
                }
                Ok::<_, anyhow::Error>(claims)
            })
        })
        .await?;
    let mut sleep = IDLE;
    for ((runtime, lane, limit), (claimed, due)) in wanted.into_iter().zip(claims) {
        if let Some(due) = due {
            sleep = sleep.min(Duration::from_millis(due.saturating_sub(now).max(0) as u64));
        }
        if claimed.len() == limit {
            sleep = Duration::ZERO; // more may be due
        }
        if !claimed.is_empty() {
            lane.outstanding.fetch_add(claimed.len(), Ordering::AcqRel);
            start_deliveries(dispatcher, tracker, results, runtime, lane, claimed);
        }
    }
    Ok(sleep)
}

/// Starts the deliveries of messages handed over at publishing (see `handoff`) until
/// the hand-over closes.
pub async fn start_handed_over(
    dispatcher: Dispatcher,
    tracker: TaskTracker,
    results: mpsc::Sender<Finished>,
    mut handed: mpsc::UnboundedReceiver<HandedOver>,
) {
    while let Some(h) = handed.recv().await {
        start_deliveries(&dispatcher, &tracker, &results, h.runtime, h.lane, h.rows);
    }
}

/// Starts the deliveries of a lane's claimed messages (already counted in its
/// `outstanding`), in the sink's batch size. A message whose stored event type this node
/// does not know is not sent at all (see [`refuse`]).
fn start_deliveries(
    dispatcher: &Dispatcher,
    tracker: &TaskTracker,
    results: &mpsc::Sender<Finished>,
    runtime: Arc<Runtime>,
    lane: Arc<Lane>,
    claimed: Vec<ClaimedRow>,
) {
    let mut ready = Vec::with_capacity(claimed.len());
    let mut unknown = Vec::new();
    for c in claimed {
        match MessageKind::parse(&c.event_type) {
            Some(kind) => ready.push((c, kind)),
            None => unknown.push(c),
        }
    }
    if !unknown.is_empty() {
        refuse(dispatcher, tracker, results, &runtime, &lane, unknown);
    }
    let batch_size = Sinks::max_batch(runtime.target.kind);
    let mut ready = ready.into_iter().peekable();
    while ready.peek().is_some() {
        let (chunk, outgoing): (Vec<ClaimedRow>, Vec<Outgoing>) = ready
            .by_ref()
            .take(batch_size)
            .map(|(c, kind)| {
                let outgoing = Outgoing {
                    message_id: c.id.clone(),
                    project_id: c.project_id.clone(),
                    kind,
                    payload: c.payload.clone(),
                    create_time: c.create_time,
                };
                (c, outgoing)
            })
            .unzip();
        tracker.spawn(deliver(
            dispatcher.clone(),
            runtime.clone(),
            lane.clone(),
            chunk,
            outgoing,
            results.clone(),
        ));
    }
}

/// Fails messages whose stored event type is not one of the notification types, without
/// sending them: labelling them with some other type would tell receivers something false,
/// and retrying cannot change a stored row, so the failure is permanent (the message is
/// exhausted, the reason in its attempt).
fn refuse(
    dispatcher: &Dispatcher,
    tracker: &TaskTracker,
    results: &mpsc::Sender<Finished>,
    runtime: &Arc<Runtime>,
    lane: &Lane,
    claimed: Vec<ClaimedRow>,
) {
    let attempt_results = claimed
        .iter()
        .map(|c| {
            tracing::error!(message = %c.id, event_type = %c.event_type,
                "a stored message has an event type this node does not know; not delivered");
            AttemptResult {
                permanent: true,
                ..AttemptResult::failed(
                    ErrorClass::Config,
                    format!(
                        "the stored event type '{}' is not a notification type; the message was not sent",
                        c.event_type
                    ),
                )
            }
        })
        .collect();
    if lane.release(claimed.len()) {
        dispatcher.wake();
    }
    let finished = Finished {
        runtime: runtime.clone(),
        claimed,
        results: attempt_results,
        start_time: dispatcher.inner.clock.now_ms(),
        duration_ms: 0,
    };
    let results = results.clone();
    tracker.spawn(async move {
        if results.send(finished).await.is_err() {
            tracing::error!("the recorder stopped; the attempt is re-run after a restart");
        }
    });
}

async fn deliver(
    dispatcher: Dispatcher,
    runtime: Arc<Runtime>,
    lane: Arc<Lane>,
    claimed: Vec<ClaimedRow>,
    outgoing: Vec<Outgoing>,
    results: mpsc::Sender<Finished>,
) {
    let inner = &dispatcher.inner;
    // The lane's permit first: it is fair, so a destination's messages go in claim order.
    let Ok(lane_permit) = lane.in_flight.clone().acquire_owned().await else {
        return;
    };
    let mut outgoing = outgoing;
    fit_payloads(&dispatcher, runtime.target.kind, &claimed, &mut outgoing).await;
    // Limits delay deliveries; they never drop them. The destination's own limit comes
    // before the node-wide one, and a node-wide slot is taken only once both allow the
    // attempt, so waiting for a rate never holds capacity other destinations could use.
    let waited = runtime.rate_limit.acquire(outgoing.len()).await;
    inner.metrics.rate_limited("destination", waited);
    let waited = inner.rate_limit.acquire(outgoing.len()).await;
    inner.metrics.rate_limited("node", waited);
    let Ok(global_permit) = inner.global.clone().acquire_owned().await else {
        return;
    };
    if runtime.retired() {
        // Paused, disabled, deleted or changed since the claim: these go back untried.
        drop((lane_permit, global_permit));
        hand_back(&dispatcher, &claimed).await;
        if lane.release(claimed.len()) {
            dispatcher.wake();
        }
        return;
    }
    let start_time = inner.clock.now_ms();
    let started = Instant::now();
    let attempt_results = inner.sinks.deliver(&runtime.target, &outgoing).await;
    let took = started.elapsed();
    let duration_ms = took.as_millis() as i64;
    for result in &attempt_results {
        inner
            .metrics
            .attempt(&runtime.target.name, result.succeeded, took);
    }
    drop((lane_permit, global_permit));
    if lane.release(claimed.len()) {
        dispatcher.wake();
    }
    let finished = Finished {
        duration_ms,
        runtime,
        claimed,
        results: attempt_results,
        start_time,
    };
    if results.send(finished).await.is_err() {
        tracing::error!("the recorder stopped; the attempt is re-run after a restart");
    }
}

/// Returns claimed messages to the outbox untried, in their place (due time and order
/// unchanged). Retried until it lands: otherwise they would wait for a restart.
async fn hand_back(dispatcher: &Dispatcher, claimed: &[ClaimedRow]) {
    let seqs: Arc<Vec<i64>> = Arc::new(claimed.iter().map(|c| c.seq).collect());
    let mut delay = Duration::from_millis(50);
    loop {
        let seqs = seqs.clone();
        let returned = dispatcher
            .inner
            .store
            .writer()
            .run(move |conn| {
                conn.transaction(|tx| {
                    for seq in seqs.iter() {
                        outbox::unclaim(tx, *seq)?;
                    }
                    Ok::<_, anyhow::Error>(())
                })
            })
            .await;
        match returned {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(error = ?e, "returning claimed messages failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Replaces a read result's `resultInfo.downloadUrl` with a fresh link to the same blob, so
/// a retry long after the read still carries a working URL.
async fn relink_download(dispatcher: &Dispatcher, o: &mut Outgoing) {
    if !o.payload.contains("\"downloadUrl\"") {
        return;
    }
    let Ok(mut message) = serde_json::from_str::<serde_json::Value>(&o.payload) else {
        return;
    };
    let Some(url) = message
        .pointer("/resultInfo/downloadUrl")
        .and_then(|u| u.as_str())
    else {
        return;
    };
    let Some(id) = crate::blobs::blob_id(url) else {
        return;
    };
    match dispatcher.inner.blobs.relink(&id).await {
        Ok(Some(fresh)) => {
            message["resultInfo"]["downloadUrl"] = serde_json::Value::String(fresh);
            o.payload = Arc::from(message.to_string());
        }
        Ok(None) => {
            tracing::error!(message = %o.message_id, blob = %id, "a read result's download is gone; sending its old link")
        }
        Err(e) => {
            tracing::error!(message = %o.message_id, error = %e, "could not renew a download link; sending the old one")
        }
    }
}

/// Applies the payload size rule: parts of a payload over the destination type's limit
/// move to signed download URLs, issued fresh for each attempt.
async fn fit_payloads(
    dispatcher: &Dispatcher,
    kind: DestinationType,
    claimed: &[ClaimedRow],
    outgoing: &mut [Outgoing],
) {
    let limit = match kind {
        DestinationType::Webhook => size::WEBHOOK_LIMIT,
        DestinationType::Kinesis => size::KINESIS_PAYLOAD_LIMIT,
        DestinationType::Log => return,
    };
    for (c, o) in claimed.iter().zip(outgoing.iter_mut()) {
        // Read results are packed to fit when they are built (`reads::pack`); a record sent
        // by URL gets a fresh link for each attempt.
        if o.kind == MessageKind::ReadResult {
            relink_download(dispatcher, o).await;
            continue;
        }
        // Too large even without its configs: the sink refuses it, visibly.
        let Some(plan) = size::plan(&o.payload, limit) else {
            continue;
        };
        if plan.is_empty() {
            continue;
        }
        let mut urls = Vec::with_capacity(plan.len());
        for (inline, url_field, json) in plan {
            match dispatcher
                .inner
                .blobs
                .publish(&format!("{}.{inline}", c.notification_id), &json)
                .await
            {
                Ok(url) => urls.push((inline, url_field, url)),
                Err(e) => {
                    tracing::error!(message = %c.id, error = %e, "could not store a download; sending inline");
                    urls.clear();
                    break;
                }
            }
        }
        if let Some(fitted) = size::apply(&o.payload, &urls).filter(|_| !urls.is_empty()) {
            o.payload = Arc::from(fitted);
        }
    }
}
