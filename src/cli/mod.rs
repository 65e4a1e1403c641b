//! The `switchboard` commands that manage a node through its API (local or remote):
//! destinations, topics, routes, publishing, messages, the live tail, and profiles.
//!
//! Where a command connects, in order: `--url`/`--project`/`--api-key` (or
//! `SWITCHBOARD_URL`/`SWITCHBOARD_PROJECT`/`SWITCHBOARD_API_KEY`), then the profile named
//! by `--profile` (or `SWITCHBOARD_PROFILE`), then the current profile, then the local node
//! (`http://127.0.0.1:8700`, project `default`, no key). A `--url` without `--profile`
//! uses no profile at all, so a stored key is never sent to a URL it was not stored for.
//!
//! Exit codes: 0 done; 1 the API refused (its problem's title, detail and every issue as
//! `name: detail` go to stderr); 2 bad usage or local configuration; 3 the node could not
//! be reached or answered something unreadable.

mod destinations;
mod inbox;
mod inspect;
mod integrations;
mod messages;
mod output;
mod profiles;
mod projects;
mod reads;
mod routes;
mod topics;

use destinations::{destinations, DestinationsCommand};
use messages::{messages, notify, tail, MessagesCommand, NotifyArgs, TailArgs};
use profiles::{profiles, ProfilesCommand};
use projects::{projects, ProjectsCommand};
use routes::{routes, RoutesCommand};
use topics::{topics, TopicsCommand};

use std::io::Read;

use anyhow::Context;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use clap::{Args, Subcommand};
use serde_json::Value;

pub use output::exit;
use output::{Output, UsageError};
use switchboard::client::profiles::{Profile, ProfileError, Profiles, DEFAULT_PROJECT, LOCAL_URL};
use switchboard::client::{Client, ClientConfig};
use switchboard::model::DestinationType;

/// Flags every client command takes; they go on the top-level parser (`global = true`) so
/// they work before or after the subcommand.
#[derive(Args, Clone, Debug, Default)]
#[command(next_help_heading = "Connection (client commands)")]
pub struct GlobalArgs {
    /// Profile to connect with (default: the current one; see `switchboard profiles`).
    #[arg(long, global = true, env = "SWITCHBOARD_PROFILE")]
    pub profile: Option<String>,
    /// Base URL of the node, e.g. http://127.0.0.1:8700 (overrides the profile).
    #[arg(long, global = true, env = "SWITCHBOARD_URL")]
    pub url: Option<String>,
    /// Project ID or name (overrides the profile; default "default").
    #[arg(long, global = true, env = "SWITCHBOARD_PROJECT")]
    pub project: Option<String>,
    /// API key sent as X-Api-Key (overrides the profile).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// CA certificates (PEM) to trust for the node's TLS certificate (overrides the
    /// profile's; `profiles add` keeps it with the profile).
    #[arg(long, global = true, env = "SWITCHBOARD_CA_CERT")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Print JSON (for scripts) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The client subcommands; flattened into the binary's own `Command` enum.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Webhook, Kinesis and log destinations.
    Destinations {
        #[command(subcommand)]
        command: DestinationsCommand,
    },
    /// Topics: named channels between event types and destinations.
    Topics {
        #[command(subcommand)]
        command: TopicsCommand,
    },
    /// Routes: event type → topic (`events`) and topic → destination (`destinations`).
    Routes {
        #[command(subcommand)]
        command: RoutesCommand,
    },
    /// Publish a notification: `notify installation.created --data @payload.json`.
    Notify(Box<NotifyArgs>),
    /// Messages (one per notification and destination) and their attempts.
    Messages {
        #[command(subcommand)]
        command: MessagesCommand,
    },
    /// Follow live deliveries (reconnects by itself, resuming where it left off).
    Tail(TailArgs),
    /// Delivery statistics per destination.
    Stats,
    /// What a payload is and what is wrong with it and its signature (runs here; with
    /// `--destination`, the node checks with that destination's keys).
    Inspect(inspect::InspectArgs),
    /// `amp.yaml` integrations: validate (here), deploy, list, get, delete.
    Integrations {
        #[command(subcommand)]
        command: integrations::IntegrationsCommand,
    },
    /// Read actions: a group's records (add, generate), triggered reads, operations.
    Reads {
        #[command(subcommand)]
        command: reads::ReadsCommand,
    },
    /// Capture inboxes: a receiver on the node that records every request and answers by
    /// rules (`create --destination` to send a destination's deliveries there).
    Inbox {
        #[command(subcommand)]
        command: inbox::InboxCommand,
    },
    /// Projects of the node.
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// Named connections: URL, project and API key (the key goes to the OS keyring).
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
}

/// Runs a client command and returns the process exit code (see `exit`). Problems go to
/// stderr: the API's title, detail and every issue as `name: detail`.
pub async fn run(global: GlobalArgs, command: Command) -> i32 {
    let out = Output { json: global.json };
    match execute(&global, command, out).await {
        Ok(()) => exit::OK,
        Err(e) => output::report(&e),
    }
}

