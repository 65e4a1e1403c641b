//! `switchboard inspect`: what a payload is and what is wrong with it and its signature.
//! Runs here, without a node, unless `--destination` asks the node for that destination's
//! signing keys (then the node inspects it, through `POST /v1/inspect`).

use std::io::Read;

use anyhow::Context;
use clap::Args;

use super::output::{exit, Output};
use switchboard::client::Client;
use switchboard::inspect::request::InspectRequest;
use switchboard::inspect::{inspect, InspectReport, NamedSecret};

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The body: a file, or - for stdin (read as raw bytes).
    pub body: String,
    /// A request header as received, `Name: value` (repeatable): the signature headers.
    #[arg(long = "header", short = 'H')]
    pub headers: Vec<String>,
    /// A signing secret (`whsec_…`) to check the signatures with (repeatable).
    #[arg(long = "secret")]
    pub secrets: Vec<String>,
    /// A webhook destination whose keys to check with (asks the node).
    #[arg(long)]
    pub destination: Option<String>,
}

/// Prints the report; exits 0 when the payload is valid and, if signed, verified, else 1.
pub async fn run(client: Option<&Client>, args: InspectArgs, out: Output) -> anyhow::Result<i32> {
    let mut body = Vec::new();
    if args.body == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .context("reading the body from stdin")?;
    } else {
        body = std::fs::read(&args.body).with_context(|| format!("reading {}", args.body))?;
    }
    let headers = args
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .with_context(|| format!("--header '{h}' is not `Name: value`"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = match (&args.destination, client) {
        (Some(destination), Some(client)) => {
            let request = InspectRequest {
                body_base64: Some(base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    &body,
                )),
                headers: Some(headers.into_iter().collect()),
                secrets: Some(args.secrets),
                destination: Some(destination.clone()),
                ..Default::default()
            };
            client.inspect(&request).await?
        }
        _ => {
            let secrets: Vec<NamedSecret> = args
                .secrets
                .into_iter()
                .enumerate()
                .map(|(i, secret)| NamedSecret {
                    label: format!("given {}", i + 1),
                    secret,
                })
                .collect();
            let now = switchboard::time::now_ms() / 1000;
            inspect(&body, &headers, &secrets, now)
        }
    };
    print(&report, out);
    let signed_ok = report.signature.as_ref().is_none_or(|s| s.verified);
    let ok = report.issues.is_empty() && report.parse_error.is_none() && signed_ok;
    Ok(if ok { exit::OK } else { exit::API })
}

fn print(report: &InspectReport, out: Output) {
    if out.json {
        out.json(report);
        return;
    }
    println!("{}", report.summary);
    for issue in &report.issues {
        let at = if issue.pointer.is_empty() {
            "(body)"
        } else {
            &issue.pointer
        };
        println!("  {at}: {}", issue.message);
    }
    if let Some(sig) = &report.signature {
        for set in &sig.header_sets {
            let skew = set.skew_seconds.map_or("?".into(), |s| format!("{s:+} s"));
            println!(
                "  {}-*: id {}, timestamp skew {skew}",
                set.prefix,
                set.id.as_deref().unwrap_or("?")
            );
            for check in &set.signatures {
                let verdict = check
                    .matched_secret
                    .as_deref()
                    .map_or("no match".into(), |s| format!("matches the {s} secret"));
                println!(
                    "    {} … {verdict}",
                    &check.signature[..check.signature.len().min(16)]
                );
            }
        }
        for cause in &sig.causes {
            println!("  signature: {cause}");
        }
    }
    if let Some(diff) = &report.config_diff {
        println!("  config changes (lastConfig → config):");
        for line in &diff.summary {
            println!("    {line}");
        }
    }
}
