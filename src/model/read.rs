//! Read operations and the read API's requests (`read-api.yaml`), plus the node's local
//! record source.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{kind_of, Fields, Issues};
use super::requests::RequestBody;
use crate::error::ApiError;
use crate::time::parse_rfc3339;

/// How a read came about (`readType` of its messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReadType {
    Backfill,
    Scheduled,
    Triggered,
}

impl ReadType {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReadType::Backfill => "backfill",
            ReadType::Scheduled => "scheduled",
            ReadType::Triggered => "triggered",
        }
    }

    pub fn parse(s: &str) -> Option<ReadType> {
        [ReadType::Backfill, ReadType::Scheduled, ReadType::Triggered]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Ampersand's `Operation`, for a read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub project_id: String,
    pub integration_id: String,
    pub installation_id: String,
    pub config_id: String,
    /// Always `read` here.
    pub action_type: String,
    /// `success`, `failure` or `in_progress`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result: Option<String>,
    pub metadata: OperationMetadata,
    pub create_time: DateTime<Utc>,
    /// Node extensions.
    pub read_type: ReadType,
    pub messages: i64,
    pub update_time: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationMetadata {
    pub objects: Vec<String>,
    pub progress: BackfillProgress,
}

/// Ampersand's `BackfillProgress` (also an operation's `metadata.progress`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackfillProgress {
    pub installation_id: String,
    pub object_name: String,
    pub operation_id: String,
    pub records_processed: i64,
    /// Known here: the records the read selected.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub records_estimated_total: Option<i64>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

/// `POST …/integrations/{id}/objects/{objectName}`: trigger a read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadRequest {
    #[schema(min_length = 1)]
    pub group_ref: String,
    /// Only `async`.
    #[schema(pattern = "^async$")]
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(format = DateTime)]
    pub since_timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(format = DateTime)]
    pub until_timestamp: Option<String>,
}

impl RequestBody for ReadRequest {
    const FIELDS: &'static [&'static str] =
        &["groupRef", "mode", "sinceTimestamp", "untilTimestamp"];
}

/// A checked trigger: the window in Unix ms.
pub struct TriggeredRead {
    pub group_ref: String,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

pub fn parse_read_request(body: &Map<String, Value>) -> Result<TriggeredRead, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(ReadRequest::FIELDS, &mut issues, "a read request");
    let group_ref = fields.string("groupRef", true, &mut issues);
    match fields.string("mode", true, &mut issues).as_deref() {
        Some("async") | None => {}
        Some(_) => issues.add("mode", body.get("mode"), "must be 'async'"),
    }
    let mut time = |key: &str| {
        let raw = fields.string(key, false, &mut issues)?;
        let parsed = parse_rfc3339(&raw);
        if parsed.is_none() {
            issues.add(key, body.get(key), "must be an RFC 3339 timestamp");
        }
        parsed
    };
    let since = time("sinceTimestamp");
    let until = time("untilTimestamp");
    if let (Some(s), Some(u)) = (since, until) {
        if u <= s {
            issues.add(
                "untilTimestamp",
                body.get("untilTimestamp"),
                "must be after sinceTimestamp",
            );
        }
    }
    issues.finish(TriggeredRead {
        group_ref: group_ref.unwrap_or_default(),
        since,
        until,
    })
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadResultAsync {
    pub operation_id: String,
}

/// `:pause` and `:unpause`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PauseRequest {
    /// The objects to pause (unpause); all when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub objects: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl RequestBody for PauseRequest {
    const FIELDS: &'static [&'static str] = &["objects", "note"];
}

pub fn parse_pause(body: &Map<String, Value>) -> Result<PauseRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(PauseRequest::FIELDS, &mut issues, "a pause request");
    let objects = match fields.raw("objects") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v.as_str() {
                    Some(s) => Some(s.to_string()),
                    None => {
                        issues.add(format!("objects[{i}]"), Some(v), "must be an object name");
                        None
                    }
                })
                .collect(),
        ),
        Some(other) => {
            issues.add(
                "objects",
                Some(other),
                format!("must be a list of object names, not {}", kind_of(other)),
            );
            None
        }
    };
    let note = fields.string("note", false, &mut issues);
    issues.finish(PauseRequest { objects, note })
}

/// `:deliverResults`: let an `onRequest` object deliver this many more pages.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliverResultsRequest {
    pub group_ref: String,
    pub pages: i64,
}

impl RequestBody for DeliverResultsRequest {
    const FIELDS: &'static [&'static str] = &["groupRef", "pages"];
}

pub fn parse_deliver_results(body: &Map<String, Value>) -> Result<DeliverResultsRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        DeliverResultsRequest::FIELDS,
        &mut issues,
        "a deliverResults request",
    );
    let group_ref = fields.string("groupRef", true, &mut issues);
    let pages = match fields.raw("pages") {
        Some(v) => match crate::model::input::whole_number(v) {
            Some(n) if (0..=100_000).contains(&n) => n,
            _ => {
                issues.add("pages", Some(v), "must be a whole number from 0 to 100000");
                0
            }
        },
        None => {
            issues.add("pages", None, "is required");
            0
        }
    };
    issues.finish(DeliverResultsRequest {
        group_ref: group_ref.unwrap_or_default(),
        pages,
    })
}

/// What a records upload stored.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordsAccepted {
    pub object_name: String,
    pub accepted: usize,
}

/// `…/records:generate`: sample records with the manifest's fields.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerateRecordsRequest {
    #[schema(minimum = 1, maximum = 2000000)]
    pub count: u64,
    /// About how large each record is, in bytes (default 300).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(minimum = 1, maximum = 1000000)]
    pub record_bytes: Option<u64>,
}

impl RequestBody for GenerateRecordsRequest {
    const FIELDS: &'static [&'static str] = &["count", "recordBytes"];
}

/// The most records one generate request makes.
pub const GENERATE_MAX: u64 = 2_000_000;
/// The largest record the generator makes.
pub const GENERATE_RECORD_MAX: u64 = 1_000_000;

pub fn parse_generate(body: &Map<String, Value>) -> Result<GenerateRecordsRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        GenerateRecordsRequest::FIELDS,
        &mut issues,
        "a generate request",
    );
    let mut number = |key: &str, required: bool, max: u64| match fields.raw(key) {
        Some(v) => match crate::model::input::whole_number(v).and_then(|n| u64::try_from(n).ok()) {
            Some(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                issues.add(
                    key,
                    Some(v),
                    format!("must be a whole number from 1 to {max}"),
                );
                None
            }
        },
        None => {
            if required {
                issues.add(key, None, "is required");
            }
            None
        }
    };
    let count = number("count", true, GENERATE_MAX);
    let record_bytes = number("recordBytes", false, GENERATE_RECORD_MAX);
    issues.finish(GenerateRecordsRequest {
        count: count.unwrap_or_default(),
        record_bytes,
    })
}
