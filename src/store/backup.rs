//! Copies of the database: a consistent copy of a running node's database (`VACUUM INTO`
//! reads one snapshot while the node goes on writing), checked and put back while no node
//! runs; and the integrity check a node makes before it starts.

use std::path::Path;

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

/// Writes a consistent copy of the database at `db` to `target` (which must not exist).
/// Returns the copy's size in bytes.
pub fn backup(db: &Path, target: &Path) -> anyhow::Result<u64> {
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    if !db.exists() {
        bail!("there is no database at {}", db.display());
    }
    // Read-write only so that SQLite may use the running node's shared-memory index;
    // `VACUUM INTO` never writes the source.
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .with_context(|| format!("opening {}", db.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target_text = target
        .to_str()
        .context("the backup file's path is not UTF-8")?;
    conn.execute("VACUUM INTO ?1", [target_text])
        .with_context(|| format!("copying the database to {}", target.display()))?;
    Ok(std::fs::metadata(target)?.len())
}

/// Checks `file` and puts it in place of the database at `db`. The caller makes sure no
/// node runs on it. The database it replaces is kept beside it as `<db>.before-restore`.
pub fn restore(file: &Path, db: &Path) -> anyhow::Result<()> {
    check(file).with_context(|| format!("{} is not a usable backup", file.display()))?;
    let staged = db.with_extension("db.restoring");
    std::fs::copy(file, &staged).with_context(|| format!("copying {}", file.display()))?;
    std::fs::File::open(&staged)?.sync_all()?;
    if db.exists() {
        // The old database's log goes with it: a WAL left beside the restored file would
        // be replayed into it.
        let kept = db.with_extension("db.before-restore");
        checkpoint(db)?;
        std::fs::rename(db, &kept)?;
    }
    for suffix in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(db.with_extension(suffix));
    }
    std::fs::rename(&staged, db)?;
    Ok(())
}

/// Folds a database's log into it (so the file alone is the whole database).
fn checkpoint(db: &Path) -> anyhow::Result<()> {
    let conn = Connection::open(db)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// `PRAGMA quick_check`: an error saying what is wrong unless it answers `ok` (a database
/// too broken to be checked at all is damaged too).
pub fn check(db: &Path) -> anyhow::Result<()> {
    let findings = (|| -> rusqlite::Result<Vec<String>> {
        let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let mut statement = conn.prepare("PRAGMA quick_check")?;
        let rows = statement.query_map([], |r| r.get(0))?;
        rows.collect()
    })();
    match findings {
        Ok(findings) if findings == ["ok"] => Ok(()),
        Ok(findings) => bail!(
            "the database {} is damaged (SQLite's quick_check: {})",
            db.display(),
            findings.join("; ")
        ),
        Err(e) => bail!("the database {} is damaged (SQLite: {e})", db.display()),
    }
}
