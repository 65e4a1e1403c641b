// Typed calls onto the node's REST API (/v1/projects/{p}/…), over the one transport.
import { ApiError, request } from ".";
import type {
  CreateDestinationRequest,
  Destination,
  EventTopicRoute,
  EventType,
  EventTypeInfo,
  Message,
  MessageDetail,
  MessagePage,
  PublishResponse,
  RecoverResponse,
  Stats,
  Topic,
  Capture,
  CapturedMessage,
  Change,
  Inbox,
  InspectReport,
  InspectRequest,
  ReplayResult,
  ResponseRule,
  CreateTopicRequest,
  UpdateTopicRequest,
  TopicDestinationRoute,
  UpdateDestinationRequest,
  Installation,
  Integration,
  ManifestCheck,
  ReadResultAsync,
  RecordsAccepted,
} from "./types";
import { EVENT_TYPES } from "../lib/eventTypes";
import { exampleBody } from "../lib/examples";

/** The project the console manages (every node has `default`). */
export const PROJECT = "default";

const enc = encodeURIComponent;
const base = () => `/v1/projects/${enc(PROJECT)}`;

function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

// Destinations
export const listDestinations = (signal?: AbortSignal) =>
  request<Destination[]>("GET", `${base()}/destinations`, { signal });
export const getDestination = (
  id: string,
  opts: { includeSecrets?: boolean; rotate?: boolean } = {},
) => request<Destination>("GET", `${base()}/destinations/${enc(id)}${query(opts)}`);
export const createDestination = (body: CreateDestinationRequest) =>
  request<Destination>("POST", `${base()}/destinations`, { body });
export const updateDestination = (id: string, body: UpdateDestinationRequest) =>
  request<Destination>("PATCH", `${base()}/destinations/${enc(id)}`, { body });
export const deleteDestination = (id: string) =>
  request<void>("DELETE", `${base()}/destinations/${enc(id)}`);
export const destinationAction = (id: string, action: "pause" | "resume" | "enable") =>
  request<Destination>("POST", `${base()}/destinations/${enc(id)}/${action}`);
export const recoverDestination = (id: string, since: string) =>
  request<RecoverResponse>("POST", `${base()}/destinations/${enc(id)}/recover`, {
    body: { since },
  });
/**
 * Sends one example notification to this destination only (node extension
 * `POST …/destinations/{d}/test`).
 */
export async function testDestination(id: string, eventType?: EventType) {
  try {
    return await request<PublishResponse>("POST", `${base()}/destinations/${enc(id)}/test`, {
      body: eventType ? { eventType } : {},
    });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && /no such endpoint/.test(err.message)) {
      throw new ApiError(
        "this node cannot send a test to one destination; publish from the Publish page instead",
        404,
        err.problem,
      );
    }
    throw err;
  }
}

// Topics
export const listTopics = (signal?: AbortSignal) =>
  request<Topic[]>("GET", `${base()}/topics`, { signal });
/** A topic with, optionally, its routes: made in one transaction (all or nothing). */
export const createTopic = (body: CreateTopicRequest) =>
  request<Topic>("POST", `${base()}/topics`, { body });
/** Each field given replaces the topic's: name, event types routed in, destinations fed. */
export const updateTopic = (id: string, body: UpdateTopicRequest) =>
  request<Topic>("PATCH", `${base()}/topics/${enc(id)}`, { body });
export const deleteTopic = (id: string) => request<void>("DELETE", `${base()}/topics/${enc(id)}`);

// Routes
export const listEventTopicRoutes = (signal?: AbortSignal) =>
  request<EventTopicRoute[]>("GET", `${base()}/notification-event-topic-routes`, { signal });
export const createEventTopicRoute = (eventType: EventType, topicId: string) =>
  request<EventTopicRoute>("POST", `${base()}/notification-event-topic-routes`, {
    body: { eventType, topicId },
  });
