// What the Live page shows: the newest messages, patched by live events in batches (one
// render per 250 ms however fast events come), capped in memory, older pages from the API.
import { useSyncExternalStore } from "react";
import type { LiveEnvelope } from "../../api";
import { listMessages, type MessageFilters } from "../../api/endpoints";
import type { Message, MessageStatus } from "../../api/types";
import { onLiveEvent } from "../../lib/liveBus";
import { errorMessage } from "../../lib/problem";

export const MAX_ROWS = 5_000;
const FLUSH_MS = 250;
const PAGE = 200;

export interface LiveRow {
  id: string;
  notificationId?: string;
  /** RFC 3339; estimated for messages first seen through an attempt event. */
  createTime?: string;
  eventType: string;
  destinationId: string;
  destinationName: string;
  status: MessageStatus;
  attempts: number;
  lastStatusCode?: number | null;
  /** Publish → delivery, ms. */
  latencyMs?: number;
  /** The last attempt's duration, ms. */
  durationMs?: number;
  error?: string | null;
  /** The last failed attempt's class (connect, status, timeout, …). */
  errorClass?: string | null;
}

export type LiveFilters = Pick<MessageFilters, "eventType" | "destinationId" | "status">;

export interface LiveSnapshot {
  rows: readonly LiveRow[];
  filters: LiveFilters;
  /** New rows are added at the top (false while the user reads older rows). */
  following: boolean;
  /** Messages created while not following (not held; "jump to latest" loads them). */
  missed: number;
  loading: boolean;
  loadingOlder: boolean;
  /** More (older) rows exist on the node. */
  hasOlder: boolean;
  error?: string;
  /** Bumped when rows changed; with the ids that changed in the last batch. */
  version: number;
  changed: ReadonlySet<string>;
}

export function rowFromMessage(m: Message): LiveRow {
  const latency =
    m.deliveredTime !== undefined && m.deliveredTime !== null
      ? new Date(m.deliveredTime).getTime() - new Date(m.createTime).getTime()
      : undefined;
  return {
    id: m.id,
    notificationId: m.notificationId,
    createTime: m.createTime,
    eventType: m.eventType,
    destinationId: m.destinationId,
    destinationName: m.destinationName,
    status: m.status,
    attempts: m.attemptCount,
    lastStatusCode: m.lastStatusCode,
    latencyMs: latency,
    error: m.lastError,
    errorClass: m.lastErrorClass,
  };
}

/** The live events that say something about one message. */
type MessageEvent = Extract<
  LiveEnvelope,
  { kind: "message.created" | "attempt.succeeded" | "attempt.failed" | "message.exhausted" }
>;

function isMessageEvent(event: LiveEnvelope): event is MessageEvent {
  return (
    event.kind === "message.created" ||
    event.kind === "attempt.succeeded" ||
    event.kind === "attempt.failed" ||
    event.kind === "message.exhausted"
  );
}

class LiveStore {
  private snapshot: LiveSnapshot = {
    rows: [],
    filters: {},
    following: true,
    missed: 0,
    loading: false,
    loadingOlder: false,
    hasOlder: false,
    version: 0,
    changed: new Set(),
  };
  private byId = new Map<string, LiveRow>();
  private pending: MessageEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cursor: string | undefined;
  /** Rows were dropped at the tail since the last page: the cursor no longer fits. */
  private trimmed = false;
  private loadSeq = 0;
  private loaded = false;
  private listeners = new Set<() => void>();

