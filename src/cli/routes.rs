//! Both kinds of routes: event type → topic, topic → destination.

use clap::Subcommand;

use super::output::{time, Output};
use switchboard::client::{
    Client, EventTopicRoute, EventTopicRouteFilter, TopicDestinationRoute,
    TopicDestinationRouteFilter,
};

#[derive(Subcommand, Debug)]
pub enum RoutesCommand {
    /// Event type → topic routes.
    Events {
        #[command(subcommand)]
        command: EventRoutesCommand,
    },
    /// Topic → destination routes.
    Destinations {
        #[command(subcommand)]
        command: DestinationRoutesCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum EventRoutesCommand {
    List {
        /// Only routes into this topic (ID).
        #[arg(long)]
        topic: Option<String>,
        #[arg(long)]
        event_type: Option<String>,
    },
    /// Route an event type (e.g. installation.created) into a topic (ID or name).
    Create {
        event_type: String,
        topic: String,
    },
    Delete {
        route_id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DestinationRoutesCommand {
    List {
        /// Only routes from this topic (ID).
        #[arg(long)]
        topic: Option<String>,
        /// Only routes to this destination (ID).
        #[arg(long)]
        destination: Option<String>,
    },
    /// Route a topic to a destination (IDs or names).
    Create {
        topic: String,
        destination: String,
    },
    Delete {
        route_id: String,
    },
}

fn event_route_row(r: &EventTopicRoute) -> Vec<String> {
    vec![
        r.id.clone(),
        r.event_type.clone(),
        r.topic_id.clone(),
        time(&r.create_time),
    ]
}

fn destination_route_row(r: &TopicDestinationRoute) -> Vec<String> {
    vec![
        r.id.clone(),
        r.topic_id.clone(),
        r.destination_id.clone(),
        time(&r.create_time),
    ]
}

const EVENT_ROUTE_HEADERS: &[&str] = &["ID", "EVENT TYPE", "TOPIC", "CREATED"];
const DESTINATION_ROUTE_HEADERS: &[&str] = &["ID", "TOPIC", "DESTINATION", "CREATED"];

pub(super) async fn routes(
    client: &Client,
    command: RoutesCommand,
    out: Output,
) -> anyhow::Result<()> {
    match command {
        RoutesCommand::Events { command } => match command {
            EventRoutesCommand::List { topic, event_type } => {
                let list = client
                    .list_event_topic_routes(&EventTopicRouteFilter {
                        topic_id: topic,
                        event_type,
                    })
                    .await?;
                out.list(&list, EVENT_ROUTE_HEADERS, event_route_row);
            }
            EventRoutesCommand::Create { event_type, topic } => {
                let r = client.create_event_topic_route(&event_type, &topic).await?;
                out.row(&r, EVENT_ROUTE_HEADERS, event_route_row);
            }
            EventRoutesCommand::Delete { route_id } => {
                client.delete_event_topic_route(&route_id).await?;
                out.done(format!("deleted event-topic route {route_id}"));
            }
        },
        RoutesCommand::Destinations { command } => match command {
            DestinationRoutesCommand::List { topic, destination } => {
                let list = client
                    .list_topic_destination_routes(&TopicDestinationRouteFilter {
                        topic_id: topic,
                        destination_id: destination,
                    })
                    .await?;
                out.list(&list, DESTINATION_ROUTE_HEADERS, destination_route_row);
            }
            DestinationRoutesCommand::Create { topic, destination } => {
                let r = client
                    .create_topic_destination_route(&topic, &destination)
                    .await?;
                out.row(&r, DESTINATION_ROUTE_HEADERS, destination_route_row);
            }
            DestinationRoutesCommand::Delete { route_id } => {
                client.delete_topic_destination_route(&route_id).await?;
                out.done(format!("deleted topic-destination route {route_id}"));
            }
        },
    }
    Ok(())
}
