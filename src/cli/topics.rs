//! Topics.

use clap::Subcommand;

use super::output::{opt, opt_time, time, Output};
use switchboard::client::{Client, CreateTopicRequest, EventType, Topic, UpdateTopicRequest};

/// An event type as typed on the command line; an unknown one stops before any request.
fn event_type(raw: &str) -> anyhow::Result<EventType> {
    EventType::parse(raw).ok_or_else(|| anyhow::anyhow!("'{raw}' is not a notification event type"))
}

/// None for an empty list: `create` sends only the lists it was given.
fn non_empty<T>(list: Vec<T>) -> Option<Vec<T>> {
    (!list.is_empty()).then_some(list)
}

#[derive(Subcommand, Debug)]
pub enum TopicsCommand {
    List,
    Get {
        topic: String,
    },
    /// Create a topic, with its routes in the same step: the event types routed into it
    /// and the destinations it feeds (all or nothing).
    Create {
        name: String,
        /// An event type routed into the topic (repeatable).
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        /// A destination (ID or name) the topic feeds (repeatable).
        #[arg(long = "destination")]
        destinations: Vec<String>,
    },
    /// Rename a topic, and/or replace the event types routed into it or the destinations
    /// it feeds (a list given replaces the topic's; an empty one removes them all).
    Update {
        topic: String,
        #[arg(long)]
        name: Option<String>,
        /// The event types routed into the topic, comma-separated.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        event_types: Option<Vec<String>>,
        /// The destinations (IDs or names) the topic feeds, comma-separated.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        destinations: Option<Vec<String>>,
    },
    Delete {
        topic: String,
    },
}

fn topic_row(t: &Topic) -> Vec<String> {
    vec![
        t.id.clone(),
        t.name.clone(),
        time(&t.create_time),
        opt_time(&t.update_time),
    ]
}

fn show_topic(out: Output, t: &Topic) {
    out.item(
        t,
        vec![
            ("id", t.id.clone()),
            ("name", t.name.clone()),
            ("project", opt(&t.project_id)),
            ("created", time(&t.create_time)),
            ("updated", opt_time(&t.update_time)),
        ],
    );
}

pub(super) async fn topics(
    client: &Client,
    command: TopicsCommand,
    out: Output,
) -> anyhow::Result<()> {
    match command {
        TopicsCommand::List => {
            let list = client.list_topics().await?;
            out.list(&list, &["ID", "NAME", "CREATED", "UPDATED"], topic_row);
        }
        TopicsCommand::Get { topic } => show_topic(out, &client.get_topic(&topic).await?),
        TopicsCommand::Create {
            name,
            event_types,
            destinations,
        } => {
            let request = CreateTopicRequest {
                name,
                event_types: non_empty(
                    event_types
                        .iter()
                        .map(|t| event_type(t))
                        .collect::<Result<_, _>>()?,
                ),
                destination_ids: non_empty(destinations),
            };
            show_topic(out, &client.create_topic(&request).await?)
        }
        TopicsCommand::Update {
            topic,
            name,
            event_types,
            destinations,
        } => {
            let request = UpdateTopicRequest {
                name,
                event_types: match event_types {
                    Some(list) => Some(
                        list.iter()
                            .map(|t| event_type(t))
                            .collect::<Result<_, _>>()?,
                    ),
                    None => None,
                },
                destination_ids: destinations,
            };
            show_topic(out, &client.update_topic(&topic, &request).await?)
        }
        TopicsCommand::Delete { topic } => {
            client.delete_topic(&topic).await?;
            out.done(format!("deleted topic {topic}"));
        }
    }
    Ok(())
}
