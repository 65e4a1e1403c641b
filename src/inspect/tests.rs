use serde_json::json;

use super::*;
use crate::payload::notification::example_data;

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn pointers(r: &InspectReport) -> Vec<&str> {
    r.issues.iter().map(|i| i.pointer.as_str()).collect()
}

#[test]
fn a_valid_notification_of_every_type() {
    for t in EventType::ALL {
        let v = json!({"notificationType": t.as_str(), "data": example_data(t)});
        let r = inspect(&body(&v), &[], &[], 0);
        assert_eq!(r.kind, PayloadKind::Notification, "{t}");
        assert!(r.issues.is_empty(), "{t}: {:?}", r.issues);
        assert_eq!(r.notification_type.as_deref(), Some(t.as_str()));
        assert!(r.summary.contains("valid"), "{}", r.summary);
    }
}

#[test]
fn notification_issues_are_json_pointers_with_the_invariants() {
    let mut data = example_data(EventType::InstallationCreated);
    data["configURL"] = json!("https://x.example/c");
    data["lastConfig"] = json!({});
    data.as_object_mut().unwrap().remove("installationId");
    let v = json!({"notificationType": "installation.created", "data": data});
    let r = inspect(&body(&v), &[], &[], 0);
    let got = pointers(&r);
    for want in [
        "/data/installationId",
        "/data/configURL",
        "/data/lastConfig",
    ] {
        assert!(got.contains(&want), "{want} in {got:?}");
    }
}

#[test]
fn other_kinds_are_told_apart() {
    let kinesis = json!({"data": example_data(EventType::ConnectionCreated),
        "metadata": {"notificationType": "connection.created", "messageId": "m", "projectId": "p",
                     "createTime": "2026-01-01T00:00:00Z"}});
    let r = inspect(&body(&kinesis), &[], &[], 0);
    assert_eq!(
        (r.kind, r.issues.len()),
        (PayloadKind::KinesisRecord, 0),
        "{r:?}"
    );
    let mut bad = kinesis.clone();
    bad["metadata"]["notificationType"] = json!("connection.made");
    assert_eq!(
        pointers(&inspect(&body(&bad), &[], &[], 0)),
        ["/metadata/notificationType"]
    );

    let read = json!({"action": "read", "projectId": "p", "provider": "salesforce", "groupRef": "g",
        "groupName": "G", "installationId": "i", "installationUpdateTime": "2026-01-01T00:00:00Z",
        "objectName": "account", "consumerRef": "c", "consumerName": "C", "readType": "backfill",
        "resultInfo": {"type": "inline", "numRecords": 1}, "result": []});
    let r = inspect(&body(&read), &[], &[], 0);
    assert_eq!(r.kind, PayloadKind::ReadResult);
    assert_eq!(pointers(&r), ["/resultInfo/numRecords"]);
    let mut subscribe = read.clone();
    subscribe.as_object_mut().unwrap().remove("readType");
    subscribe["result"] = json!([{"subscribeEventType": "create", "fields": {}}]);
    let r = inspect(&body(&subscribe), &[], &[], 0);
    assert_eq!(
        (r.kind, r.issues.len()),
        (PayloadKind::SubscribeMessage, 0),
        "{r:?}"
    );

    assert_eq!(
        inspect(br#"{"hello": 1}"#, &[], &[], 0).kind,
        PayloadKind::Json
    );
}

#[test]
fn bad_bodies_get_clear_results() {
    let r = inspect(b"", &[], &[], 0);
    assert_eq!(r.kind, PayloadKind::Empty);
    let r = inspect(b"{\n  \"a\": 1,\n  oops\n}", &[], &[], 0);
    assert_eq!(r.kind, PayloadKind::NotJson);
    let e = r.parse_error.unwrap();
    assert_eq!((e.line, e.column, e.offset), (3, 3, 14), "{e:?}"); // the `o` of oops
    let r = inspect(b"{\"a\": \"\xff\"}", &[], &[], 0);
    assert_eq!(r.parse_error.unwrap().offset, 7);
    let deep = "[".repeat(100_000);
    let r = inspect(deep.as_bytes(), &[], &[], 0);
    assert!(r.parse_error.unwrap().message.contains("nested deeper"));
    let big = json!({"notificationType": "connection.created",
        "data": {"pad": "x".repeat(400_000)}});
    let r = inspect(&body(&big), &[], &[], 0);
    assert!(r
        .issues
        .iter()
        .any(|i| i.pointer.is_empty() && i.message.contains("300 KB")));
}

#[test]
fn an_installation_update_says_what_changed_in_its_config() {
    let mut data = example_data(EventType::InstallationUpdated);
    let before = json!({"content": {"read": {"objects": {
        "account": {"objectName": "account", "selectedFields": {"name": true}, "schedule": "*/10 * * * *"}}}}});
    let after = json!({"content": {"read": {"objects": {
        "account": {"objectName": "account", "selectedFields": {"name": true, "industry": true},
                    "schedule": "*/5 * * * *"},
        "contact": {"objectName": "contact"}}}}});
    data["lastConfig"] = before;
    data["config"] = after;
    let v = json!({"notificationType": "installation.updated", "data": data});
    let r = inspect(&body(&v), &[], &[], 0);
    let summary = r.config_diff.expect("a config diff").summary;
    assert_eq!(
        summary,
        [
            "schedule changed: account",
            "field selected: account.industry",
            "object added: contact"
        ]
    );
}
