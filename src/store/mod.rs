//! SQLite storage: opening the database, migrations, and one module of queries per table.
//!
//! Two doors: reads go through `Store::reads` (read-only connections), writes through
//! `Store::begin_write` (the writers' turn, `BEGIN IMMEDIATE`) or the dispatcher's writer
//! thread. Query functions take an executor so a handler can group writes into one
//! transaction. Queries are compile-checked (`sqlx::query!`) against `.sqlx/`.

pub mod api_keys;
pub mod backup;
pub mod blobs;
mod checkpoint;
mod columns;
mod connection;
pub mod destinations;
pub mod error;
pub mod inboxes;
pub mod messages;
pub mod meta;
pub mod notifications;
pub mod outbox;
pub mod projects;
pub mod read_progress;
pub mod reader;
pub mod reads;
pub mod retention;
pub mod routes;
pub mod secrets;
pub mod sessions;
pub mod topics;
pub mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The node's database.
#[derive(Clone, Debug)]
pub struct Store {
    /// The door for reads: read-only connections, so SQLite itself refuses a write that
    /// tries to bypass `begin_write`.
    reads: SqlitePool,
    /// One connection for the API's write transactions, so they never wait behind
    /// readers for a connection.
    api_writer: SqlitePool,
    /// The dispatcher's writer thread: publishes, claims, recorded attempts.
    writer: writer::Writer,
    /// Inline point reads on hot paths.
    readers: Arc<reader::Readers>,
    /// Whose turn it is to write: the writer thread's next job or an API transaction.
    /// They take turns here rather than in SQLite's busy handler, whose sleeps (up to
    /// 100 ms) would throttle both.
    turn: Arc<Mutex<()>>,
}

/// What a committed write survives (the `durability` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Durability {
    /// A power cut or an OS crash: every commit is synced to disk before it is answered
    /// (`synchronous = FULL` in WAL mode: one fsync per commit, and a commit holds a whole
    /// group of publishes, so they share it).
    #[default]
    PowerLoss,
    /// Only the node's own process dying (`synchronous = NORMAL`): faster, but a power cut
    /// or an OS crash may roll back the last commits, answered ones included.
    Crash,
}

impl Durability {
    fn synchronous(self) -> SqliteSynchronous {
        match self {
            Durability::PowerLoss => SqliteSynchronous::Full,
            Durability::Crash => SqliteSynchronous::Normal,
        }
    }

    pub(in crate::store) fn pragma(self) -> &'static str {
        match self {
            Durability::PowerLoss => "full",
            Durability::Crash => "normal",
        }
    }
}

/// How the node's settings open the database.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreSettings {
    pub durability: Durability,
    /// The most the database may hold, in MiB: past it, writes fail as a full disk does
    /// (answered 503, nothing stored) until pruning or deletions make room.
    pub max_size_mib: Option<u64>,
}

impl StoreSettings {
    /// SQLite's `max_page_count` for the size limit (pages of SQLite's default 4 KiB).
    fn max_page_count(&self) -> Option<u64> {
        self.max_size_mib.map(|mib| mib * 1024 * 1024 / 4096)
    }
}

impl Store {
    /// Opens (creating if needed) the database file and applies pending migrations, with
    /// every commit surviving power loss.
    pub async fn open(path: &Path) -> anyhow::Result<Store> {
        Self::open_with(path, StoreSettings::default()).await
    }

    /// `open`, with commits as durable as the settings say, and the database as large.
    pub async fn open_with(path: &Path, settings: StoreSettings) -> anyhow::Result<Store> {
        let durability = settings.durability;
        // A damaged database stops the node here, saying so, rather than failing later in
        // some write with "malformed".
        if path.exists() {
            backup::check(path)?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(durability.synchronous())
            .busy_timeout(Duration::from_secs(10))
            // Batched statements spill their statement journals past 64 KiB; keep those
            // in memory rather than in temporary files opened and closed per statement.
            .pragma("temp_store", "memory")
            // In WAL mode a connection drops its whole page cache whenever another one has
            // committed, which here is all the time: read the database file through a
            // memory map instead of pread-and-copy on every miss.
            .pragma("mmap_size", "268435456")
            .foreign_keys(true);
        let options = match settings.max_page_count() {
            Some(pages) => options.pragma("max_page_count", pages.to_string()),
            None => options,
        };
        let pool_of = |size: u32, options: SqliteConnectOptions| {
            SqlitePoolOptions::new()
                .max_connections(size)
                // A file connection does not go stale like a network one; pinging it
                // before each use would double the round trips to SQLite's thread.
                .test_before_acquire(false)
                .connect_with(options)
        };
        let api_writer = pool_of(1, options.clone())
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&api_writer)
            .await
            .context("applying database migrations")?;
        let reads = pool_of(8, options.create_if_missing(false).read_only(true))
            .await
            .context("opening the read connections")?;
        let turn = Arc::new(Mutex::new(()));
        let writer = writer::start(path, turn.clone(), durability, settings.max_page_count())?;
        Ok(Store {
            reads,
            api_writer,
            writer,
            readers: Arc::new(reader::Readers::new(path)),
            turn,
        })
    }
}

pub use error::StoreError;

/// True when `err` is a UNIQUE constraint violation (the caller knows which constraint).
pub fn is_unique_violation(err: &StoreError) -> bool {
    matches!(err, StoreError::Unique(_))
}

/// True when `err` is a FOREIGN KEY violation: a referenced row vanished meanwhile.
pub fn is_foreign_key_violation(err: &StoreError) -> bool {
    matches!(err, StoreError::MissingReference(_))
}

/// A new UUID, time-ordered (v7): new rows' keys then land at the end of their indexes,
/// so a commit writes a few pages instead of one page per random key.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A write transaction on the writer connection (its turn lasts until it ends).
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    // Declared after `tx`: a transaction dropped without commit rolls back before the
    // turn passes on.
    _turn: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}

impl WriteTx {
    /// The transaction's connection, for this module's queries only: outside `store/`
    /// a transaction is a token passed to them, so a second backend can stand behind it.
    pub(in crate::store) fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }
}

impl Store {
    /// The door for reads, for this module's queries. (Writes go through `begin_write`,
    /// or the dispatcher's `writer`; these connections are read-only.)
    pub(in crate::store) fn reads(&self) -> &SqlitePool {
        &self.reads
    }

    /// Closes the API's connections (before the process exits or the directory goes).
    pub async fn close(&self) {
        self.reads.close().await;
        self.api_writer.close().await;
    }

    /// Starts a transaction that writes. `BEGIN IMMEDIATE` takes SQLite's write lock up
    /// front, so a transaction never fails upgrading from reading to writing.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = self.turn.clone().lock_owned().await;
        let tx = match self.api_writer.begin_with("BEGIN IMMEDIATE").await {
            // A transaction SQLite ended by itself (it rolls back on SQLITE_FULL, say)
            // leaves sqlx's connection believing it is still inside it, refusing every
            // BEGIN after: that connection is replaced, so the node recovers once there
            // is room again.
            Err(sqlx::Error::InvalidSavePointStatement) => {
                tracing::warn!("replacing the API's write connection after a failed transaction");
                self.api_writer.acquire().await?.close().await?;
                self.api_writer.begin_with("BEGIN IMMEDIATE").await?
            }
            other => other?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    /// The dispatcher's writer thread.
    pub fn writer(&self) -> &writer::Writer {
        &self.writer
    }

    /// Runs a point read inline (see `store::reader` for when that is right).
    pub(in crate::store) fn read<T>(
        &self,
        query: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.readers.read(query)
    }
}
