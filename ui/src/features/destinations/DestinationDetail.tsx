// One destination: where it sends, how it is doing, and what can be done with it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { deleteDestination, testDestination } from "../../api/endpoints";
import type { Destination, DestinationStats, Topic, TopicDestinationRoute } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { DestinationAlertActions } from "../../components/DestinationAlertActions";
import { ErrorNote } from "../../components/ErrorNote";
import { RecoverDialog } from "../../components/RecoverDialog";
import { DestinationStatePill, failingSummary } from "../../components/DestinationState";
import { qk, useDestinationAction } from "../../hooks/queries";
import { formatMs, formatPercent, formatTime, relativeTime } from "../../lib/format";
import { SigningSecret } from "./SigningSecret";
import { targetOf } from "./target";

interface Props {
  destination: Destination;
  stats?: DestinationStats;
  topics: Topic[];
  routes: TopicDestinationRoute[];
  onEdit: () => void;
  onDeleted: () => void;
}

export function DestinationDetail({
  destination: d,
  stats,
  topics,
  routes,
  onEdit,
  onDeleted,
}: Props) {
  const client = useQueryClient();
  const action = useDestinationAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [recovering, setRecovering] = useState(false);
  const remove = useMutation({
    mutationFn: () => deleteDestination(d.id),
    onSuccess: async () => {
      setConfirmDelete(false);
      onDeleted();
      await client.invalidateQueries({ queryKey: qk.destinations });
      await client.invalidateQueries({ queryKey: ["routes"] });
    },
  });
  const test = useMutation({ mutationFn: () => testDestination(d.id) });
  const ref = useRef<HTMLElement>(null);
  // Opening a destination moves focus to its details (keyboard and screen-reader users).
  useEffect(() => ref.current?.focus(), []);

  const feeding = routes
    .filter((r) => r.destinationId === d.id)
    .map((r) => topics.find((t) => t.id === r.topicId)?.name ?? r.topicId);

  return (
    <section
      ref={ref}
      className="panel detail"
      aria-labelledby="destination-detail-heading"
      tabIndex={-1}
    >
      <header className="detail-header">
        <h2 id="destination-detail-heading">{d.name}</h2>
        <DestinationStatePill destination={d} />
        <span className="muted">{d.type}</span>
      </header>

      {failingSummary(d) && (
        <div className="callout callout-warn">
          <p>{failingSummary(d)}</p>
        </div>
      )}

      {d.status === "disabled" && (
        <div className="callout callout-bad">
          <p>
            <strong>Disabled {relativeTime(d.disabledTime)}</strong> ({formatTime(d.disabledTime)}
            ): {d.disabledReason ?? "no reason recorded"}. New messages to it are recorded as
            skipped.
          </p>
          <DestinationAlertActions destination={d} />
        </div>
      )}

      <dl className="facts">
        <dt>Target</dt>
        <dd>
          <code>{targetOf(d)}</code>
        </dd>
        {d.metadata.headers && Object.keys(d.metadata.headers).length > 0 && (
          <>
            <dt>Headers</dt>
            <dd>
              {Object.entries(d.metadata.headers).map(([k, v]) => (
                <div key={k}>
                  <code>
                    {k}: {v}
                  </code>
                </div>
              ))}
            </dd>
          </>
        )}
        <dt>Fed by topics</dt>
        <dd>
          {feeding.length > 0 ? feeding.join(", ") : "none yet — wire it on the Routing page"}
        </dd>
        {d.delivery?.retrySchedule && (
          <>
            <dt>Retry schedule</dt>
            <dd>{d.delivery.retrySchedule.map((s) => `${s}s`).join(", ")}</dd>
          </>
        )}
        <dt>Success rate</dt>
        <dd>{formatPercent(stats?.successRate)}</dd>
        <dt>Latency p50 / p95 / p99</dt>
        <dd>
          {formatMs(stats?.latencyMs.p50)} / {formatMs(stats?.latencyMs.p95)} /{" "}
          {formatMs(stats?.latencyMs.p99)}
        </dd>
        <dt>Messages</dt>
        <dd>
          {stats
            ? Object.entries(stats.counts)
                .filter(([, n]) => n > 0)
                .map(([s, n]) => `${n} ${s}`)
                .join(" · ") || "none yet"
            : "—"}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(d.createTime)}</dd>
      </dl>

      <div className="button-row">
        <button type="button" className="button" onClick={onEdit}>
          Edit
        </button>
        {d.status === "active" && (
          <button
            type="button"
            className="button"
            disabled={action.isPending}
            onClick={() => action.mutate({ id: d.id, action: "pause" })}
          >
            Pause
          </button>
        )}
        {d.status === "paused" && (
          <button
            type="button"
            className="button"
            disabled={action.isPending}
            onClick={() => action.mutate({ id: d.id, action: "resume" })}
          >
            Resume
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={test.isPending}
          onClick={() => test.mutate()}
        >
          {test.isPending ? "Sending…" : "Send test notification"}
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => setConfirmDelete(true)}
        >
          Delete…
        </button>
      </div>
      {d.status === "paused" && (
        <p className="muted">Paused: its messages wait, in order, until it is resumed.</p>
      )}
      <ErrorNote error={action.error} />
      <ErrorNote error={test.error} prefix="Test notification failed" />
      {test.isSuccess && (
        <p className="success-note" role="status">
          Test notification queued
          {test.data.messages[0] ? ` as message ${test.data.messages[0].id}` : ""} — watch it on the
          Live page.
        </p>
      )}

      {d.type === "webhook" && <SigningSecret destination={d} />}

      {recovering && <RecoverDialog destination={d} onClose={() => setRecovering(false)} />}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${d.name}?`}
          confirmLabel="Delete destination"
          danger
          busy={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            The destination, its secrets and{" "}
            {feeding.length === 0
              ? "its routes (it has none)"
              : `its ${feeding.length} route${feeding.length === 1 ? "" : "s"} from ${feeding.join(", ")}`}{" "}
            are deleted. Messages already sent stay in the history.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
