//! A destination's own delivery policy (`delivery` on the destination): its shape on the
//! wire and the ranges its fields must keep. Resolving it against the node's defaults is
//! the dispatcher's business (`dispatch::config`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::input::Issues;

/// A destination's own overrides (`delivery` on the destination).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryPolicy {
    /// Delays before each attempt, in seconds (fractions allowed), replacing the node's schedule.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_schedule: Option<Vec<f64>>,
    /// Attempts in flight at once to this destination (1 to 1024).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_in_flight: Option<usize>,
    /// How long the receiver may take to answer, in milliseconds (1 to 300000).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timeout_ms: Option<u64>,
    /// Deliveries per second to this destination, on top of the node-wide limit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rate_limit_per_second: Option<u32>,
}

/// The fields of [`DeliveryPolicy`] as they appear on the wire (and in `updateMask` after
/// `delivery.`).
pub const DELIVERY_FIELDS: &[&str] = &[
    "retrySchedule",
    "maxInFlight",
    "timeoutMs",
    "rateLimitPerSecond",
];

/// Reads a `delivery` policy object, checking its ranges.
pub fn read_delivery(
    raw: Option<&Value>,
    path: &str,
    issues: &mut Issues,
) -> Option<DeliveryPolicy> {
    let raw = raw?;
    let policy: DeliveryPolicy = match serde_json::from_value(raw.clone()) {
        Ok(p) => p,
        Err(e) => {
            issues.add(
                path,
                Some(raw),
                format!("is not a valid delivery policy: {e}"),
            );
            return None;
        }
    };
    if let Some(schedule) = &policy.retry_schedule {
        if schedule.is_empty() || schedule.len() > 50 {
            issues.add(
                format!("{path}.retrySchedule"),
                Some(raw),
                "must list 1 to 50 delays",
            );
        } else if schedule
            .iter()
            .any(|d| !d.is_finite() || *d < 0.0 || *d > 30.0 * 86400.0)
        {
            issues.add(
                format!("{path}.retrySchedule"),
                Some(raw),
                "delays must be between 0 and 30 days, in seconds",
            );
        }
    }
    if policy.max_in_flight.is_some_and(|m| m == 0 || m > 1024) {
        issues.add(
            format!("{path}.maxInFlight"),
            Some(raw),
            "must be between 1 and 1024",
        );
    }
    if policy
        .rate_limit_per_second
        .is_some_and(|r| r == 0 || r > 1_000_000)
    {
        issues.add(
            format!("{path}.rateLimitPerSecond"),
            Some(raw),
            "must be between 1 and 1000000",
        );
    }
    if policy.timeout_ms.is_some_and(|t| t == 0 || t > 300_000) {
        issues.add(
            format!("{path}.timeoutMs"),
            Some(raw),
            "must be between 1 and 300000",
        );
    }
    Some(policy)
}
