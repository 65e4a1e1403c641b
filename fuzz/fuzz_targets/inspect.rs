//! `inspect` on arbitrary bytes, with arbitrary signature headers and a secret taken from
//! the input: it must return a report for anything, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::inspect::{inspect, NamedSecret};

fuzz_target!(|data: &[u8]| {
    // The first bytes, up to a NUL, become the headers' values and the secret.
    let (head, body) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    let head = String::from_utf8_lossy(head);
    let mut parts = head.split('\n');
    let headers: Vec<(String, String)> = ["webhook-id", "webhook-timestamp", "webhook-signature", "svix-id"]
        .iter()
        .filter_map(|name| parts.next().map(|v| (name.to_string(), v.to_string())))
        .collect();
    let secrets: Vec<NamedSecret> = parts
        .next()
        .map(|s| NamedSecret { label: "fuzz".into(), secret: s.to_string() })
        .into_iter()
        .collect();
    let report = inspect(body, &headers, &secrets, 1_700_000_000);
    assert_eq!(report.size, body.len());
});
