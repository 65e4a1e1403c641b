//! download-link checks on arbitrary query values (see switchboard::fuzzing::blob_link).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::blob_link(data));
