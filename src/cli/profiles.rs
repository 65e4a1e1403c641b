//! Connection profiles: where client commands connect, and with which key.

use std::io::Read;

use anyhow::Context;
use clap::Subcommand;

use super::output::Output;
use super::{usage, GlobalArgs};
use switchboard::client::profiles::{
    KeyStoreChoice, NewProfile, Profile, Profiles, DEFAULT_PROJECT, LOCAL_PROFILE, LOCAL_URL,
};

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

pub(super) fn profiles(
    global: &GlobalArgs,
    command: ProfilesCommand,
    out: Output,
) -> anyhow::Result<()> {
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
                    ca_cert: global.ca_cert.clone(),
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
