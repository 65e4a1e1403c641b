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

/// The global allocator every Switchboard binary declares (`#[global_allocator]`): under
/// load glibc malloc took ~20 % of the dispatcher's CPU, mimalloc about half of that
/// (bench/README.md).
pub use mimalloc::MiMalloc;
