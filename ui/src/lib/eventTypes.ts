// The 15 notification event types of Ampersand's `NotificationEventType`, in the spec's order.
import type { EventType } from "../api/types";

export const EVENT_TYPES: readonly EventType[] = [
  "connection.created",
  "connection.error",
  "connection.refreshed",
  "connection.updated",
  "connection.deleted",
  "installation.created",
  "installation.updated",
  "installation.deleted",
  "read.schedule.paused",
  "read.backfill.done",
  "read.triggered.done",
  "read.triggered.error",
  "write.async.done",
  "subscribe.create.error",
  "destination.webhook.disabled",
];

export const MESSAGE_STATUSES = [
  "pending",
  "delivering",
  "delivered",
  "retrying",
  "exhausted",
  "skipped",
] as const;
