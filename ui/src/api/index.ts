// Transport to a Switchboard node: the only module that knows whether the UI runs in
// the desktop shell or in a plain browser (nothing else may import @tauri-apps/*).
import { Channel, invoke, isTauri } from "@tauri-apps/api/core";
import type { LiveEvent, LiveEventKind } from "./types";

/** What the desktop shell's `node_info` command returns. */
export interface NodeInfo {
  baseUrl: string;
  /** The selected profile: `local` (the embedded node) or a stored one. */
  profile?: string;
}

/** A connection profile as the desktop shell lists it (its key stays in the shell). */
export interface ConnectionProfile {
  name: string;
  url: string;
  project: string;
  current: boolean;
}

/** Desktop only: `local` (the embedded node) and the stored profiles. Browser: none. */
export async function listProfiles(): Promise<ConnectionProfile[]> {
  return isTauri() ? invoke<ConnectionProfile[]>("profiles_list") : [];
}

/**
 * Desktop only: sends every request and live subscription to another node from now on.
 * Callers should refetch their queries afterwards.
 */
export async function selectProfile(name: string): Promise<NodeInfo> {
  const info = await invoke<NodeInfo>("profile_use", { name });
  baseUrl = Promise.resolve(info.baseUrl.replace(/\/+$/, ""));
  return info;
}

/** One field-level complaint in a problem (Ampersand's `InputValidationProblem.issues[]`). */
export interface ProblemIssue {
  /** Where the value was: body, query, path or header. */
  in?: string;
  /** The field path, e.g. `metadata.url`. */
  name?: string;
  value?: unknown;
  detail?: string;
}

/** RFC 9457 problem details, as the node returns them for errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  issues?: ProblemIssue[];
  [extension: string]: unknown;
}

/** A non-2xx answer from the node, or a failure to reach it at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem?: Problem;

  constructor(message: string, status: number, problem?: Problem) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

let baseUrl: Promise<string> | undefined;

/**
 * Base URL of the node this console talks to, without a trailing slash.
 * Desktop: the embedded node's loopback address from the shell. Browser: the origin
 * that served the page (`switchboard serve` serves the UI and the API together).
 */
export function nodeBaseUrl(): Promise<string> {
  baseUrl ??= resolveBaseUrl().catch((err: unknown) => {
    // Don't cache a failure: the shell may simply not have started the node yet.
    baseUrl = undefined;
    throw err;
  });
  return baseUrl;
}

