//! What each fuzz target checks, one function per target in `fuzz/fuzz_targets/`, here so
//! that `tests/fuzz_seeds.rs` replays the committed seed inputs through exactly the same
//! checks in every test run (cargo-fuzz itself runs them by the million; see
//! `tests/fuzz/README.md`). Each function must never panic, whatever the bytes.

use serde_json::{Map, Value};

use crate::inspect::{inspect as inspect_payload, NamedSecret};

/// `inspect` on arbitrary bytes; the first bytes up to a NUL give the signature headers
/// (one per line) and a signing secret.
pub fn inspect(data: &[u8]) {
    let (head, body) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    let head = String::from_utf8_lossy(head);
    let mut parts = head.split('\n');
    let headers: Vec<(String, String)> = [
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "svix-id",
    ]
    .iter()
    .filter_map(|name| parts.next().map(|v| (name.to_string(), v.to_string())))
    .collect();
    let secrets: Vec<NamedSecret> = parts
        .next()
        .map(|s| NamedSecret {
            label: "fuzz".into(),
            secret: s.to_string(),
        })
        .into_iter()
        .collect();
    let report = inspect_payload(body, &headers, &secrets, 1_700_000_000);
    assert_eq!(report.size, body.len());
}

/// The amp.yaml checks: every issue's line and column lie inside the text.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = crate::reads::manifest::parse_manifest(text);
    // Lines as YAML (and the console's editor) count them: `\r\n`, `\r` and `\n` each end one.
    let lines = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .count();
    for issue in &parsed.issues {
        assert!(issue.line >= 1 && issue.line <= lines + 1, "{issue:?}");
        assert!(issue.column >= 1);
    }
}

/// The notification validator: valid, or at least one issue.
pub fn notification(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Err(issues) = crate::payload::notification::validate_notification(&body) {
        assert!(!issues.is_empty());
    }
}

/// The read/subscribe message validator.
pub fn webhook_message(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = crate::payload::webhook_message::validate_webhook_message(&body);
}

/// The Kinesis PutRecords answer parser: always one result per record sent.
pub fn kinesis_response(data: &[u8]) {
    let Some((&head, body)) = data.split_first() else {
        return;
    };
    let status = [200u16, 400, 500, 503][usize::from(head % 4)];
    let count = usize::from(head / 4 % 8) + 1;
    let status = reqwest::StatusCode::from_u16(status).expect("a valid status");
    let results = crate::sinks::kinesis::api::results_of(status, body, None, count);
    assert_eq!(results.len(), count);
}

/// Every request body's reader (what the JSON extractor hands each handler): the first
/// byte picks the reader, the rest is the body. A refusal must name at least one field or
/// say why the body as a whole is wrong.
pub fn request_bodies(data: &[u8]) {
    use crate::model::{
        destination, inbox, installation, integration, project, read, route, topic,
    };
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let body: &Map<String, Value> = &body;
    let refused = match which % 18 {
        0 => destination::parse_create(body).err(),
        1 => destination::parse_update(
            body,
            destination::DestinationType::Webhook,
            "d",
            &destination::DestinationMetadata::default(),
            &[],
            None,
        )
        .err(),
        2 => topic::parse_create_topic(body).err(),
        3 => topic::parse_update_topic(body).err(),
        4 => route::parse_event_topic_route(body).err(),
        5 => route::parse_topic_destination_route(body).err(),
        6 => project::parse_project_name(body).err(),
        7 => inbox::parse_create_inbox(body).err(),
        8 => inbox::parse_update_inbox(body).err(),
        9 => inbox::parse_replay(body).err(),
        10 => crate::inspect::request::parse_inspect(body).err(),
        11 => crate::inspect::request::parse_diff(body).err(),
        12 => integration::parse_deploy(body).err(),
        13 => installation::parse_create_installation(body).err(),
        14 => installation::parse_update_installation(body).err(),
        15 => read::parse_read_request(body).err(),
        16 => read::parse_pause(body).err(),
        _ => read::parse_generate(body).err(),
    };
    if let Some(error) = refused {
        let problem = error.to_problem();
        assert!((400..500).contains(&problem.status), "{problem:?}");
        assert!(!problem.detail.is_empty());
    }
}

/// Download-link checks: the `expires`/`signature` query values as sent, then the
/// signature. Input: id, expires and signature separated by newlines. Only a link this
/// node signed, before it expires, is let through.
pub fn blob_link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (id, expires, signature) = (parts.next(), parts.next(), parts.next());
    let signer = crate::blobs::LinkSigner::new(b"fuzzing key, fixed");
    let now = 1_700_000_000;
    let Ok((expires, signature)) = crate::blobs::link_parts(expires, signature) else {
        return;
    };
    let id = id.unwrap_or_default();
    let verdict = signer.verify(id, expires, signature, now);
    let genuine = signer.signature(id, expires);
    if verdict.is_ok() {
        assert!(
            signature.eq_ignore_ascii_case(&genuine) && expires >= now,
            "a forged or expired link was let through"
        );
    }
    // And the genuine signature of the same link passes exactly while it is valid.
    assert_eq!(
        signer.verify(id, expires, &genuine, now).is_ok(),
        expires >= now
    );
}
