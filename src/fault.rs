//! Test-only crash points: a test starts the real binary with `SWITCHBOARD_CRASH_AT` set
//! to a point's name, and the process aborts there, as a power cut or `kill -9` would
//! stop it, so the test can check what a restart finds. `name@N` aborts at the point's
//! Nth pass instead of its first (to land in the middle of a long read). Unset, a point
//! costs one environment lookup, and the points sit on rare paths only.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the point to crash at.
pub const CRASH_AT: &str = "SWITCHBOARD_CRASH_AT";

/// Passes through the named point so far (only one point is armed per process).
static PASSES: AtomicU64 = AtomicU64::new(0);

/// Aborts the process if `CRASH_AT` names this point (and, with `@N`, this is its Nth pass).
pub fn crash_point(name: &str) {
    let Some(at) = std::env::var_os(CRASH_AT) else {
        return;
    };
    let at = at.to_string_lossy();
    let (point, nth) = match at.split_once('@') {
        Some((point, n)) => (point, n.parse().unwrap_or(1)),
        None => (at.as_ref(), 1),
    };
    if point == name && PASSES.fetch_add(1, Ordering::AcqRel) + 1 == nth {
        eprintln!("crashing at {name} ({CRASH_AT}={at})");
        std::process::abort();
    }
}
