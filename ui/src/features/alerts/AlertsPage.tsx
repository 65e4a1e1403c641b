// Alerts: destinations the node disabled (a webhook that kept failing, or answered 410),
// with what to do about each, and as warnings those failing now that are not disabled yet.
import { useState } from "react";
import { DestinationAlertActions } from "../../components/DestinationAlertActions";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNote } from "../../components/ErrorNote";
import { StatusPill } from "../../components/StatusPill";
import {
  DestinationStatePill,
  displayedState,
  failingSummary,
} from "../../components/DestinationState";
import { useDestinations, useStats } from "../../hooks/queries";
import { formatTime, relativeTime } from "../../lib/format";
import { targetOf } from "../destinations/target";
import { PageHeader } from "../../components/PageHeader";

export function AlertsPage() {
  const destinations = useDestinations();
  const stats = useStats();
  // Re-enabled here: kept on the list so "Recover since…" stays at hand (this visit only).
  const [reenabled, setReenabled] = useState<ReadonlySet<string>>(new Set());
  const disabled = (destinations.data ?? [])
    .filter((d) => d.status === "disabled" || reenabled.has(d.id))
    .sort((a, b) => (b.disabledTime ?? "").localeCompare(a.disabledTime ?? ""));
  const paused = (destinations.data ?? []).filter((d) => d.status === "paused");
  // Failing: still active, but its attempts fail — a warning before it is disabled.
  const failing = (destinations.data ?? [])
    .filter((d) => displayedState(d) === "failing" && !reenabled.has(d.id))
    .sort((a, b) => (a.failing?.since ?? "").localeCompare(b.failing?.since ?? ""));

  return (
    <section className="page page-wide">
      <PageHeader title="Alerts">
        A webhook is disabled when its deliveries keep failing with no success for the configured
        span, or when it answers 410 Gone. Re-enable it once the receiver is fixed, then recover
        what it missed.
      </PageHeader>
      <ErrorNote error={destinations.error} prefix="Could not load destinations" />

      {destinations.isPending ? (
        <p className="muted">Loading…</p>
      ) : disabled.length === 0 && failing.length === 0 && !destinations.error ? (
        <EmptyState icon="✓" title="No alerts">
          <p>Every destination is taking deliveries.</p>
        </EmptyState>
      ) : (
        <>
          {failing.length > 0 && (
            <ul className="alert-list" aria-label="Failing destinations">
              {failing.map((d) => (
                <li
                  key={d.id}
                  className="panel alert-item alert-item-warn"
                  data-destination={d.name}
                  data-state="failing"
                >
                  <div className="alert-item-head">
                    <h2>{d.name}</h2>
                    <DestinationStatePill destination={d} />
                    <span className="muted">warning: not disabled yet</span>
                  </div>
                  <p>
                    <code>{targetOf(d)}</code>
                  </p>
                  <p>{failingSummary(d)}</p>
                </li>
              ))}
            </ul>
          )}
          <ul className="alert-list">
            {disabled.map((d) => {
              const s = stats.data?.destinations.find((x) => x.destinationId === d.id);
              const waiting = s
                ? (s.counts.skipped ?? 0) + (s.counts.exhausted ?? 0) + (s.counts.failed ?? 0)
                : undefined;
              return (
                <li
                  key={d.id}
                  className={
                    d.status === "disabled"
                      ? "panel alert-item"
                      : "panel alert-item alert-item-done"
                  }
                  data-destination={d.name}
                >
                  <div className="alert-item-head">
                    <h2>{d.name}</h2>
                    <StatusPill status={d.status} />
                    {d.status === "disabled" ? (
                      <span className="muted">
                        {relativeTime(d.disabledTime)} · {formatTime(d.disabledTime)}
                      </span>
                    ) : (
                      <span className="muted">
                        Re-enabled. Recover what it missed while disabled, then dismiss.
                      </span>
                    )}
                  </div>
                  <p>
                    <code>{targetOf(d)}</code>
                  </p>
                  {d.status === "disabled" && <p>{d.disabledReason ?? "No reason recorded."}</p>}
                  {waiting !== undefined && (
                    <p className="muted">
                      {waiting} message{waiting === 1 ? "" : "s"} failed or skipped so far.
                    </p>
                  )}
                  <div className="button-row">
                    <DestinationAlertActions
                      destination={d}
                      onReenable={(e) => setReenabled((s) => new Set(s).add(e.id))}
                    />
                    {d.status !== "disabled" && (
                      <button
                        type="button"
                        className="button"
                        onClick={() =>
                          setReenabled((s) => {
                            const next = new Set(s);
                            next.delete(d.id);
                            return next;
                          })
                        }
                      >
                        Dismiss
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}

      {paused.length > 0 && (
        <section className="subsection">
          <h2>Paused by an operator</h2>
          <p className="muted">
            Their messages wait, in order: {paused.map((d) => d.name).join(", ")}. Resume them on
            the Destinations page.
          </p>
        </section>
      )}
    </section>
  );
}
