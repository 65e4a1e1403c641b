//! Read actions (issue #23, in progress): the `amp.yaml` manifest, installations, the read
//! scheduler and the read-result message builder will live here. So far: the manifest's
//! checks (`manifest`) and the schedule rule (`schedule`).

pub mod manifest;
pub mod schedule;
