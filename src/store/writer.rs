//! The dispatcher's writer: one SQLite connection on a thread of its own, running whole
//! jobs (publish batches, claims, recorded attempts) as plain synchronous code.
//!
//! Why not sqlx here: sqlx runs each connection on a worker thread and hands every
//! statement and every result row across threads, so a batch of five statements cost five
//! round trips through the scheduler (and batch arguments had to travel as JSON, parsed
//! again by SQLite for every column). Those hand-offs, not SQLite, capped publishing and
//! delivery. Here a job is one hand-off, whatever it does; statements are prepared once
//! and run per row. sqlx stays for everything else (the API, reads, migrations).
//!
//! Writers take turns: the API's write transactions (`Store::begin_write`) hold the same
//! fair lock the thread takes for each job, so neither side waits in SQLite's busy
//! handler (which sleeps up to 100 ms at a time).

use std::path::Path;
use std::sync::{mpsc, Arc};

use anyhow::Context;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{oneshot, Mutex};

use super::checkpoint::Checkpointer;
use super::StoreError;

type Job = Box<dyn FnOnce(&mut Connection, super::Durability) + Send>;

/// Handle to the writer thread; the thread ends once every handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

/// Opens the writer's connection to an existing (migrated) database and starts its thread.
pub fn start(
    path: &Path,
    turn: Arc<Mutex<()>>,
    durability: super::Durability,
    max_page_count: Option<u64>,
) -> anyhow::Result<Writer> {
    let conn = super::connection::open(path)
        .with_context(|| format!("opening {} for writing", path.display()))?;
    // The writer commits what is answered as stored: as durable as the node is set to be.
    conn.pragma_update(None, "synchronous", durability.pragma())?;
    if let Some(pages) = max_page_count {
        conn.pragma_update(None, "max_page_count", pages)?;
    }
    // SQLite checks `status IN (…six values…)` by building a temporary index of the six
    // values for every row a statement writes: ~3 % of the CPU while delivering (perf).
    // The writer's statuses are constants of this code (`MessageStatus`, the statements
    // in `outbox`); every other connection still has the checks enforced.
    conn.pragma_update(None, "ignore_check_constraints", true)?;
    // Checkpoints run on their own thread (see `checkpoint`), not inside commits.
    let checkpoints = Checkpointer::start(path, &conn)?;
    let (jobs, queue) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("switchboard-writer".into())
        .spawn(move || {
            let mut conn = conn;
            while let Ok(job) = queue.recv() {
                let _turn = turn.blocking_lock();
                job(&mut conn, durability);
                checkpoints.after_job(&conn);
            }
            checkpoints.detach(&conn);
        })
        .context("starting the writer thread")?;
    Ok(Writer { jobs })
}

/// The writer's connection as a job sees it: something that opens transactions. Which
/// database is behind it is the store's business (the dispatcher never names it).
pub struct WriterConn<'a> {
    conn: &'a mut Connection,
    /// What the connection's commits survive when nothing says otherwise.
    durability: super::Durability,
}

/// One write transaction on the writer thread: the outbox statements (`store::outbox`)
/// take it.
pub struct OutboxTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl OutboxTx<'_> {
    pub(in crate::store) fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl WriterConn<'_> {
    /// Runs `work` in one transaction (`BEGIN IMMEDIATE`: the write lock up front) and
    /// commits it when `work` succeeds; an error rolls everything back.
    pub fn transaction<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&OutboxTx) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let outbox = OutboxTx { tx };
        let done = work(&outbox)?;
        outbox.tx.commit().map_err(StoreError::from)?;
        Ok(done)
    }

    /// `transaction` for housekeeping (pruning) whose commit is not synced to disk, so it
    /// is short: only for writes a power cut may undo because they are simply done again.
    /// The next synced commit syncs the log with these frames in it, so no acknowledged
    /// write after them can be lost before them.
    pub fn housekeeping_transaction<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&OutboxTx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn
            .pragma_update(None, "synchronous", "normal")
            .map_err(StoreError::from)?;
        let done = self.transaction(work);
        // Whatever happened, the next job commits as durably as the node is set to.
        self.conn
            .pragma_update(None, "synchronous", self.durability.pragma())
            .map_err(StoreError::from)?;
        done
    }

    /// The bare connection, for this module's own tests.
    #[cfg(test)]
    pub(in crate::store) fn raw(&mut self) -> &mut Connection {
        self.conn
    }
}

