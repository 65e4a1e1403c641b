//! Desktop shell: starts the embedded node on loopback, serves the console UI, and hands
//! the UI the node's address. State setup and one-line command adapters only.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod embedded;
mod forward;

use std::io::IsTerminal;

use embedded::{EmbeddedNode, NodeInfo};
use forward::{NodeRequest, NodeResponse};
use tauri::{Manager, RunEvent};

/// The embedded node's address, for the UI's transport (`ui/src/api`).
#[tauri::command]
fn node_info(node: tauri::State<'_, EmbeddedNode>) -> Result<NodeInfo, String> {
    node.info()
}

/// One API request from the UI, sent to the embedded node (see `forward`).
#[tauri::command]
async fn node_request(
    node: tauri::State<'_, EmbeddedNode>,
    request: NodeRequest,
) -> Result<NodeResponse, String> {
    node.request(request).await
}

fn main() {
    init_logging();
    let app = tauri::Builder::default()
        .setup(|app| {
            app.manage(EmbeddedNode::start(embedded::data_dir()));
            embedded::exit_on_signal(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![node_info, node_request])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("failed to build the Switchboard window");

    app.run(|app, event| {
        if let RunEvent::Exit = event {
            if let Some(node) = app.try_state::<EmbeddedNode>() {
                node.shutdown();
            }
        }
    });
}

fn init_logging() {
    // Same variable and default as the headless `switchboard` binary.
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
