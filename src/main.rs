//! The `switchboard` binary: the headless node (`serve`) and administration commands.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

mod cli;

use switchboard::config::{default_data_dir, NodeConfig};
use switchboard::node::{open_data_dir, Node};
use switchboard::secrets::SecretBackendKind;

switchboard::use_mimalloc!();

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard notification node and console tools"
)]
struct Cli {
    #[command(flatten)]
    client: cli::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options of the commands that open the node's data directory themselves (`serve`,
/// `keys`); client commands talk to a node through its API and take none of these.
#[derive(Args)]
#[command(next_help_heading = "Node")]
struct NodeArgs {
    /// Data directory (database, log destinations, key file).
    #[arg(long, global = true, env = "SWITCHBOARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Where secret values are kept: the OS keyring, or encrypted in the database
    /// (master key from SWITCHBOARD_MASTER_KEY or <data-dir>/master.key).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SECRET_STORE",
        default_value = "auto"
    )]
    secret_store: SecretBackendKind,
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    /// Node settings file (TOML), e.g. the retry schedule: see README.md.
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
}

impl NodeArgs {
    /// The node's configuration from these options (and the settings file they name).
    fn node_config(&self) -> anyhow::Result<NodeConfig> {
        let data_dir = self.data_dir.clone().unwrap_or_else(default_data_dir);
        let mut config = NodeConfig::new(data_dir);
        config.secret_backend = self.secret_store;
        if let Some(path) = &self.config {
            switchboard::config::FileConfig::load(path)?.apply(&mut config);
        }
        Ok(config)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the node headless: the API under /v1, /healthz and /openapi.json.
    Serve {
        #[command(flatten)]
        node: NodeArgs,
        /// Address to listen on (loopback by default).
        #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Serve over TLS with this certificate chain (PEM); needs --tls-key. Do this
        /// whenever the node listens beyond loopback: keys and cookies then never travel in clear.
        #[arg(long, env = "SWITCHBOARD_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(long, env = "SWITCHBOARD_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
    },
    /// Print the node's OpenAPI document (what /openapi.json serves) without starting a node.
    Openapi,
    /// Print a shell completion script: `switchboard completions bash > /etc/bash_completion.d/switchboard`.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff): `switchboard man > switchboard.1`.
    Man,
    /// Manage the node's API keys (works on the data directory directly).
    Keys {
        #[command(flatten)]
        node: NodeArgs,
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write a consistent copy of the node's database to FILE (the node may be running).
    Backup {
        #[command(flatten)]
        node: NodeArgs,
        /// Where to write the copy (a new file).
        file: PathBuf,
    },
    /// Put a backup in place of the node's database (the node must be stopped); the
    /// database it replaces is kept as switchboard.db.before-restore.
    Restore {
        #[command(flatten)]
        node: NodeArgs,
        /// A file written by `switchboard backup`.
        file: PathBuf,
    },
    // The API client's commands (destinations, topics, routes, notify, tail, ...).
    #[command(flatten)]
    Client(cli::Command),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it (it is shown only once).
    Create {
        #[arg(long, default_value = "cli")]
        name: String,
        /// Only reads: every change is refused (403).
        #[arg(long)]
        read_only: bool,
        /// Only this project (ID or name).
        #[arg(long)]
        project: Option<String>,
        /// Stop working after this long, e.g. 30d or 12h.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List keys (never their values).
    List,
    /// Revoke a key by ID or name.
    Revoke { key: String },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            node,
            listen,
            tls_cert,
            tls_key,
        } => {
            init_logging(node.log_format);
            let mut config = node.node_config()?;
            if let (Some(cert), Some(key)) = (tls_cert, tls_key) {
                config.tls = Some(switchboard::config::TlsFiles { cert, key });
            }
            serve(config, listen).await
        }
        Command::Openapi => openapi(),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "switchboard", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)?;
            Ok(())
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout())?;
            Ok(())
        }
        Command::Keys { node, command } => {
            init_logging(node.log_format);
            keys(node.node_config()?, command).await
        }
        Command::Backup { node, file } => {
            let config = node.node_config()?;
            let db = config.data_dir.join(switchboard::node::DATABASE_FILE);
            let bytes = switchboard::store::backup::backup(&db, &file)?;
            println!(
                "backed up {} to {} ({bytes} bytes)",
                db.display(),
                file.display()
            );
            Ok(())
        }
        Command::Restore { node, file } => {
            let config = node.node_config()?;
            // Held until the restore is done: no node can start on the directory meanwhile.
            let _lock = switchboard::node::lock_data_dir(&config.data_dir)?;
            let db = config.data_dir.join(switchboard::node::DATABASE_FILE);
            switchboard::store::backup::restore(&file, &db)?;
            println!("restored {} from {}", db.display(), file.display());
            Ok(())
        }
        Command::Client(command) => {
            init_logging(LogFormat::Text);
            std::process::exit(cli::run(cli.client, command).await)
        }
    }
}

