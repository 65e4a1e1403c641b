//! The read runner: runs read operations (backfill, scheduled, triggered) a chunk of
//! records at a time, and starts scheduled reads when they are due.
//!
//! Each chunk's messages are committed with the operation's progress and the object's
//! cursor in one transaction (`Dispatcher::commit_with_messages`), so a crash resumes a read
//! exactly where its last commit left it: nothing lost, no whole read sent again. The
//! runner is the only writer of an operation's progress, so it reads records outside the
//! transaction.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::context::ReadContext;
use super::pack::{pack, url_message, Packed, Record, MESSAGE_LIMIT};
use super::schedule::{check_schedule, next_runs};
use crate::dispatch::enqueue::Enqueue;
use crate::dispatch::Dispatcher;
use crate::model::read::ReadType;
use crate::model::DestinationStatus;
use crate::store::reads::{self, OperationRow};
use crate::store::writer::OutboxTx;
use crate::store::{read_progress, Store};
use crate::time::{to_datetime, to_rfc3339};

/// Records read per step of an operation.
const CHUNK: i64 = 2000;
/// How long a record too large to send inline is kept for its download link: longer than
/// any retry schedule, since the message's link is issued afresh for every attempt.
pub const READ_DOWNLOAD_KEEP_MS: i64 = 7 * 24 * 3600 * 1000;
/// Failed scheduled runs in a row after which an object's reads are paused.
pub const PAUSE_AFTER_FAILED_RUNS: i64 = 3;
/// The longest the runner sleeps without looking at the schedule again.
const MAX_SLEEP: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Reads {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    dispatcher: Dispatcher,
    wake: Notify,
}

/// How a step of an operation went.
enum Step {
    /// Records were read (or skipped); there may be more.
    Progressed,
    /// The operation ended.
    Finished,
    /// It waits (an `onRequest` object without page credit).
    Waiting,
}

impl Reads {
    pub fn new(store: Store, dispatcher: Dispatcher) -> Reads {
        Reads {
            inner: Arc::new(Inner {
                store,
                dispatcher,
                wake: Notify::new(),
            }),
        }
    }

