//! the notification validator on arbitrary JSON (see switchboard::fuzzing::notification).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::notification(data));
