//! `switchboard reads`: the node's local record source (add records from a file, generate
//! sample ones), triggering reads, and operations. An object's integration and group are
//! found when only one fits.

use anyhow::Context;
use clap::{Args, Subcommand};

use super::output::{exit, Output};
use super::usage;
use switchboard::client::reads::RecordFields;
use switchboard::client::Client;

#[derive(Subcommand, Debug)]
pub enum ReadsCommand {
    /// Records of a group's SaaS stand-in.
    Records {
        #[command(subcommand)]
        command: RecordsCommand,
    },
    /// Trigger a read of an object for a group (all of it, or a window).
    Trigger {
        #[command(flatten)]
        target: Target,
        /// Records updated at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Records updated before this time (RFC 3339).
        #[arg(long)]
        until: Option<String>,
    },
    /// One operation: its status, records and messages.
    Operation { id: String },
}

#[derive(Subcommand, Debug)]
pub enum RecordsCommand {
    /// Add records from a file: a JSON array, or one JSON record per line.
    Add {
        file: String,
        #[command(flatten)]
        target: Target,
        /// The field that holds a record's ID (default `id`).
        #[arg(long)]
        id_field: Option<String>,
        /// The field that holds when a record was last updated (default `updatedAt`).
        #[arg(long)]
        update_time_field: Option<String>,
    },
    /// Make sample records with the manifest's fields.
    Generate {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        count: u64,
        /// About how large each record is, in bytes (default 300).
        #[arg(long)]
        record_bytes: Option<u64>,
    },
}

/// Which object of which integration, for which group.
#[derive(Args, Debug)]
pub struct Target {
    /// The provider object, e.g. contact.
    #[arg(long)]
    object: String,
    /// The integration (default: the only one that reads the object).
    #[arg(long)]
    integration: Option<String>,
    /// The group (default: the integration's only installation's).
    #[arg(long)]
    group_ref: Option<String>,
}

/// The integration and group a target means.
async fn resolve(client: &Client, target: &Target) -> anyhow::Result<(String, String)> {
    let integration = match &target.integration {
        Some(i) => i.clone(),
        None => {
            let readers: Vec<String> = client
                .list_integrations()
                .await?
                .into_iter()
                .filter(|i| {
                    i.read_objects
                        .iter()
                        .any(|o| o.object_name == target.object)
                })
                .map(|i| i.name)
                .collect();
            match readers.as_slice() {
                [one] => one.clone(),
                [] => return Err(usage(format!("no integration reads '{}'", target.object))),
                many => {
                    return Err(usage(format!(
                        "several integrations read '{}' ({}); say which with --integration",
                        target.object,
                        many.join(", ")
                    )))
                }
            }
        }
    };
    let group = match &target.group_ref {
        Some(g) => g.clone(),
        None => {
            let groups: Vec<String> = client
                .list_installations(Some(&integration), None)
                .await?
                .into_iter()
                .filter_map(|i| i.group.map(|g| g.group_ref))
                .collect();
            match groups.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(usage(format!(
                        "'{integration}' has no installation; say which group with --group-ref"
                    )))
                }
                many => {
                    return Err(usage(format!(
                    "'{integration}' has several installations ({}); say which with --group-ref",
                    many.join(", ")
                )))
                }
            }
        }
    };
    Ok((integration, group))
}

pub(super) async fn reads(
    client: &Client,
    command: ReadsCommand,
    out: Output,
) -> anyhow::Result<i32> {
    match command {
        ReadsCommand::Records {
            command:
                RecordsCommand::Add {
                    file,
                    target,
                    id_field,
                    update_time_field,
                },
        } => {
            let body = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
            let (integration, group) = resolve(client, &target).await?;
            let fields = RecordFields {
                id: id_field.as_deref(),
                update_time: update_time_field.as_deref(),
            };
            let added = client
                .add_records(&integration, &group, &target.object, body, fields)
                .await?;
            out.item(
                &added,
                vec![
                    ("object", added.object_name.clone()),
                    ("added", added.accepted.to_string()),
                    ("group", group),
                ],
            );
        }
        ReadsCommand::Records {
            command:
                RecordsCommand::Generate {
                    target,
                    count,
                    record_bytes,
                },
        } => {
            let (integration, group) = resolve(client, &target).await?;
            let added = client
                .generate_records(&integration, &group, &target.object, count, record_bytes)
                .await?;
            out.item(
                &added,
                vec![
                    ("object", added.object_name.clone()),
                    ("generated", added.accepted.to_string()),
                    ("group", group),
                ],
            );
        }
        ReadsCommand::Trigger {
            target,
            since,
            until,
        } => {
            let (integration, group) = resolve(client, &target).await?;
            let started = client
                .trigger_read(
                    &integration,
                    &target.object,
                    &group,
                    since.as_deref(),
                    until.as_deref(),
                )
                .await?;
            out.item(
                &started,
                vec![("operationId", started.operation_id.clone())],
            );
        }
        ReadsCommand::Operation { id } => {
            let op = client.get_operation(&id).await?;
            out.item(
                &op,
                vec![
                    ("id", op.id.clone()),
                    ("object", op.metadata.objects.join(", ")),
                    ("type", op.read_type.as_str().to_string()),
                    ("status", op.status.clone()),
                    (
                        "records",
                        op.metadata.progress.records_processed.to_string(),
                    ),
                    ("messages", op.messages.to_string()),
                    ("result", op.result.clone().unwrap_or_default()),
                ],
            );
        }
    }
    Ok(exit::OK)
}
