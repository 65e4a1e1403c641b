//! A valid example `data` for each notification type: what the console pre-fills, what a
//! test send carries, and what the tests publish.

use serde_json::{json, Value};

use crate::model::EventType;

/// A valid example `data` object for `event_type`, taken from Ampersand's documented
/// examples (with the elided config parts filled in so they match `ConfigContent`).
pub fn example_data(event_type: EventType) -> Value {
    let installation = || {
        json!({
            "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
            "provider": "salesforce",
            "integrationId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "integrationName": "Salesforce Integration",
            "installationId": "a3bb189e-8bf9-3888-9912-ace4e6543002",
            "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
            "groupRef": "customer-group-ref",
            "groupName": "Customer Name",
            "consumerRef": "user-123",
            "consumerName": "John Doe"
        })
    };
    let connection = || {
        json!({
            "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
            "connectionId": "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
            "provider": "salesforce",
            "groupRef": "customer-group-ref",
            "consumerRef": "user-123",
            "consumerName": "John Doe"
        })
    };
    let config = |destination: &str| {
        json!({
            "provider": "salesforce",
            "read": {
                "objects": {
                    "account": {
                        "objectName": "account",
                        "destination": destination,
                        "schedule": "*/15 * * * *",
                        "selectedFields": { "name": true, "industry": true },
                        "selectedFieldMappings": {}
                    }
                }
            }
        })
    };
    let with = |mut base: Value, extra: Value| {
        if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
            base.extend(extra);
        }
        base
    };

    match event_type.as_str() {
        "installation.created" | "installation.deleted" => {
            with(installation(), json!({ "config": config("my-webhook") }))
        }
        "installation.updated" => with(
            installation(),
            json!({ "config": config("my-webhook"), "lastConfig": config("my-old-webhook") }),
        ),
        "read.schedule.paused" => with(
            installation(),
            json!({ "config": config("my-webhook"), "error": "Authentication failed" }),
        ),
        "read.backfill.done" => with(installation(), json!({ "objectName": "Account" })),
        "read.triggered.done" => with(
            installation(),
            json!({
                "objectName": "Account",
                "fromTimestamp": "2026-01-01T00:00:00Z",
                "untilTimestamp": "2026-01-01T23:59:59Z"
            }),
        ),
        "read.triggered.error" => with(
            installation(),
            json!({
                "objectName": "Account",
                "fromTimestamp": "2026-01-01T00:00:00Z",
                "untilTimestamp": "2026-01-01T23:59:59Z",
                "error": "Authentication failed"
            }),
        ),
        "write.async.done" => with(
            installation(),
            json!({
                "objectName": "Account",
                "success": true,
                "successfulRecordIds": ["provider-record-id-1", "provider-record-id-2"],
                "errors": []
            }),
        ),
        "subscribe.create.error" => with(
            installation(),
            json!({ "error": "Failed to create subscription" }),
        ),
        "connection.error" => with(
            connection(),
            json!({
                "errors": ["Authentication failed", "Token refresh error"],
                "error": ["Authentication failed", "Token refresh error"]
            }),
        ),
        "destination.webhook.disabled" => json!({
            "projectId": "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c",
            "destinationId": "2e8f4c1a-9b3d-4e7f-8a2c-0d1e2f3a4b5c",
            "destinationName": "production-alerts",
            "url": "https://your-webhook.com"
        }),
        // connection.created, .refreshed, .updated and .deleted share `ConnectionData`.
        _ => connection(),
    }
}
