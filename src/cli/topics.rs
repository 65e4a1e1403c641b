//! Topics.

use clap::Subcommand;

use super::output::{opt, opt_time, time, Output};
use switchboard::client::{Client, Topic};

#[derive(Subcommand, Debug)]
pub enum TopicsCommand {
    List,
    Get {
        topic: String,
    },
    Create {
        name: String,
    },
    /// Rename a topic.
    Update {
        topic: String,
        #[arg(long)]
        name: String,
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
        TopicsCommand::Create { name } => show_topic(out, &client.create_topic(&name).await?),
        TopicsCommand::Update { topic, name } => {
            show_topic(out, &client.update_topic(&topic, &name).await?)
        }
        TopicsCommand::Delete { topic } => {
            client.delete_topic(&topic).await?;
            out.done(format!("deleted topic {topic}"));
        }
    }
    Ok(())
}
