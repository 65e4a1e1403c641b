// Publish: pick an event type, edit its example payload, publish, and see what was queued.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { publishNotification } from "../../api/endpoints";
import type { EventType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { Field } from "../../components/Field";
import { JsonEditor } from "../../components/JsonEditor";
import { StatusPill } from "../../components/StatusPill";
import { useEventTypes } from "../../hooks/queries";
import { EVENT_TYPES } from "../../lib/eventTypes";
import { exampleBody } from "../../lib/examples";
import { ApiError } from "../../api";
import { PageHeader } from "../../components/PageHeader";
import { errorLabel } from "../../lib/format";
import { useLiveConnectionState } from "../../lib/liveBus";
import { useMessageStatuses } from "./useMessageStatuses";

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function PublishPage({ onOpenLive }: { onOpenLive: () => void }) {
  const eventTypes = useEventTypes();
  const [eventType, setEventType] = useState<EventType>("installation.created");
  const [text, setText] = useState<string | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState("");

  const example = useMemo(() => {
    const fromNode = eventTypes.data?.find((t) => t.eventType === eventType)?.example;
    return pretty(fromNode ?? exampleBody(eventType));
  }, [eventTypes.data, eventType]);
  // Until the user edits, the editor shows the selected type's example.
  const body = text ?? example;

  const parsed = useMemo((): { ok: true; value: unknown } | { ok: false; error: string } => {
    try {
      return { ok: true, value: JSON.parse(body) as unknown };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }, [body]);

  const publish = useMutation({
    mutationFn: (value: unknown) => publishNotification(value, idempotencyKey.trim() || undefined),
  });
  const issues = publish.error instanceof ApiError ? (publish.error.problem?.issues ?? []) : [];
  const statuses = useMessageStatuses();
  const connection = useLiveConnectionState();
  // The result is brought into view when it arrives (the form may fill the window).
  const resultRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (publish.data) resultRef.current?.scrollIntoView({ block: "nearest" });
  }, [publish.data]);

  return (
    <section className="page page-wide">
      <PageHeader title="Publish">
        Send a notification through the routes, exactly as a webhook receives it:{" "}
        <code>{"{notificationType, data}"}</code>. The example is valid for its type; edit it
        freely.
      </PageHeader>
      <ErrorNote error={eventTypes.error} prefix="Could not load the event types' examples" />

      <form
        className="publish-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (parsed.ok) publish.mutate(parsed.value);
        }}
      >
        <div className="publish-controls">
          <Field label="Event type">
            <select
              value={eventType}
              onChange={(e) => {
                setEventType(e.target.value as EventType);
                setText(null);
                publish.reset();
              }}
            >
              {EVENT_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </Field>
          <Field
            label="Idempotency key (optional)"
            hint="A repeat with the same key within 24 h publishes nothing new."
          >
            <input value={idempotencyKey} onChange={(e) => setIdempotencyKey(e.target.value)} />
          </Field>
          <div className="button-row">
            <button
              type="submit"
              className="button button-primary"
              disabled={!parsed.ok || publish.isPending}
            >
              {publish.isPending ? "Publishing…" : "Publish"}
            </button>
            <button
              type="button"
              className="button"
              disabled={text === null}
              onClick={() => setText(null)}
            >
              Reset to example
            </button>
          </div>
        </div>

        <div className="publish-editor">
          <span className="label" id="payload-label">
            Payload
          </span>
          <JsonEditor
            label="Notification payload (JSON)"
            value={body}
            onChange={setText}
            invalid={!parsed.ok || issues.length > 0}
            describedBy="payload-problems"
          />
          <div id="payload-problems">
            {!parsed.ok && (
              <p className="field-error" role="alert">
                Not valid JSON: {parsed.error}
              </p>
            )}
          </div>
        </div>
      </form>

      {publish.isError && (
        <div className="error-note" role="alert">
          <strong>Not published:</strong> {publish.error.message}
          {issues.length > 0 && (
            <ul>
              {issues.map((i, n) => (
                <li key={n}>
                  <code>{i.name}</code> {i.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      {publish.isSuccess && (
        <section
          ref={resultRef}
          className="panel publish-result"
          aria-labelledby="publish-result-heading"
          role="status"
        >
          <h2 id="publish-result-heading">Accepted (202)</h2>
          <dl className="facts">
            <dt>Notification</dt>
            <dd>
              <code>{publish.data.notificationId}</code>
            </dd>
            <dt>Type</dt>
            <dd>
              <code>{publish.data.notificationType}</code>
            </dd>
          </dl>
          {publish.data.unrouted ? (
            <p className="callout">
              <strong>Unrouted:</strong> no route leads from{" "}
              <code>{publish.data.notificationType}</code> to a destination, so nothing was sent. It
              is stored; wire it on the Routing page.
            </p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Message</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {publish.data.messages.map((m) => {
                  const live = statuses.get(m.id);
                  const status = live?.status ?? m.status;
                  return (
                    <tr key={m.id} data-message-id={m.id} data-status={status}>
                      <td>
                        <code>{m.id}</code>
                      </td>
                      <td>{m.destinationName}</td>
                      <td>
                        <StatusPill status={status} title={live?.error} />
                        {live?.error && (
                          <span className="cell-error" title={live.error}>
                            {errorLabel(live.errorClass, live.statusCode, live.error)}
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {connection.status !== "connected" && !publish.data.unrouted && (
            <p className="callout callout-warn">
              The live stream is {connection.status}: these statuses are not updating and may be out
              of date. The Live page shows them once it is back.
            </p>
          )}
          <button type="button" className="button" onClick={onOpenLive}>
            Watch it on the Live page
          </button>
        </section>
      )}
    </section>
  );
}
