//! Topics: named channels that event types route into and destinations subscribe to.

use super::requests::{NameRequest, RequestBody};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{Fields, Issues};
use super::names::{check_name, TOPIC_NAME_MAX};
use crate::error::ApiError;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Topic {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

/// Reads `{name}` (the body of both create and update).
pub fn parse_topic_name(body: &Map<String, Value>) -> Result<NameRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(NameRequest::FIELDS, &mut issues, "a topic");
    let name = fields.string("name", true, &mut issues);
    if let Some(n) = &name {
        if let Some(why) = check_name(n, TOPIC_NAME_MAX) {
            issues.add("name", Some(&Value::String(n.clone())), why);
        }
    }
    issues.finish(NameRequest {
        name: name.unwrap_or_default(),
    })
}
