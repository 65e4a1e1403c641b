//! Checkpoints on a thread of their own: copying the write-ahead log back into the
//! database, and the two fsyncs that takes, no longer hold up the writer's commits.
//!
//! Why: with SQLite's automatic checkpoints, the commit that crossed the log limit did the
//! copy and both fsyncs before its publishes were answered. The writer spent ~17 % of its
//! time blocked in fsync (`perf trace` while publishing: 116 fsyncs/s of 1.5 ms each), and
//! everything queued behind that commit waited with it. Moved here, publishing went from
//! ~9,000 to ~12,000/s in the benchmark (bench/README.md).
//!
//! The log only starts over from its beginning when a write transaction begins with every
//! frame already copied back. Under a steady stream of commits a checkpointer on another
//! thread never quite catches up, and the log would grow without end (to ~1 GB in the
//! benchmark, until the kernel throttled the writer). So the writer checkpoints itself
//! once the log passes [`RESTART_PAGES`]: by then this thread has copied all but the last
//! few frames, that checkpoint is short, and the next commit starts the log over. The
//! writer learns the log's size from SQLite's WAL hook, which reports it after each commit.
//!
//! This thread also fsyncs the database file after its checkpoints (through SQLite's own
//! handle on it) once the log nears that size. SQLite does that only in a checkpoint that
//! copies the log to its very end, and under a steady stream of commits that is the
//! writer's own: it then waited for every page this thread had copied since the log last
//! started over (9–20 ms, `perf trace`, ~3 times a second at 1000 publishes/s), and the
//! publishes queued behind it were the slowest 1–2 % (bench/README.md, eighth round).
//! Synced here, the writer's checkpoint finds little left to flush.

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{ffi, Connection};

/// Log size (pages) at which the writer checkpoints itself so that the log starts over:
/// the log stays under ~64 MiB (pages are 4 KiB). The writer's own checkpoints wait for
/// two fsyncs, so they should be rare: with 1000 pages publishing reached 10,500–10,900/s,
/// with 4000 pages 12,400–12,900/s (benchmark, N = 30,000). 16,000 pages, four times
/// rarer again, paid off only once this thread synced the database file: before that
/// each of the writer's checkpoints flushed four times as much.
pub(super) const RESTART_PAGES: i64 = 16_000;

/// Log size (pages) from which this thread syncs the database file after its checkpoints:
/// the last quarter before the writer's checkpoint. Only the syncs shortly before that
/// checkpoint shorten it, and each sync writes out again the pages changed since the last
/// one: syncing after every checkpoint wrote ~9 % more per message while publishing and
/// delivering at once, this ~4 % (bench/README.md, eighth round).
const SYNC_FROM_PAGES: i64 = RESTART_PAGES * 3 / 4;

/// Shortest time between two checkpoints of this thread. Each costs two fsyncs, whatever
/// it copies, so copying as soon as anything was committed would fsync hundreds of times a
/// second; and the less is left to copy when the writer checkpoints itself, the shorter
/// its wait.
const PACE: Duration = Duration::from_millis(20);

/// The writer's side of the checkpoint thread; the thread ends when this is dropped.
pub struct Checkpointer {
    committed: mpsc::SyncSender<()>,
    /// The log's size in pages after the writer's last commit (set by the WAL hook).
    log_pages: Arc<AtomicI64>,
}

impl Checkpointer {
    /// Takes over checkpoints from `writer`, the connection at `path` that commits: turns
    /// its automatic checkpoints off, has it report the log's size, and starts the thread
    /// with a connection of its own. Call [`Checkpointer::detach`] before closing `writer`.
    pub fn start(path: &Path, writer: &Connection) -> anyhow::Result<Checkpointer> {
        let conn = super::connection::open(path)
            .with_context(|| format!("opening {} for checkpoints", path.display()))?;
        let log_pages = Arc::new(AtomicI64::new(0));
        // Installing a WAL hook replaces SQLite's automatic checkpoints (they are a WAL
        // hook too), so the writer no longer checkpoints inside its commits.
        // SAFETY: `writer` is a valid open connection. The hook's argument is a strong
        // reference to `log_pages`, released in `detach` after the hook is removed, so it
        // outlives every call; the hook only stores into the atomic.
        unsafe {
            ffi::sqlite3_wal_hook(
                writer.handle(),
                Some(record_log_size),
                Arc::into_raw(log_pages.clone()) as *mut c_void,
            );
        }
        let (committed, commits) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("switchboard-checkpoint".into())
            .spawn({
                let log_pages = log_pages.clone();
                move || run(conn, commits, &log_pages)
            })
            .context("starting the checkpoint thread")?;
        Ok(Checkpointer {
            committed,
            log_pages,
        })
    }

    /// Called by the writer after each job on `writer`: lets this thread know there are
    /// frames to copy, and checkpoints on `writer` itself once the log is past
    /// [`RESTART_PAGES`].
    pub fn after_job(&self, writer: &Connection) {
        let log = self.log_pages.load(Ordering::Acquire);
        if log == 0 {
            return;
        }
        // Full means a wake-up is already pending: one is enough.
        let _ = self.committed.try_send(());
        if log >= RESTART_PAGES {
            match checkpoint(writer) {
                // The log starts over at the next commit, which reports its new size.
                Ok(()) => self.log_pages.store(0, Ordering::Release),
                Err(e) => tracing::warn!(error = %e, "checkpoint on the writer failed"),
            }
        }
    }

