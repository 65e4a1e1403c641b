//! How installations and read operations are shown: Ampersand's `Installation` (with the
//! node's per-object read state) and `Operation`.

use super::AppState;
use crate::error::ApiResult;
use crate::model::installation::{
    Connection, Consumer, Group, Installation, InstallationConfig, ReadObjectState,
};
use crate::model::read::{Operation, ReadType};
use crate::store::reads::{self, InstallationRow, OperationRow};
use crate::time::to_datetime;

/// How many of an object's last reads an installation shows.
const RECENT_OPERATIONS: i64 = 5;

pub fn operation_view(row: &OperationRow) -> Operation {
    let progress = crate::model::read::BackfillProgress {
        installation_id: row.installation_id.clone(),
        object_name: row.object_name.clone(),
        operation_id: row.id.clone(),
        records_processed: row.records_processed,
        records_estimated_total: None,
        create_time: to_datetime(row.create_time),
        update_time: to_datetime(row.update_time),
    };
    Operation {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        integration_id: row.integration_id.clone(),
        installation_id: row.installation_id.clone(),
        config_id: row.config_id.clone(),
        action_type: "read".into(),
        status: row.status.clone(),
        result: row.result.clone(),
        metadata: crate::model::read::OperationMetadata {
            objects: vec![row.object_name.clone()],
            progress,
        },
        create_time: to_datetime(row.create_time),
        read_type: ReadType::parse(&row.read_type).unwrap_or(ReadType::Triggered),
        messages: row.messages,
        update_time: to_datetime(row.update_time),
    }
}

pub async fn installation_view(
    state: &AppState,
    row: &InstallationRow,
    provider: &str,
) -> ApiResult<Installation> {
    let group = Group {
        group_ref: row.group_ref.clone(),
        group_name: row.group_name.clone(),
        project_id: row.project_id.clone(),
        create_time: to_datetime(row.create_time),
    };
    let mut read_objects = Vec::new();
    let mut healthy = true;
    let mut last: Option<OperationRow> = None;
    for o in reads::read_objects(&state.store, &row.id).await? {
        let recent = reads::operations(
            &state.store,
            &row.id,
            Some(&o.object_name),
            None,
            RECENT_OPERATIONS,
        )
        .await?;
        if let Some(newest) = recent.first() {
            if last
                .as_ref()
                .is_none_or(|l| l.create_time < newest.create_time)
            {
                last = Some(newest.clone());
            }
        }
        healthy &= !(o.paused && o.failed_runs > 0);
        read_objects.push(ReadObjectState {
            object_name: o.object_name,
            paused: o.paused,
            pause_note: o.pause_note,
            backfill: o.backfill,
            next_run_time: o.next_run_time.map(to_datetime),
            failed_runs: o.failed_runs,
            page_credit: o.page_credit,
            recent_operations: recent.iter().map(operation_view).collect(),
        });
    }
    Ok(Installation {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        integration_id: row.integration_id.clone(),
        health_status: if healthy { "healthy" } else { "unhealthy" }.into(),
        last_operation_status: last.map(|l| l.status),
        connection: Connection {
            id: row.connection_id.clone(),
            project_id: row.project_id.clone(),
            provider: provider.to_string(),
            group: group.clone(),
            consumer: Consumer {
                consumer_ref: row.consumer_ref.clone(),
                consumer_name: row.consumer_name.clone(),
                project_id: row.project_id.clone(),
                create_time: to_datetime(row.create_time),
            },
            create_time: to_datetime(row.create_time),
            auth_scheme: "none".into(),
            status: "working".into(),
        },
        group,
        create_time: to_datetime(row.create_time),
        created_by: row.config_created_by.clone(),
        update_time: (row.update_time != row.create_time).then(|| to_datetime(row.update_time)),
        config: InstallationConfig {
            id: row.config_id.clone(),
            revision_id: row.revision_id.clone(),
            create_time: to_datetime(row.config_create_time),
            created_by: row.config_created_by.clone(),
            content: serde_json::from_str(&row.config).unwrap_or_default(),
        },
        read_objects,
    })
}
