//! Queries on `event_topic_routes` and `topic_destination_routes`.

use super::{Store, StoreError, WriteTx};

use crate::model::{EventTopicRoute, EventType, TopicDestinationRoute};
use crate::time::to_datetime;

pub struct EventTopicRouteRow {
    pub id: String,
    pub project_id: String,
    pub event_type: EventType,
    pub topic_id: String,
    pub create_time: i64,
    pub update_time: i64,
}

impl EventTopicRouteRow {
    pub fn to_api(&self) -> EventTopicRoute {
        EventTopicRoute {
            id: self.id.clone(),
            event_type: self.event_type,
            topic_id: self.topic_id.clone(),
            project_id: self.project_id.clone(),
            create_time: to_datetime(self.create_time),
            update_time: to_datetime(self.update_time),
        }
    }
}

pub struct TopicDestinationRouteRow {
    pub id: String,
    pub project_id: String,
    pub topic_id: String,
    pub destination_id: String,
    pub create_time: i64,
}

impl From<TopicDestinationRouteRow> for TopicDestinationRoute {
    fn from(r: TopicDestinationRouteRow) -> Self {
        TopicDestinationRoute {
            id: r.id,
            topic_id: r.topic_id,
            destination_id: r.destination_id,
            project_id: r.project_id,
            create_time: to_datetime(r.create_time),
        }
    }
}

pub async fn insert_event_topic(
    tx: &mut WriteTx,
    row: &EventTopicRouteRow,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO event_topic_routes (id, project_id, event_type, topic_id, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.event_type,
        row.topic_id,
        row.create_time,
        row.update_time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Lists event-topic routes, optionally only those of one topic and/or one event type.
pub async fn list_event_topic(
    store: &Store,
    project_id: &str,
    topic_id: Option<&str>,
    event_type: Option<&str>,
) -> Result<Vec<EventTopicRouteRow>, StoreError> {
    sqlx::query_as!(
        EventTopicRouteRow,
        r#"SELECT id, project_id, event_type AS "event_type: EventType", topic_id, create_time, update_time FROM event_topic_routes
         WHERE project_id = ?1 AND (?2 IS NULL OR topic_id = ?2) AND (?3 IS NULL OR event_type = ?3)
         ORDER BY create_time, id"#,
        project_id,
        topic_id,
        event_type
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

pub async fn delete_event_topic(
    tx: &mut WriteTx,
    project_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        "DELETE FROM event_topic_routes WHERE project_id = ? AND id = ?",
        project_id,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn insert_topic_destination(
    tx: &mut WriteTx,
    row: &TopicDestinationRouteRow,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO topic_destination_routes (id, project_id, topic_id, destination_id, create_time)
         VALUES (?, ?, ?, ?, ?)",
        row.id,
        row.project_id,
        row.topic_id,
        row.destination_id,
        row.create_time
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Lists topic-destination routes, optionally only those of one topic and/or destination.
pub async fn list_topic_destination(
    store: &Store,
    project_id: &str,
    topic_id: Option<&str>,
    destination_id: Option<&str>,
) -> Result<Vec<TopicDestinationRouteRow>, StoreError> {
    sqlx::query_as!(
        TopicDestinationRouteRow,
        "SELECT id, project_id, topic_id, destination_id, create_time FROM topic_destination_routes
         WHERE project_id = ?1 AND (?2 IS NULL OR topic_id = ?2) AND (?3 IS NULL OR destination_id = ?3)
         ORDER BY create_time, id",
        project_id,
        topic_id,
        destination_id
    )
    .fetch_all(store.reads())
    .await
        .map_err(StoreError::from)
}

pub async fn delete_topic_destination(
    tx: &mut WriteTx,
    project_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        "DELETE FROM topic_destination_routes WHERE project_id = ? AND id = ?",
        project_id,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes `wanted` exactly the event types routed into the topic, inside the caller's
/// transaction: routes of other event types are deleted, missing ones added, and those
/// that stay keep their IDs.
pub async fn set_topic_event_types(
    tx: &mut WriteTx,
    project_id: &str,
    topic_id: &str,
    wanted: &[EventType],
    now: i64,
) -> Result<(), StoreError> {
    let current = sqlx::query!(
        r#"SELECT id, event_type AS "event_type: EventType" FROM event_topic_routes WHERE topic_id = ?"#,
        topic_id
    )
    .fetch_all(tx.conn())
    .await?;
    for route in current.iter().filter(|r| !wanted.contains(&r.event_type)) {
        sqlx::query!("DELETE FROM event_topic_routes WHERE id = ?", route.id)
            .execute(tx.conn())
            .await?;
    }
    for event_type in wanted {
        if current.iter().any(|r| r.event_type == *event_type) {
            continue;
        }
        let row = EventTopicRouteRow {
            id: super::new_id(),
            project_id: project_id.to_string(),
            event_type: *event_type,
            topic_id: topic_id.to_string(),
            create_time: now,
            update_time: now,
        };
        insert_event_topic(tx, &row).await?;
    }
    Ok(())
}

/// Makes `wanted` (destination IDs) exactly the destinations the topic routes to, inside
/// the caller's transaction; routes that stay keep their IDs.
pub async fn set_topic_destinations(
    tx: &mut WriteTx,
    project_id: &str,
    topic_id: &str,
    wanted: &[String],
    now: i64,
) -> Result<(), StoreError> {
    let current = sqlx::query!(
        "SELECT id, destination_id FROM topic_destination_routes WHERE topic_id = ?",
        topic_id
    )
    .fetch_all(tx.conn())
    .await?;
    for route in current
        .iter()
        .filter(|r| !wanted.contains(&r.destination_id))
    {
        sqlx::query!(
            "DELETE FROM topic_destination_routes WHERE id = ?",
            route.id
        )
        .execute(tx.conn())
        .await?;
    }
    for destination_id in wanted {
        if current.iter().any(|r| &r.destination_id == destination_id) {
            continue;
        }
        let row = TopicDestinationRouteRow {
            id: super::new_id(),
            project_id: project_id.to_string(),
            topic_id: topic_id.to_string(),
            destination_id: destination_id.clone(),
            create_time: now,
        };
        insert_topic_destination(tx, &row).await?;
    }
    Ok(())
}
