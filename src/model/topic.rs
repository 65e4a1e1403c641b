//! Topics: named channels that event types route into and destinations subscribe to.

use super::event_type::EventType;
use super::requests::{CreateTopicRequest, RequestBody, UpdateTopicRequest};
use super::route::parse_event_type;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{kind_of, Fields, Issues};
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

/// Reads a topic's create body: `name`, and optionally `eventTypes` and `destinationIds`.
pub fn parse_create_topic(body: &Map<String, Value>) -> Result<CreateTopicRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(CreateTopicRequest::FIELDS, &mut issues, "a topic");
    let name = read_name(&fields, true, &mut issues);
    let event_types = read_event_types(&fields, &mut issues);
    let destination_ids = read_destination_ids(&fields, &mut issues);
    issues.finish(CreateTopicRequest {
        name: name.unwrap_or_default(),
        event_types,
        destination_ids,
    })
}

/// Reads a topic's update body: any of `name`, `eventTypes`, `destinationIds`, at least one.
pub fn parse_update_topic(body: &Map<String, Value>) -> Result<UpdateTopicRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(UpdateTopicRequest::FIELDS, &mut issues, "a topic");
    let update = UpdateTopicRequest {
        name: read_name(&fields, false, &mut issues),
        event_types: read_event_types(&fields, &mut issues),
        destination_ids: read_destination_ids(&fields, &mut issues),
    };
    if issues.is_empty()
        && update.name.is_none()
        && update.event_types.is_none()
        && update.destination_ids.is_none()
    {
        issues.add(
            "name",
            None,
            "give at least one of name, eventTypes and destinationIds",
        );
    }
    issues.finish(update)
}

fn read_name(fields: &Fields, required: bool, issues: &mut Issues) -> Option<String> {
    let name = fields.string("name", required, issues)?;
    if let Some(why) = check_name(&name, TOPIC_NAME_MAX) {
        issues.add("name", Some(&Value::String(name.clone())), why);
    }
    Some(name)
}

/// A list of strings under `key`, each one checked by `read`; duplicates are refused, so a
/// list means a set.
fn read_list<T: PartialEq>(
    fields: &Fields,
    key: &str,
    issues: &mut Issues,
    read: impl Fn(&str) -> Result<T, String>,
) -> Option<Vec<T>> {
    let raw = fields.raw(key)?;
    let Some(items) = raw.as_array() else {
        issues.add(
            key,
            Some(raw),
            format!("must be an array, not {}", kind_of(raw)),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let Some(text) = item.as_str() else {
            issues.add(
                path,
                Some(item),
                format!("must be a string, not {}", kind_of(item)),
            );
            continue;
        };
        match read(text) {
            Ok(value) if out.contains(&value) => {
                issues.add(path, Some(item), "is listed twice");
            }
            Ok(value) => out.push(value),
            Err(why) => issues.add(path, Some(item), why),
        }
    }
    Some(out)
}

fn read_event_types(fields: &Fields, issues: &mut Issues) -> Option<Vec<EventType>> {
    read_list(fields, "eventTypes", issues, parse_event_type)
}

fn read_destination_ids(fields: &Fields, issues: &mut Issues) -> Option<Vec<String>> {
    read_list(fields, "destinationIds", issues, |id| match id.trim() {
        "" => Err("must not be empty".to_string()),
        _ => Ok(id.to_string()),
    })
}
