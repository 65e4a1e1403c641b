//! Projects: the namespace every destination, topic and route lives in.

use super::requests::{NameRequest, RequestBody};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{Fields, Issues};
use super::names::{check_name, PROJECT_NAME_MAX};
use crate::error::ApiError;

/// The project every node has from its first start.
pub const DEFAULT_PROJECT: &str = "default";

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

pub fn parse_project_name(body: &Map<String, Value>) -> Result<NameRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(NameRequest::FIELDS, &mut issues, "a project");
    let name = fields.string("name", true, &mut issues);
    if let Some(n) = &name {
        if let Some(why) = check_name(n, PROJECT_NAME_MAX) {
            issues.add("name", Some(&Value::String(n.clone())), why);
        }
    }
    issues.finish(NameRequest {
        name: name.unwrap_or_default(),
    })
}
