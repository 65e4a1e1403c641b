//! An installation's reads starting (each object's read state and, with a backfill
//! period, its backfill operation) and its deletion, announced with `installation.deleted`
//! in the same transaction.

use serde_json::json;

use super::context::{installation_fields, ReadContext};
use super::runner::new_operation;
use super::schedule::{check_schedule, next_runs};
use crate::dispatch::Dispatcher;
use crate::model::installation::ConfigContent;
use crate::model::integration::{BackfillSpec, BackfillWindow, ManifestIntegration};
use crate::model::read::ReadType;
use crate::store::reads::{self, InstallationRow, IntegrationRow, OperationRow, Source};
use crate::store::writer::OutboxTx;
use crate::store::{read_progress, Store, StoreError};
use crate::time::to_datetime;

/// Deletes an installation (its read state and operations go with it) and publishes
/// `installation.deleted` with the config it had.
pub async fn delete_installation(
    dispatcher: &Dispatcher,
    integration: &IntegrationRow,
    row: &InstallationRow,
) -> anyhow::Result<()> {
    let mut data = installation_fields(row, integration);
    data.insert(
        "config".into(),
        serde_json::from_str(&row.config).unwrap_or_default(),
    );
    let (id, project_id) = (row.id.clone(), row.project_id.clone());
    dispatcher
        .commit_with_messages(move |tx, enqueue| {
            if read_progress::delete_installation(tx, &id)? {
                enqueue.notify(
                    tx,
                    &project_id,
                    &json!({"notificationType": "installation.deleted", "data": data}),
                )?;
            }
            Ok(())
        })
        .await
}

/// What starting to read an object means: its state row and, with a backfill, the backfill.
pub struct ObjectStart {
    object_name: String,
    cursor: i64,
    backfill: &'static str,
    next_run: Option<i64>,
    operation: Option<OperationRow>,
}

/// Plans the first reads of each (enabled) read object of a config.
pub async fn plan_starts(
    store: &Store,
    now: i64,
    installation: &InstallationRow,
    integration: &IntegrationRow,
    manifest: &ManifestIntegration,
    only: Option<&[String]>,
) -> Result<Vec<ObjectStart>, StoreError> {
    let content: ConfigContent = serde_json::from_str(&installation.config).unwrap_or_default();
    let mut starts = Vec::new();
    for object in content.read.unwrap_or_default().objects.into_values() {
        if object.disabled || only.is_some_and(|o| !o.contains(&object.object_name)) {
            continue;
        }
        let Some(spec) = manifest
            .read
            .iter()
            .flat_map(|r| r.objects.iter())
            .find(|o| o.object_name == object.object_name)
        else {
            continue;
        };
        let source = Source {
            project_id: &installation.project_id,
            provider: &integration.provider,
            group_ref: &installation.group_ref,
            object_name: &spec.object_name,
        };
        let max = reads::max_seq(store, &source).await?;
        let schedule = object
            .schedule
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&spec.schedule);
        let next_run = check_schedule(schedule).ok().and_then(|c| {
            next_runs(&c, to_datetime(now), 1)
                .first()
                .map(|t| t.timestamp_millis())
        });
        // The config's own backfill period, if it has one, else the manifest's.
        let window = object
            .backfill
            .as_ref()
            .map(BackfillSpec::window)
            .unwrap_or_else(|| spec.backfill_window());
        let since = match window {
            BackfillWindow::None => None,
            BackfillWindow::FullHistory => Some(None),
            BackfillWindow::Days(d) => Some(Some(now - d * 86_400_000)),
        };
        let operation = since.map(|since| {
            let ctx = ReadContext {
                installation: installation.clone(),
                integration: integration.clone(),
                spec: spec.clone(),
                config: object.clone(),
            };
            new_operation(&ctx, ReadType::Backfill, 0, max, since, None, now)
        });
        starts.push(ObjectStart {
            object_name: spec.object_name.clone(),
            cursor: if operation.is_some() { 0 } else { max },
            backfill: if operation.is_some() {
                "running"
            } else {
                "none"
            },
            next_run,
            operation,
        });
    }
    Ok(starts)
}

/// Writes what [`plan_starts`] planned, in the caller's transaction.
pub fn write_starts(
    tx: &OutboxTx,
    installation_id: &str,
    starts: &[ObjectStart],
) -> Result<(), StoreError> {
    for s in starts {
        read_progress::ensure_read_object(
            tx,
            installation_id,
            &s.object_name,
            s.cursor,
            s.backfill,
            s.next_run,
        )?;
        if let Some(op) = &s.operation {
            read_progress::insert_operation(tx, op)?;
        }
    }
    Ok(())
}
