//! the read/subscribe message validator on arbitrary JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::webhook_message(data));
