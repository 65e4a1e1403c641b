//! Straight from publishing to delivery: a message published for an active destination
//! with nothing waiting ahead of it is stored already claimed (`delivering`) in the
//! publish transaction and handed to the workers when it commits, instead of being stored
//! `pending` and claimed by the claim loop in a transaction of its own.
//!
//! Why: while publishing and delivering at once, the claim rounds were about a third of
//! the writer's transactions, each taking back what the publish before it had just
//! written. Nothing changes for durability: the row is committed before the publish is
//! answered, and a restart queues `delivering` rows again, as after any crash.
//!
//! A destination's messages still go in order: one is handed over only when none of
//! the destination's messages is due (those go first, through the claim loop), and once
//! one of a batch stays `pending` (its lane was full) the rest of the batch stays too.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::runtime::{Lane, Lanes, Runtime, Targets};
use crate::model::DestinationStatus;
use crate::store::destinations::DestinationRow;
use crate::store::outbox::{self, ClaimedRow};
use crate::store::writer::OutboxTx;
use crate::store::StoreError;

/// What publishing shares with the workers: the lanes, the resolved destinations, and
/// (while the workers run) where handed-over messages go.
#[derive(Default)]
pub struct Handoff {
    pub lanes: Lanes,
    pub targets: Targets,
    workers: Mutex<Option<mpsc::UnboundedSender<HandedOver>>>,
}

/// Messages of one destination, committed as `delivering`, for the workers to start.
pub struct HandedOver {
    pub runtime: Arc<Runtime>,
    pub lane: Arc<Lane>,
    pub rows: Vec<ClaimedRow>,
}

impl Handoff {
    /// The workers run: hand messages over to `workers` from now on.
    pub fn open(&self, workers: mpsc::UnboundedSender<HandedOver>) {
        *self.workers.lock().expect("handoff") = Some(workers);
    }

    /// The workers stop: messages are stored `pending` again.
    pub fn close(&self) {
        self.workers.lock().expect("handoff").take();
    }

    fn is_open(&self) -> bool {
        self.workers.lock().expect("handoff").is_some()
    }

    /// Gives committed messages to the workers. Should they have stopped meanwhile, the
    /// messages stay `delivering` and the next start queues them again.
    pub fn give_to_workers(&self, handed: Vec<HandedOver>) {
        if handed.is_empty() {
            return;
        }
        let workers = self.workers.lock().expect("handoff");
        for h in handed {
            let sent = workers.as_ref().map(|w| w.send(h));
            if !matches!(sent, Some(Ok(()))) {
                tracing::debug!("the workers stopped; handed-over messages wait for a restart");
            }
        }
    }

    /// Starts a publish transaction's hand-over (no hand-over while the workers are off).
    pub fn batch(self: &Arc<Self>, now: i64) -> Batch {
        Batch {
            handoff: self.is_open().then(|| self.clone()),
            now,
            plans: HashMap::new(),
        }
    }
}

/// The hand-over of one publish transaction. Places taken in the lanes are given back
/// when it is dropped without `into_handed` (the transaction failed).
pub struct Batch {
    handoff: Option<Arc<Handoff>>,
    now: i64,
    /// Per destination; None when its messages go through the claim loop.
    plans: HashMap<String, Option<Plan>>,
}

struct Plan {
    runtime: Arc<Runtime>,
    lane: Arc<Lane>,
    /// Places taken in the lane, one per admitted message.
    reserved: usize,
    /// False once a message stayed `pending`: the rest of the batch follows it.
    open: bool,
    rows: Vec<ClaimedRow>,
}

impl Batch {
    /// Whether a new message for `destination` is handed over (and so stored
    /// `delivering`); if so, it has a place in the destination's lane and is to be
    /// `add`ed once inserted.
    pub fn admit(
        &mut self,
        tx: &OutboxTx,
        destination: &DestinationRow,
    ) -> Result<bool, StoreError> {
        let Some(handoff) = &self.handoff else {
            return Ok(false);
        };
        let plan = match self.plans.get_mut(&destination.id) {
            Some(plan) => plan,
            None => {
                let plan = plan(handoff, tx, destination, self.now)?;
                self.plans.entry(destination.id.clone()).or_insert(plan)
            }
        };
        let Some(plan) = plan.as_mut().filter(|p| p.open) else {
            return Ok(false);
        };
        if plan.lane.try_reserve() {
            plan.reserved += 1;
            return Ok(true);
        }
        plan.open = false; // the lane is full
        Ok(false)
    }

    /// Records a message `admit` handed over, as inserted.
    pub fn add(&mut self, destination_id: &str, row: ClaimedRow) {
        if let Some(Some(plan)) = self.plans.get_mut(destination_id) {
            plan.rows.push(row);
        }
    }

    /// After the commit: what the workers are to start.
    pub fn into_handed(mut self) -> Vec<HandedOver> {
        let mut handed = Vec::new();
        for mut plan in self.plans.drain().filter_map(|(_, plan)| plan) {
            // Every admitted message was added; should one not be, its place is free.
            plan.reserved -= plan.rows.len();
            release(&plan);
            if !plan.rows.is_empty() {
                handed.push(HandedOver {
                    runtime: plan.runtime,
                    lane: plan.lane,
                    rows: plan.rows,
                });
            }
        }
        handed
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        for plan in self.plans.values().flatten() {
            release(plan);
        }
    }
}

/// Gives back the places a plan holds for messages that are not handed over.
fn release(plan: &Plan) {
    if plan.reserved > 0 {
        plan.lane
            .outstanding
            .fetch_sub(plan.reserved, Ordering::AcqRel);
    }
}

/// Whether `destination` takes messages straight from publishing: it is active, its
/// resolved form is cached and current, and nothing of its own is due before them.
fn plan(
    handoff: &Handoff,
    tx: &OutboxTx,
    destination: &DestinationRow,
    now: i64,
) -> Result<Option<Plan>, StoreError> {
    if destination.status != DestinationStatus::Active {
        return Ok(None);
    }
    let Some(runtime) = handoff.targets.cached(destination, now) else {
        return Ok(None); // the claim loop loads it first
    };
    if runtime.retired() || outbox::next_due(tx, &destination.id)?.is_some_and(|t| t <= now) {
        return Ok(None);
    }
    let lane = handoff.lanes.get(&destination.id, runtime.max_in_flight);
    Ok(Some(Plan {
        runtime,
        lane,
        reserved: 0,
        open: true,
        rows: Vec::new(),
    }))
}
