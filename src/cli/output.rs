//! How the CLI prints: tables for people, JSON for scripts, problems on stderr.

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;

use switchboard::client::profiles::ProfileError;
use switchboard::client::ClientError;

/// Exit codes, so scripts can tell "the API said no" from "the node was not there".
pub mod exit {
    pub const OK: i32 = 0;
    /// The API refused the request (its problem is on stderr).
    pub const API: i32 = 1;
    /// Bad usage or local configuration (arguments, profiles, input files).
    pub const USAGE: i32 = 2;
    /// The node could not be reached, or answered something unreadable.
    pub const UNREACHABLE: i32 = 3;
}

#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn json(&self, value: &impl Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: could not print JSON: {e}"),
        }
    }

    /// A list: a JSON array, or a table with these columns.
    pub fn list<T: Serialize>(
        &self,
        items: &[T],
        headers: &[&str],
        row: impl Fn(&T) -> Vec<String>,
    ) {
        if self.json {
            self.json(&items);
        } else if items.is_empty() {
            eprintln!("(none)");
        } else {
            print_table(headers, items.iter().map(row).collect());
        }
    }

    /// One item: JSON, or a one-row table with these columns.
    pub fn row<T: Serialize>(&self, item: &T, headers: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            self.json(item);
        } else {
            print_table(headers, vec![row(item)]);
        }
    }

    /// One item: JSON, or a FIELD/VALUE table.
    pub fn item<T: Serialize>(&self, item: &T, fields: Vec<(&str, String)>) {
        if self.json {
            self.json(item);
        } else {
            print_fields(fields);
        }
    }

    /// A confirmation for people; scripts get nothing on stdout.
    pub fn done(&self, message: impl AsRef<str>) {
        eprintln!("{}", message.as_ref());
    }
}

pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.iter().map(|h| h.to_string()));
    for row in rows {
        t.add_row(row);
    }
    for column in t.column_iter_mut() {
        column.set_padding((0, 2));
    }
    t.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn print_table(headers: &[&str], rows: Vec<Vec<String>>) {
    println!("{}", table(headers, rows));
}

pub fn print_fields(fields: Vec<(&str, String)>) {
    let rows: Vec<Vec<String>> = fields
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| vec![format!("{k}:"), v])
        .collect();
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    for row in rows {
        t.add_row(row);
    }
    for column in t.column_iter_mut() {
        column.set_padding((0, 1));
    }
    for line in t.lines() {
        println!("{}", line.trim_end());
    }
}

pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn opt_time(t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.as_ref().map(time).unwrap_or_default()
}

/// `key=value` pairs of the scalar fields of a JSON object, for one-line summaries.
pub fn summary(data: &Value) -> String {
    match data {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some(format!("{k}={s}")),
                Value::Number(n) => Some(format!("{k}={n}")),
                Value::Bool(b) => Some(format!("{k}={b}")),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A usage mistake found after parsing (bad JSON in `--data`, nothing to update, ...).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints `err` on stderr and returns the exit code for it.
pub fn report(err: &anyhow::Error) -> i32 {
    if let Some(client) = err.downcast_ref::<ClientError>() {
        return report_client(client, err);
    }
    eprintln!("error: {}", chain(err));
    if err.downcast_ref::<UsageError>().is_some() || err.downcast_ref::<ProfileError>().is_some() {
        exit::USAGE
    } else {
        exit::API
    }
}

fn chain(err: &anyhow::Error) -> String {
    err.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

fn report_client(client: &ClientError, err: &anyhow::Error) -> i32 {
    match client {
        ClientError::Api { status, problem } => {
            eprintln!("error: {} ({status})", problem.title);
            // This node's 422 detail restates its first issue; do not print it twice.
            let restates_issue = problem.issues.first().is_some_and(|i| {
                problem
                    .detail
                    .starts_with(&format!("{}: {}", i.name, i.detail))
            });
            if !problem.detail.is_empty() && !restates_issue {
                eprintln!("  {}", problem.detail);
            }
            for issue in &problem.issues {
                eprintln!("  - {}: {}", issue.name, issue.detail);
            }
            if *status == 401 {
                eprintln!(
                    "hint: pass --api-key or set SWITCHBOARD_API_KEY, or store a key in a profile \
                     (switchboard profiles add NAME --url URL --api-key KEY)"
                );
            }
            exit::API
        }
        ClientError::Transport(_) => {
            eprintln!("error: {}", chain(err));
            eprintln!(
                "hint: is the node running? `switchboard serve` starts one; --url or a profile \
                 points elsewhere"
            );
            exit::UNREACHABLE
        }
        ClientError::Decode(_) | ClientError::Stream(_) => {
            eprintln!("error: {}", chain(err));
            exit::UNREACHABLE
        }
        ClientError::Config(_) => {
            eprintln!("error: {}", chain(err));
            exit::USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_plain_columns() {
        let t = table(
            &["NAME", "TYPE"],
            vec![vec!["alpha".into(), "webhook".into()]],
        );
        let lines: Vec<_> = t.lines().collect();
        assert_eq!(lines.len(), 2, "{t}");
        assert!(lines[0].starts_with("NAME"), "{t}");
        assert!(lines[1].starts_with("alpha  "), "{t}");
    }
}