    /// There may be work: a new operation, page credit, an unpause, a moved clock.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs reads until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            let busy = match self.round().await {
                Ok(busy) => busy,
                Err(e) => {
                    tracing::error!(error = ?e, "a read round failed; trying again shortly");
                    false
                }
            };
            if cancel.is_cancelled() {
                return;
            }
            if busy {
                tokio::task::yield_now().await;
                continue;
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        let now = self.inner.dispatcher.clock().now_ms();
        match reads::next_due(&self.inner.store).await {
            Ok(Some(t)) => {
                Duration::from_millis((t - now).clamp(0, MAX_SLEEP.as_millis() as i64) as u64)
            }
            _ => MAX_SLEEP,
        }
    }

    /// One step of every running operation, then the scheduled reads that are due. True
    /// when something moved.
    async fn round(&self) -> anyhow::Result<bool> {
        let mut busy = false;
        for op in reads::running_operations(&self.inner.store).await? {
            match self.step(&op).await {
                Ok(Step::Progressed) | Ok(Step::Finished) => busy = true,
                Ok(Step::Waiting) => {}
                Err(e) => tracing::error!(operation = %op.id, error = ?e, "a read step failed"),
            }
        }
        let now = self.inner.dispatcher.clock().now_ms();
        for due in reads::due_objects(&self.inner.store, now).await? {
            self.start_scheduled(&due.installation_id, &due.object_name, due.cursor_seq, now)
                .await?;
            busy = true;
        }
        Ok(busy)
    }

    async fn start_scheduled(
        &self,
        installation_id: &str,
        object_name: &str,
        cursor: i64,
        now: i64,
    ) -> anyhow::Result<()> {
        let store = &self.inner.store;
        let Some(ctx) = ReadContext::load(store, installation_id, object_name).await? else {
            // Not read any more (removed from the manifest or disabled): no next run.
            let (installation_id, object_name) =
                (installation_id.to_string(), object_name.to_string());
            return self
                .inner
                .dispatcher
                .commit_with_messages(move |tx, _| {
                    read_progress::schedule_next(tx, &installation_id, &object_name, None, false)?;
                    Ok(())
                })
                .await;
        };
        let to_seq = reads::max_seq(store, &ctx.source()).await?;
        let next = next_run(ctx.schedule(), now);
        let row = new_operation(&ctx, ReadType::Scheduled, cursor, to_seq, None, None, now);
        let (installation_id, object_name) = (installation_id.to_string(), object_name.to_string());
        self.inner
            .dispatcher
            .commit_with_messages(move |tx, _| {
                read_progress::insert_operation(tx, &row)?;
                read_progress::ensure_read_object(
                    tx,
                    &installation_id,
                    &object_name,
                    cursor,
                    "done",
                    next,
                )?;
                Ok(())
            })
            .await
    }

    /// Reads the next chunk of `op` and commits its messages with the progress.
    async fn step(&self, op: &OperationRow) -> anyhow::Result<Step> {
        let store = &self.inner.store;
        let Some(ctx) = ReadContext::load(store, &op.installation_id, &op.object_name).await?
        else {
            // The object was removed or disabled meanwhile (a deleted installation takes
            // its operations with it): the read ends here.
            let (id, now) = (op.id.clone(), self.inner.dispatcher.clock().now_ms());
            let result = format!(
                "[{}] the installation no longer reads this object",
                op.object_name
            );
            self.inner
                .dispatcher
                .commit_with_messages(move |tx, _| {
                    Ok(read_progress::finish_operation(
                        tx, &id, "failure", &result, now,
                    )?)
                })
                .await?;
            return Ok(Step::Finished);
        };
        let read_type = ReadType::parse(&op.read_type).unwrap_or(ReadType::Triggered);
        let page_size = ctx.spec.page_size();
        let credit = match page_size {
            Some(_) => {
                let state = reads::read_object(store, &op.installation_id, &op.object_name).await?;
                state.map_or(0, |s| s.page_credit)
            }
            None => i64::MAX,
        };
        if credit == 0 {
            return Ok(Step::Waiting);
        }
        let rows = read_chunk(store, &ctx, op).await?;
        let exhausted = (rows.len() as i64) < CHUNK;
        let records: Vec<Record> = rows
            .iter()
            .map(|(seq, body)| Record { seq: *seq, body })
            .collect();
        let header = ctx.header(&op.id, op.create_time, read_type.as_str());
        let selection = ctx.selection();
        let mut packed = pack(
            &header,
            &selection,
            &records,
            page_size.map(|p| p as usize),
            MESSAGE_LIMIT,
        );
        let mut done_seq = if exhausted {
            op.to_seq
        } else {
            rows.last().map_or(op.done_seq, |r| r.0)
        };
        let mut finished = exhausted;
        if page_size.is_some() && packed.len() as i64 > credit {
            packed.truncate(credit as usize);
            done_seq = packed.last().map_or(op.done_seq, last_seq);
            finished = false;
        }
        let pages = packed.len() as i64;
        let records_read: i64 = packed
            .iter()
            .map(|p| match p {
                Packed::Inline { records, .. } => *records as i64,
                Packed::Large { .. } => 1,
            })
            .sum();
        // Large records' downloads, signed now and stored with the messages.
        let blobs = self.inner.dispatcher.blobs();
        let mut messages = Vec::with_capacity(packed.len());
        for (i, p) in packed.into_iter().enumerate() {
            messages.push(match p {
                Packed::Inline { json, .. } => ChunkMessage {
                    json,
                    download: None,
                },
                Packed::Large { result, last_seq } => {
                    let id = format!("{}.{last_seq}.{i}", op.id);
                    let link = blobs.link(&id);
                    ChunkMessage {
                        json: url_message(&header, &link.url),
                        download: Some(Download {
                            id,
                            content: result,
                            // The record lives only here: kept while the message may
                            // still be delivered (each attempt links it afresh).
                            keep_until: link.keep_until.max(
                                self.inner.dispatcher.clock().now_ms() + READ_DOWNLOAD_KEEP_MS,
                            ),
                        }),
                    }
                }
            });
        }
        let chunk = Chunk {
            op: op.clone(),
            read_type,
            destination: ctx.destination().to_string(),
            messages,
            done_seq,
            records: records_read,
            pages: page_size.map(|_| pages),
            finished,
            now: self.inner.dispatcher.clock().now_ms(),
            fields: ctx.notification_fields(),
            config: serde_json::from_str::<Value>(&ctx.installation.config).unwrap_or_default(),
            schedule: ctx.schedule().to_string(),
        };
        let step = self
            .inner
            .dispatcher
            .commit_with_messages(move |tx, enqueue| chunk.commit(tx, enqueue))
            .await?;
        crate::fault::crash_point("reads.after-chunk-commit");
        Ok(step)
    }
}

