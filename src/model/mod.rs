//! Domain types and the validation rules that go with them.

pub mod api_key;
pub mod delivery;
pub mod destination;
pub mod event_type;
pub mod inbox;
pub mod input;
pub mod installation;
pub mod integration;
pub mod live;
pub mod message;
pub mod names;
pub mod project;
pub mod read;
pub mod route;
pub mod topic;

pub use destination::{Destination, DestinationMetadata, DestinationStatus, DestinationType};
pub use event_type::EventType;
pub use project::Project;
pub use route::{EventTopicRoute, TopicDestinationRoute};
pub use topic::Topic;
pub mod requests;