  constructor() {
    onLiveEvent((event) => this.push(event));
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    // The first viewer triggers the first load.
    if (!this.loaded) void this.reload();
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(patch: Partial<LiveSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  private push(event: LiveEnvelope) {
    if (event.kind === "stream.lagged") {
      // Events were lost: the held rows may be wrong. Start again from the API.
      this.pending = [];
      void this.reload();
      return;
    }
    if (!isMessageEvent(event)) return;
    this.pending.push(event);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private matches(row: LiveRow): boolean {
    const f = this.snapshot.filters;
    return (
      (!f.eventType || row.eventType === f.eventType) &&
      (!f.destinationId || row.destinationId === f.destinationId) &&
      (!f.status || row.status === f.status)
    );
  }

  /** Applies the buffered events: one new snapshot per batch. */
  private flush() {
    this.timer = undefined;
    if (this.snapshot.loading) {
      // Apply them on top of the page being loaded, once it is in.
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      return;
    }
    const events = this.pending;
    this.pending = [];
    if (events.length === 0) return;
    const following = this.snapshot.following;
    const fresh: LiveRow[] = [];
    const changed = new Set<string>();
    let missed = this.snapshot.missed;

    for (const event of events) {
      // Every message event names its message, destination and event type alike.
      const d = event.data;
      const id = d.messageId;
      if (!id) continue;
      const existing = this.byId.get(id);
      let row: LiveRow =
        existing ??
        ({
          id,
          notificationId: d.notificationId,
          createTime: event.kind === "message.created" ? event.data.createTime : undefined,
          eventType: d.eventType,
          destinationId: d.destinationId,
          destinationName: d.destinationName,
          status: "pending",
          attempts: 0,
        } satisfies LiveRow);
      switch (event.kind) {
        case "message.created":
          if (existing) continue; // already loaded from the API
          row = { ...row, status: event.data.status };
          break;
        case "attempt.succeeded": {
          const a = event.data;
          row = {
            ...row,
            status: "delivered",
            attempts: Math.max(row.attempts, a.attempt),
            lastStatusCode: a.statusCode ?? null,
            durationMs: a.durationMs,
            latencyMs: a.latencyMs,
            error: null,
            errorClass: null,
            createTime: row.createTime ?? new Date(Date.now() - a.latencyMs).toISOString(),
          };
          break;
        }
        case "attempt.failed":
        case "message.exhausted": {
          const a = event.data;
          row = {
            ...row,
            status:
              event.kind === "message.exhausted" || !a.nextAttemptTime ? "exhausted" : "retrying",
            attempts: Math.max(row.attempts, a.attempt),
            lastStatusCode: a.statusCode ?? null,
            durationMs: a.durationMs,
            error: a.error,
            errorClass: a.errorClass ?? null,
          };
          break;
        }
      }
      if (existing) {
        this.byId.set(id, row);
        changed.add(id);
      } else if (!this.matches(row)) {
        continue;
      } else if (following) {
        this.byId.set(id, row);
        fresh.push(row);
        changed.add(id);
      } else if (event.kind === "message.created") {
        missed += 1;
      }
    }
    if (changed.size === 0 && missed === this.snapshot.missed) return;

    // Newest first: the batch's new rows (latest event last in `fresh`) go on top.
    fresh.reverse();
    // Both through `byId`: a row new in this batch may have been updated later in it (its
    // attempt's event right behind its creation), and `fresh` holds the first version.
    let rows: LiveRow[] = fresh.concat(this.snapshot.rows).map((r) => this.byId.get(r.id) ?? r);
    if (rows.length > MAX_ROWS) {
      for (const dropped of rows.slice(MAX_ROWS)) this.byId.delete(dropped.id);
      rows = rows.slice(0, MAX_ROWS);
      this.trimmed = true;
    }
    this.set({
      rows,
      missed,
      hasOlder: this.snapshot.hasOlder || this.trimmed,
      version: this.snapshot.version + 1,
      changed,
    });
  }

  /** Loads the newest page for the current filters and follows from there. */
  reload = async () => {
    this.loaded = true;
    const seq = ++this.loadSeq;
    this.set({ loading: true, error: undefined, following: true, missed: 0 });
    try {
      const page = await listMessages({ ...this.snapshot.filters, limit: PAGE });
      if (seq !== this.loadSeq) return;
      const rows = page.items.map(rowFromMessage);
      this.byId = new Map(rows.map((r) => [r.id, r]));
      this.cursor = page.nextCursor ?? undefined;
      this.trimmed = false;
      this.set({
        rows,
        loading: false,
        hasOlder: Boolean(page.nextCursor),
        version: this.snapshot.version + 1,
        changed: new Set(rows.map((r) => r.id)),
      });
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this.set({ loading: false, error: errorMessage(err) });
    }
  };

  /** Appends the next older page; stops following so the rows stay put while read. */
  loadOlder = async () => {
    if (this.snapshot.loadingOlder || !this.snapshot.hasOlder) return;
    const seq = this.loadSeq;
    this.set({ loadingOlder: true, following: false, error: undefined });
    const last = this.snapshot.rows.at(-1);
    try {
      const page = await listMessages({
        ...this.snapshot.filters,
        limit: PAGE,
        // After trimming, the cursor points past what is held: continue by time instead.
        ...(this.cursor && !this.trimmed ? { cursor: this.cursor } : { until: last?.createTime }),
      });
      if (seq !== this.loadSeq) return;
      const older = page.items.map(rowFromMessage).filter((r) => !this.byId.has(r.id));
      for (const r of older) this.byId.set(r.id, r);
      this.cursor = page.nextCursor ?? undefined;
      this.trimmed = false;
      this.set({
        rows: this.snapshot.rows.concat(older),
        loadingOlder: false,
        hasOlder: Boolean(page.nextCursor),
        version: this.snapshot.version + 1,
        changed: new Set(older.map((r) => r.id)),
      });
    } catch (err) {
      this.set({ loadingOlder: false, error: errorMessage(err) });
    }
  };

  setFilters = (filters: LiveFilters) => {
    this.set({ filters });
    void this.reload();
  };

  /** Stop adding rows at the top (the user scrolled down to read). */
  pause = () => {
    if (this.snapshot.following) this.set({ following: false });
  };

  /** Back to the newest rows, following again. */
  jumpToLatest = () => {
    if (this.snapshot.missed > 0 || this.trimmed) void this.reload();
    else this.set({ following: true });
  };
}

export const liveStore = new LiveStore();

export function useLiveSnapshot(): LiveSnapshot {
  return useSyncExternalStore(liveStore.subscribe, liveStore.getSnapshot);
}
