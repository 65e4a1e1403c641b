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

mod output;

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::Context;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use clap::{Args, Subcommand};
use serde_json::Value;

use crate::client::profiles::{
    KeyStoreChoice, NewProfile, Profile, ProfileError, Profiles, DEFAULT_PROJECT, LOCAL_PROFILE,
    LOCAL_URL,
};
use crate::client::{
    Client, ClientConfig, CreateDestinationRequest, Destination, DestinationMetadata,
    DestinationPatch, DestinationSecretsInput, EventTopicRoute, EventTopicRouteFilter,
    GetDestination, LiveOptions, LiveUpdate, Message, MessageDetail, MessageFilter, Notification,
    Topic, TopicDestinationRoute, TopicDestinationRouteFilter, UpdateDestinationRequest,
};
use crate::model::DestinationType;
pub use output::exit;
use output::{opt, opt_time, time, Output, UsageError};

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

#[derive(Subcommand, Debug)]
pub enum DestinationsCommand {
    List,
    /// Show one destination (by ID or name).
    Get {
        destination: String,
        /// Include the webhook signing key.
        #[arg(long)]
        include_secrets: bool,
        /// Rotate the signing key (the previous one keeps signing for a grace period).
        #[arg(long)]
        rotate: bool,
    },
    /// Create a destination (a webhook unless --type says otherwise).
    Create(Box<CreateDestinationArgs>),
    /// Change fields; only the fields given are sent (as the update mask).
    Update(Box<UpdateDestinationArgs>),
    Delete {
        destination: String,
    },
    /// Hold deliveries (they wait in order) until `resume`.
    Pause {
        destination: String,
    },
    Resume {
        destination: String,
    },
    /// Re-enable a destination that was disabled after failing.
    Enable {
        destination: String,
    },
    /// Queue again the failed and skipped messages since a time.
    Recover {
        destination: String,
        /// RFC 3339 time, or an age such as 30m, 6h, 2d.
        #[arg(long, value_parser = parse_time)]
        since: DateTime<Utc>,
    },
}

#[derive(Args, Debug)]
pub struct CreateDestinationArgs {
    pub name: String,
    /// webhook, kinesis or log.
    #[arg(long = "type", value_parser = parse_destination_type, default_value = "webhook")]
    pub kind: DestinationType,
    #[command(flatten)]
    pub fields: DestinationFields,
}

// Fields of a destination as flags, shared by create and update. (A doc comment here
// would become the help text of both commands.)
#[derive(Args, Debug, Default)]
pub struct DestinationFields {
    /// Webhook URL (https, or http to a loopback host).
    #[arg(long = "webhook-url", visible_alias = "target-url")]
    pub webhook_url: Option<String>,
    /// Webhook header `Name=value` (repeatable).
    #[arg(long = "header", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// Kinesis stream name.
    #[arg(long)]
    pub stream_name: Option<String>,
    /// Kinesis region.
    #[arg(long)]
    pub region: Option<String>,
    /// Kinesis endpoint (for Kinesis-compatible servers).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Kinesis partition key: a JMESPath expression over the payload.
    #[arg(long)]
    pub partition_key_template: Option<String>,
    /// Log destination file (.jsonl).
    #[arg(long)]
    pub path: Option<String>,
    #[arg(long)]
    pub aws_key_id: Option<String>,
    #[arg(long)]
    pub aws_secret_key: Option<String>,
    #[arg(long)]
    pub aws_session_token: Option<String>,
}

#[derive(Args, Debug)]
pub struct UpdateDestinationArgs {
    pub destination: String,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub fields: DestinationFields,
    /// Clear a field, by its mask path (e.g. metadata.headers, secrets.awsSessionToken).
    #[arg(long = "clear", value_name = "PATH")]
    pub clear: Vec<String>,
}

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