/// A record too large to go inline, stored for its download link.
struct Download {
    id: String,
    content: String,
    keep_until: i64,
}

struct ChunkMessage {
    json: String,
    download: Option<Download>,
}

/// What one step of an operation commits.
struct Chunk {
    op: OperationRow,
    read_type: ReadType,
    destination: String,
    messages: Vec<ChunkMessage>,
    /// The operation has read every record up to here.
    done_seq: i64,
    records: i64,
    /// Page credit spent (`onRequest` objects).
    pages: Option<i64>,
    /// This chunk ends the operation.
    finished: bool,
    now: i64,
    /// The installation's notification fields.
    fields: serde_json::Map<String, Value>,
    config: Value,
    schedule: String,
}

impl Chunk {
    /// Stores the chunk's messages with the operation's progress (and its end), or fails
    /// the operation when its destination cannot take them.
    fn commit(self, tx: &OutboxTx, enqueue: &mut Enqueue) -> anyhow::Result<Step> {
        let op = &self.op;
        let destination =
            read_progress::destination_by_name(tx, &op.project_id, &self.destination)?;
        let refused = match &destination {
            None => Some(format!(
                "the destination '{}' does not exist in this project",
                self.destination
            )),
            Some(d) if d.status == DestinationStatus::Disabled => Some(format!(
                "the destination '{}' is disabled",
                self.destination
            )),
            Some(_) => None,
        };
        let Some(destination) = destination.filter(|_| refused.is_none()) else {
            self.fail(tx, enqueue, refused.as_deref().unwrap_or_default())?;
            return Ok(Step::Finished);
        };
        let count = self.messages.len() as i64;
        if !read_progress::advance_operation(
            tx,
            &op.id,
            self.done_seq,
            self.records,
            count,
            self.now,
        )? {
            return Ok(Step::Finished);
        }
        for m in &self.messages {
            if let Some(d) = &m.download {
                read_progress::put_blob(tx, &d.id, &d.content, self.now, d.keep_until)?;
            }
            enqueue.read_result(tx, &op.project_id, &destination, m.json.as_str().into())?;
        }
        if let Some(pages) = self.pages {
            read_progress::spend_page_credit(tx, &op.installation_id, &op.object_name, pages)?;
        }
        if self.read_type != ReadType::Triggered {
            read_progress::set_cursor(tx, &op.installation_id, &op.object_name, self.done_seq)?;
        }
        if !self.finished {
            return Ok(Step::Progressed);
        }
        self.succeed(tx, enqueue)?;
        Ok(Step::Finished)
    }

    fn succeed(mut self, tx: &OutboxTx, enqueue: &mut Enqueue) -> anyhow::Result<()> {
        let op = &self.op;
        let total = op.records_processed + self.records;
        let result = if total == 0 {
            format!("[{}] No new data found", op.object_name)
        } else {
            format!("[{}] {total} records read", op.object_name)
        };
        read_progress::finish_operation(tx, &op.id, "success", &result, self.now)?;
        self.fields
            .insert("objectName".into(), json!(op.object_name));
        if self.read_type != ReadType::Triggered {
            // A success clears the failures counted so far.
            let next = next_run(&self.schedule, self.now);
            read_progress::schedule_next(tx, &op.installation_id, &op.object_name, next, false)?;
        }
        let announce = match self.read_type {
            ReadType::Backfill => {
                read_progress::set_backfill(tx, &op.installation_id, &op.object_name, "done")?;
                Some("read.backfill.done")
            }
            ReadType::Scheduled => None,
            ReadType::Triggered => {
                window(&mut self.fields, op);
                Some("read.triggered.done")
            }
        };
        if let Some(kind) = announce {
            enqueue.notify(
                tx,
                &op.project_id,
                &json!({"notificationType": kind, "data": self.fields}),
            )?;
        }
        Ok(())
    }

