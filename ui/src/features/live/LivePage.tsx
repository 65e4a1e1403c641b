// Live: messages as they are created and attempted, newest first, with filters and a
// detail panel. Built for bursts: events arrive in 250 ms batches, at most 5000 rows are
// held, and only the visible rows are in the DOM.
import { useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { ErrorNote } from "../../components/ErrorNote";
import { LabelledSelect } from "../../components/LabelledSelect";
import { StatusPill } from "../../components/StatusPill";
import { qk, useDestinations } from "../../hooks/queries";
import { EVENT_TYPES, MESSAGE_STATUSES } from "../../lib/eventTypes";
import { errorLabel, formatMs, formatTime } from "../../lib/format";
import { useLiveConnectionState } from "../../lib/liveBus";
import { liveStore, MAX_ROWS, useLiveSnapshot, type LiveFilters, type LiveRow } from "./liveStore";
import { MessageDetailPanel } from "./MessageDetailPanel";
import { PageHeader } from "../../components/PageHeader";

const ROW_HEIGHT = 36;

export function LivePage({ onOpenPublish }: { onOpenPublish: () => void }) {
  const snapshot = useLiveSnapshot();
  const connection = useLiveConnectionState();
  const destinations = useDestinations();
  const client = useQueryClient();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const { rows, filters } = snapshot;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  // The open message changed (a new attempt): refresh its details.
  useEffect(() => {
    if (selectedId && snapshot.changed.has(selectedId)) {
      void client.invalidateQueries({ queryKey: qk.message(selectedId) });
    }
  }, [snapshot.version, snapshot.changed, selectedId, client]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    // Reading further down: hold the rows still (new ones are counted, not inserted).
    if (el.scrollTop > ROW_HEIGHT * 2) liveStore.pause();
    // Near the end: page older rows in.
    if (el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 4 && snapshot.hasOlder) {
      void liveStore.loadOlder();
    }
  };

  const jump = () => {
    scrollRef.current?.scrollTo({ top: 0 });
    liveStore.jumpToLatest();
  };

  // The list is one Tab stop: only the focused row (the first, until another is) takes
  // Tab; arrow keys, Home and End move between rows.
  const [focusId, setFocusId] = useState<string | null>(null);
  const focusIndex = Math.max(
    0,
    rows.findIndex((r) => r.id === focusId),
  );
  const moveFocus = (index: number) => {
    const next = Math.min(rows.length - 1, Math.max(0, index));
    const row = rows[next];
    if (!row) return;
    setFocusId(row.id);
    virtualizer.scrollToIndex(next);
    requestAnimationFrame(() =>
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus(),
    );
  };
  const onRowKey = (e: KeyboardEvent<HTMLDivElement>, row: LiveRow, index: number) => {
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + 10,
      PageUp: index - 10,
      Home: 0,
      End: rows.length - 1,
    };
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      setSelectedId(row.id);
    } else if (e.key in moves) {
      e.preventDefault();
      moveFocus(moves[e.key]!);
    }
  };

  // Escape closes the detail pane and puts focus back on the row it showed.
  const closeDetail = () => {
    const index = rows.findIndex((r) => r.id === selectedId);
    setSelectedId(null);
    if (index >= 0) moveFocus(index);
  };

  const destinationList = [...(destinations.data ?? [])].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  // A filter list's value and setter; the empty choice ("All") clears the filter.
  const filter = (key: keyof LiveFilters) => ({
    value: filters[key] ?? "",
    onChange: (value: string) => liveStore.setFilters({ ...filters, [key]: value || undefined }),
  });

  return (
    <section className="page page-full live-page">
      <PageHeader
        title="Live"
        actions={
          <span className={`live-state live-${connection.status}`} role="status">
            <span className="status-dot" aria-hidden="true" />
            {connection.status === "connected"
              ? "Live"
              : connection.status === "connecting"
                ? "Connecting…"
                : `Live stream ${connection.status}: ${connection.message}`}
          </span>
        }
      >
        Messages as they are created and attempted, newest first.
      </PageHeader>

      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <LabelledSelect
          label="Event type"
          all="All"
          choices={EVENT_TYPES}
          {...filter("eventType")}
        />
        <LabelledSelect
          label="Destination"
          all="All"
          choices={destinationList}
          {...filter("destinationId")}
        />
        <LabelledSelect label="Status" all="All" choices={MESSAGE_STATUSES} {...filter("status")} />
        <span className="filters-info muted">
          {rows.length.toLocaleString()} shown
          {rows.length >= MAX_ROWS ? ` (newest ${MAX_ROWS.toLocaleString()} kept)` : ""}
        </span>
        {!snapshot.following ? (
          <button type="button" className="button button-primary button-small" onClick={jump}>
            {snapshot.missed > 0
              ? `↑ ${snapshot.missed.toLocaleString()} new — jump to latest`
              : "↑ Follow new messages"}
          </button>
        ) : (
          <button type="button" className="button button-small" onClick={() => liveStore.pause()}>
            Pause
          </button>
        )}
      </form>

      <ErrorNote
        error={snapshot.error ? new Error(snapshot.error) : null}
        prefix="Could not load messages"
      />

      <div className={selectedId ? "live-split live-split-open" : "live-split"}>
        <div
          className="live-table"
          role="grid"
          aria-label="Messages"
          aria-rowcount={rows.length + 1}
        >
          <div className="live-row live-head" role="row" aria-rowindex={1}>
            <span role="columnheader">Time</span>
            <span role="columnheader">Event type</span>
            <span role="columnheader">Destination</span>
            <span role="columnheader">Status</span>
            <span role="columnheader" className="num">
              Attempts
            </span>
            <span role="columnheader" className="num">
              Latency
            </span>
          </div>
          <div className="live-body" ref={scrollRef} onScroll={onScroll}>
            {rows.length === 0 && !snapshot.loading ? (
              <div className="live-empty">
                <p>
                  <strong>No messages yet.</strong>
                </p>
                <p className="muted">
                  {filters.eventType || filters.destinationId || filters.status
                    ? "Nothing matches these filters."
                    : "Messages appear here as soon as a notification is routed to a destination."}
                </p>
                <button type="button" className="button" onClick={onOpenPublish}>
                  Publish a test notification
                </button>
              </div>
            ) : (
              <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const row = rows[item.index];
                  if (!row) return null;
                  return (
                    <div
                      key={item.key}
                      role="row"
                      aria-rowindex={item.index + 2}
                      aria-selected={row.id === selectedId}
                      data-index={item.index}
                      data-message-id={row.id}
                      data-status={row.status}
                      tabIndex={item.index === focusIndex ? 0 : -1}
                      className="live-row"
                      style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                      onClick={() => {
                        setSelectedId(row.id);
                        setFocusId(row.id);
                      }}
                      onKeyDown={(e) => onRowKey(e, row, item.index)}
                    >
                      <span role="gridcell" className="mono">
                        {formatTime(row.createTime)}
                      </span>
                      <span role="gridcell" className="mono truncate" title={row.eventType}>
                        {row.eventType}
                      </span>
                      <span role="gridcell" className="truncate" title={row.destinationName}>
                        {row.destinationName}
                      </span>
                      <span role="gridcell">
                        <StatusPill status={row.status} title={row.error ?? undefined} />
                        {row.status === "retrying" || row.status === "exhausted" ? (
                          <span className="cell-error" title={row.error ?? undefined}>
                            {errorLabel(row.errorClass, row.lastStatusCode, row.error)}
                          </span>
                        ) : row.lastStatusCode ? (
                          <span className="code-badge">{row.lastStatusCode}</span>
                        ) : null}
                      </span>
                      <span role="gridcell" className="num">
                        {row.attempts}
                      </span>
                      <span role="gridcell" className="num">
                        {formatMs(row.latencyMs)}
                      </span>
                    </div>
                  );
                })}
              </div>
            )}
            {snapshot.hasOlder && rows.length > 0 && (
              <div className="live-more">
                <button
                  type="button"
                  className="button button-small"
                  disabled={snapshot.loadingOlder}
                  onClick={() => void liveStore.loadOlder()}
                >
                  {snapshot.loadingOlder ? "Loading…" : "Load older messages"}
                </button>
              </div>
            )}
          </div>
        </div>
        {selectedId && <MessageDetailPanel id={selectedId} onClose={closeDetail} />}
      </div>
    </section>
  );
}