impl Writer {
    /// Runs `job` on the writer thread and returns what it returned. A job that needs
    /// atomicity opens a transaction (`WriterConn::transaction`).
    pub async fn run<T, F>(&self, job: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriterConn) -> anyhow::Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, durability| {
            // The caller may have gone away; what the job did stands all the same.
            let _ = reply.send(job(&mut WriterConn { conn, durability }));
        });
        self.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("the writer thread stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the writer thread stopped during a job"))?
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::checkpoint::RESTART_PAGES;
    use super::super::Durability;
    use super::*;

    /// A database in a fresh directory with one table `t` of `columns`.
    fn database(columns: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "PRAGMA journal_mode = wal; CREATE TABLE t ({columns})"
            ))
            .unwrap();
        (dir, path)
    }

    #[tokio::test]
    async fn jobs_run_in_order_and_api_writers_take_turns() {
        let (_dir, path) = database("n INTEGER");
        let turn = Arc::new(Mutex::new(()));
        let writer = start(&path, turn.clone(), Durability::Crash, None).unwrap();
        // While another writer holds the turn, jobs wait for it rather than fail.
        let held = turn.clone().lock_owned().await;
        let pending: Vec<_> = (0..3)
            .map(|n| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    writer
                        .run(move |c| Ok(c.raw().execute("INSERT INTO t VALUES (?1)", [n])?))
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let count = |path: &Path| -> i64 {
            Connection::open(path)
                .unwrap()
                .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(
            count(&path),
            0,
            "jobs ran while another writer had its turn"
        );
        drop(held);
        for p in pending {
            assert_eq!(p.await.unwrap().unwrap(), 1);
        }
        assert_eq!(count(&path), 3);
        // A failing job reports its error to its caller; the thread goes on.
        let failed = writer
            .run(|c| Ok(c.raw().execute("INSERT INTO missing VALUES (1)", [])?))
            .await;
        assert!(failed.unwrap_err().to_string().contains("no such table"));
        let rows: i64 = writer
            .run(|c| {
                Ok(c.raw()
                    .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))?)
            })
            .await
            .unwrap();
        assert_eq!(rows, 3);
    }

    #[tokio::test]
    async fn the_log_starts_over_under_a_steady_stream_of_commits() {
        let (_dir, path) = database("body TEXT");
        let writer = start(&path, Arc::new(Mutex::new(())), Durability::Crash, None).unwrap();
        // Three times as many 1 KB commits as the log may hold pages: each writes at least
        // one page, so a log that never started over would keep growing (to 83 MB with a
        // third of these commits, when the limit was 4,000 pages).
        for _ in 0..3 * RESTART_PAGES {
            writer
                .run(|c| {
                    Ok(c.raw()
                        .execute("INSERT INTO t VALUES (?1)", ["x".repeat(1024)])?)
                })
                .await
                .unwrap();
        }
        let log = std::fs::metadata(path.with_extension("db-wal"))
            .unwrap()
            .len();
        // A page in the log takes its 4 KiB and a 24-byte frame header. The writer's own
        // checkpoint gives way while the other thread is at one, and commits go on
        // meanwhile: on a loaded machine (CI runs the suites side by side) that thread's
        // fsyncs took long enough for ~2,100 more commits (25 MB). Allow up to twice the
        // limit, still well below the ~330 MB this log reaches when the writer does not
        // checkpoint itself.
        let bound = 2 * RESTART_PAGES as u64 * (4096 + 24);
        assert!(log < bound, "the log grew to {log} bytes (bound {bound})");
    }

    #[tokio::test]
    async fn another_thread_copies_the_log_into_the_database() {
        let (_dir, path) = database("body TEXT");
        let writer = start(&path, Arc::new(Mutex::new(())), Durability::Crash, None).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        // 200 commits of 1 KB: far below the size at which the writer checkpoints itself.
        for _ in 0..200 {
            writer
                .run(|c| {
                    Ok(c.raw()
                        .execute("INSERT INTO t VALUES (?1)", ["x".repeat(1024)])?)
                })
                .await
                .unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() < before + 200 * 1024 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            size() >= before + 200 * 1024,
            "the database file grew from {before} to {} bytes only",
            size()
        );
    }

    #[tokio::test]
    async fn the_writer_syncs_every_commit_unless_told_crash_durability_is_enough() {
        let (_dir, path) = database("body TEXT");
        for (durability, expected) in [(Durability::PowerLoss, 2), (Durability::Crash, 1)] {
            let writer = start(&path, Arc::new(Mutex::new(())), durability, None).unwrap();
            let synchronous: i64 = writer
                .run(|c| {
                    Ok(c.raw()
                        .pragma_query_value(None, "synchronous", |r| r.get(0))?)
                })
                .await
                .unwrap();
            // 2 = FULL (each commit synced), 1 = NORMAL.
            assert_eq!(synchronous, expected, "{durability:?}");
        }
    }

    #[tokio::test]
    async fn housekeeping_commits_are_not_synced_and_the_next_job_is_again() {
        let (_dir, path) = database("body TEXT");
        let writer = start(&path, Arc::new(Mutex::new(())), Durability::PowerLoss, None).unwrap();
        let synchronous = |c: &Connection| -> rusqlite::Result<i64> {
            c.pragma_query_value(None, "synchronous", |r| r.get(0))
        };
        let (during, after) = writer
            .run(move |w| {
                let during = w.housekeeping_transaction(|tx| {
                    tx.conn().execute("INSERT INTO t (body) VALUES ('x')", [])?;
                    Ok::<_, StoreError>(synchronous(tx.conn())?)
                })?;
                Ok((during, synchronous(w.raw())?))
            })
            .await
            .unwrap();
        // 1 = NORMAL (not synced), 2 = FULL.
        assert_eq!((during, after), (1, 2));
        let refused = writer
            .run(move |w| {
                let failed = w.housekeeping_transaction(|tx| {
                    tx.conn().execute("INSERT INTO nowhere VALUES (1)", [])?;
                    Ok::<_, StoreError>(())
                });
                Ok((failed.is_err(), synchronous(w.raw())?))
            })
            .await
            .unwrap();
        assert_eq!(
            refused,
            (true, 2),
            "a failed batch leaves the next job synced"
        );
    }
}
