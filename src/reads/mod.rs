//! Read actions: the `amp.yaml` manifest (`manifest`, `schedule`), what one read needs
//! (`context`), packing records into webhook messages (`pack`), the runner that reads and
//! schedules (`runner`), installation config checks (`config_check`) and the sample
//! record generator (`generate`). Finished messages go to the same outbox as
//! notifications (`Dispatcher::commit_with_messages`).

pub mod config_check;
pub mod context;
pub mod generate;
pub mod lifecycle;
pub mod manifest;
pub mod pack;
pub mod runner;
pub mod schedule;
