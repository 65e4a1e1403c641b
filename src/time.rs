//! Time as the store keeps it (Unix milliseconds) and as the API shows it (RFC 3339), and
//! the clock a node reads it from.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// The system clock's time (for what is not a node's to decide: log lines, fresh IDs).
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Where a node reads the time for what depends on it: retry due times and the failure
/// clock that disables webhooks, signing-key grace periods, download-link expiry, sessions
/// and idempotency windows. The system clock by default; a test moves a manual one
/// instead of sleeping through a span. (Waiting for a due time still takes real time: a
/// manual clock makes things due when it is moved, and whoever moves it wakes the node.)
#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// Stands still until `advance`d.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock standing at the system's time now.
    pub fn manual() -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(now_ms())))
    }

    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => now_ms(),
            Clock::Manual(at) => at.load(Ordering::Acquire),
        }
    }

    /// Moves a manual clock forward (the system clock moves by itself: no-op).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(at) = self {
            at.fetch_add(by.as_millis() as i64, Ordering::AcqRel);
        }
    }
}

pub fn to_datetime(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn to_rfc3339(ms: i64) -> String {
    to_datetime(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = Clock::manual();
        let start = clock.now_ms();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now_ms(), start);
        let copy = clock.clone();
        copy.advance(Duration::from_secs(90));
        assert_eq!(clock.now_ms(), start + 90_000, "clones share the time");
        let system = Clock::System;
        system.advance(Duration::from_secs(3600));
        assert!((system.now_ms() - now_ms()).abs() < 1000);
    }
}
