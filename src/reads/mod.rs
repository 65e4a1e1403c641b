//! Read actions (issue #23, in progress): the `amp.yaml` manifest, installations, the read
//! scheduler and the read-result message builder will live here. So far: the schedule
//! rule every read object's `schedule` must pass.

pub mod schedule;
