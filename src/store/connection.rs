//! Opening rusqlite connections to the node's database with the node's settings: the
//! dispatcher's writer, the checkpoint thread and the inline readers all start here.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// Opens a connection with the node's settings.
pub(super) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // The same settings as the sqlx pools (see `Store::open` for why each); the writer
    // sets its own `synchronous` from the node's durability.
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "normal")?;
    conn.pragma_update(None, "foreign_keys", "on")?;
    conn.pragma_update(None, "temp_store", "memory")?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}
