//! the Kinesis PutRecords answer parser on arbitrary bodies and statuses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| switchboard::fuzzing::kinesis_response(data));
