use serde_json::Value;

use super::*;
use crate::error::ApiError;
use crate::model::requests::CreateDestinationRequest;
use serde_json::json;

fn create(v: Value) -> Result<CreateDestinationRequest, Vec<String>> {
    parse_create(v.as_object().unwrap()).map_err(|e| match e {
        ApiError::Invalid { issues } => issues.into_iter().map(|i| i.name).collect(),
        other => panic!("unexpected {other:?}"),
    })
}

#[test]
fn webhook_urls_must_be_https_or_loopback_http() {
    for ok in [
        "https://example.com/h",
        "http://localhost:8080/x",
        "http://127.0.0.9/",
        "http://[::1]:1/",
    ] {
        assert!(
            create(json!({"name":"a","type":"webhook","metadata":{"url":ok}})).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "http://example.com/",
        "ftp://localhost/",
        "not a url",
        "http://10.0.0.1/",
    ] {
        assert_eq!(
            create(json!({"name":"a","type":"webhook","metadata":{"url":bad}})).unwrap_err(),
            vec!["metadata.url"],
            "{bad}"
        );
    }
}

#[test]
fn every_bad_field_is_named() {
    let errs = create(json!({
        "name": "bad name", "type": "webhook",
        "metadata": {"url": 5, "headers": {"X-Ok": "1", "svix-id": "x", "X-Num": 3}, "region": "x"},
        "extra": true
    }))
    .unwrap_err();
    assert_eq!(
        errs,
        vec![
            "extra",
            "name",
            "metadata.region",
            "metadata.url",
            "metadata.headers.X-Num",
            "metadata.headers.svix-id"
        ]
    );
}

#[test]
fn unknown_and_foreign_types_are_rejected_by_name() {
    assert_eq!(
        create(json!({"name":"a","type":"s3","metadata":{}})).unwrap_err(),
        vec!["type"]
    );
    assert_eq!(
        create(json!({"name":"a","type":"pigeon","metadata":{}})).unwrap_err(),
        vec!["type"]
    );
}

#[test]
fn kinesis_needs_stream_region_keys_and_a_valid_template() {
    let errs =
        create(json!({"name":"k","type":"kinesis","metadata":{"partitionKeyTemplate":"data.["}}))
            .unwrap_err();
    assert_eq!(
        errs,
        vec![
            "metadata.streamName",
            "metadata.region",
            "metadata.partitionKeyTemplate",
            "secrets.awsKeyId",
            "secrets.awsSecretKey"
        ]
    );
    let ok = create(json!({"name":"k","type":"kinesis",
        "metadata":{"streamName":"s","region":"us-east-1","partitionKeyTemplate":"data.installationId"},
        "secrets":{"awsKeyId":"AKIA","awsSecretKey":"shh"}}))
    .unwrap();
    assert_eq!(ok.secrets.unwrap().values().len(), 2);
}

#[test]
fn update_mask_applies_and_validates_the_whole() {
    let current = DestinationMetadata {
        url: Some("https://a.example/".into()),
        ..Default::default()
    };
    let body = json!({"updateMask":["metadata.url"],"destination":{"metadata":{"url":"https://b.example/"}}});
    let upd = parse_update(
        body.as_object().unwrap(),
        DestinationType::Webhook,
        "w",
        &current,
        &[],
        None,
    )
    .unwrap();
    assert_eq!(upd.metadata.url.as_deref(), Some("https://b.example/"));
    assert_eq!(upd.name, "w");

    let body = json!({"updateMask":["metadata.url"],"destination":{}});
    let err = parse_update(
        body.as_object().unwrap(),
        DestinationType::Webhook,
        "w",
        &current,
        &[],
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, ApiError::Invalid { issues } if issues[0].name == "destination.metadata.url")
    );

    for mask in ["metadata.bucket", "metadata.nope", "metadata.streamName"] {
        let body = json!({"updateMask":[mask],"destination":{}});
        let err = parse_update(
            body.as_object().unwrap(),
            DestinationType::Webhook,
            "w",
            &current,
            &[],
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ApiError::Invalid { issues } if issues[0].name == "updateMask[0]"),
            "{mask}"
        );
    }
}
