//! Everything one read of one installation's object needs, gathered from the installation,
//! its config and the integration's latest revision: where results go, on what schedule,
//! which fields, and the notification fields that name the installation.

use serde_json::{json, Map, Value};

use super::pack::{FieldSelection, MessageHeader};
use crate::model::installation::{ConfigContent, ReadConfigObject};
use crate::model::integration::{ManifestIntegration, ReadObjectSpec};
use crate::store::reads::{self, InstallationRow, IntegrationRow, Source};
use crate::store::{Store, StoreError};
use crate::time::to_rfc3339;

#[derive(Clone, Debug)]
pub struct ReadContext {
    pub installation: InstallationRow,
    pub integration: IntegrationRow,
    pub spec: ReadObjectSpec,
    pub config: ReadConfigObject,
}

impl ReadContext {
    /// Loads the context of `object_name` (its provider name) in an installation; None when
    /// the installation, its integration or the object is gone, or the config disables it.
    pub async fn load(
        store: &Store,
        installation_id: &str,
        object_name: &str,
    ) -> Result<Option<ReadContext>, StoreError> {
        let Some(installation) = reads::installation_by_id(store, installation_id).await? else {
            return Ok(None);
        };
        let Some((integration, revision)) = reads::find_integration(
            store,
            &installation.project_id,
            &installation.integration_id,
        )
        .await?
        else {
            return Ok(None);
        };
        let manifest: ManifestIntegration =
            serde_json::from_str(&revision.content).unwrap_or_default();
        let content: ConfigContent = serde_json::from_str(&installation.config).unwrap_or_default();
        let spec = manifest
            .read
            .unwrap_or_default()
            .objects
            .into_iter()
            .find(|o| o.object_name == object_name);
        let config = content
            .read
            .unwrap_or_default()
            .objects
            .into_values()
            .find(|o| o.object_name == object_name && !o.disabled);
        Ok(match (spec, config) {
            (Some(spec), Some(config)) => Some(ReadContext {
                installation,
                integration,
                spec,
                config,
            }),
            _ => None,
        })
    }

    pub fn destination(&self) -> &str {
        self.config
            .destination
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(&self.spec.destination)
    }

    pub fn schedule(&self) -> &str {
        self.config
            .schedule
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.spec.schedule)
    }

    pub fn source(&self) -> Source<'_> {
        Source {
            project_id: &self.installation.project_id,
            provider: &self.integration.provider,
            group_ref: &self.installation.group_ref,
            object_name: &self.spec.object_name,
        }
    }

    /// The fields a message carries: the required fields always, the selected ones, and
    /// every field when the manifest and the config both say `all`.
    pub fn selection(&self) -> FieldSelection {
        let mut fields: Vec<String> = Vec::new();
        for (name, required) in self.spec.declared_fields() {
            if required || self.config.selected_fields.get(name) == Some(&true) {
                fields.push(name.to_string());
            }
        }
        for (name, on) in &self.config.selected_fields {
            if *on && !fields.contains(name) {
                fields.push(name.clone());
            }
        }
        let all = self.spec.optional_fields_auto.as_deref() == Some("all")
            && self.config.selected_fields_auto.as_deref() == Some("all");
        FieldSelection {
            all,
            fields,
            mappings: self
                .config
                .selected_field_mappings
                .iter()
                .map(|(to, from)| (to.clone(), from.clone()))
                .collect(),
        }
    }

    pub fn header(
        &self,
        operation_id: &str,
        operation_time: i64,
        read_type: &'static str,
    ) -> MessageHeader {
        let i = &self.installation;
        let mapped = self.spec.map_to_name.clone().filter(|m| !m.is_empty());
        MessageHeader {
            project_id: i.project_id.clone(),
            provider: self.integration.provider.clone(),
            group_ref: i.group_ref.clone(),
            group_name: i.group_name.clone(),
            installation_id: i.id.clone(),
            installation_update_time: to_rfc3339(i.update_time),
            consumer_ref: i.consumer_ref.clone(),
            consumer_name: i.consumer_name.clone(),
            object_name: mapped
                .clone()
                .unwrap_or_else(|| self.spec.object_name.clone()),
            raw_object_name: mapped.map(|_| self.spec.object_name.clone()),
            operation_id: operation_id.to_string(),
            operation_time: to_rfc3339(operation_time),
            read_type,
        }
    }

    /// The notification fields every installation and read notification starts with.
    pub fn notification_fields(&self) -> Map<String, Value> {
        installation_fields(&self.installation, &self.integration)
    }
}

/// `InstallationFields` of `notifications.yaml`.
pub fn installation_fields(
    i: &InstallationRow,
    integration: &IntegrationRow,
) -> Map<String, Value> {
    let fields = json!({
        "projectId": i.project_id,
        "provider": integration.provider,
        "integrationId": integration.id,
        "integrationName": integration.name,
        "installationId": i.id,
        "groupRef": i.group_ref,
        "groupName": i.group_name,
        "connectionId": i.connection_id,
        "consumerRef": i.consumer_ref,
        "consumerName": i.consumer_name,
    });
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