export const deleteEventTopicRoute = (id: string) =>
  request<void>("DELETE", `${base()}/notification-event-topic-routes/${enc(id)}`);
export const listTopicDestinationRoutes = (signal?: AbortSignal) =>
  request<TopicDestinationRoute[]>("GET", `${base()}/topic-destination-routes`, { signal });
export const createTopicDestinationRoute = (topicId: string, destinationId: string) =>
  request<TopicDestinationRoute>("POST", `${base()}/topic-destination-routes`, {
    body: { topicId, destinationId },
  });
export const deleteTopicDestinationRoute = (id: string) =>
  request<void>("DELETE", `${base()}/topic-destination-routes/${enc(id)}`);

// Notifications and messages
export const publishNotification = (body: unknown, idempotencyKey?: string) =>
  request<PublishResponse>("POST", `${base()}/notifications`, {
    body,
    headers: idempotencyKey ? { "Idempotency-Key": idempotencyKey } : undefined,
  });

export interface MessageFilters {
  destinationId?: string;
  eventType?: string;
  status?: string;
  since?: string;
  until?: string;
}
export const listMessages = (
  filters: MessageFilters & { cursor?: string; limit?: number },
  signal?: AbortSignal,
) => request<MessagePage>("GET", `${base()}/messages${query({ ...filters })}`, { signal });
export const getMessage = (id: string, signal?: AbortSignal) =>
  request<MessageDetail>("GET", `${base()}/messages/${enc(id)}`, { signal });
export const resendMessage = (id: string) =>
  request<Message>("POST", `${base()}/messages/${enc(id)}/resend`);

export const getStats = (signal?: AbortSignal) =>
  request<Stats>("GET", `${base()}/stats`, { signal });

/**
 * The event types with a valid example each, from the node (`GET /v1/event-types`), or
 * the UI's own table when the node does not offer that extension.
 */
export async function listEventTypes(signal?: AbortSignal): Promise<EventTypeInfo[]> {
  try {
    return await request<EventTypeInfo[]>("GET", "/v1/event-types", { signal });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
      return EVENT_TYPES.map((eventType) => ({ eventType, example: exampleBody(eventType) }));
    }
    throw err;
  }
}

/** A cheap authenticated request: answers 401 when the browser is not logged in. */
export const checkSession = (signal?: AbortSignal) =>
  request<unknown>("GET", `${base()}`, { signal });

/** What a body is and what is wrong with it and its signature (`POST /v1/inspect`). */
export const inspectPayload = (body: InspectRequest) =>
  request<InspectReport>("POST", "/v1/inspect", { body: { project: PROJECT, ...body } });

export const listInboxes = (signal?: AbortSignal) =>
  request<Inbox[]>("GET", `${base()}/inboxes`, { signal });
/** An inbox; with `createDestination`, also a webhook destination that delivers to it. */
export const createInbox = (name: string, createDestination: boolean) =>
  request<Inbox>("POST", `${base()}/inboxes`, { body: { name, createDestination } });
export const setInboxRules = (inbox: string, rules: ResponseRule[]) =>
  request<Inbox>("PATCH", `${base()}/inboxes/${enc(inbox)}`, { body: { rules } });
export const listCaptures = (inbox: string, signal?: AbortSignal) =>
  request<Capture[]>("GET", `${base()}/inboxes/${enc(inbox)}/captures?limit=200`, { signal });
export const replayCapture = (
  inbox: string,
  capture: string,
  body: { url: string; body?: string; resignWith?: string; newId?: boolean },
) =>
  request<ReplayResult>("POST", `${base()}/inboxes/${enc(inbox)}/captures/${enc(capture)}/replay`, {
    body,
  });
/** The captures as HAR, curl or NDJSON text (credentials redacted by the node). */
export const exportCaptures = (inbox: string, format: "har" | "curl" | "ndjson", ids: string[]) =>
  request<unknown>(
    "GET",
    `${base()}/inboxes/${enc(inbox)}/export${query({ format, ids: ids.join(",") || undefined })}`,
  );
