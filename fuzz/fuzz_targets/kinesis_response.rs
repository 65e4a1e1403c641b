//! The PutRecords answer parser on arbitrary bodies and statuses: one result per record
//! sent, whatever Kinesis (or something pretending to be it) answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::sinks::kinesis::api::results_of;

fuzz_target!(|data: &[u8]| {
    let Some((&head, body)) = data.split_first() else { return };
    let status = [200u16, 400, 500, 503][usize::from(head % 4)];
    let count = usize::from(head / 4 % 8) + 1;
    let status = reqwest::StatusCode::from_u16(status).unwrap();
    let results = results_of(status, body, None, count);
    assert_eq!(results.len(), count);
});
