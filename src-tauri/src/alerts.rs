//! Open alerts (disabled destinations) in the system tray, and a desktop notification when a
//! destination gets disabled. Counted at start and on every profile switch, then kept up to
//! date from the live stream (`destination.disabled` / `destination.enabled`).

use std::collections::BTreeSet;

use switchboard::client::DestinationStatus;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{async_runtime, AppHandle, Manager, Wry};
use tauri_plugin_notification::NotificationExt;
use tokio_util::sync::CancellationToken;

use crate::connection::{follow_live, Connections, LiveEnvelope};

const TRAY_ID: &str = "main";

/// The tray's menu items that change.
struct Tray {
    icon: TrayIcon<Wry>,
    alerts: MenuItem<Wry>,
}

/// Text for `n` open alerts.
pub fn describe(n: usize) -> String {
    match n {
        0 => "Switchboard: no open alerts".into(),
        1 => "Switchboard: 1 open alert (a destination is disabled)".into(),
        n => format!("Switchboard: {n} open alerts ({n} destinations disabled)"),
    }
}

fn build_tray(app: &AppHandle) -> tauri::Result<Tray> {
    let alerts = MenuItem::with_id(app, "alerts", describe(0), true, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Switchboard", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&alerts, &show, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip(describe(0))
        .on_menu_event(|app, event| match event.id.as_ref() {
            "quit" => app.exit(0),
            _ => crate::show_main_window(app),
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    Ok(Tray { icon, alerts })
}

impl Tray {
    fn show(&self, open: usize) {
        let text = describe(open);
        let _ = self.icon.set_tooltip(Some(&text));
        // The title shows beside the icon where the platform supports it (macOS, some Linux panels).
        let _ = self.icon.set_title(Some(if open == 0 {
            String::new()
        } else {
            open.to_string()
        }));
        let _ = self.alerts.set_text(text);
    }
}

/// Builds the tray and keeps its count current until `cancel`.
pub fn start(app: &AppHandle, cancel: CancellationToken) {
    let tray = match build_tray(app) {
        Ok(t) => t,
        Err(err) => {
            tracing::warn!("no system tray: {err}");
            return;
        }
    };
    let app = app.clone();
    async_runtime::spawn(async move {
        let conns = app.state::<Connections>();
        let mut rx = conns.watch();
        loop {
            // Count what is disabled now on the current node, then follow its changes.
            let client = rx.borrow_and_update().as_ref().map(|c| c.client.clone());
            let mut disabled = BTreeSet::new();
            if let Some(client) = &client {
                match client.list_destinations().await {
                    Ok(list) => disabled.extend(
                        list.into_iter()
                            .filter(|d| d.status == Some(DestinationStatus::Disabled))
                            .map(|d| d.id),
                    ),
                    Err(err) => tracing::warn!("counting disabled destinations: {err}"),
                }
            }
            tray.show(disabled.len());
            let switched = CancellationToken::new();
            let follow = follow_live(
                "",
                conns.watch(),
                switched.clone(),
                |event: LiveEnvelope| {
                    on_event(&app, &tray, &mut disabled, event);
                    true
                },
            );
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = follow => return,
                changed = rx.changed() => {
                    switched.cancel();
                    if changed.is_err() { return; }
                }
            }
        }
    });
}

fn on_event(app: &AppHandle, tray: &Tray, disabled: &mut BTreeSet<String>, event: LiveEnvelope) {
    let id = event.data["destinationId"].as_str().unwrap_or_default();
    match event.event.as_str() {
        "destination.disabled" => {
            if disabled.insert(id.to_string()) {
                let name = event.data["destinationName"].as_str().unwrap_or(id);
                let reason = event.data["reason"].as_str().unwrap_or("too many failures");
                notify(app, name, reason);
            }
        }
        "destination.enabled" => {
            disabled.remove(id);
        }
        _ => return,
    }
    tray.show(disabled.len());
}

fn notify(app: &AppHandle, name: &str, reason: &str) {
    let shown = app
        .notification()
        .builder()
        .title(format!("Destination \"{name}\" disabled"))
        .body(reason)
        .show();
    if let Err(err) = shown {
        tracing::warn!("desktop notification failed: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn counts_read_well() {
        assert_eq!(describe(0), "Switchboard: no open alerts");
        assert!(describe(1).contains("1 open alert "));
        assert!(describe(3).contains("3 open alerts"));
    }
}
