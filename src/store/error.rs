//! The store's own error: what went wrong in terms a caller acts on, whichever of the two
//! SQLite libraries met it. Classified by SQLite's result codes, never by message text.

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer held the database past the busy timeout: retrying later can work.
    #[error("the database is busy")]
    Busy(#[source] anyhow::Error),
    /// A UNIQUE constraint refused the write (the caller knows which).
    #[error("a unique constraint refused the write")]
    Unique(#[source] anyhow::Error),
    /// A FOREIGN KEY constraint refused the write: a row it refers to is gone.
    #[error("a row the write refers to is gone")]
    MissingReference(#[source] anyhow::Error),
    /// The database cannot be written at all now (disk full, the size limit reached, a
    /// read-only file or directory, an I/O error): nothing was written; retrying once the
    /// operator makes room can work.
    #[error("{reason}")]
    Unwritable {
        reason: &'static str,
        #[source]
        cause: anyhow::Error,
    },
    #[error(transparent)]
    Other(anyhow::Error),
}

/// SQLite's primary result codes that the classification needs.
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_CONSTRAINT: i32 = 19;
const SQLITE_READONLY: i32 = 8;
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;

/// What a result code that stops every write means for the operator.
fn unwritable(extended: i32) -> Option<&'static str> {
    match extended & 0xff {
        SQLITE_FULL => Some(
            "the database is full (its disk, or max-database-mib): nothing was stored; \
             retry once there is room",
        ),
        SQLITE_READONLY => Some(
            "the database cannot be written (a read-only file or data directory): \
             nothing was stored",
        ),
        SQLITE_IOERR => {
            Some("the database could not be written (an I/O error): nothing was stored")
        }
        _ => None,
    }
}

/// Why `err` (anything a write returned) means the database cannot be written now, if it
/// does: the SQLite error is looked for along the error's chain of causes.
pub fn unwritable_reason(err: &anyhow::Error) -> Option<&'static str> {
    err.chain().find_map(|cause| {
        if let Some(StoreError::Unwritable { reason, .. }) = cause.downcast_ref::<StoreError>() {
            return Some(*reason);
        }
        let code = if let Some(rusqlite::Error::SqliteFailure(e, _)) =
            cause.downcast_ref::<rusqlite::Error>()
        {
            Some(e.extended_code)
        } else {
            cause
                .downcast_ref::<sqlx::Error>()
                .and_then(|e| e.as_database_error())
                .and_then(|db| db.code())
                .and_then(|c| c.parse::<i32>().ok())
        };
        code.and_then(unwritable)
    })
}
/// Extended codes of SQLITE_CONSTRAINT.
const SQLITE_CONSTRAINT_FOREIGNKEY: i32 = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY: i32 = 1555;
const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;

impl StoreError {
    /// From SQLite's extended result code (`None`: not an SQLite failure).
    fn classify(extended: Option<i32>, cause: anyhow::Error) -> StoreError {
        match extended {
            Some(code) if matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED) => {
                StoreError::Busy(cause)
            }
            Some(SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY) => {
                StoreError::Unique(cause)
            }
            Some(SQLITE_CONSTRAINT_FOREIGNKEY) => StoreError::MissingReference(cause),
            Some(code) if unwritable(code).is_some() => StoreError::Unwritable {
                reason: unwritable(code).unwrap_or_default(),
                cause,
            },
            Some(code) if code & 0xff == SQLITE_CONSTRAINT => StoreError::Other(cause),
            _ => StoreError::Other(cause),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        let code = err
            .as_database_error()
            .and_then(|db| db.code())
            .and_then(|c| c.parse::<i32>().ok());
        StoreError::classify(code, err.into())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        let code = match &err {
            rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code),
            _ => None,
        };
        StoreError::classify(code, err.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Busy(_) => {
                ApiError::Unavailable("the database is busy; retry shortly".into())
            }
            // A conflict the caller expected is checked before `?` (`is_unique_violation`);
            // one that reaches here is a race: a concurrent request changed or deleted what
            // this one had read (e.g. a topic deleted while it was being patched).
            StoreError::Unique(_) => ApiError::Conflict {
                detail: "a concurrent request made the same thing first; nothing was changed"
                    .into(),
                issues: vec![],
            },
            StoreError::MissingReference(_) => ApiError::Conflict {
                detail: "something this request refers to was deleted while it ran; \
                         nothing was changed"
                    .into(),
                issues: vec![],
            },
            StoreError::Unwritable { reason, .. } => ApiError::Unavailable(reason.into()),
            StoreError::Other(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from(err).into()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_classified_by_result_code() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE p (id TEXT PRIMARY KEY);
             CREATE TABLE c (id TEXT UNIQUE, p TEXT REFERENCES p(id));
             INSERT INTO p VALUES ('a'); INSERT INTO c VALUES ('x', 'a');",
        )
        .unwrap();
        let unique = conn
            .execute("INSERT INTO c VALUES ('x', 'a')", [])
            .unwrap_err();
        assert!(matches!(StoreError::from(unique), StoreError::Unique(_)));
        let gone = conn
            .execute("INSERT INTO c VALUES ('y', 'b')", [])
            .unwrap_err();
        assert!(matches!(
            StoreError::from(gone),
            StoreError::MissingReference(_)
        ));

        // A second connection that cannot get the write lock in time.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let first = rusqlite::Connection::open(&path).unwrap();
        first
            .execute_batch("CREATE TABLE t (x); BEGIN IMMEDIATE;")
            .unwrap();
        let second = rusqlite::Connection::open(&path).unwrap();
        second.busy_timeout(std::time::Duration::ZERO).unwrap();
        let busy = second.execute("INSERT INTO t VALUES (1)", []).unwrap_err();
        let busy = StoreError::from(busy);
        assert!(matches!(busy, StoreError::Busy(_)), "{busy:?}");
        assert!(matches!(ApiError::from(busy), ApiError::Unavailable(_)));
    }

    #[tokio::test]
    async fn sqlx_failures_are_classified_alike() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("a.db"))
            .await
            .unwrap();
        let insert = |id: &'static str| async {
            let mut tx = store.begin_write().await.unwrap();
            let done = crate::store::projects::insert(&mut tx, id, "same-name", 0).await;
            tx.commit().await.unwrap();
            done
        };
        insert("p1").await.unwrap();
        let twice = insert("p2").await.unwrap_err();
        assert!(matches!(twice, StoreError::Unique(_)));
        let read_only = sqlx::query("DELETE FROM projects")
            .execute(store.reads())
            .await
            .unwrap_err();
        // A database that refuses writes (here a read-only connection) is a 503 that says so.
        let read_only = StoreError::from(read_only);
        assert!(
            matches!(read_only, StoreError::Unwritable { reason, .. } if reason.contains("read-only")),
            "{read_only:?}"
        );
        assert!(matches!(
            ApiError::from(read_only),
            ApiError::Unavailable(_)
        ));
    }
}
