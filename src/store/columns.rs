//! How the model's enums are kept in TEXT columns, for both libraries that read the
//! database (sqlx for the API, rusqlite on the dispatcher's threads): rows carry
//! `DestinationType`, `DestinationStatus`, `MessageStatus` and `EventType`, never strings
//! to compare. (A message keeps its event type as stored, so a type this node does not know
//! can be shown and refused rather than fail the read.)
//! A value the code does not know fails the read loudly instead of being guessed.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, Type};

use crate::model::message::MessageStatus;
use crate::model::{DestinationStatus, DestinationType, EventType};

/// Implements the column traits for an enum, kept as the text `$to` gives and read back
/// by `$from` (by default its wire spelling, `as_str()` and `parse()`).
macro_rules! text_column {
    ($enum:ty, $what:literal) => {
        text_column!($enum, $what, <$enum>::as_str, <$enum>::parse);
    };
    ($enum:ty, $what:literal, $to:expr, $from:expr) => {
        impl Type<Sqlite> for $enum {
            fn type_info() -> SqliteTypeInfo {
                <str as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <str as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $enum {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Sqlite>>::decode(value)?;
                $from(text).ok_or_else(|| format!("'{text}' is not a {}", $what).into())
            }
        }

        impl<'q> Encode<'q, Sqlite> for $enum {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Sqlite>>::encode($to(self), buf)
            }
        }

        impl FromSql for $enum {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $from(text).ok_or_else(|| {
                    FromSqlError::Other(format!("'{text}' is not a {}", $what).into())
                })
            }
        }

        impl ToSql for $enum {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from($to(self)))
            }
        }
    };
}

text_column!(DestinationType, "destination type");
text_column!(DestinationStatus, "destination status");
text_column!(
    MessageStatus,
    "message status",
    message_status_text,
    message_status_from_text
);

/// A message waiting for its retry is `retrying` on the wire but `failed` in the
/// database: the column's CHECK constraint predates the name, and SQLite cannot change a
/// CHECK without rebuilding the table (whose `ON DELETE CASCADE` children a rebuild would
/// empty). The SQL that selects waiting rows says `'failed'` accordingly.
fn message_status_text(status: &MessageStatus) -> &'static str {
    match status {
        MessageStatus::Retrying => "failed",
        other => other.as_str(),
    }
}

fn message_status_from_text(text: &str) -> Option<MessageStatus> {
    match text {
        "failed" => Some(MessageStatus::Retrying),
        "retrying" => None,
        other => MessageStatus::parse(other),
    }
}
text_column!(EventType, "notification type");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_unknown_ones_fail_the_read() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('paused'), ('gone')")
            .unwrap();
        let mut statement = conn.prepare("SELECT s FROM t ORDER BY rowid").unwrap();
        let read: Vec<rusqlite::Result<DestinationStatus>> =
            statement.query_map([], |r| r.get(0)).unwrap().collect();
        assert_eq!(read[0].as_ref().unwrap(), &DestinationStatus::Paused);
        assert!(read[1].as_ref().unwrap_err().to_string().contains("'gone'"));
        let back: String = conn
            .query_row("SELECT ?1", [MessageStatus::Exhausted], |r| r.get(0))
            .unwrap();
        assert_eq!(back, "exhausted");
        let retrying: String = conn
            .query_row("SELECT ?1", [MessageStatus::Retrying], |r| r.get(0))
            .unwrap();
        assert_eq!(retrying, "failed", "the CHECK constraint's spelling");
        let read: MessageStatus = conn.query_row("SELECT 'failed'", [], |r| r.get(0)).unwrap();
        assert_eq!(read, MessageStatus::Retrying);
    }
}
