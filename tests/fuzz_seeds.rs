//! Every fuzz target's seed inputs (`fuzz/seeds/<target>/`, committed: hand-written cases,
//! past crashes and a sample of what cargo-fuzz found), replayed through the very checks the
//! targets run (`switchboard::fuzzing`). The long runs are cargo-fuzz's
//! (`tests/fuzz/README.md`); this keeps every target exercised on its corpus in each test run.

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("inspect", switchboard::fuzzing::inspect),
    ("manifest", switchboard::fuzzing::manifest),
    ("notification", switchboard::fuzzing::notification),
    ("webhook_message", switchboard::fuzzing::webhook_message),
    ("kinesis_response", switchboard::fuzzing::kinesis_response),
    ("request_bodies", switchboard::fuzzing::request_bodies),
    ("blob_link", switchboard::fuzzing::blob_link),
];

#[test]
fn every_target_survives_its_seed_corpus() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for (name, check) in TARGETS {
        let dir = seeds.join(name);
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&input));
            assert!(outcome.is_ok(), "{name} failed on {}", path.display());
            count += 1;
        }
        assert!(count >= 10, "{name} has only {count} seeds");
    }
}
