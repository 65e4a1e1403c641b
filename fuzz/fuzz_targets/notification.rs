//! The notification validator (what `POST …/notifications` runs) on arbitrary JSON: valid
//! or a list of issues, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::payload::notification::validate_notification;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Err(issues) = validate_notification(&body) {
        assert!(!issues.is_empty());
    }
});
