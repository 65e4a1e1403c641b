//! Integrations deployed from `amp.yaml` (Ampersand's `Integration` and `Revision`), the
//! manifest's read objects as the node uses them, and the deploy request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::input::{Fields, Issues};
use super::requests::RequestBody;
use crate::error::ApiError;

/// An integration and its latest revision.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub provider: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub latest_revision: Revision,
    /// Node extension: each read object with its destination and its next three runs.
    #[serde(default)]
    pub read_objects: Vec<ReadObjectSummary>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    pub id: String,
    pub spec_version: String,
    pub create_time: DateTime<Utc>,
    /// The manifest's integration (`manifest.yaml#/components/schemas/Integration`).
    #[schema(value_type = Object)]
    pub content: Value,
}

/// A read object of the latest revision, as the console lists it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadObjectSummary {
    pub object_name: String,
    pub destination: String,
    /// The destination's ID when the project has one of that name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination_id: Option<String>,
    pub schedule: String,
    pub next_runs: Vec<DateTime<Utc>>,
    /// `auto` or `onRequest`.
    pub delivery_mode: String,
}

/// `PUT …/integrations:batch` and `POST …/integrations/{id}/revisions`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeployRequest {
    /// The manifest (`amp.yaml`) as text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_yaml: Option<String>,
    /// Not supported by an offline node (a 422 says so).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_zip_url: Option<String>,
}

impl RequestBody for DeployRequest {
    const FIELDS: &'static [&'static str] = &["sourceYaml", "sourceZipUrl"];
}

/// Reads a deploy body: exactly one source, and that one `sourceYaml`.
pub fn parse_deploy(body: &Map<String, Value>) -> Result<String, ApiError> {
    let mut issues = Issues::default();
    let fields = Fields::new(body);
    fields.reject_unknown(DeployRequest::FIELDS, &mut issues, "a deploy request");
    let yaml = fields.string("sourceYaml", false, &mut issues);
    if let Some(url) = fields.raw("sourceZipUrl") {
        issues.add(
            "sourceZipUrl",
            Some(url),
            "a zip of source files cannot be fetched by an offline node; send the manifest as sourceYaml",
        );
    } else if yaml.is_none() && issues.is_empty() {
        issues.add("sourceYaml", None, "is required (or sourceZipUrl)");
    }
    issues.finish(yaml.unwrap_or_default())
}

/// The manifest's integration, typed as far as the node uses it. Unknown keys are kept in
/// the revision's JSON but ignored here (the validator warned of them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestIntegration {
    pub name: String,
    pub provider: String,
    #[serde(default)]
    pub read: Option<ReadSpec>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReadSpec {
    #[serde(default)]
    pub objects: Vec<ReadObjectSpec>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadObjectSpec {
    pub object_name: String,
    pub destination: String,
    pub schedule: String,
    /// The name results are delivered under (`objectName`; the provider's becomes
    /// `rawObjectName`).
    #[serde(default)]
    pub map_to_name: Option<String>,
    #[serde(default)]
    pub required_fields: Vec<FieldSpec>,
    #[serde(default)]
    pub optional_fields: Vec<FieldSpec>,
    #[serde(default)]
    pub optional_fields_auto: Option<String>,
    #[serde(default)]
    pub backfill: Option<BackfillSpec>,
    #[serde(default)]
    pub delivery: Option<DeliverySpec>,
}

/// A field entry: a provider field (`fieldName`) or a mapping the installer fills in
/// (`mapToName`, with the provider field chosen at install time; `default` suggests one).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    #[serde(default)]
    pub field_name: Option<String>,
    #[serde(default)]
    pub map_to_name: Option<String>,
    #[serde(default)]
    pub map_to_display_name: Option<String>,
    #[serde(default)]
    pub default: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackfillSpec {
    #[serde(default)]
    pub default_period: Option<DefaultPeriod>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultPeriod {
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub full_history: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverySpec {
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub page_size: Option<i64>,
}

/// How far back an installation's first read goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackfillWindow {
    /// No backfill: reads start with what changes after the installation.
    None,
    Days(i64),
    FullHistory,
}

impl BackfillSpec {
    pub fn window(&self) -> BackfillWindow {
        match &self.default_period {
            Some(DefaultPeriod {
                full_history: Some(true),
                ..
            }) => BackfillWindow::FullHistory,
            Some(DefaultPeriod {
                days: Some(d @ 1..),
                ..
            }) => BackfillWindow::Days(*d),
            _ => BackfillWindow::None,
        }
    }
}

impl ReadObjectSpec {
    pub fn backfill_window(&self) -> BackfillWindow {
        self.backfill
            .as_ref()
            .map_or(BackfillWindow::None, BackfillSpec::window)
    }

    /// `Some(pageSize)` for an `onRequest` object.
    pub fn page_size(&self) -> Option<i64> {
        let delivery = self.delivery.as_ref()?;
        (delivery.mode.as_deref() == Some("onRequest")).then(|| delivery.page_size.unwrap_or(50))
    }

    /// Every `fieldName` the manifest declares, required ones first.
    pub fn declared_fields(&self) -> impl Iterator<Item = (&str, bool)> {
        let required = self.required_fields.iter().map(|f| (f, true));
        let optional = self.optional_fields.iter().map(|f| (f, false));
        required
            .chain(optional)
            .filter_map(|(f, req)| f.field_name.as_deref().map(|n| (n, req)))
    }

    /// Every `mapToName` the manifest declares, with whether it is required.
    pub fn declared_mappings(&self) -> impl Iterator<Item = (&FieldSpec, bool)> {
        let required = self.required_fields.iter().map(|f| (f, true));
        let optional = self.optional_fields.iter().map(|f| (f, false));
        required
            .chain(optional)
            .filter(|(f, _)| f.map_to_name.is_some())
    }
}
