//! `switchboard inbox`: capture inboxes (a receiver on the node), their response rules and
//! captures, and `wait` for a user's own test suites.

use std::time::{Duration, Instant};

use clap::Subcommand;

use super::output::{opt, time, Output};
use switchboard::client::{
    Capture, Client, CreateInboxRequest, Inbox, ReplayRequest, ResponseRule, UpdateInboxRequest,
};

#[derive(Subcommand, Debug)]
pub enum InboxCommand {
    /// Create an inbox; `--destination` also makes a webhook destination delivering to it.
    Create {
        name: String,
        /// Response rules as JSON, e.g. '[{"status":500,"times":3},{"status":200}]'.
        #[arg(long)]
        rules: Option<String>,
        #[arg(long)]
        destination: bool,
    },
    List,
    /// Replace an inbox's response rules (they take effect at once, from their start).
    Rules {
        inbox: String,
        /// JSON array of rules: status, headers, body, delayMs, times.
        rules: String,
    },
    /// The newest captures, newest first.
    Captures {
        inbox: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    Delete {
        inbox: String,
    },
    /// Send a capture again, as is or with another body, optionally signed again.
    Replay {
        inbox: String,
        capture: String,
        /// Where to send it (not `--url`: that is the node's, for every command).
        #[arg(long)]
        to: String,
        /// Another body: a file, or - for stdin.
        #[arg(long)]
        body: Option<String>,
        /// Sign it again with this destination's key (fresh timestamp).
        #[arg(long)]
        resign_with: Option<String>,
        /// With --resign-with: a new message ID.
        #[arg(long)]
        new_id: bool,
    },
    /// Captures as HAR 1.2, curl commands or NDJSON, credentials redacted.
    Export {
        inbox: String,
        #[arg(long, default_value = "har", value_parser = ["har", "curl", "ndjson"])]
        format: String,
        /// Only these captures (repeatable).
        #[arg(long = "capture")]
        captures: Vec<String>,
    },
    /// Wait for a capture (of a notification type, if given) to arrive; print it as JSON
    /// and exit 0, or exit 1 at the timeout.
    Wait {
        #[arg(long)]
        inbox: String,
        /// Only a body whose notificationType is this.
        #[arg(long = "type")]
        notification_type: Option<String>,
        #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
        timeout: Duration,
    },
}

fn rules_arg(raw: &str) -> anyhow::Result<Vec<ResponseRule>> {
    serde_json::from_str(raw)
        .map_err(|e| anyhow::anyhow!("the rules are not a JSON array of rules: {e}"))
}

fn inbox_row(i: &Inbox) -> Vec<String> {
    vec![
        i.name.clone(),
        i.capture_url.clone(),
        i.rules
            .iter()
            .map(|r| match r.times {
                Some(n) => format!("{} ×{n}", r.status),
                None => r.status.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        opt(&i.destination_id),
    ]
}

fn capture_row(c: &Capture) -> Vec<String> {
    vec![
        time(&c.time),
        c.method.clone(),
        c.path.clone(),
        opt(&c.status.map(|s| s.to_string())),
        opt(&c.webhook_id),
        c.body_size.to_string(),
    ]
}

/// True when the capture's body is a notification of `wanted` (or `wanted` is None).
fn is_of_type(c: &Capture, wanted: Option<&str>) -> bool {
    let Some(wanted) = wanted else { return true };
    c.body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .is_some_and(|v| v["notificationType"] == wanted)
}

pub(super) async fn inbox(
    client: &Client,
    command: InboxCommand,
    out: Output,
) -> anyhow::Result<()> {
    const HEADERS: &[&str] = &["NAME", "CAPTURE URL", "RULES", "DESTINATION"];
    match command {
        InboxCommand::Create {
            name,
            rules,
            destination,
        } => {
            let request = CreateInboxRequest {
                name,
                rules: rules.as_deref().map(rules_arg).transpose()?,
                max_captures: None,
                max_age_seconds: None,
                body_limit: None,
                create_destination: destination.then_some(true),
            };
            let made = client.create_inbox(&request).await?;
            out.row(&made, HEADERS, inbox_row);
        }
        InboxCommand::List => out.list(&client.list_inboxes().await?, HEADERS, inbox_row),
        InboxCommand::Rules { inbox, rules } => {
            let request = UpdateInboxRequest {
                rules: Some(rules_arg(&rules)?),
                ..Default::default()
            };
            out.row(
                &client.update_inbox(&inbox, &request).await?,
                HEADERS,
                inbox_row,
            );
        }
        InboxCommand::Captures { inbox, limit } => {
            let list = client.list_captures(&inbox, limit).await?;
            out.list(
                &list,
                &["TIME", "METHOD", "PATH", "ANSWERED", "WEBHOOK-ID", "BYTES"],
                capture_row,
            );
        }
        InboxCommand::Delete { inbox } => {
            client.delete_inbox(&inbox).await?;
            out.done(format!("deleted inbox {inbox}"));
        }
        InboxCommand::Replay {
            inbox,
            capture,
            to,
            body,
            resign_with,
            new_id,
        } => {
            let body = match body.as_deref() {
                None => None,
                Some("-") => {
                    let mut text = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
                    Some(text)
                }
                Some(path) => Some(std::fs::read_to_string(path)?),
            };
            let request = ReplayRequest {
                url: to,
                body,
                resign_with,
                new_id: new_id.then_some(true),
            };
            let result = client.replay_capture(&inbox, &capture, &request).await?;
            out.item(
                &result,
                vec![
                    ("url", result.url.clone()),
                    ("status", opt(&result.status.map(|s| s.to_string()))),
                    ("error", opt(&result.error)),
                    ("duration", format!("{} ms", result.duration_ms)),
                ],
            );
        }
        InboxCommand::Export {
            inbox,
            format,
            captures,
        } => print!(
            "{}",
            client.export_captures(&inbox, &format, &captures).await?
        ),
        InboxCommand::Wait {
            inbox,
            notification_type,
            timeout,
        } => {
            // Only what arrives from now on: the newest capture so far marks the start.
            let seen = client
                .list_captures(&inbox, 1)
                .await?
                .first()
                .map(|c| c.id.clone());
            // Said once the start point is taken: what arrives from here on is waited for.
            eprintln!("waiting for a capture in {inbox}…");
            let deadline = Instant::now() + timeout;
            loop {
                let newest = client.list_captures(&inbox, 100).await?;
                let fresh = newest.iter().take_while(|c| Some(&c.id) != seen.as_ref());
                // Oldest first among the new ones.
                let found = fresh
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .find(|c| is_of_type(c, notification_type.as_deref()));
                if let Some(capture) = found {
                    out.json(capture);
                    return Ok(());
                }
                if Instant::now() >= deadline {
                    anyhow::bail!(
                        "no capture{} arrived in {inbox} within {}",
                        notification_type
                            .map(|t| format!(" of {t}"))
                            .unwrap_or_default(),
                        humantime::format_duration(timeout)
                    );
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Ok(())
}
