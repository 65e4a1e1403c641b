//! every request body's reader on arbitrary JSON objects (see switchboard::fuzzing::request_bodies).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::request_bodies(data));
