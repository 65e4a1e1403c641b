//! The read/subscribe webhook message validator on arbitrary JSON, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::payload::webhook_message::validate_webhook_message;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = validate_webhook_message(&body);
});
