// One message: the payload sent, every attempt (headers sent, status, response body), and
// "Resend".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getMessage, resendMessage } from "../../api/endpoints";
import { ErrorNote } from "../../components/ErrorNote";
import { JsonView } from "../../components/JsonView";
import { StatusPill } from "../../components/StatusPill";
import { qk } from "../../hooks/queries";
import { formatMs, formatTime } from "../../lib/format";

export function MessageDetailPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const client = useQueryClient();
  const message = useQuery({
    queryKey: qk.message(id),
    queryFn: ({ signal }) => getMessage(id, signal),
  });
  const resend = useMutation({
    mutationFn: () => resendMessage(id),
    onSuccess: () => client.invalidateQueries({ queryKey: qk.message(id) }),
  });
  const m = message.data;

  return (
    <aside className="panel message-detail" aria-labelledby="message-detail-heading">
      <header className="detail-header">
        <h2 id="message-detail-heading">Message</h2>
        {m && <StatusPill status={m.status} />}
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>
      <ErrorNote error={message.error} prefix="Could not load the message" />
      {message.isPending && <p className="muted">Loading…</p>}
      {m && (
        <>
          <dl className="facts">
            <dt>ID</dt>
            <dd>
              <code>{m.id}</code>
            </dd>
            <dt>Event type</dt>
            <dd>
              <code>{m.eventType}</code>
            </dd>
            <dt>Destination</dt>
            <dd>{m.destinationName}</dd>
            <dt>Created</dt>
            <dd>{formatTime(m.createTime)}</dd>
            {m.deliveredTime && (
              <>
                <dt>Delivered</dt>
                <dd>
                  {formatTime(m.deliveredTime)} (
                  {formatMs(new Date(m.deliveredTime).getTime() - new Date(m.createTime).getTime())}
                  )
                </dd>
              </>
            )}
            {m.nextAttemptTime && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatTime(m.nextAttemptTime)}</dd>
              </>
            )}
          </dl>
          <div className="button-row">
            <button
              type="button"
              className="button"
              disabled={resend.isPending}
              onClick={() => resend.mutate()}
            >
              {resend.isPending ? "Resending…" : "Resend"}
            </button>
          </div>
          <ErrorNote error={resend.error} prefix="Could not resend" />
          {resend.isSuccess && (
            <p className="success-note" role="status">
              Queued for a new round of attempts.
            </p>
          )}

          <h3>Payload</h3>
          <JsonView value={m.payload} />

          <h3>Attempts ({m.attempts.length})</h3>
          {m.attempts.length === 0 && <p className="muted">No attempt yet.</p>}
          <ol className="attempts">
            {[...m.attempts].reverse().map((a) => (
              <li
                key={a.number}
                className={a.succeeded ? "attempt attempt-ok" : "attempt attempt-bad"}
              >
                <div className="attempt-head">
                  <strong>#{a.number}</strong>
                  <StatusPill status={a.succeeded ? "delivered" : "failed"} />
                  {a.statusCode != null && <span className="code-badge">HTTP {a.statusCode}</span>}
                  {a.errorClass && <span className="code-badge">{a.errorClass}</span>}
                  <span className="muted">
                    {formatTime(a.startTime)} · {formatMs(a.durationMs)}
                  </span>
                </div>
                {a.error && <p className="attempt-error">{a.error}</p>}
                <details>
                  <summary>Headers sent</summary>
                  <JsonView value={a.requestHeaders} collapsed={1} />
                </details>
                <details open={!a.succeeded}>
                  <summary>Response body</summary>
                  <pre className="code-block">{a.responseBody || "(empty)"}</pre>
                </details>
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  );
}
