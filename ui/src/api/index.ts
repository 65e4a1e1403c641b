// Transport to a Switchboard node: the only module that knows whether the UI runs in
// the desktop shell or in a plain browser (nothing else may import @tauri-apps/*).
import { invoke, isTauri } from "@tauri-apps/api/core";

/** What the desktop shell's `node_info` command returns. */
export interface NodeInfo {
  baseUrl: string;
}

/** RFC 9457 problem details, as the node returns them for errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
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
}

/**
 * Sends one request to the node; resolves to the parsed JSON (or text) body, rejects
 * with `ApiError` (problem details attached when the node sent them).
 */
export async function request<T>(
  method: string,
  path: string,
  { body, signal }: RequestOptions = {},
): Promise<T> {
  const raw = isTauri()
    ? await viaShell({ method, path, body }, signal)
    : await viaFetch(method, path, body, signal);

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
  signal?: AbortSignal,
): Promise<RawResponse> {
  const url = `${await nodeBaseUrl()}${path}`;
  try {
    const response = await fetch(url, {
      method,
      signal,
      headers: {
        Accept: "application/json, application/problem+json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
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
