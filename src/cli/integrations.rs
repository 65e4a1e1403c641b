//! `switchboard integrations`: `amp.yaml` manifests. `deploy` does what `amp deploy` does
//! against any Ampersand-compatible API; `validate` checks a manifest here, and asks the
//! node about destinations when one answers.

use std::collections::HashSet;

use anyhow::Context;
use clap::Subcommand;

use super::output::{exit, print_table, Output};
use switchboard::client::error::ClientError;
use switchboard::client::Client;
use switchboard::reads::manifest::{parse_manifest, ManifestIssue, Severity};

#[derive(Subcommand, Debug)]
pub enum IntegrationsCommand {
    /// Check an amp.yaml: `FILE:LINE:COL: message` per issue; exit 1 on any error. Runs
    /// here; destinations are checked too when the node answers.
    Validate {
        #[arg(default_value = "amp.yaml")]
        file: String,
    },
    /// Deploy an amp.yaml (`PUT …/integrations:batch`); its issues as `FILE:LINE:COL:
    /// message`, exit 1 when refused.
    Deploy {
        #[arg(default_value = "amp.yaml")]
        file: String,
        /// Pause reads of objects a new revision no longer has.
        #[arg(long)]
        destructive: bool,
    },
    /// The project's integrations with their read objects.
    List,
    /// One integration, with its latest revision.
    Get { integration: String },
    /// Delete an integration and its installations.
    Delete { integration: String },
}

fn read(file: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("reading {file}"))
}

fn print_issues(file: &str, issues: &[ManifestIssue]) {
    for issue in issues {
        let kind = match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!(
            "{file}:{}:{}: {kind}: {} ({})",
            issue.line, issue.column, issue.message, issue.path
        );
    }
}

/// Validates locally; `client` (when the node answers) adds the destination check.
pub(super) async fn validate(client: &Client, file: &str, out: Output) -> anyhow::Result<i32> {
    let text = read(file)?;
    let parsed = parse_manifest(&text);
    let mut issues = parsed.issues.clone();
    match client.list_destinations().await {
        Ok(destinations) => {
            let known: HashSet<String> = destinations.into_iter().map(|d| d.name).collect();
            issues.extend(parsed.missing_destinations(&known, client.project()));
        }
        Err(ClientError::Transport(_)) => {
            eprintln!(
                "note: no node answered at {}; destinations were not checked",
                client.base_url()
            );
        }
        Err(e) => return Err(e.into()),
    }
    issues.sort_by_key(|i| (i.line, i.column));
    if out.json {
        out.json(&issues);
    } else {
        print_issues(file, &issues);
        if issues.is_empty() {
            eprintln!("{file}: valid");
        }
    }
    let failed = issues.iter().any(|i| i.severity == Severity::Error);
    Ok(if failed { exit::API } else { exit::OK })
}

pub(super) async fn integrations(
    client: &Client,
    command: IntegrationsCommand,
    out: Output,
) -> anyhow::Result<i32> {
    match command {
        IntegrationsCommand::Validate { file } => validate(client, &file, out).await,
        IntegrationsCommand::Deploy { file, destructive } => {
            let text = read(&file)?;
            // Warnings do not stop a deploy; they are still worth seeing.
            let warnings: Vec<ManifestIssue> = parse_manifest(&text)
                .issues
                .into_iter()
                .filter(|i| i.severity == Severity::Warning)
                .collect();
            match client.deploy_integrations(&text, destructive).await {
                Ok(deployed) => {
                    if !out.json {
                        print_issues(&file, &warnings);
                    }
                    out.list(
                        &deployed,
                        &["NAME", "PROVIDER", "REVISION", "OBJECTS"],
                        |i| {
                            vec![
                                i.name.clone(),
                                i.provider.clone(),
                                i.latest_revision.id.clone(),
                                i.read_objects
                                    .iter()
                                    .map(|o| o.object_name.clone())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ]
                        },
                    );
                    Ok(exit::OK)
                }
                Err(ClientError::Api {
                    status: 422,
                    problem,
                }) if problem.issues.iter().any(|i| i.line.is_some()) => {
                    for i in &problem.issues {
                        println!(
                            "{file}:{}:{}: error: {} ({})",
                            i.line.unwrap_or(1),
                            i.column.unwrap_or(1),
                            i.detail,
                            i.name
                        );
                    }
                    eprintln!("{file}: not deployed ({} errors)", problem.issues.len());
                    Ok(exit::API)
                }
                Err(e) => Err(e.into()),
            }
        }
        IntegrationsCommand::List => {
            let list = client.list_integrations().await?;
            if out.json {
                out.json(&list);
                return Ok(exit::OK);
            }
            let mut rows = Vec::new();
            for i in &list {
                if i.read_objects.is_empty() {
                    rows.push(vec![
                        i.name.clone(),
                        i.provider.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                }
                for o in &i.read_objects {
                    rows.push(vec![
                        i.name.clone(),
                        i.provider.clone(),
                        o.object_name.clone(),
                        o.destination.clone(),
                        o.schedule.clone(),
                    ]);
                }
            }
            print_table(
                &[
                    "INTEGRATION",
                    "PROVIDER",
                    "OBJECT",
                    "DESTINATION",
                    "SCHEDULE",
                ],
                rows,
            );
            Ok(exit::OK)
        }
        IntegrationsCommand::Get { integration } => {
            out.json(&client.get_integration(&integration).await?);
            Ok(exit::OK)
        }
        IntegrationsCommand::Delete { integration } => {
            client.delete_integration(&integration).await?;
            out.done(format!(
                "deleted integration {integration} and its installations"
            ));
            Ok(exit::OK)
        }
    }
}
