//! Open alerts (disabled destinations) in the system tray, and a desktop notification when a
//! destination gets disabled. Counted on every profile switch and every time the live stream
//! (re)connects, and kept up to date in between from its events (`destination.disabled` /
//! `destination.enabled`).

use std::collections::BTreeSet;

use switchboard::client::DestinationStatus;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{async_runtime, AppHandle, Manager, Wry};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connection::{follow_live, Connections, Followed, LiveEnvelope};
use switchboard::model::live::LiveEvent;

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
        // Follow the current node's stream on a task of its own; what it reports waits in the
        // queue while a count is under way, and is applied after it in order.
        let (tx, mut followed) = mpsc::unbounded_channel();
        async_runtime::spawn(follow_live("", conns.watch(), cancel, move |item| {
            tx.send(item).is_ok()
        }));
        let mut disabled = BTreeSet::new();
        while let Some(item) = followed.recv().await {
            match item {
                // Another node: count its alerts at once, even if its stream never connects.
                Followed::Switched => {
                    disabled = count_disabled(&conns).await.unwrap_or_default();
                }
                // Counted again once the stream is (re)connected: a destination disabled
                // before that is in the count, one disabled after it arrives as an event.
                // Without this, one disabled between the first count and the connection
                // (or while the stream was down) would never be counted.
                Followed::Connected => {
                    if let Some(now) = count_disabled(&conns).await {
                        disabled = now;
                    }
                }
                Followed::Event(event) => {
                    if !on_event(&app, &mut disabled, event) {
                        continue;
                    }
                }
            }
            tray.show(disabled.len());
        }
    });
}

/// The disabled destinations of the current node; `None` when it cannot be asked.
async fn count_disabled(conns: &Connections) -> Option<BTreeSet<String>> {
    let client = conns.watch().borrow().as_ref().map(|c| c.client.clone())?;
    match client.list_destinations().await {
        Ok(list) => Some(
            list.into_iter()
                .filter(|d| d.status == Some(DestinationStatus::Disabled))
                .map(|d| d.id)
                .collect(),
        ),
        Err(err) => {
            tracing::warn!("counting disabled destinations: {err}");
            None
        }
    }
}

/// Applies a live event to the disabled set; true when it was one about a destination.
/// Each `destination.disabled` event is one change of state (the node sends it once, and a
/// resumed stream does not repeat it), so each gets one desktop notification — also when a
/// recount already had the destination in the set.
fn on_event(app: &AppHandle, disabled: &mut BTreeSet<String>, event: LiveEnvelope) -> bool {
    let typed = serde_json::from_value::<LiveEvent>(
        serde_json::json!({"kind": event.kind, "data": event.data}),
    );
    match typed {
        Ok(LiveEvent::DestinationDisabled(d)) => {
            disabled.insert(d.destination_id.to_string());
            notify(app, &d.destination_name, &d.reason);
            true
        }
        Ok(LiveEvent::DestinationEnabled(d)) => {
            disabled.remove(d.destination_id.as_ref());
            true
        }
        _ => false,
    }
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
