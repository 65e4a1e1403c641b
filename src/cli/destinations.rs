//! Webhook, Kinesis and log destinations: create, show, update, pause, resume, enable, recover.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::output::{opt, opt_time, time, Output};
use super::{parse_destination_type, parse_header, parse_time, usage};
use switchboard::client::{
    Client, CreateDestinationRequest, Destination, DestinationMetadata, DestinationPatch,
    DestinationSecretsInput, GetDestination, UpdateDestinationRequest,
};
use switchboard::model::DestinationType;

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
pub(super) fn update_request(
    args: &UpdateDestinationArgs,
) -> anyhow::Result<UpdateDestinationRequest> {
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

pub(super) async fn destinations(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
