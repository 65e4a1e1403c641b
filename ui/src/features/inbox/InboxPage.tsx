// Inbox: a receiver on the node. "Send to a new inbox" makes one and a webhook destination
// that delivers to it; captures arrive live; each is checked (schema, and the signature
// with the destination's keys); rules make it answer 500, 429, 410 or slowly on purpose;
// a capture can be replayed (edited, re-signed), diffed with a pinned one, exported.
// Keys: j/k move, r or e replay (edited), c copy as curl, p pin, d diff with the pinned
// capture, / filter.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import {
  createInbox,
  diffValues,
  exportCaptures,
  inspectPayload,
  listCapturedMessages,
  listCaptures,
  listInboxes,
  replayCapture,
  setInboxRules,
} from "../../api/endpoints";
import type { Capture, Inbox } from "../../api/types";
import { ChangeList } from "../../components/ChangeList";
import { ErrorNote } from "../../components/ErrorNote";
import { Field } from "../../components/Field";
import { JsonView } from "../../components/JsonView";
import { PageHeader } from "../../components/PageHeader";
import { StatusPill } from "../../components/StatusPill";
import { qk } from "../../hooks/queries";
import { formatSpan, formatTime } from "../../lib/format";
import { onLiveEvent } from "../../lib/liveBus";

const inboxesKey = ["inboxes"] as const;
const capturesKey = (inbox: string) => ["captures", inbox] as const;
const messagesKey = (inbox: string) => ["captures", inbox, "messages"] as const;

const parseJson = (text: string | null | undefined): unknown => {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
};

