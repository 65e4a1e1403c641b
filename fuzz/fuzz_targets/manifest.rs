//! the amp.yaml checks on arbitrary text (see switchboard::fuzzing::manifest).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::manifest(data));
