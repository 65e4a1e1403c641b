//! `switchboard integrations`: `amp.yaml` manifests. So far `validate`, which checks a
//! manifest here, without a node (that its destinations exist is the node's to say at
//! deploy).

use anyhow::Context;
use clap::Subcommand;

use super::output::{exit, Output};
use switchboard::reads::manifest::{validate_manifest, Severity};

#[derive(Subcommand, Debug)]
pub enum IntegrationsCommand {
    /// Check an amp.yaml: `FILE:LINE:COL: message` per issue; exit 1 on any error.
    Validate {
        #[arg(default_value = "amp.yaml")]
        file: String,
    },
}

pub(super) fn integrations(command: IntegrationsCommand, out: Output) -> anyhow::Result<i32> {
    match command {
        IntegrationsCommand::Validate { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            let issues = validate_manifest(&text);
            if out.json {
                out.json(&issues);
            } else {
                for issue in &issues {
                    let kind = match issue.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    println!(
                        "{file}:{}:{}: {kind}: {} ({})",
                        issue.line, issue.column, issue.message, issue.path
                    );
                }
                if issues.is_empty() {
                    eprintln!("{file}: valid");
                }
            }
            let failed = issues.iter().any(|i| i.severity == Severity::Error);
            Ok(if failed { exit::API } else { exit::OK })
        }
    }
}
