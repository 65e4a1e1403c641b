//! `GET /v1/event-types`: the 15 notification event types, each with a valid example
//! payload (what the console's Publish page starts from).

use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::model::EventType;
use crate::payload::notification::example_data;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeInfo {
    pub event_type: EventType,
    /// A valid `{notificationType, data}` body for this type.
    pub example: Value,
}

#[utoipa::path(get, path = "/v1/event-types", tag = "Notifications",
    responses((status = 200, body = [EventTypeInfo])))]
pub async fn list_event_types() -> Json<Vec<EventTypeInfo>> {
    Json(
        EventType::ALL
            .iter()
            .map(|t| EventTypeInfo {
                event_type: *t,
                example: json!({"notificationType": t.as_str(), "data": example_data(*t)}),
            })
            .collect(),
    )
}
