//! Delivery settings: data, not code. Defaults follow Ampersand (through Svix); a node's
//! config file or a test can change every one of them. A destination's own `delivery`
//! policy (a model type) is resolved against them here.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::delivery::DeliveryPolicy;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeliveryConfig {
    /// Delay before each attempt: the first is immediate, then 5 s, 5 min, … After the last
    /// entry's attempt fails, the message is exhausted.
    #[serde(with = "duration_list")]
    pub retry_schedule: Vec<Duration>,
    /// Each delay varies randomly by up to this fraction either way.
    pub jitter: f64,
    /// After a 429 or a timeout the next attempt waits at least this long.
    #[serde(with = "humantime_serde")]
    pub throttle_floor: Duration,
    /// How long a webhook receiver may take to answer.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Attempts in flight at once, per destination and across the node.
    pub max_in_flight_per_destination: usize,
    pub max_in_flight: usize,
    /// A webhook that fails without a success for this long, with a message exhausted in
    /// that span, is disabled.
    #[serde(with = "humantime_serde")]
    pub disable_after: Duration,
    /// How many due messages one claim takes from the database at most.
    pub claim_batch: usize,
    /// Deliveries per second across all destinations (Ampersand's default: 1000); 0: no limit.
    pub rate_limit: u32,
    /// PEM files of CA certificates that receivers' (and Kinesis endpoints')
    /// certificates may chain to, besides the Mozilla roots: for an internal CA.
    pub ca_certificates: Vec<std::path::PathBuf>,
    /// Where deliveries may connect (`[delivery.network]`): link-local and metadata
    /// addresses are refused unless allowed; private ranges and loopback on request.
    pub network: crate::sinks::policy::NetworkPolicy,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let s = Duration::from_secs;
        DeliveryConfig {
            retry_schedule: vec![
                s(0),
                s(5),
                s(5 * 60),
                s(30 * 60),
                s(2 * 3600),
                s(5 * 3600),
                s(10 * 3600),
                s(10 * 3600),
            ],
            jitter: 0.2,
            throttle_floor: s(60),
            timeout: s(15),
            max_in_flight_per_destination: 16,
            max_in_flight: 512,
            disable_after: s(5 * 24 * 3600),
            claim_batch: 500,
            rate_limit: 1000,
            ca_certificates: Vec::new(),
            network: Default::default(),
        }
    }
}

impl DeliveryConfig {
    /// The retry schedule of a destination with `policy`: its own, or the node's.
    pub fn schedule_for(&self, policy: &DeliveryPolicy) -> Vec<Duration> {
        match &policy.retry_schedule {
            Some(secs) => secs
                .iter()
                .map(|s| Duration::from_secs_f64(s.max(0.0)))
                .collect(),
            None => self.retry_schedule.clone(),
        }
    }

    pub fn max_in_flight_for(&self, policy: &DeliveryPolicy) -> usize {
        policy
            .max_in_flight
            .unwrap_or(self.max_in_flight_per_destination)
            .max(1)
    }

    pub fn timeout_for(&self, policy: &DeliveryPolicy) -> Duration {
        policy
            .timeout_ms
            .map(Duration::from_millis)
            .unwrap_or(self.timeout)
    }
}

/// A list of durations written like "5s", "5m", "2h".
mod duration_list {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[Duration], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            list.iter()
                .map(|d| humantime::format_duration(*d).to_string()),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
        let raw = Vec::<String>::deserialize(d)?;
        raw.iter()
            .map(|s| humantime::parse_duration(s).map_err(serde::de::Error::custom))
            .collect()
    }
}