    /// Ends an operation that could not deliver: its records stay unread (the cursor does
    /// not move), a triggered read says so, and an object pauses after
    /// [`PAUSE_AFTER_FAILED_RUNS`] failed runs in a row with `read.schedule.paused`.
    fn fail(mut self, tx: &OutboxTx, enqueue: &mut Enqueue, why: &str) -> anyhow::Result<()> {
        let op = &self.op;
        read_progress::finish_operation(
            tx,
            &op.id,
            "failure",
            &format!("[{}] {why}", op.object_name),
            self.now,
        )?;
        if self.read_type == ReadType::Triggered {
            self.fields
                .insert("objectName".into(), json!(op.object_name));
            window(&mut self.fields, op);
            self.fields.insert("error".into(), json!(why));
            return enqueue.notify(
                tx,
                &op.project_id,
                &json!({"notificationType": "read.triggered.error", "data": self.fields}),
            );
        }
        if self.read_type == ReadType::Backfill {
            // Not lost: the next scheduled read starts from the same cursor.
            read_progress::set_backfill(tx, &op.installation_id, &op.object_name, "done")?;
        }
        let next = next_run(&self.schedule, self.now);
        let failed =
            read_progress::schedule_next(tx, &op.installation_id, &op.object_name, next, true)?;
        if failed >= PAUSE_AFTER_FAILED_RUNS {
            let note = format!("paused after {failed} failed runs in a row: {why}");
            read_progress::pause(tx, &op.installation_id, &op.object_name, &note)?;
            self.fields.insert("config".into(), self.config.clone());
            self.fields.insert("error".into(), json!(note));
            enqueue.notify(
                tx,
                &op.project_id,
                &json!({"notificationType": "read.schedule.paused", "data": self.fields}),
            )?;
        }
        Ok(())
    }
}

fn last_seq(p: &Packed) -> i64 {
    match p {
        Packed::Inline { last_seq, .. } | Packed::Large { last_seq, .. } => *last_seq,
    }
}

/// The next chunk of records an operation reads: after its progress, up to its end, in
/// its time window.
async fn read_chunk(
    store: &Store,
    ctx: &ReadContext,
    op: &OperationRow,
) -> anyhow::Result<Vec<(i64, String)>> {
    Ok(crate::store::reads::records_after(
        store,
        &ctx.source(),
        op.done_seq,
        op.to_seq,
        op.since_time,
        op.until_time,
        CHUNK,
    )
    .await?)
}

fn next_run(schedule: &str, now: i64) -> Option<i64> {
    let cron = check_schedule(schedule).ok()?;
    next_runs(&cron, to_datetime(now), 1)
        .first()
        .map(|t| t.timestamp_millis())
}

/// A new operation row, `in_progress`, reading records with seq in (from, to].
pub fn new_operation(
    ctx: &ReadContext,
    read_type: ReadType,
    from_seq: i64,
    to_seq: i64,
    since: Option<i64>,
    until: Option<i64>,
    now: i64,
) -> OperationRow {
    OperationRow {
        id: uuid::Uuid::now_v7().to_string(),
        project_id: ctx.installation.project_id.clone(),
        integration_id: ctx.integration.id.clone(),
        installation_id: ctx.installation.id.clone(),
        config_id: ctx.installation.config_id.clone(),
        object_name: ctx.spec.object_name.clone(),
        read_type: read_type.as_str().to_string(),
        status: "in_progress".into(),
        from_seq,
        to_seq,
        since_time: since,
        until_time: until,
        done_seq: from_seq,
        records_processed: 0,
        messages: 0,
        result: None,
        create_time: now,
        update_time: now,
    }
}

fn window(fields: &mut serde_json::Map<String, Value>, op: &OperationRow) {
    if let Some(since) = op.since_time {
        fields.insert("fromTimestamp".into(), json!(to_rfc3339(since)));
    }
    if let Some(until) = op.until_time {
        fields.insert("untilTimestamp".into(), json!(to_rfc3339(until)));
    }
}