#[derive(Args, Debug)]
pub struct NotifyArgs {
    /// The notification type, e.g. installation.created.
    pub notification_type: String,
    /// The `data` object: inline JSON, @file.json, or @- for stdin.
    #[arg(long)]
    pub data: String,
    /// Makes a repeat within 24 h return the first result instead of publishing again
    /// (default: a new random key).
    #[arg(long)]
    pub idempotency_key: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum MessagesCommand {
    /// Messages, newest first.
    List {
        /// Destination ID.
        #[arg(long)]
        destination: Option<String>,
        #[arg(long)]
        event_type: Option<String>,
        /// pending, delivering, delivered, failed, exhausted or skipped.
        #[arg(long)]
        status: Option<String>,
        /// RFC 3339 time or an age (30m, 6h, 2d).
        #[arg(long, value_parser = parse_time)]
        since: Option<DateTime<Utc>>,
        #[arg(long, value_parser = parse_time)]
        until: Option<DateTime<Utc>>,
        #[arg(long)]
        limit: Option<u32>,
        /// From a previous page's next cursor.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// A message with its payload and every attempt.
    Get { message_id: String },
    /// Deliver a message again.
    Resend { message_id: String },
}

#[derive(Args, Debug)]
pub struct TailArgs {
    /// Resume after this event ID (replays what the node still holds since then).
    #[arg(long)]
    pub after: Option<String>,
    /// Exit after this many events.
    #[arg(long)]
    pub count: Option<u64>,
    /// Only these event kinds (repeatable), e.g. attempt.failed.
    #[arg(long = "event")]
    pub events: Vec<String>,
    /// Give up after this many failed reconnections in a row (default: never).
    #[arg(long)]
    pub max_failures: Option<u32>,
}

#[derive(Subcommand, Debug)]
pub enum ProjectsCommand {
    List,
    Get { project: String },
    Create { name: String },
}

#[derive(Subcommand, Debug)]
pub enum ProfilesCommand {
    /// Add a profile from the global --url, --project and --api-key (or --api-key-stdin).
    Add {
        name: String,
        /// Read the API key from stdin (keeps it out of the shell history).
        #[arg(long)]
        api_key_stdin: bool,
        /// Where to keep the key (auto: the OS keyring when one works, else a 0600 file).
        #[arg(long, value_enum)]
        key_store: Option<KeyStoreChoice>,
        /// Overwrite an existing profile of this name.
        #[arg(long)]
        replace: bool,
        /// Make it the current profile.
        #[arg(long = "use")]
        make_current: bool,
    },
    List,
    /// Make a profile the current one.
    Use {
        name: String,
    },
    /// Remove a profile and its stored key.
    Remove {
        name: String,
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
    let client = connect(global)?;
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
        Command::Profiles { .. } => unreachable!("handled above"),
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

// ---- Destinations ----

fn destination_row(d: &Destination) -> Vec<String> {
    vec![
        d.id.clone(),
        d.name.clone(),
        d.kind.clone(),
        d.status
            .map(|s| format!("{s:?}").to_lowercase())
            .unwrap_or_default(),
        d.target(),
    ]
}

fn show_destination(out: Output, d: &Destination) {
    let m = &d.metadata.known;
    let secrets = d.secrets.clone().unwrap_or_default();
    out.item(
        d,
        vec![
            ("id", d.id.clone()),
            ("name", d.name.clone()),
            ("type", d.kind.clone()),
            (
                "status",
                d.status
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_default(),
            ),
            ("disabled reason", opt(&d.disabled_reason)),
            ("disabled time", opt_time(&d.disabled_time)),
            ("url", opt(&m.url)),
            (
                "headers",
                m.headers
                    .as_ref()
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            ),
            ("stream", opt(&m.stream_name)),
            ("region", opt(&m.region)),
            ("endpoint", opt(&m.endpoint_url)),
            ("partition key", opt(&m.partition_key_template)),
            ("path", opt(&m.path)),
            ("signing key", opt(&secrets.webhook_signing_key)),
            ("previous key", opt(&secrets.previous_webhook_signing_key)),
            (
                "previous until",
                opt_time(&secrets.previous_webhook_signing_key_expire_time),
            ),
            ("aws key id", opt(&secrets.aws_key_id)),
            ("project", opt(&d.project_id)),
            ("created", time(&d.create_time)),
            ("updated", opt_time(&d.update_time)),
        ],
    );
}

const DESTINATION_HEADERS: &[&str] = &["ID", "NAME", "TYPE", "STATUS", "TARGET"];

impl DestinationFields {
    fn metadata(&self) -> DestinationMetadata {
        DestinationMetadata {
            url: self.webhook_url.clone(),
            headers: (!self.headers.is_empty())
                .then(|| self.headers.iter().cloned().collect::<BTreeMap<_, _>>()),
            stream_name: self.stream_name.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            partition_key_template: self.partition_key_template.clone(),
            path: self.path.clone(),
        }
    }

    fn secrets(&self) -> Option<DestinationSecretsInput> {
        let s = DestinationSecretsInput {
            aws_key_id: self.aws_key_id.clone(),
            aws_secret_key: self.aws_secret_key.clone(),
            aws_session_token: self.aws_session_token.clone(),
        };
        (s.aws_key_id.is_some() || s.aws_secret_key.is_some() || s.aws_session_token.is_some())
            .then_some(s)
    }

    /// The mask paths of the fields given.
    fn mask(&self) -> Vec<&'static str> {
        let mut mask = Vec::new();
        let mut add = |set: bool, path: &'static str| {
            if set {
                mask.push(path)
            }
        };
        add(self.webhook_url.is_some(), "metadata.url");
        add(!self.headers.is_empty(), "metadata.headers");
        add(self.stream_name.is_some(), "metadata.streamName");
        add(self.region.is_some(), "metadata.region");
        add(self.endpoint_url.is_some(), "metadata.endpointUrl");
        add(
            self.partition_key_template.is_some(),
            "metadata.partitionKeyTemplate",
        );
        add(self.path.is_some(), "metadata.path");
        add(self.aws_key_id.is_some(), "secrets.awsKeyId");
        add(self.aws_secret_key.is_some(), "secrets.awsSecretKey");
        add(self.aws_session_token.is_some(), "secrets.awsSessionToken");
        mask
    }
}

/// Builds `{updateMask, destination}` from the flags given.
fn update_request(args: &UpdateDestinationArgs) -> anyhow::Result<UpdateDestinationRequest> {
    let mut mask: Vec<String> = Vec::new();
    if args.name.is_some() {
        mask.push("name".into());
    }
    mask.extend(args.fields.mask().into_iter().map(String::from));
    for path in &args.clear {
        if mask.contains(path) {
            return Err(usage(format!("{path} is both set and cleared")));
        }
        mask.push(path.clone());
    }
    if mask.is_empty() {
        return Err(usage(
            "nothing to update: give a field flag (e.g. --name, --webhook-url) or --clear PATH",
        ));
    }
    let metadata = args.fields.metadata();
    Ok(UpdateDestinationRequest {
        update_mask: mask,
        destination: DestinationPatch {
            name: args.name.clone(),
            metadata: (metadata != DestinationMetadata::default()).then_some(metadata),
            secrets: args.fields.secrets(),
            delivery: None,
        },
    })
}

async fn destinations(
    client: &Client,
    command: DestinationsCommand,
    out: Output,
) -> anyhow::Result<()> {
    match command {
        DestinationsCommand::List => {
            let list = client.list_destinations().await?;
            out.list(&list, DESTINATION_HEADERS, destination_row);
        }
        DestinationsCommand::Get {
            destination,
            include_secrets,
            rotate,
        } => {
            let d = client
                .get_destination(
                    &destination,
                    GetDestination {
                        include_secrets,
                        rotate,
                    },
                )
                .await?;
            show_destination(out, &d);
        }
        DestinationsCommand::Create(args) => {
            let req = CreateDestinationRequest {
                name: args.name,
                kind: args.kind,
                metadata: args.fields.metadata(),
                secrets: args.fields.secrets(),
                delivery: None,
            };
            let d = client.create_destination(&req).await?;
            show_destination(out, &d);
        }
        DestinationsCommand::Update(args) => {
            let req = update_request(&args)?;
            let d = client.update_destination(&args.destination, &req).await?;
            show_destination(out, &d);
        }
        DestinationsCommand::Delete { destination } => {
            client.delete_destination(&destination).await?;
            out.done(format!("deleted destination {destination}"));
        }
        DestinationsCommand::Pause { destination } => {
            show_destination(out, &client.pause_destination(&destination).await?)
        }
        DestinationsCommand::Resume { destination } => {
            show_destination(out, &client.resume_destination(&destination).await?)
        }
        DestinationsCommand::Enable { destination } => {
            show_destination(out, &client.enable_destination(&destination).await?)
        }
        DestinationsCommand::Recover { destination, since } => {
            let r = client.recover_destination(&destination, since).await?;
            out.item(
                &r,
                vec![
                    ("requeued", r.requeued.to_string()),
                    ("since", time(&since)),
                ],
            );
        }
    }
    Ok(())
}

// ---- Topics ----

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

async fn topics(client: &Client, command: TopicsCommand, out: Output) -> anyhow::Result<()> {
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

// ---- Routes ----

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

async fn routes(client: &Client, command: RoutesCommand, out: Output) -> anyhow::Result<()> {
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

// ---- Publishing and messages ----

async fn notify(client: &Client, args: NotifyArgs, out: Output) -> anyhow::Result<()> {
    let notification = Notification {
        notification_type: args.notification_type,
        data: read_json_arg(&args.data)?,
    };
    let r = client
        .publish(&notification, args.idempotency_key.as_deref())
        .await?;
    if out.json {
        out.json(&r);
        return Ok(());
    }
    println!(
        "notification {} ({})",
        r.notification_id, r.notification_type
    );
    if r.unrouted {
        println!("unrouted: no route leads to a destination; it is stored, nothing is sent");
    } else {
        output::print_table(
            &["MESSAGE", "DESTINATION", "STATUS"],
            r.messages
                .iter()
                .map(|m| {
                    vec![
                        m.id.clone(),
                        m.destination_name.clone(),
                        m.status.as_str().to_string(),
                    ]
                })
                .collect(),
        );
    }
    Ok(())
}

fn message_row(m: &Message) -> Vec<String> {
    vec![
        m.id.clone(),
        m.destination_name.clone(),
        m.event_type.to_string(),
        m.status.as_str().to_string(),
        m.attempt_count.to_string(),
        opt(&m.last_status_code),
        time(&m.create_time),
    ]
}

async fn messages(client: &Client, command: MessagesCommand, out: Output) -> anyhow::Result<()> {
    match command {
        MessagesCommand::List {
            destination,
            event_type,
            status,
            since,
            until,
            limit,
            cursor,
        } => {
            let page = client
                .list_messages(&MessageFilter {
                    destination_id: destination,
                    event_type,
                    status,
                    since,
                    until,
                    cursor,
                    limit,
                })
                .await?;
            if out.json {
                out.json(&page);
            } else {
                out.list(
                    &page.items,
                    &[
                        "ID",
                        "DESTINATION",
                        "EVENT TYPE",
                        "STATUS",
                        "ATTEMPTS",
                        "LAST HTTP",
                        "CREATED",
                    ],
                    message_row,
                );
                if let Some(c) = &page.next_cursor {
                    eprintln!("more: --cursor {c}");
                }
            }
        }
        MessagesCommand::Get { message_id } => {
            let m = client.get_message(&message_id).await?;
            if out.json {
                out.json(&m);
            } else {
                show_message(&m);
            }
        }
        MessagesCommand::Resend { message_id } => {
            let m = client.resend_message(&message_id).await?;
            out.row(&m, &["ID", "DESTINATION", "STATUS"], |m| {
                vec![
                    m.id.clone(),
                    m.destination_name.clone(),
                    m.status.as_str().to_string(),
                ]
            });
        }
    }
    Ok(())
}

fn show_message(d: &MessageDetail) {
    let m = &d.message;
    output::print_fields(vec![
        ("id", m.id.clone()),
        ("notification", m.notification_id.clone()),
        ("event type", m.event_type.to_string()),
        (
            "destination",
            format!("{} ({})", m.destination_name, m.destination_id),
        ),
        ("status", m.status.as_str().to_string()),
        ("attempts", m.attempt_count.to_string()),
        ("next attempt", opt_time(&m.next_attempt_time)),
        ("last error", opt(&m.last_error)),
        ("created", time(&m.create_time)),
        ("delivered", opt_time(&m.delivered_time)),
    ]);
    if !d.attempts.is_empty() {
        println!();
        output::print_table(
            &["#", "STARTED", "MS", "HTTP", "OK", "ERROR"],
            d.attempts
                .iter()
                .map(|a| {
                    vec![
                        a.number.to_string(),
                        time(&a.start_time),
                        a.duration_ms.to_string(),
                        opt(&a.status_code),
                        a.succeeded.to_string(),
                        match (&a.error_class, &a.error) {
                            (Some(c), Some(e)) => format!("{c}: {e}"),
                            (c, e) => opt(c) + &opt(e),
                        },
                    ]
                })
                .collect(),
        );
    }
    println!("\npayload:");
    println!(
        "{}",
        serde_json::to_string_pretty(&d.payload).unwrap_or_default()
    );
}

/// Prints events as they come: one line each (one JSON object per line with `--json`);
/// connection changes go to stderr.
async fn tail(client: &Client, args: TailArgs, out: Output) -> anyhow::Result<()> {
    let mut live = client.live_events(LiveOptions {
        last_event_id: args.after,
        max_failures: args.max_failures,
        ..Default::default()
    });
    let mut seen = 0u64;
    while let Some(update) = live.next().await {
        match update? {
            LiveUpdate::Connected { last_event_id } => match last_event_id {
                Some(id) => eprintln!("connected; resuming after event {id}"),
                None => eprintln!("connected; waiting for events"),
            },
            LiveUpdate::Disconnected { reason, retry_in } => {
                eprintln!("disconnected ({reason}); reconnecting in {retry_in:.1?}")
            }
            LiveUpdate::Event(e) => {
                if !args.events.is_empty() && !args.events.iter().any(|k| k == e.kind.as_str()) {
                    continue;
                }
                if out.json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    println!(
                        "{:<8} {:<20} {}",
                        e.id.map(|i| i.to_string()).unwrap_or_default(),
                        e.kind,
                        output::summary(&e.data)
                    );
                }
                // Scripts and pipes read line by line.
                use std::io::Write;
                std::io::stdout().flush().ok();
                seen += 1;
                if args.count.is_some_and(|n| seen >= n) {
                    break;
                }
            }
        }
    }
    Ok(())
}

// ---- Projects ----

async fn projects(client: &Client, command: ProjectsCommand, out: Output) -> anyhow::Result<()> {
    let show = |p: &crate::client::Project| {
        out.item(
            p,
            vec![
                ("id", p.id.clone()),
                ("name", p.name.clone()),
                ("created", time(&p.create_time)),
            ],
        )
    };
    match command {
        ProjectsCommand::List => {
            let list = client.list_projects().await?;
            out.list(&list, &["ID", "NAME", "CREATED"], |p| {
                vec![p.id.clone(), p.name.clone(), time(&p.create_time)]
            });
        }
        ProjectsCommand::Get { project } => show(&client.get_project(&project).await?),
        ProjectsCommand::Create { name } => show(&client.create_project(&name).await?),
    }
    Ok(())
}

// ---- Profiles ----

fn profiles(global: &GlobalArgs, command: ProfilesCommand, out: Output) -> anyhow::Result<()> {
    let profiles = Profiles::open()?;
    match command {
        ProfilesCommand::Add {
            name,
            api_key_stdin,
            key_store,
            replace,
            make_current,
        } => {
            let url = match (&global.url, name.as_str()) {
                (Some(u), _) => u.clone(),
                (None, LOCAL_PROFILE) => LOCAL_URL.to_string(),
                (None, _) => return Err(usage("--url is required (e.g. --url https://host:8700)")),
            };
            let api_key = if api_key_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the API key from stdin")?;
                Some(s.trim().to_string())
            } else {
                global.api_key.clone()
            };
            let choice = match key_store {
                Some(c) => c,
                None => KeyStoreChoice::from_env()?,
            };
            let added = profiles.add(
                NewProfile {
                    name: name.clone(),
                    url,
                    project: global
                        .project
                        .clone()
                        .unwrap_or_else(|| DEFAULT_PROJECT.to_string()),
                    api_key,
                    replace,
                },
                choice,
            )?;
            if let Some(why) = &added.keyring_unavailable {
                eprintln!(
                    "note: no usable OS keyring ({why}); the key is in {} (mode 0600)",
                    profiles.credentials_path().display()
                );
            }
            let mut profile = added.profile;
            if make_current && !profile.current {
                profile = profiles.set_current(&name)?;
            }
            out.item(&profile, profile_fields(&profile));
        }
        ProfilesCommand::List => {
            let list = profiles.list()?;
            out.list(&list, &["CURRENT", "NAME", "URL", "PROJECT", "KEY"], |p| {
                vec![
                    if p.current { "*" } else { "" }.to_string(),
                    p.name.clone(),
                    p.url.clone(),
                    p.project.clone(),
                    p.key_store
                        .map(|k| k.as_str().to_string())
                        .unwrap_or_else(|| "none".into()),
                ]
            });
        }
        ProfilesCommand::Use { name } => {
            let p = profiles.set_current(&name)?;
            out.item(&p, profile_fields(&p));
        }
        ProfilesCommand::Remove { name } => {
            profiles.remove(&name)?;
            out.done(format!("removed profile {name}"));
        }
    }
    Ok(())
}

fn profile_fields(p: &Profile) -> Vec<(&'static str, String)> {
    vec![
        ("name", p.name.clone()),
        ("url", p.url.clone()),
        ("project", p.project.clone()),
        (
            "key",
            p.key_store
                .map(|k| k.as_str().to_string())
                .unwrap_or_else(|| "none".into()),
        ),
        ("current", p.current.to_string()),
    ]
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
    fn update_flags_become_a_mask() {
        let args = UpdateDestinationArgs {
            destination: "d".into(),
            name: Some("new".into()),
            fields: DestinationFields {
                webhook_url: Some("https://x".into()),
                headers: vec![("A".into(), "1".into())],
                ..Default::default()
            },
            clear: vec!["secrets.awsSessionToken".into()],
        };
        let req = update_request(&args).unwrap();
        assert_eq!(
            req.update_mask,
            vec![
                "name",
                "metadata.url",
                "metadata.headers",
                "secrets.awsSessionToken"
            ]
        );
        let body = serde_json::to_value(&req).unwrap();
        assert_eq!(body["destination"]["metadata"]["headers"]["A"], "1");
        assert!(body["destination"].get("secrets").is_none());

        let none = UpdateDestinationArgs {
            destination: "d".into(),
            name: None,
            fields: DestinationFields::default(),
            clear: vec![],
        };
        assert!(update_request(&none).is_err());
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
