//! Read actions in the client: deploying `amp.yaml`, integrations, installations, the
//! read API, and the node's local record source. Integration and installation shapes are
//! Ampersand's, read leniently (a remote Ampersand API may omit what the node sends).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{Call, Client, Result};
pub use crate::model::read::{Operation, ReadResultAsync, RecordsAccepted};
pub use crate::reads::manifest::{ManifestCheck, ManifestIssue, Severity};

/// An integration as any Ampersand-compatible API sends it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub latest_revision: RevisionInfo,
    /// Node extension.
    #[serde(default)]
    pub read_objects: Vec<crate::model::integration::ReadObjectSummary>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionInfo {
    pub id: String,
    #[serde(default)]
    pub spec_version: Option<String>,
    #[serde(default)]
    pub content: Value,
}

/// An installation as any Ampersand-compatible API sends it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installation {
    pub id: String,
    pub integration_id: String,
    #[serde(default)]
    pub group: Option<GroupInfo>,
    #[serde(default)]
    pub health_status: Option<String>,
    /// Node extension.
    #[serde(default)]
    pub read_objects: Vec<crate::model::installation::ReadObjectState>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInfo {
    pub group_ref: String,
    #[serde(default)]
    pub group_name: Option<String>,
}

/// Which fields of an uploaded record are its ID and its update time (the node's
/// defaults, `id` and `updatedAt`, when None).
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordFields<'a> {
    pub id: Option<&'a str>,
    pub update_time: Option<&'a str>,
}

impl Client {
    /// `PUT …/integrations:batch` with the manifest: what `amp deploy` does.
    pub async fn deploy_integrations(
        &self,
        yaml: &str,
        destructive: bool,
    ) -> Result<Vec<Integration>> {
        let call = Call::new(Method::PUT, self.project_url(&["integrations:batch"]))
            .query("destructive", destructive.then_some("true"))
            .json(&json!({"sourceYaml": yaml}))?;
        self.json(call, "integration list").await
    }

    /// Checks a manifest on the node (destinations included) without deploying it.
    pub async fn validate_manifest(&self, yaml: &str) -> Result<ManifestCheck> {
        let call = Call::new(Method::POST, self.project_url(&["integrations:validate"]))
            .json(&json!({"sourceYaml": yaml}))?;
        self.json(call, "manifest check").await
    }

    pub async fn list_integrations(&self) -> Result<Vec<Integration>> {
        let call = Call::new(Method::GET, self.project_url(&["integrations"]));
        self.json(call, "integration list").await
    }

    pub async fn get_integration(&self, integration: &str) -> Result<Integration> {
        let call = Call::new(
            Method::GET,
            self.project_url(&["integrations", integration]),
        );
        self.json(call, "integration").await
    }

    /// Deletes an integration and its installations.
    pub async fn delete_integration(&self, integration: &str) -> Result<()> {
        let call = Call::new(
            Method::DELETE,
            self.project_url(&["integrations", integration]),
        );
        self.empty(call).await
    }

    /// Installations of one integration (or of the project), of one group when given.
    pub async fn list_installations(
        &self,
        integration: Option<&str>,
        group_ref: Option<&str>,
    ) -> Result<Vec<Installation>> {
        let url = match integration {
            Some(i) => self.project_url(&["integrations", i, "installations"]),
            None => self.project_url(&["installations"]),
        };
        let call = Call::new(Method::GET, url).query("groupRef", group_ref);
        self.json(call, "installation list").await
    }

    /// `POST …/installations` with `{groupRef, config: {content}}` (and node extensions).
    pub async fn create_installation(
        &self,
        integration: &str,
        body: &Value,
    ) -> Result<Installation> {
        let call = Call::new(
            Method::POST,
            self.project_url(&["integrations", integration, "installations"]),
        )
        .json(body)?;
        self.json(call, "installation").await
    }

    pub async fn delete_installation(&self, integration: &str, installation: &str) -> Result<()> {
        let call = Call::new(
            Method::DELETE,
            self.project_url(&["integrations", integration, "installations", installation]),
        );
        self.empty(call).await
    }

    /// Triggers a read of `object` for a group (`read-api.yaml`); the operation's ID.
    pub async fn trigger_read(
        &self,
        integration: &str,
        object: &str,
        group_ref: &str,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<ReadResultAsync> {
        let mut body = json!({"groupRef": group_ref, "mode": "async"});
        if let Some(s) = since {
            body["sinceTimestamp"] = json!(s);
        }
        if let Some(u) = until {
            body["untilTimestamp"] = json!(u);
        }
        let call = Call::new(
            Method::POST,
            self.project_url(&["integrations", integration, "objects", object]),
        )
        .json(&body)?
        .idempotent(false);
        self.json(call, "read operation").await
    }

    pub async fn get_operation(&self, operation: &str) -> Result<Operation> {
        let call = Call::new(Method::GET, self.project_url(&["operations", operation]));
        self.json(call, "operation").await
    }

    /// Adds records (a JSON array or NDJSON, as given) to a group's local source.
    pub async fn add_records(
        &self,
        integration: &str,
        group_ref: &str,
        object: &str,
        body: Vec<u8>,
        fields: RecordFields<'_>,
    ) -> Result<RecordsAccepted> {
        let url = self.project_url(&[
            "integrations",
            integration,
            "groups",
            group_ref,
            "objects",
            object,
            "records",
        ]);
        let mut call = Call::new(Method::POST, url)
            .query("idField", fields.id)
            .query("updateTimeField", fields.update_time);
        call.body = Some(body);
        self.json(call, "records").await
    }

    /// Adds `count` sample records with the manifest's fields to a group's local source.
    pub async fn generate_records(
        &self,
        integration: &str,
        group_ref: &str,
        object: &str,
        count: u64,
        record_bytes: Option<u64>,
    ) -> Result<RecordsAccepted> {
        let url = self.project_url(&[
            "integrations",
            integration,
            "groups",
            group_ref,
            "objects",
            object,
            "records:generate",
        ]);
        let mut body = json!({"count": count});
        if let Some(b) = record_bytes {
            body["recordBytes"] = json!(b);
        }
        let call = Call::new(Method::POST, url).json(&body)?.idempotent(false);
        self.json(call, "records").await
    }
}
