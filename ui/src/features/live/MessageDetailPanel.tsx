// One message: the payload sent, every attempt (headers sent, status, response body), and
// "Resend".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { getMessage, resendMessage } from "../../api/endpoints";
import type { Destination, MessageDetail } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { JsonView } from "../../components/JsonView";
import { StatusPill } from "../../components/StatusPill";
import { failingSummary } from "../../components/DestinationState";
import { headerLines, setInspectorDraft } from "../inspector/inspectorDraft";
import { qk, useDestinations } from "../../hooks/queries";
import { errorLabel, formatClock, formatMs, formatSpan, formatTime } from "../../lib/format";

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
  const destinations = useDestinations();
  const destination = destinations.data?.find((d) => d.id === m?.destinationId);

  // Escape closes the pane (unless something on top of it, a dialog, took the key).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      if (document.querySelector("dialog[open]")) return;
      onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);

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
          <WhatNext message={m} destination={destination} />
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
              disabled={resend.isPending || m.payloadExpired}
              onClick={() => resend.mutate()}
            >
              {resend.isPending ? "Resending…" : "Resend"}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                // The exact text sent, with the last attempt's headers and the
                // destination's keys: the Inspector checks its signature as sent.
                const last = m.attempts[m.attempts.length - 1];
                setInspectorDraft({
                  body: m.payloadText,
                  headers: headerLines(last?.requestHeaders),
                  destination: m.destinationId,
                });
                window.location.hash = "/inspector";
              }}
            >
              Inspect
            </button>
          </div>
          <ErrorNote error={resend.error} prefix="Could not resend" />
          {resend.isSuccess && (
            <p className="success-note" role="status">
              Queued for a new round of attempts.
            </p>
          )}

          <h3>Payload</h3>
          {m.payloadExpired ? (
            <p className="muted">
              Removed after the retention period: this message can no longer be sent again.
            </p>
          ) : (
            <JsonView value={m.payload} label="Payload" />
          )}

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
                  <StatusPill status={a.succeeded ? "succeeded" : "failed"} />
                  {a.statusCode != null && <span className="code-badge">HTTP {a.statusCode}</span>}
                  {a.errorClass && <span className="code-badge">{a.errorClass}</span>}
                  <span className="muted">
                    {formatTime(a.startTime)} · {formatMs(a.durationMs)}
                  </span>
                </div>
                {a.error && <p className="attempt-error">{a.error}</p>}
                <details>
                  <summary>Headers sent</summary>
                  <JsonView
                    value={a.requestHeaders}
                    collapsed={1}
                    label={`Headers sent with attempt ${a.number}`}
                  />
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

/**
 * What happened last and what happens next, in words, at the top: the last error, the
 * next attempt ("attempt 2 of 8 in 4 min 32 s (at 20:37:54)"), when retries end, and
 * when the destination would be disabled.
 */
function WhatNext({
  message: m,
  destination,
}: {
  message: MessageDetail;
  destination?: Destination;
}) {
  const now = useNow(1_000);
  const waiting = m.status === "retrying" || m.status === "pending";
  const lastFailed = [...m.attempts].reverse().find((a) => !a.succeeded);
  if (m.status === "delivered") return null;
  const cause = lastFailed
    ? errorLabel(lastFailed.errorClass, lastFailed.statusCode, lastFailed.error)
    : undefined;
  const plan = m.retry;
  const sentences: string[] = [];
  if (m.status === "exhausted") {
    sentences.push(
      `Every attempt failed (${m.attemptCount}); no more retries. Resend or recover it to try again.`,
    );
  } else if (m.status === "skipped") {
    sentences.push(
      "Not sent: its destination was disabled when it was created. Recover it once the destination is enabled.",
    );
  } else if (waiting && plan) {
    const due = new Date(plan.nextAttemptTime).getTime() - now;
    sentences.push(
      `Attempt ${plan.nextAttempt} of ${plan.lastAttempt} ` +
        (due > 0 ? `in ${formatSpan(due)} ` : "due now ") +
        `(at ${formatClock(plan.nextAttemptTime)}).`,
    );
    sentences.push(
      plan.nextAttempt === plan.lastAttempt
        ? "It is the last: if it fails, the message is exhausted."
        : `If every attempt fails, retries end with attempt ${plan.lastAttempt} at about ${formatClock(plan.lastAttemptTime)} (${formatSpan(new Date(plan.lastAttemptTime).getTime() - now)} from now); then the message is exhausted.`,
    );
  } else if (m.status === "delivering") {
    sentences.push(`Attempt ${m.attemptCount + 1} is under way.`);
  }
  const failing = destination ? failingSummary(destination) : undefined;
  if (!lastFailed && sentences.length === 0) return null;
  return (
    <div
      className={
        m.status === "exhausted"
          ? "callout callout-bad what-next"
          : "callout callout-warn what-next"
      }
      aria-live="polite"
    >
      {lastFailed && (
        <p>
          <strong>Last error{cause ? `: ${cause}` : ""}</strong>
          {lastFailed.error ? ` — ${lastFailed.error}` : ""} (attempt {lastFailed.number},{" "}
          {formatClock(lastFailed.startTime)})
        </p>
      )}
      {sentences.length > 0 && <p>{sentences.join(" ")}</p>}
      {failing && destination && (
        <p className="muted">
          {destination.name}: {failing}
        </p>
      )}
    </div>
  );
}

/** The current time, updated every `everyMs` while mounted: for countdowns. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
