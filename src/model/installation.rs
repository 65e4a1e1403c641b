//! Installations (Ampersand's `Installation`, `Config`, `Group`, `Connection`), their
//! requests, and the typed view of a config's read objects.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{kind_of, Fields, Issues};
use super::integration::BackfillSpec;
use super::read::Operation;
use super::requests::RequestBody;
use crate::error::ApiError;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Installation {
    pub id: String,
    pub project_id: String,
    pub integration_id: String,
    pub group: Group,
    /// `healthy` or `unhealthy` (an object's reads paused after failing).
    pub health_status: String,
    /// `success`, `failure` or `in_progress`: the latest operation's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_operation_status: Option<String>,
    pub connection: Connection,
    pub create_time: DateTime<Utc>,
    pub created_by: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub update_time: Option<DateTime<Utc>>,
    pub config: InstallationConfig,
    /// Node extension: each read object's state.
    #[serde(default)]
    pub read_objects: Vec<ReadObjectState>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub group_ref: String,
    pub group_name: String,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consumer {
    pub consumer_ref: String,
    pub consumer_name: String,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
}

/// The connection an installation reads through. Offline, it is the node's local record
/// source for the group (`authScheme: none`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub project_id: String,
    pub provider: String,
    pub group: Group,
    pub consumer: Consumer,
    pub create_time: DateTime<Utc>,
    pub auth_scheme: String,
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallationConfig {
    pub id: String,
    pub revision_id: String,
    pub create_time: DateTime<Utc>,
    pub created_by: String,
    /// `config.yaml#/components/schemas/ConfigContent`.
    #[schema(value_type = Object)]
    pub content: Value,
}

/// Node extension: where one object's reads stand.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadObjectState {
    pub object_name: String,
    pub paused: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pause_note: Option<String>,
    /// `none`, `running` or `done`.
    pub backfill: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_run_time: Option<DateTime<Utc>>,
    /// Scheduled runs that failed in a row.
    pub failed_runs: i64,
    /// Pages an `onRequest` object may still deliver.
    pub page_credit: i64,
    /// The last reads of this object, newest first.
    pub recent_operations: Vec<Operation>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstallationRequest {
    pub group_ref: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connection_id: Option<String>,
    /// Node extension (offline there is no connection to take it from); defaults to groupRef.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group_name: Option<String>,
    /// Node extension; defaults to groupRef.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumer_ref: Option<String>,
    /// Node extension; defaults to consumerRef.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumer_name: Option<String>,
    pub config: CreateConfig,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateConfig {
    #[schema(value_type = Object)]
    pub content: Value,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created_by: Option<String>,
    /// Deprecated by Ampersand: the latest revision is used whatever it says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revision_id: Option<String>,
}

impl RequestBody for CreateInstallationRequest {
    const FIELDS: &'static [&'static str] = &[
        "groupRef",
        "connectionId",
        "groupName",
        "consumerRef",
        "consumerName",
        "config",
    ];
}

const CONFIG_FIELDS: &[&str] = &["content", "createdBy", "revisionId"];

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstallationRequest {
    /// `connectionId`, `config.createdBy`, `config.content.read.objects.<objectName>`,
    /// `config.content.write.objects[.<objectName>]`, `config.content.subscribe.objects[.<objectName>]`,
    /// `config.content.proxy.enabled`.
    pub update_mask: Vec<String>,
    #[schema(value_type = Object)]
    pub installation: Value,
}

impl RequestBody for UpdateInstallationRequest {
    const FIELDS: &'static [&'static str] = &["updateMask", "installation"];
}

/// A create body, field by field (the content is checked against the manifest later).
pub fn parse_create_installation(
    body: &Map<String, Value>,
) -> Result<CreateInstallationRequest, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        CreateInstallationRequest::FIELDS,
        &mut issues,
        "an installation",
    );
    let group_ref = fields.string("groupRef", true, &mut issues);
    if group_ref.as_deref().is_some_and(|g| g.trim().is_empty()) {
        issues.add("groupRef", body.get("groupRef"), "must not be empty");
    }
    let connection_id = fields.string("connectionId", false, &mut issues);
    let group_name = fields.string("groupName", false, &mut issues);
    let consumer_ref = fields.string("consumerRef", false, &mut issues);
    let consumer_name = fields.string("consumerName", false, &mut issues);
    let mut config = None;
    if let Some(c) = fields.object("config", true, &mut issues) {
        c.reject_unknown(CONFIG_FIELDS, &mut issues, "an installation config");
        let created_by = c.string("createdBy", false, &mut issues);
        let revision_id = c.string("revisionId", false, &mut issues);
        if c.object("content", true, &mut issues).is_some() {
            config = Some(CreateConfig {
                content: c.raw("content").cloned().unwrap_or_default(),
                created_by,
                revision_id,
            });
        }
    }
    issues.finish(())?;
    Ok(CreateInstallationRequest {
        group_ref: group_ref.unwrap_or_default(),
        connection_id,
        group_name,
        consumer_ref,
        consumer_name,
        config: config.expect("checked above"),
    })
}

