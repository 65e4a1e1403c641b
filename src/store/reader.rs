//! Point reads on hot paths (API-key checks, project lookups, the claim loop's list of
//! destinations), run inline on the calling thread.
//!
//! Why inline: an indexed lookup takes SQLite microseconds, while a query through sqlx
//! is a round trip to its connection's thread and back through the scheduler, which cost
//! more than the lookup itself and was paid twice per published notification. A read
//! never waits for a writer in WAL mode, so running it on an async worker blocks nothing
//! for longer than the lookup. Anything that scans or may run long goes through sqlx.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

/// Read-only connections, opened as needed and kept for reuse: at most one per thread
/// that reads at the same time, since a read never awaits.
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Readers")
    }
}

impl Readers {
    pub fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `query` on an idle read-only connection.
    pub fn read<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let idle = self.idle.lock().expect("readers").pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = super::connection::open(&self.path)?;
                conn.pragma_update(None, "query_only", true)?;
                conn
            }
        };
        let result = query(&conn);
        self.idle.lock().expect("readers").push(conn);
        result
    }
}