async function resolveBaseUrl(): Promise<string> {
  if (isTauri()) {
    const info = await invoke<NodeInfo>("node_info");
    return info.baseUrl.replace(/\/+$/, "");
  }
  return window.location.origin;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

/** True inside the desktop shell (the shell holds the API key; there is no login). */
export function isDesktop(): boolean {
  return isTauri();
}

/** A raw answer, whichever way it travelled. */
interface RawResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** What the shell's `node_request` command takes. */
interface NodeRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Sends one request to the node; resolves to the parsed JSON (or text) body, rejects
 * with `ApiError` (problem details attached when the node sent them).
 */
export async function request<T>(
  method: string,
  path: string,
  { body, signal, headers }: RequestOptions = {},
): Promise<T> {
  const raw = isTauri()
    ? await viaShell({ method, path, body, headers }, signal)
    : await viaFetch(method, path, body, headers, signal);

  const payload = parseBody(raw);
  if (raw.status < 200 || raw.status >= 300) {
    const problem = isProblem(payload) ? payload : undefined;
    const message = problem?.detail ?? problem?.title ?? `${method} ${path}: HTTP ${raw.status}`;
    throw new ApiError(message, raw.status, problem);
  }
  return payload as T;
}

// Desktop: the shell sends the request from Rust (the webview's origin is tauri://localhost,
// which the node does not allow, and API keys stay out of the webview).
async function viaShell(req: NodeRequest, signal?: AbortSignal): Promise<RawResponse> {
  let raw: RawResponse;
  try {
    raw = await invoke<RawResponse>("node_request", { request: req });
  } catch (err) {
    throw new ApiError(String(err), 0);
  }
  signal?.throwIfAborted();
  return raw;
}

// Browser: the page and the API share an origin (`switchboard serve`, or Vite's proxy).
async function viaFetch(
  method: string,
  path: string,
  body: unknown,
  extraHeaders: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<RawResponse> {
  const url = `${await nodeBaseUrl()}${path}`;
  try {
    const response = await fetch(url, {
      method,
      signal,
      // The session cookie (HttpOnly, set by POST /v1/session or the login link).
      credentials: "same-origin",
      headers: {
        Accept: "application/json, application/problem+json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...extraHeaders,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      contentType: response.headers.get("Content-Type"),
      body: await response.text(),
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(`cannot reach the node at ${url}`, 0);
  }
}

function parseBody({ contentType, body }: RawResponse): unknown {
  if (body === "") return undefined;
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  return body;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && ("title" in value || "detail" in value);
}

/** The node's answer to `GET /healthz`, with the address it came from. */
export interface Health {
  baseUrl: string;
  status?: string;
  version?: string;
}

export async function getHealth(signal?: AbortSignal): Promise<Health> {
  const body = await request<unknown>("GET", "/healthz", { signal });
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  return {
    baseUrl: await nodeBaseUrl(),
    status: typeof fields.status === "string" ? fields.status : undefined,
    version: typeof fields.version === "string" ? fields.version : undefined,
  };
}

/**
 * Browser login: exchanges an API key for an HttpOnly session cookie. The key is sent
 * once and kept nowhere in the page (not in storage, not in state after this call).
 */
export async function login(apiKey: string): Promise<void> {
  await request<void>("POST", "/v1/session", { body: { apiKey } });
}

/** Ends the browser session (clears the cookie). */
export async function logout(): Promise<void> {
  await request<void>("DELETE", "/v1/session");
}

/** One live event from the node's `/stream`, with its SSE event id (monotonic per node). */
export type LiveEnvelope = LiveEvent & { id?: string };

/** Every kind of live event; the check below fails to compile if the node adds one. */
export const LIVE_EVENT_NAMES = [
  "message.created",
  "attempt.succeeded",
  "attempt.failed",
  "message.exhausted",
  "destination.disabled",
  "destination.enabled",
  "destination.paused",
  "destination.resumed",
  "stream.lagged",
  "capture.received",
] as const satisfies readonly LiveEventKind[];
type Unlisted = Exclude<LiveEventKind, (typeof LIVE_EVENT_NAMES)[number]>;
const everyKindListed: Unlisted extends never ? true : Unlisted = true;
void everyKindListed;

export interface LiveHandlers {
  onEvent: (event: LiveEnvelope) => void;
  /** Connected (or reconnected): events flow from here on. */
  onOpen?: () => void;
  /** The stream dropped. `fatal`: it will not come back by itself (e.g. 401). */
  onError?: (fatal: boolean, message: string) => void;
}

/**
 * Subscribes to a project's live events; returns the function that unsubscribes.
 * Browser: `EventSource` on the same origin (it resumes with Last-Event-ID by itself).
 * Desktop: the shell's `live_subscribe` command streams the same events over a channel.
 */
export function subscribeLive(project: string, handlers: LiveHandlers): () => void {
  return isTauri() ? liveViaShell(project, handlers) : liveViaEventSource(project, handlers);
}

function liveViaEventSource(project: string, handlers: LiveHandlers): () => void {
  let source: EventSource | undefined;
  let closed = false;
  void nodeBaseUrl().then(
    (base) => {
      if (closed) return;
      const url = `${base}/v1/projects/${encodeURIComponent(project)}/stream`;
      source = new EventSource(url, { withCredentials: true });
      source.onopen = () => handlers.onOpen?.();
      source.onerror = () => {
        // CLOSED: the answer was not an event stream (401, 404…); the browser gives up.
        const fatal = source?.readyState === EventSource.CLOSED;
        handlers.onError?.(fatal, fatal ? "the live stream was refused" : "reconnecting…");
      };
      for (const name of LIVE_EVENT_NAMES) {
        source.addEventListener(name, (e) => {
          const message = e as MessageEvent<string>;
          // The node's data for this kind (its shape is the generated LiveEvent's).
          handlers.onEvent({
            id: message.lastEventId || undefined,
            kind: name,
            data: parseJson(message.data),
          } as LiveEnvelope);
        });
      }
    },
    (err: unknown) => handlers.onError?.(true, String(err)),
  );
  return () => {
    closed = true;
    source?.close();
  };
}

// Desktop contract: `live_subscribe {project, channel}` → subscription id; events arrive
// on the channel as `{id, kind, data}`; `live_unsubscribe {id}` stops them.
function liveViaShell(project: string, handlers: LiveHandlers): () => void {
  const channel = new Channel<LiveEnvelope>();
  let closed = false;
  let subscription: unknown;
  channel.onmessage = (message) => {
    if (!closed) handlers.onEvent(message);
  };
  invoke("live_subscribe", { project, channel }).then(
    (id) => {
      subscription = id;
      if (closed) void invoke("live_unsubscribe", { id }).catch(() => undefined);
      else handlers.onOpen?.();
    },
    (err: unknown) => handlers.onError?.(true, String(err)),
  );
  return () => {
    closed = true;
    if (subscription !== undefined) {
      // Unsubscribing can only fail if the shell already dropped the subscription.
      void invoke("live_unsubscribe", { id: subscription }).catch(() => undefined);
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