export const diffValues = (before: unknown, after: unknown) =>
  request<Change[]>("POST", "/v1/diff", { body: { before, after } });
/** The inbox's captures grouped by webhook-id: each message's attempts, in order. */
export const listCapturedMessages = (inbox: string, signal?: AbortSignal) =>
  request<CapturedMessage[]>("GET", `${base()}/inboxes/${enc(inbox)}/messages`, { signal });

// Read actions: integrations (amp.yaml), installations, reads and the local record source.
export const listIntegrations = (signal?: AbortSignal) =>
  request<Integration[]>("GET", `${base()}/integrations`, { signal });
/** Deploys a manifest (`PUT …/integrations:batch`); a 422 names each issue by line. */
export const deployIntegrations = (sourceYaml: string) =>
  request<Integration[]>("PUT", `${base()}/integrations:batch`, { body: { sourceYaml } });
/** Checks a manifest as a deploy would (destinations included), without deploying it. */
export const validateManifest = (sourceYaml: string, signal?: AbortSignal) =>
  request<ManifestCheck>("POST", `${base()}/integrations:validate`, {
    body: { sourceYaml },
    signal,
  });
export const deleteIntegration = (id: string) =>
  request<void>("DELETE", `${base()}/integrations/${enc(id)}`);
export const listInstallations = (signal?: AbortSignal) =>
  request<Installation[]>("GET", `${base()}/installations`, { signal });
export const createInstallation = (integration: string, body: unknown) =>
  request<Installation>("POST", `${base()}/integrations/${enc(integration)}/installations`, {
    body,
  });
/** Replaces one read object's config (`updateMask: config.content.read.objects.<o>`). */
export const updateReadObject = (
  integration: string,
  installation: string,
  object: string,
  config: unknown,
) =>
  request<Installation>(
    "PATCH",
    `${base()}/integrations/${enc(integration)}/installations/${enc(installation)}`,
    {
      body: {
        updateMask: [`config.content.read.objects.${object}`],
        installation: { config: { content: { read: { objects: { [object]: config } } } } },
      },
    },
  );
export const deleteInstallation = (integration: string, installation: string) =>
  request<void>(
    "DELETE",
    `${base()}/integrations/${enc(integration)}/installations/${enc(installation)}`,
  );
/** `:pause` or `:unpause` an installation's reads (of some objects, or all). */
export const setReadsPaused = (
  integration: string,
  installation: string,
  paused: boolean,
  objects?: string[],
) =>
  request<void>(
    "POST",
    `${base()}/integrations/${enc(integration)}/installations/${enc(installation)}:${paused ? "pause" : "unpause"}`,
    { body: objects ? { objects } : {} },
  );
/** "Read now": a triggered read of the whole object for a group. */
export const triggerRead = (integration: string, object: string, groupRef: string) =>
  request<ReadResultAsync>(
    "POST",
    `${base()}/integrations/${enc(integration)}/objects/${enc(object)}`,
    {
      body: { groupRef, mode: "async" },
    },
  );
/** Lets an `onRequest` object deliver this many more pages. */
export const deliverResults = (
  integration: string,
  object: string,
  groupRef: string,
  pages: number,
) =>
  request<void>(
    "POST",
    `${base()}/integrations/${enc(integration)}/objects/${enc(object)}:deliverResults`,
    { body: { groupRef, pages } },
  );
/** Sample records with the manifest's fields, added to a group's local source. */
export const generateRecords = (
  integration: string,
  groupRef: string,
  object: string,
  count: number,
) =>
  request<RecordsAccepted>(
    "POST",
    `${base()}/integrations/${enc(integration)}/groups/${enc(groupRef)}/objects/${enc(object)}/records:generate`,
    { body: { count } },
  );