async fn execute(global: &GlobalArgs, command: Command, out: Output) -> anyhow::Result<()> {
    if let Command::Profiles { command } = command {
        return profiles(global, command, out);
    }
    if let Command::Inspect(args) = command {
        let client = match args.destination {
            Some(_) => Some(connect(global)?),
            None => None,
        };
        let code = inspect::run(client.as_ref(), args, out).await?;
        if code != output::exit::OK {
            std::process::exit(code);
        }
        return Ok(());
    }
    let client = connect(global)?;
    let code = match command {
        Command::Integrations { command } => {
            integrations::integrations(&client, command, out).await?
        }
        Command::Reads { command } => reads::reads(&client, command, out).await?,
        other => return run_other(&client, other, out).await,
    };
    if code != output::exit::OK {
        std::process::exit(code);
    }
    Ok(())
}

async fn run_other(client: &Client, command: Command, out: Output) -> anyhow::Result<()> {
    let client = client.clone();
    match command {
        Command::Destinations { command } => destinations(&client, command, out).await,
        Command::Topics { command } => topics(&client, command, out).await,
        Command::Routes { command } => routes(&client, command, out).await,
        Command::Notify(args) => notify(&client, *args, out).await,
        Command::Messages { command } => messages(&client, command, out).await,
        Command::Tail(args) => tail(&client, args, out).await,
        Command::Stats => {
            out.json(&client.stats().await?);
            Ok(())
        }
        Command::Projects { command } => projects(&client, command, out).await,
        Command::Inbox { command } => inbox::inbox(&client, command, out).await,
        Command::Profiles { .. }
        | Command::Inspect(_)
        | Command::Integrations { .. }
        | Command::Reads { .. } => unreachable!("handled above"),
    }
}

/// Resolves where to connect (see the module doc) and builds the client.
pub fn resolve_config(global: &GlobalArgs) -> anyhow::Result<ClientConfig> {
    let profile: Option<(Profiles, Profile)> = match (&global.profile, &global.url) {
        (Some(name), _) => {
            let profiles = Profiles::open()?;
            let p = profiles.get(name)?;
            Some((profiles, p))
        }
        (None, Some(_)) => None,
        (None, None) => match Profiles::open() {
            Ok(profiles) => profiles.current()?.map(|p| (profiles, p)),
            // No config dir at all (no HOME): the defaults still work.
            Err(ProfileError::NoConfigDir) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let url = global
        .url
        .clone()
        .or_else(|| profile.as_ref().map(|(_, p)| p.url.clone()))
        .unwrap_or_else(|| LOCAL_URL.to_string());
    let project = global
        .project
        .clone()
        .or_else(|| profile.as_ref().map(|(_, p)| p.project.clone()))
        .unwrap_or_else(|| DEFAULT_PROJECT.to_string());
    let api_key = match (&global.api_key, &profile) {
        (Some(k), _) => Some(k.clone()),
        (None, Some((profiles, p))) => profiles.api_key(p)?,
        (None, None) => None,
    };
    let mut config = ClientConfig::new(url, project);
    config.api_key = api_key;
    config.ca_cert = global
        .ca_cert
        .clone()
        .or_else(|| profile.as_ref().and_then(|(_, p)| p.ca_cert.clone()));
    Ok(config)
}

fn connect(global: &GlobalArgs) -> anyhow::Result<Client> {
    Ok(Client::new(resolve_config(global)?)?)
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

// ---- Parsers ----

fn parse_destination_type(raw: &str) -> Result<DestinationType, String> {
    DestinationType::parse(raw).ok_or_else(|| format!("'{raw}' is not webhook, kinesis or log"))
}

fn parse_header(raw: &str) -> Result<(String, String), String> {
    // Header names contain neither '=' nor ':', so the first of them ends the name.
    let (name, value) = raw
        .find(['=', ':'])
        .map(|i| (&raw[..i], &raw[i + 1..]))
        .ok_or_else(|| format!("'{raw}' is not Name=value"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("'{raw}' has no header name"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// RFC 3339, or an age before now: `90s`, `30m`, `6h`, `2d`.
pub fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let bad = || format!("'{raw}' is neither an RFC 3339 time nor an age like 30m, 6h or 2d");
    let (num, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let age = match unit {
        "s" => TimeDelta::try_seconds(n),
        "m" => TimeDelta::try_minutes(n),
        "h" => TimeDelta::try_hours(n),
        "d" => TimeDelta::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    Ok(Utc::now() - age)
}

/// `--data`: inline JSON, `@file`, or `@-` for stdin.
fn read_json_arg(raw: &str) -> anyhow::Result<Value> {
    let (text, source) = match raw.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading --data from stdin")?;
            (s, "stdin".to_string())
        }
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| usage(format!("--data @{path}: {e}")))?,
            path.to_string(),
        ),
        None => (raw.to_string(), "--data".to_string()),
    };
    serde_json::from_str(&text).map_err(|e| usage(format!("{source} is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_ages() {
        let t = parse_time("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        let age = Utc::now() - parse_time("2h").unwrap();
        assert!((age.num_minutes() - 120).abs() <= 1);
        assert!(parse_time("2w").is_err());
        assert!(parse_time("soon").is_err());
        assert!(parse_time("h").is_err());
    }

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("X-A=1=2").unwrap(),
            ("X-A".to_string(), "1=2".to_string())
        );
        assert_eq!(
            parse_header("Authorization: Bearer x").unwrap(),
            ("Authorization".to_string(), "Bearer x".to_string())
        );
        assert_eq!(
            parse_header("Authorization: Bearer a=b").unwrap().1,
            "Bearer a=b"
        );
        assert!(parse_header("nope").is_err());
    }
}
