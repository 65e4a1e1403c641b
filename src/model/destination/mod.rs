//! Destinations (webhook, Kinesis, log): their API shape (here), how a create request is
//! read (`create`), how an update mask is applied (`update`), and the checks single fields
//! must pass (`checks`).

mod checks;
mod create;
mod update;

pub use checks::check_endpoint_url;
pub use create::{
    check_required_secrets, parse_create, read_metadata, read_secrets, CREATE_FIELDS,
};
pub use update::{parse_update, DestinationUpdate, UPDATE_FIELDS};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::delivery::DeliveryPolicy;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationType {
    Webhook,
    Kinesis,
    Log,
}

impl DestinationType {
    pub const ALL: [DestinationType; 3] = [Self::Webhook, Self::Kinesis, Self::Log];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Kinesis => "kinesis",
            Self::Log => "log",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The `metadata` fields a destination of this type takes.
    /// The `metadata` fields a destination of this type takes.
    pub fn metadata_fields(&self) -> &'static [&'static str] {
        match self {
            Self::Webhook => &["url", "headers"],
            Self::Kinesis => &[
                "streamName",
                "region",
                "endpointUrl",
                "partitionKeyTemplate",
            ],
            Self::Log => &["path"],
        }
    }

    /// The `secrets` fields a destination of this type takes.
    /// The `secrets` a destination of this type takes.
    pub fn secret_fields(&self) -> &'static [&'static str] {
        match self {
            Self::Webhook => &[],
            Self::Kinesis => &[AWS_KEY_ID, AWS_SECRET_KEY, AWS_SESSION_TOKEN],
            Self::Log => &[],
        }
    }
}

pub const AWS_KEY_ID: &str = "awsKeyId";
pub const AWS_SECRET_KEY: &str = "awsSecretKey";
pub const AWS_SESSION_TOKEN: &str = "awsSessionToken";
/// Name of the webhook signing secret, as `DestinationWithSecrets.secrets` spells it.
pub const WEBHOOK_SIGNING_KEY: &str = "webhookSigningKey";
pub const WEBHOOK_SIGNING_KEY_PREVIOUS: &str = "previousWebhookSigningKey";

/// The flat `metadata` object of Ampersand's `Destination`; which fields are set depends on the type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key_template: Option<String>,
    /// Log destinations: the `.jsonl` file messages are appended to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Whether a destination takes deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationStatus {
    Active,
    Paused,
    Disabled,
}

impl DestinationStatus {
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Paused, Self::Disabled]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
        }
    }
}

/// A destination as the API returns it (Ampersand's `Destination` / `DestinationWithSecrets`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    pub metadata: DestinationMetadata,
    pub project_id: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub status: DestinationStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disabled_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disabled_time: Option<DateTime<Utc>>,
    /// Delivery overrides of this destination (retry schedule, concurrency, timeout).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery: Option<DeliveryPolicy>,
    /// Only with `?includeSecrets=true`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secrets: Option<DestinationSecrets>,
    /// Present while the destination is failing: its attempts fail and none has succeeded
    /// since `since`. A node extension.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failing: Option<Failing>,
}

/// A destination's current run of failures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Failing {
    /// The first failed attempt after the last success.
    pub since: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
    /// timeout, connect, tls, status, io, config or throttled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_failure_time: Option<DateTime<Utc>>,
    /// Webhooks: when the node would disable it under its rule (`since` plus the node's
    /// `disable-after`), provided no attempt succeeds before then and a message has run
    /// out of retries by then (else at the first such exhaustion). Other destination types
    /// are never disabled automatically.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disable_time: Option<DateTime<Utc>>,
}

/// Secrets shown with `?includeSecrets=true`. AWS secret keys are write-only and never shown.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DestinationSecrets {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub webhook_signing_key: Option<String>,
    /// The key that was rotated out; still signs until `previousWebhookSigningKeyExpireTime`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_webhook_signing_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_webhook_signing_key_expire_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aws_key_id: Option<String>,
}

#[cfg(test)]
mod tests;
