//! Publishing, following and resending messages: `notify`, `messages`, `tail`.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::output;
use super::output::{opt, opt_time, time, Output};
use super::{parse_time, read_json_arg};
use switchboard::client::{
    Client, LiveOptions, LiveUpdate, Message, MessageDetail, MessageFilter, Notification,
};

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
        /// pending, delivering, delivered, retrying, exhausted or skipped.
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

pub(super) async fn notify(client: &Client, args: NotifyArgs, out: Output) -> anyhow::Result<()> {
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

pub(super) async fn messages(
    client: &Client,
    command: MessagesCommand,
    out: Output,
) -> anyhow::Result<()> {
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
pub(super) async fn tail(client: &Client, args: TailArgs, out: Output) -> anyhow::Result<()> {
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
