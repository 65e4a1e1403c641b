//! The `amp.yaml` checks on arbitrary text: every input gets a list of issues (each with
//! a line and column inside the text), never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::reads::manifest::parse_manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = parse_manifest(text);
    // Lines as YAML (and the console's editor) count them: `\r\n`, `\r` and `\n` each end one.
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count();
    for issue in &parsed.issues {
        assert!(issue.line >= 1 && issue.line <= lines + 1, "{issue:?}");
        assert!(issue.column >= 1);
    }
});
