// Valid example bodies `{notificationType, data}` for each event type, mirroring the core's
// `example_data` (src/payload/notification.rs). Used when the node has no
// `GET /v1/event-types` (e.g. an Ampersand-compatible remote that lacks the extension).
import type { EventType } from "../api/types";

const PROJECT_ID = "8f4a2b1c-3d5e-4f6a-9b0c-1d2e3f4a5b6c";

const installation = () => ({
  projectId: PROJECT_ID,
  provider: "salesforce",
  integrationId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  integrationName: "Salesforce Integration",
  installationId: "a3bb189e-8bf9-3888-9912-ace4e6543002",
  connectionId: "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
  groupRef: "customer-group-ref",
  groupName: "Customer Name",
  consumerRef: "user-123",
  consumerName: "John Doe",
});

const connection = () => ({
  projectId: PROJECT_ID,
  connectionId: "c4e7f2a1-8b3d-4f6e-9a2c-5d1e3f4b6a7c",
  provider: "salesforce",
  groupRef: "customer-group-ref",
  consumerRef: "user-123",
  consumerName: "John Doe",
});

const config = (destination: string) => ({
  provider: "salesforce",
  read: {
    objects: {
      account: {
        objectName: "account",
        destination,
        schedule: "*/15 * * * *",
        selectedFields: { name: true, industry: true },
        selectedFieldMappings: {},
      },
    },
  },
});

const readWindow = {
  objectName: "Account",
  fromTimestamp: "2026-01-01T00:00:00Z",
  untilTimestamp: "2026-01-01T23:59:59Z",
};

function exampleData(eventType: EventType): Record<string, unknown> {
  switch (eventType) {
    case "installation.created":
    case "installation.deleted":
      return { ...installation(), config: config("my-webhook") };
    case "installation.updated":
      return {
        ...installation(),
        config: config("my-webhook"),
        lastConfig: config("my-old-webhook"),
      };
    case "read.schedule.paused":
      return { ...installation(), config: config("my-webhook"), error: "Authentication failed" };
    case "read.backfill.done":
      return { ...installation(), objectName: "Account" };
    case "read.triggered.done":
      return { ...installation(), ...readWindow };
    case "read.triggered.error":
      return { ...installation(), ...readWindow, error: "Authentication failed" };
    case "write.async.done":
      return {
        ...installation(),
        objectName: "Account",
        success: true,
        successfulRecordIds: ["provider-record-id-1", "provider-record-id-2"],
        errors: [],
      };
    case "subscribe.create.error":
      return { ...installation(), error: "Failed to create subscription" };
    case "connection.error":
      return {
        ...connection(),
        errors: ["Authentication failed", "Token refresh error"],
        error: ["Authentication failed", "Token refresh error"],
      };
    case "destination.webhook.disabled":
      return {
        projectId: PROJECT_ID,
        destinationId: "2e8f4c1a-9b3d-4e7f-8a2c-0d1e2f3a4b5c",
        destinationName: "production-alerts",
        url: "https://your-webhook.com",
      };
    // connection.created, .refreshed, .updated and .deleted share `ConnectionData`.
    default:
      return connection();
  }
}

/** A publishable body for `eventType`. */
export function exampleBody(eventType: EventType): { notificationType: EventType; data: unknown } {
  return { notificationType: eventType, data: exampleData(eventType) };
}