    /// Removes the WAL hook from `writer` (before it closes) and stops the thread.
    pub fn detach(self, writer: &Connection) {
        // SAFETY: the hook is removed before the reference it held is released, and
        // `writer` is the connection `start` installed it on.
        unsafe {
            let previous = ffi::sqlite3_wal_hook(writer.handle(), None, std::ptr::null_mut());
            if !previous.is_null() {
                drop(Arc::from_raw(previous as *const AtomicI64));
            }
        }
    }
}

/// SQLite's WAL hook: called after each commit of the writer with the log's size.
unsafe extern "C" fn record_log_size(
    log_pages: *mut c_void,
    _db: *mut ffi::sqlite3,
    _database: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: the argument given in `Checkpointer::start`, alive while the hook is set.
    let log_pages = unsafe { &*(log_pages as *const AtomicI64) };
    log_pages.store(i64::from(pages), Ordering::Release);
    ffi::SQLITE_OK
}

fn run(conn: Connection, commits: mpsc::Receiver<()>, log_pages: &AtomicI64) {
    while commits.recv().is_ok() {
        let started = Instant::now();
        if let Err(e) = checkpoint(&conn) {
            tracing::warn!(error = %e, "checkpoint failed; retried after the next commit");
        }
        // What the checkpoint copied, on disk now rather than in the writer's checkpoint
        // (see the module's comment). Should this fail, SQLite's own sync of the file, in
        // the checkpoint that completes, reports it to the writer.
        if log_pages.load(Ordering::Acquire) >= SYNC_FROM_PAGES {
            if let Err(e) = sync_database_file(&conn) {
                tracing::warn!(error = %e, "syncing the database file failed");
            }
        }
        std::thread::sleep(PACE.saturating_sub(started.elapsed()));
    }
}

/// Syncs the database file through `conn`'s own handle on it (SQLite's VFS `xSync`).
///
/// Why not a `std::fs::File` of our own: on POSIX, closing any descriptor of a file drops
/// every lock the process holds on it, SQLite's included. SQLite guards against that for
/// its own descriptors only.
fn sync_database_file(conn: &Connection) -> anyhow::Result<()> {
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: `conn` is open; FILE_POINTER writes the main database's `sqlite3_file`
    // pointer (owned by the connection, valid while it is open) into `file`.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&mut file as *mut *mut ffi::sqlite3_file).cast(),
        )
    };
    anyhow::ensure!(rc == ffi::SQLITE_OK, "SQLite's file pointer: error {rc}");
    // SAFETY: `file` came from SQLite above; `pMethods` is null until the file is open,
    // which it is once the connection has read the database (`open` sets the WAL mode).
    let sync = unsafe { file.as_ref() }
        .and_then(|f| unsafe { f.pMethods.as_ref() })
        .and_then(|methods| methods.xSync)
        .context("SQLite has no open database file to sync")?;
    // SAFETY: the VFS's own sync of its own open file, on the thread that owns `conn`.
    let rc = unsafe { sync(file, ffi::SQLITE_SYNC_NORMAL) };
    anyhow::ensure!(rc == ffi::SQLITE_OK, "syncing through SQLite: error {rc}");
    Ok(())
}

/// Copies what it can of the log into the database without waiting for anyone (SQLite's
/// `PASSIVE` mode).
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROBE_PATH: &str = "SWITCHBOARD_LOCK_PROBE_PATH";

    /// Whether another process may take the database at `path` out of WAL mode, which
    /// needs the exclusive lock on the file: runs `lock_probe` in a child process. (In
    /// this process SQLite keeps its own account of every connection's locks, so only
    /// another process sees what the operating system holds.)
    fn another_process_may_leave_wal(path: &Path) -> bool {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::checkpoint::tests::lock_probe",
                "--ignored",
                "--nocapture",
            ])
            .env(PROBE_PATH, path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "the probe failed: {stdout}");
        match (
            stdout.contains("PROBE switched"),
            stdout.contains("PROBE refused"),
        ) {
            (true, false) => true,
            (false, true) => false,
            _ => panic!("the probe did not answer: {stdout}"),
        }
    }

    /// Run by `another_process_may_leave_wal` in a child process, not on its own.
    #[test]
    #[ignore = "a helper run in a child process"]
    fn lock_probe() {
        let path = std::env::var_os(PROBE_PATH).expect("run by another test");
        let conn = Connection::open(path).unwrap();
        match conn.query_row("PRAGMA journal_mode = delete", [], |r| {
            r.get::<_, String>(0)
        }) {
            Ok(mode) if mode == "delete" => println!("PROBE switched"),
            _ => println!("PROBE refused"),
        }
    }

    /// The sync goes through SQLite's own handle: it succeeds, and the locks the
    /// connection holds on the file survive it. (A descriptor of our own, closed after
    /// syncing, would drop every lock this process holds on the file.)
    #[test]
    fn syncing_the_database_file_keeps_the_connections_locks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let syncing = super::super::connection::open(&path).unwrap();
        syncing
            .execute_batch("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)")
            .unwrap();
        // In WAL mode every open connection holds a shared lock on the database file.
        assert!(
            !another_process_may_leave_wal(&path),
            "no lock before the sync"
        );
        sync_database_file(&syncing).unwrap();
        assert!(
            !another_process_may_leave_wal(&path),
            "the connection's lock on the database file was gone after the sync"
        );
        drop(syncing);
        assert!(
            another_process_may_leave_wal(&path),
            "the test's premise: with the connection closed, another process may"
        );
    }
}
