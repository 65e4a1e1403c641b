//! Switchboard's core: the notification node (API, storage, secrets, dispatcher) with no
//! dependency on the desktop shell.

pub mod api;
pub mod blobs;
pub mod capture_export;
pub mod client;
pub mod config;
pub mod dispatch;
pub mod error;
pub mod fault;
#[doc(hidden)]
pub mod fuzzing;
pub mod inspect;
pub mod keys;
pub mod metrics;
pub mod model;
pub mod node;
pub mod payload;
pub mod problem;
pub mod reads;
pub mod retention;
pub mod secrets;
pub mod serve_tls;
pub mod sinks;
pub mod store;
pub mod time;
pub mod vault;

/// The global allocator every Switchboard binary declares (through `use_mimalloc!`): under
/// load glibc malloc took ~20 % of the dispatcher's CPU, mimalloc about half of that
/// (bench/README.md).
pub use mimalloc::MiMalloc;

/// Declares mimalloc the binary's global allocator, with its options set before its first
/// allocation: `switchboard::use_mimalloc!();` at the top level of a binary's main.rs.
#[macro_export]
macro_rules! use_mimalloc {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::MiMalloc = $crate::MiMalloc;
        // Run by the loader before any constructor, so before mimalloc initialises itself
        // (which happens at its first allocation, before `main`).
        #[cfg(target_os = "linux")]
        #[used]
        #[link_section = ".preinit_array"]
        static TUNE_ALLOCATOR: extern "C" fn() = $crate::tune_allocator;
    };
}

/// mimalloc's options (see `use_mimalloc!`). By default mimalloc commits each arena it
/// reserves in full (on Linux, where memory is overcommitted): an idle node then held
/// ~16 MiB of touched but unused memory. Committed as it is used instead, an idle node's
/// RSS fell from 45 to ~29 MiB (bench/README.md, the idle node). Set this way the option
/// no longer reads `MIMALLOC_ARENA_EAGER_COMMIT` from the environment.
pub extern "C" fn tune_allocator() {
    // `mi_option_arena_eager_commit` in mimalloc.h (v3, which libmimalloc-sys builds);
    // libmimalloc-sys names no constant for it.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    // SAFETY: before mimalloc's initialisation this only stores the option's value, which
    // its initialisation then keeps.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) }
}
