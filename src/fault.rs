//! Test-only crash points: a test starts the real binary with `SWITCHBOARD_CRASH_AT` set
//! to a point's name, and the process aborts there, as a power cut or `kill -9` would
//! stop it, so the test can check what a restart finds. Unset, a point costs one
//! environment lookup, and the points sit on rare paths only.

/// The environment variable naming the point to crash at.
pub const CRASH_AT: &str = "SWITCHBOARD_CRASH_AT";

/// Aborts the process if `CRASH_AT` names this point.
pub fn crash_point(name: &str) {
    if std::env::var_os(CRASH_AT).is_some_and(|at| at == name) {
        eprintln!("crashing at {name} ({CRASH_AT})");
        std::process::abort();
    }
}
