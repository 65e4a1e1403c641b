//! Log destinations: one JSON line per message appended to a file, flushed before the
//! attempt counts as delivered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::{AttemptResult, ErrorClass, Outgoing, Target};
use crate::model::message::MessageKind;
use crate::time::to_rfc3339;

/// Serialises appends per file, so concurrent deliveries never interleave within a line.
#[derive(Clone, Default)]
pub struct LogSink {
    locks: Arc<std::sync::Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>>,
}

impl LogSink {
    fn lock_for(&self, path: &Path) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().expect("log locks");
        locks.entry(path.to_path_buf()).or_default().clone()
    }

    pub async fn deliver(&self, target: &Target, msg: &Outgoing) -> AttemptResult {
        let Some(path) = target.metadata.path.as_deref().map(PathBuf::from) else {
            return AttemptResult::failed(ErrorClass::Config, "the log destination has no path");
        };
        let payload = serde_json::from_str::<serde_json::Value>(&msg.payload).unwrap_or_default();
        let line = match msg.kind {
            MessageKind::Notification(event_type) => json!({
                "time": to_rfc3339(crate::time::now_ms()),
                "destination": target.name,
                "notificationType": event_type.as_str(),
                "messageId": msg.message_id,
                "data": payload["data"],
            }),
            // A read result is the whole message.
            MessageKind::ReadResult => json!({
                "time": to_rfc3339(crate::time::now_ms()),
                "destination": target.name,
                "action": "read",
                "messageId": msg.message_id,
                "data": payload,
            }),
        };
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        let lock = self.lock_for(&path);
        let _guard = lock.lock().await;
        match append(&path, &bytes).await {
            Ok(()) => AttemptResult {
                succeeded: true,
                ..Default::default()
            },
            Err(e) => AttemptResult::failed(ErrorClass::Io, format!("{}: {e}", path.display())),
        }
    }
}

/// One `write_all` of the whole line with O_APPEND, then fsync: the line is on disk, whole.
async fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.sync_data().await
}