async fn serve(mut config: NodeConfig, listen: SocketAddr) -> anyhow::Result<()> {
    config.listen = listen;
    // Before anything can be told to stop: a SIGTERM the moment the node is up must shut
    // it down gracefully, not meet the default action while a task has yet to listen.
    let stop = shutdown_signal()?;
    let cancel = CancellationToken::new();
    let node = Node::start(config, cancel.clone()).await?;
    println!("Switchboard node listening on {}", node.base_url());
    if let Some(key) = &node.new_admin_key {
        // Printed once, to the terminal only (never to the log): it is not shown again.
        println!("Admin API key (shown once, keep it safe): {key}");
    }
    println!(
        "Open the console (one-time login link): {}",
        node.login_url()
    );
    tokio::spawn(async move {
        stop.await;
        tracing::info!("shutting down");
        cancel.cancel();
    });
    node.wait().await
}

fn openapi() -> anyhow::Result<()> {
    use std::io::Write;
    // The bytes /openapi.json serves (compact JSON), so the two can be compared as text.
    let json = serde_json::to_string(&switchboard::api::openapi())?;
    match writeln!(std::io::stdout().lock(), "{json}") {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => Ok(written?),
    }
}

/// Registers the SIGINT and SIGTERM handlers now (not when first polled) and returns the
/// future that completes on the first of them.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt =
            signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        let mut terminate =
            signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn keys(config: NodeConfig, command: KeysCommand) -> anyhow::Result<()> {
    let opened = open_data_dir(&config).await?;
    let store = &opened.store;
    if let Some(key) = &opened.new_admin_key {
        println!("Admin API key (shown once, keep it safe): {key}");
    }
    match command {
        KeysCommand::Create {
            name,
            read_only,
            project,
            expires,
        } => {
            let project_id = match project {
                Some(p) => Some(
                    switchboard::store::projects::find(store, &p)?
                        .ok_or_else(|| anyhow::anyhow!("no project '{p}'"))?
                        .id,
                ),
                None => None,
            };
            let expire_time = expires
                .map(|e| switchboard::keys::expiry(&e, switchboard::time::now_ms()))
                .transpose()
                .map_err(|why| anyhow::anyhow!("--expires {why}"))?;
            let scope = switchboard::model::api_key::KeyScope {
                read_only,
                project_id,
                expire_time,
            };
            let created = switchboard::keys::create(store, &name, &scope).await?;
            println!("{}", created.secret);
            eprintln!(
                "created key '{}' ({}); it is not shown again",
                created.key.name, created.key.id
            );
        }
        KeysCommand::List => {
            println!(
                "{:<38} {:<16} {:<12} {:<26} STATUS",
                "ID", "NAME", "HINT", "CREATED"
            );
            for k in switchboard::keys::list(store).await? {
                let status = if k.revoke_time.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<38} {:<16} {:<12} {:<26} {status}",
                    k.id,
                    k.name,
                    k.hint,
                    k.create_time.to_rfc3339()
                );
            }
        }
        KeysCommand::Revoke { key } => {
            let revoked =
                switchboard::keys::revoke(store, &key, switchboard::keys::RevokedBy::Operator)
                    .await?;
            anyhow::ensure!(
                revoked == switchboard::keys::Revocation::Revoked,
                "no active key with ID or name '{key}'"
            );
            println!("revoked {key}");
        }
    }
    opened.store.close().await;
    Ok(())
}