/// One accepted `updateMask` path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaskPath {
    ConnectionId,
    CreatedBy,
    /// `config.content.<action>.objects.<object>` (or the whole map when `None`).
    Objects {
        action: String,
        object: Option<String>,
    },
    ProxyEnabled,
}

/// A patch body: the mask's paths, each with its value in `installation`.
pub fn parse_update_installation(
    body: &Map<String, Value>,
) -> Result<(Vec<MaskPath>, Map<String, Value>), ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(
        UpdateInstallationRequest::FIELDS,
        &mut issues,
        "an installation update",
    );
    let installation = fields.object("installation", true, &mut issues);
    let mut paths = Vec::new();
    match fields.raw("updateMask") {
        None => issues.add("updateMask", None, "is required"),
        Some(Value::Array(items)) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let name = format!("updateMask[{i}]");
                let Some(path) = item.as_str() else {
                    issues.add(
                        name,
                        Some(item),
                        format!("must be a string, not {}", kind_of(item)),
                    );
                    continue;
                };
                match parse_mask_path(path) {
                    Some(p) => paths.push((name, path.to_string(), p)),
                    None => issues.add(
                        name,
                        Some(item),
                        "is not an update mask path: use connectionId, config.createdBy, config.content.read.objects.<objectName>, config.content.write.objects[.<objectName>], config.content.subscribe.objects[.<objectName>] or config.content.proxy.enabled",
                    ),
                }
            }
        }
        Some(other) => issues.add(
            "updateMask",
            Some(other),
            "must be a non-empty list of field paths",
        ),
    }
    let installation = installation.map(|_| {
        body.get("installation")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    });
    if let Some(inst) = &installation {
        for (name, path, _) in &paths {
            if lookup(inst, path).is_none() {
                issues.add(
                    name.clone(),
                    Some(&Value::String(path.clone())),
                    format!("has no value at installation.{path}"),
                );
            }
        }
    }
    // A bad mask is a 400, as Ampersand answers it.
    if !issues.is_empty() {
        return Err(ApiError::Malformed {
            detail: "the update mask or the installation is invalid".into(),
            issues: issues.0,
        });
    }
    Ok((
        paths.into_iter().map(|(_, _, p)| p).collect(),
        installation.unwrap_or_default(),
    ))
}

fn parse_mask_path(path: &str) -> Option<MaskPath> {
    match path {
        "connectionId" => return Some(MaskPath::ConnectionId),
        "config.createdBy" => return Some(MaskPath::CreatedBy),
        "config.content.proxy.enabled" => return Some(MaskPath::ProxyEnabled),
        _ => {}
    }
    let rest = path.strip_prefix("config.content.")?;
    let (action, rest) = rest.split_once(".objects")?;
    if !matches!(action, "read" | "write" | "subscribe") {
        return None;
    }
    match rest {
        "" if action != "read" => Some(MaskPath::Objects {
            action: action.into(),
            object: None,
        }),
        _ => {
            let object = rest.strip_prefix('.')?;
            (!object.is_empty() && !object.contains('.')).then(|| MaskPath::Objects {
                action: action.into(),
                object: Some(object.into()),
            })
        }
    }
}

/// The value at a dotted path of `root`.
pub fn lookup<'a>(root: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut at = root.get(parts.next()?)?;
    for part in parts {
        at = at.as_object()?.get(part)?;
    }
    Some(at)
}

/// A config's content, typed as far as reads use it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigContent {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub read: Option<ReadConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReadConfig {
    #[serde(default)]
    pub objects: BTreeMap<String, ReadConfigObject>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadConfigObject {
    #[serde(default)]
    pub object_name: String,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub selected_fields: BTreeMap<String, bool>,
    /// `mapToName` → provider field.
    #[serde(default)]
    pub selected_field_mappings: BTreeMap<String, String>,
    #[serde(default)]
    pub selected_fields_auto: Option<String>,
    #[serde(default)]
    pub backfill: Option<BackfillSpec>,
}
