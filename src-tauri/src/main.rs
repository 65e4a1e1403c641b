//! Desktop shell: starts the embedded node on loopback, serves the console UI, and forwards
//! the UI's requests and live subscriptions to the selected node. State setup and one-line
//! command adapters only.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod alerts;
mod connection;
mod embedded;

use std::io::IsTerminal;

use connection::{Connections, LiveEnvelope, NodeInfo, NodeRequest, NodeResponse, ProfileEntry};
use embedded::EmbeddedNode;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, RunEvent};
use tokio_util::sync::CancellationToken;

switchboard::use_mimalloc!();

/// Where the current profile's node is, for the UI's transport (`ui/src/api`).
#[tauri::command]
fn node_info(conns: tauri::State<'_, Connections>) -> Result<NodeInfo, String> {
    conns.info()
}

/// One API request from the UI, sent with the current profile's key (see `connection`).
#[tauri::command]
async fn node_request(
    conns: tauri::State<'_, Connections>,
    request: NodeRequest,
) -> Result<NodeResponse, String> {
    conns.request(request).await
}

/// "local" (the embedded node) and the stored profiles; never their keys.
#[tauri::command]
fn profiles_list(conns: tauri::State<'_, Connections>) -> Result<Vec<ProfileEntry>, String> {
    conns.profiles()
}

/// Switches requests, live events and the tray's alert count to another node; the next
/// launch starts with it too.
#[tauri::command]
fn profile_use(conns: tauri::State<'_, Connections>, name: String) -> Result<NodeInfo, String> {
    conns.use_profile(&name)
}

/// Streams a project's `/stream` events to `channel`; returns the id to unsubscribe with.
#[tauri::command]
fn live_subscribe(
    conns: tauri::State<'_, Connections>,
    project: String,
    channel: Channel<LiveEnvelope>,
) -> u64 {
    conns.subscribe(project, channel)
}

#[tauri::command]
fn live_unsubscribe(conns: tauri::State<'_, Connections>, id: u64) -> Result<(), String> {
    conns.unsubscribe(id)
}

/// Brings the console window to the front (a second launch, or the tray menu).
pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn main() {
    init_logging();
    let background = CancellationToken::new();
    let tray_cancel = background.clone();
    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main_window(app)
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let node = EmbeddedNode::start(embedded::data_dir());
            // The selected profile is remembered beside the window state.
            let choice = app.path().app_config_dir().ok();
            let choice = choice.map(|dir| dir.join(connection::CHOICE_FILE));
            app.manage(Connections::new(node.client(), choice));
            app.manage(node);
            alerts::start(app.handle(), tray_cancel);
            embedded::exit_on_signal(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            node_info,
            node_request,
            profiles_list,
            profile_use,
            live_subscribe,
            live_unsubscribe
        ])
        .build(tauri::generate_context!())
        .expect("failed to build the Switchboard window");

    app.run(move |app, event| {
        if let RunEvent::Exit = event {
            background.cancel();
            if let Some(conns) = app.try_state::<Connections>() {
                conns.shutdown();
            }
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