export function InboxPage() {
  const client = useQueryClient();
  const inboxes = useQuery({ queryKey: inboxesKey, queryFn: ({ signal }) => listInboxes(signal) });
  const [chosen, setChosen] = useState<string | null>(null);
  const inbox = inboxes.data?.find((i) => i.id === chosen) ?? inboxes.data?.[0];
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => createInbox(name.trim(), true),
    onSuccess: async (made) => {
      setName("");
      setChosen(made.id);
      await client.invalidateQueries({ queryKey: inboxesKey });
      await client.invalidateQueries({ queryKey: qk.destinations });
    },
  });

  return (
    <section className="page page-wide">
      <PageHeader title="Inbox">
        A receiver on this node: every request it gets is kept and checked, and it answers as its
        rules say — make it fail on purpose and watch the retries.
      </PageHeader>
      <form
        className="inline-form panel"
        aria-label="Send to a new inbox"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="New inbox name" hint="A webhook destination of the same name delivers to it">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending || !name.trim()}
        >
          Send to a new inbox
        </button>
      </form>
      <ErrorNote error={create.error ?? inboxes.error} prefix="Inbox" />
      {inboxes.data && inboxes.data.length > 1 && (
        <Field label="Inbox">
          <select value={inbox?.id ?? ""} onChange={(e) => setChosen(e.target.value)}>
            {inboxes.data.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      {inbox && <InboxView key={inbox.id} inbox={inbox} />}
    </section>
  );
}

function InboxView({ inbox }: { inbox: Inbox }) {
  const client = useQueryClient();
  const captures = useQuery({
    queryKey: capturesKey(inbox.id),
    queryFn: ({ signal }) => listCaptures(inbox.id, signal),
  });
  // New captures come through the live stream; the list is read again at most 4× a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = onLiveEvent((event) => {
      if (event.kind !== "capture.received" || event.data.inboxId !== inbox.id) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        void client.invalidateQueries({ queryKey: capturesKey(inbox.id) });
      }, 250);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [client, inbox.id]);

  const [filter, setFilter] = useState("");
  const list = useMemo(
    () =>
      (captures.data ?? []).filter(
        (c) =>
          !filter || `${c.method} ${c.path} ${c.webhookId ?? ""} ${c.body ?? ""}`.includes(filter),
      ),
    [captures.data, filter],
  );
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  const selected = list.find((c) => c.id === selectedId) ?? list[0];
  const pinned = (captures.data ?? []).find((c) => c.id === pinnedId);
  const filterRef = useRef<HTMLInputElement>(null);
  const [action, setAction] = useState<"replay" | "diff" | null>(null);

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    const i = list.findIndex((c) => c.id === selected?.id);
    const move = (to: number) => {
      const next = list[Math.max(0, Math.min(list.length - 1, to))];
      if (next) setSelectedId(next.id);
    };
    if (e.key === "j") move(i + 1);
    else if (e.key === "k") move(i - 1);
    else if (e.key === "r" || e.key === "e") setAction("replay");
    else if (e.key === "c" && selected) {
      void exportCaptures(inbox.id, "curl", [selected.id]).then((text) =>
        navigator.clipboard?.writeText(String(text)),
      );
    } else if (e.key === "d") setAction("diff");
    else if (e.key === "p" && selected) setPinnedId(selected.id);
    else if (e.key === "/") {
      e.preventDefault();
      filterRef.current?.focus();
    } else return;
    e.preventDefault();
  };

  return (
    <div className="inbox" onKeyDown={onKey}>
      <p>
        Capture URL: <code data-testid="capture-url">{inbox.captureUrl}</code>
        {inbox.destinationId && <span className="muted"> · delivered to by {inbox.name}</span>}
      </p>
      <p className="muted" data-testid="inbox-caps">
        Keeps the newest {inbox.maxCaptures.toLocaleString()} captures, for{" "}
        {formatSpan(inbox.maxAgeSeconds * 1000)}; bodies up to{" "}
        {(inbox.bodyLimit / 1024).toLocaleString()} KiB (the full size is recorded).
      </p>
      <RulesEditor inbox={inbox} />
      <div className="inbox-tools">
        <Field
          label="Filter"
          hint="/ to focus; j/k move, r or e replay, c copy as curl, p pin, d diff"
        >
          <input ref={filterRef} value={filter} onChange={(e) => setFilter(e.target.value)} />
        </Field>
        <ExportButtons inbox={inbox} ids={list.map((c) => c.id)} />
      </div>
      <ErrorNote error={captures.error} prefix="Could not load captures" />
      <div className="inbox-split">
        <div className="table-wrap" tabIndex={0} aria-label="Captures" role="region">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">Answered</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {list.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    Nothing yet: route a topic to {inbox.name} and publish, or send anything to the
                    capture URL.
                  </td>
                </tr>
              )}
              {list.map((c) => (
                <tr
                  key={c.id}
                  aria-selected={c.id === selected?.id}
                  data-capture-id={c.id}
                  onClick={() => setSelectedId(c.id)}
                >
                  <td className="mono">{formatTime(c.time)}</td>
                  <td title={`${c.method} ${c.path}`}>
                    {c.method} {c.path}
                    {c.id === pinnedId && <span className="code-badge">pinned</span>}
                  </td>
                  <td>{c.status ?? "—"}</td>
                  <td className="mono truncate" title={c.webhookId ?? ""}>
                    {c.webhookId ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {selected && (
          <CaptureDetail
            key={selected.id}
            inbox={inbox}
            capture={selected}
            pinned={pinned}
            action={action}
            onAction={setAction}
            onPin={() => setPinnedId(selected.id)}
          />
        )}
      </div>
      {inbox.destinationId && <MessageTimelines inbox={inbox} />}
    </div>
  );
}

/** One row per message the destination delivered here: its attempts as the inbox saw
 * them, the gaps between them, and when the dispatcher tries next. */
function MessageTimelines({ inbox }: { inbox: Inbox }) {
  const messages = useQuery({
    queryKey: messagesKey(inbox.id),
    queryFn: ({ signal }) => listCapturedMessages(inbox.id, signal),
  });
  return (
    <section className="subsection" aria-labelledby="timelines-heading">
      <h2 id="timelines-heading">Messages delivered here</h2>
      <ErrorNote error={messages.error} prefix="Could not group the captures" />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Attempts (answer, gap)</th>
              <th scope="col">Now</th>
            </tr>
          </thead>
          <tbody>
            {(messages.data ?? []).map((m) => (
              <tr key={m.webhookId} data-webhook-id={m.webhookId}>
                <td className="mono truncate" title={m.webhookId}>
                  {m.webhookId}
                  {m.duplicate && <span className="code-badge">duplicate</span>}
                </td>
                <td>
                  {m.attempts
                    .map(
                      (a) =>
                        `${a.status ?? "—"}${a.gapMs != null ? ` (+${(a.gapMs / 1000).toFixed(1)} s)` : ""}`,
                    )
                    .join(" → ")}
                </td>
                <td>
                  {m.status ?? "—"}
                  {m.nextAttemptTime && ` · next ${formatTime(m.nextAttemptTime)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RulesEditor({ inbox }: { inbox: Inbox }) {
  const client = useQueryClient();
  const [text, setText] = useState(() => JSON.stringify(inbox.rules));
  const save = useMutation({
    mutationFn: () => {
      const rules = parseJson(text);
      if (!Array.isArray(rules)) throw new Error("the rules must be a JSON array");
      return setInboxRules(inbox.id, rules as Inbox["rules"]);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: inboxesKey }),
  });
  const presets: [string, Inbox["rules"]][] = [
    ["Always 200", [{ status: 200 }]],
    ["500 ×3 then 200", [{ status: 500, times: 3 }, { status: 200 }]],
    ["429, Retry-After 2", [{ status: 429, headers: { "Retry-After": "2" } }]],
    ["410 Gone", [{ status: 410 }]],
    ["Slower than a timeout", [{ status: 200, delayMs: 20000 }]],
    ["Drop the connection", [{ status: 200, close: true }]],
  ];
  return (
    <form
      className="panel rules-editor"
      aria-label="Response rules"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field
        label="Response rules"
        hint="In order; each answers `times` requests, the last all the rest: status, headers, body, delayMs, close"
      >
        <input className="mono" value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <div className="button-row">
        {presets.map(([label, rules]) => (
          <button
            key={label}
            type="button"
            className="button button-small"
            onClick={() => setText(JSON.stringify(rules))}
          >
            {label}
          </button>
        ))}
        <button type="submit" className="button button-primary button-small">
          Apply rules
        </button>
      </div>
      <ErrorNote error={save.error} prefix="Rules not applied" />
      <p className="success-note" role="status">
        {save.isSuccess ? "Applied: the next request gets the first rule." : ""}
      </p>
    </form>
  );
}

function ExportButtons({ inbox, ids }: { inbox: Inbox; ids: string[] }) {
  const [error, setError] = useState<unknown>(null);
  const download = (format: "har" | "curl" | "ndjson") => {
    setError(null);
    exportCaptures(inbox.id, format, ids).then((data) => {
      const text = typeof data === "string" ? data : JSON.stringify(data, null, 2);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text]));
      link.download = `${inbox.name}.${format === "curl" ? "sh" : format}`;
      link.click();
      URL.revokeObjectURL(link.href);
    }, setError);
  };
  return (
    <div className="button-row">
      {(["har", "curl", "ndjson"] as const).map((f) => (
        <button key={f} type="button" className="button button-small" onClick={() => download(f)}>
          Export {f.toUpperCase()}
        </button>
      ))}
      <ErrorNote error={error} prefix="Export" />
    </div>
  );
}

function CaptureDetail({
  inbox,
  capture: c,
  pinned,
  action,
  onAction,
  onPin,
}: {
  inbox: Inbox;
  capture: Capture;
  pinned?: Capture;
  action: "replay" | "diff" | null;
  onAction: (a: "replay" | "diff" | null) => void;
  onPin: () => void;
}) {
  // Every capture is checked: its schema, and its signature with the destination's keys.
  const headers = Object.fromEntries(c.headers);
  const verdict = useQuery({
    queryKey: ["inspect-capture", c.id],
    queryFn: () =>
      inspectPayload({
        ...(c.body != null ? { body: c.body } : { bodyBase64: c.bodyBase64 ?? "" }),
        headers,
        destination: inbox.destinationId ?? undefined,
      }),
  });
  const json = parseJson(c.body);
  return (
    <aside className="panel capture-detail" aria-labelledby="capture-heading">
      <header className="detail-header">
        <h2 id="capture-heading">
          {c.method} {c.path}
        </h2>
        {c.status != null && <span className="code-badge">answered {c.status}</span>}
      </header>
      {verdict.data && (
        <p className="capture-verdict" data-verified={verdict.data.signature?.verified ?? "none"}>
          <StatusPill
            status={
              verdict.data.issues.length === 0 && verdict.data.signature?.verified !== false
                ? "delivered"
                : "failed"
            }
            title={verdict.data.summary}
          />{" "}
          {verdict.data.summary}
        </p>
      )}
      <ErrorNote error={verdict.error} prefix="Could not check it" />
      <div className="button-row">
        <button type="button" className="button button-small" onClick={() => onAction("replay")}>
          Replay…
        </button>
        <button type="button" className="button button-small" onClick={onPin}>
          Pin for diff
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={!pinned || pinned.id === c.id}
          onClick={() => onAction("diff")}
        >
          Diff with pinned
        </button>
      </div>
      {action === "replay" && <ReplayForm inbox={inbox} capture={c} />}
      {action === "diff" && pinned && pinned.id !== c.id && <DiffView before={pinned} after={c} />}
      <h3>
        Body ({c.bodySize.toLocaleString()} bytes{c.truncated ? ", cut short" : ""})
      </h3>
      {json !== undefined && <JsonView value={json} label="Captured body" />}
      <details open={json === undefined}>
        <summary>Raw, as received</summary>
        <pre className="code-block" tabIndex={0}>
          {c.body ?? `(base64) ${c.bodyBase64 ?? ""}`}
        </pre>
      </details>
      <h3>Headers</h3>
      <dl className="facts">
        {c.headers.map(([n, v], i) => (
          <div key={i} className="facts-row">
            <dt>{n}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

function ReplayForm({ inbox, capture }: { inbox: Inbox; capture: Capture }) {
  const [url, setUrl] = useState(inbox.captureUrl);
  const [body, setBody] = useState(capture.body ?? "");
  const [resign, setResign] = useState(Boolean(inbox.destinationId));
  const replay = useMutation({
    mutationFn: () =>
      replayCapture(inbox.id, capture.id, {
        url,
        body: body === capture.body ? undefined : body,
        resignWith: resign ? (inbox.destinationId ?? undefined) : undefined,
        newId: resign,
      }),
  });
  return (
    <form
      className="replay-form"
      aria-label="Replay"
      onSubmit={(e) => {
        e.preventDefault();
        replay.mutate();
      }}
    >
      <Field label="Replay to">
        <input value={url} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field label="Body (edit freely)">
        <textarea
          rows={6}
          className="mono"
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
      </Field>
      {inbox.destinationId && (
        <label className="check">
          <input type="checkbox" checked={resign} onChange={(e) => setResign(e.target.checked)} />
          Sign again with {inbox.name}&apos;s key, under a new message ID
        </label>
      )}
      <button type="submit" className="button button-primary button-small">
        Send
      </button>
      <ErrorNote error={replay.error} prefix="Not sent" />
      {replay.data && (
        <p role="status">
          {replay.data.error
            ? `Failed: ${replay.data.error}`
            : `Answered ${replay.data.status} in ${replay.data.durationMs} ms.`}
        </p>
      )}
    </form>
  );
}

function DiffView({ before, after }: { before: Capture; after: Capture }) {
  const diff = useQuery({
    queryKey: ["diff", before.id, after.id],
    queryFn: () =>
      diffValues(parseJson(before.body) ?? before.body, parseJson(after.body) ?? after.body),
  });
  return (
    <section className="diff-view" aria-label="Differences from the pinned capture">
      <h3>Differences from the pinned capture</h3>
      <ErrorNote error={diff.error} prefix="Could not compare" />
      {diff.data && <ChangeList changes={diff.data} same="The bodies are the same." />}
    </section>
  );
}
