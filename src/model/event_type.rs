//! The 15 notification event types of Ampersand's `NotificationEventType`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! event_types {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// A notification event type, spelled on the wire exactly as Ampersand spells it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum EventType {
            $(#[serde(rename = $name)] #[schema(rename = $name)] $variant,)+
        }

        impl EventType {
            /// Every event type, in the order of the reference spec's enum.
            pub const ALL: [EventType; 15] = [$(EventType::$variant,)+];

            pub fn as_str(&self) -> &'static str {
                match self { $(EventType::$variant => $name,)+ }
            }

            pub fn parse(s: &str) -> Option<EventType> {
                match s { $($name => Some(EventType::$variant),)+ _ => None }
            }
        }
    };
}

event_types! {
    ConnectionCreated => "connection.created",
    ConnectionError => "connection.error",
    ConnectionRefreshed => "connection.refreshed",
    ConnectionUpdated => "connection.updated",
    ConnectionDeleted => "connection.deleted",
    InstallationCreated => "installation.created",
    InstallationUpdated => "installation.updated",
    InstallationDeleted => "installation.deleted",
    ReadSchedulePaused => "read.schedule.paused",
    ReadBackfillDone => "read.backfill.done",
    ReadTriggeredDone => "read.triggered.done",
    ReadTriggeredError => "read.triggered.error",
    WriteAsyncDone => "write.async.done",
    SubscribeCreateError => "subscribe.create.error",
    DestinationWebhookDisabled => "destination.webhook.disabled",
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for t in EventType::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::from_str::<EventType>(&json).unwrap(), t);
        }
        assert_eq!(EventType::parse("installation.exploded"), None);
    }
}
