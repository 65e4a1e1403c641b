//! inspect on arbitrary bytes (see switchboard::fuzzing::inspect).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::inspect(data));
