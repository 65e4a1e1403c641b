// Destinations: the list with state and success rate, and the selected one's details.
import { useState } from "react";
import type { Destination } from "../../api/types";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNote } from "../../components/ErrorNote";
import {
  DestinationStatePill,
  displayedState,
  failingSummary,
} from "../../components/DestinationState";
import {
  useDestinations,
  useStats,
  useTopicDestinationRoutes,
  useTopics,
} from "../../hooks/queries";
import { errorLabel, formatClock, formatPercent, formatTime } from "../../lib/format";
import { DestinationDetail } from "./DestinationDetail";
import { DestinationForm } from "./DestinationForm";
import { targetOf } from "./target";
import { PageHeader } from "../../components/PageHeader";

export function DestinationsPage() {
  const destinations = useDestinations();
  const stats = useStats();
  const topics = useTopics();
  const routes = useTopicDestinationRoutes();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Destination | "new" | null>(null);

  const list = [...(destinations.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const selected = list.find((d) => d.id === selectedId);
  const statsOf = (id: string) => stats.data?.destinations.find((s) => s.destinationId === id);

  return (
    <section className="page page-wide">
      <PageHeader
        title="Destinations"
        actions={
          <button type="button" className="button button-primary" onClick={() => setEditing("new")}>
            New destination
          </button>
        }
      >
        Webhook, Kinesis and log outlets that notifications are delivered to.
      </PageHeader>

      <ErrorNote error={destinations.error} prefix="Could not load destinations" />
      <ErrorNote error={stats.error} prefix="Could not load delivery stats" />

      {destinations.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 && !destinations.error ? (
        <EmptyState icon="⇥" title="No destinations yet">
          <p>
            Start with a webhook: give it a name and the URL of the service that should receive
            notifications. Then wire it to event types on the Routing page.
          </p>
          <button type="button" className="button button-primary" onClick={() => setEditing("new")}>
            Create your first destination
          </button>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Target</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Success rate
                </th>
                <th scope="col" className="num">
                  Delivered
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => {
                const s = statsOf(d.id);
                return (
                  <tr
                    key={d.id}
                    aria-selected={d.id === selectedId}
                    data-status={d.status}
                    data-state={displayedState(d)}
                  >
                    <td title={d.name}>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setSelectedId(d.id === selectedId ? null : d.id)}
                        aria-expanded={d.id === selectedId}
                      >
                        {d.name}
                      </button>
                    </td>
                    <td>{d.type}</td>
                    <td className="truncate" title={targetOf(d)}>
                      {targetOf(d)}
                    </td>
                    <td>
                      <DestinationStatePill destination={d} />
                      {failingSummary(d) && (
                        <div className="cell-note truncate" title={failingSummary(d)}>
                          since {formatClock(d.failing?.since)} —{" "}
                          {errorLabel(d.failing?.lastErrorClass, undefined, d.failing?.lastError) ||
                            d.failing?.lastError}
                        </div>
                      )}
                      {d.status === "disabled" && (
                        <div className="cell-note" title={d.disabledReason ?? undefined}>
                          since {formatTime(d.disabledTime)}
                          {d.disabledReason ? ` — ${d.disabledReason}` : ""}
                        </div>
                      )}
                    </td>
                    <td className="num">{formatPercent(s?.successRate)}</td>
                    <td className="num">{s?.counts.delivered ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {selected && (
        <DestinationDetail
          key={selected.id}
          destination={selected}
          stats={statsOf(selected.id)}
          topics={topics.data ?? []}
          routes={routes.data ?? []}
          onEdit={() => setEditing(selected)}
          onDeleted={() => setSelectedId(null)}
        />
      )}

      {editing && (
        <DestinationForm
          destination={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(d) => {
            setEditing(null);
            setSelectedId(d.id);
          }}
        />
      )}
    </section>
  );
}
