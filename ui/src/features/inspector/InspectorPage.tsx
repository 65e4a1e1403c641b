// Inspector: paste a body (and the headers it came with), pick the destination whose keys
// should have signed it, and read what it is, every issue by JSON pointer, the signature
// report with why it fails, and an installation update's config changes. The node does the
// checking (POST /v1/inspect), with the same validators it publishes with.
import { useMutation } from "@tanstack/react-query";
import { setDiagnostics, type Diagnostic } from "@codemirror/lint";
import type { EditorView } from "@codemirror/view";
import { useEffect, useRef, useState } from "react";
import { diffValues, inspectPayload } from "../../api/endpoints";
import type { InspectReport } from "../../api/types";
import { ChangeList } from "../../components/ChangeList";
import { ErrorNote } from "../../components/ErrorNote";
import { Field } from "../../components/Field";
import { JsonEditor } from "../../components/JsonEditor";
import { PageHeader } from "../../components/PageHeader";
import { useDestinations } from "../../hooks/queries";
import { formatTime } from "../../lib/format";
import { takeInspectorDraft } from "./inspectorDraft";
import { pointerRange } from "./pointerRange";

const EXAMPLE = `{"notificationType": "installation.created", "data": {"installationId": "i-1"}}`;

/** `Name: value` lines as a header map; lines without a colon are skipped. */
function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export function InspectorPage() {
  const destinations = useDestinations();
  const [draft] = useState(takeInspectorDraft);
  const [body, setBody] = useState(draft?.body ?? EXAMPLE);
  const [headers, setHeaders] = useState(draft?.headers ?? "");
  const [destination, setDestination] = useState(draft?.destination ?? "");
  const [secret, setSecret] = useState("");
  const inspect = useMutation({
    mutationFn: () =>
      inspectPayload({
        body,
        headers: parseHeaders(headers),
        secrets: secret.trim() ? [secret.trim()] : undefined,
        destination: destination || undefined,
      }),
  });
  // A draft handed over from elsewhere is inspected at once (on opening only).
  const { mutate } = inspect;
  useEffect(() => {
    if (draft) mutate();
  }, [draft, mutate]);
  const webhooks = (destinations.data ?? []).filter((d) => d.type === "webhook");

  // Each issue is marked at its place in the editor (underlined, with its message).
  const view = useRef<EditorView | null>(null);
  const report = inspect.data;
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const diagnostics: Diagnostic[] = (report?.issues ?? []).map((issue) => ({
      ...pointerRange(v.state, issue.pointer),
      severity: "error",
      message: `${issue.pointer || "(body)"}: ${issue.message}`,
    }));
    if (report?.parseError) {
      const at = Math.min(report.parseError.offset, v.state.doc.length);
      diagnostics.push({ from: at, to: at, severity: "error", message: report.parseError.message });
    }
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [report]);
  /** Moves the editor to where an issue is, and focuses it there. */
  const jumpTo = (pointer: string) => {
    const v = view.current;
    if (!v) return;
    const { from, to } = pointerRange(v.state, pointer);
    v.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
    v.focus();
  };

  return (
    <section className="page page-wide">
      <PageHeader title="Inspector">
        What a payload is and what is wrong with it: notifications, read and subscribe messages,
        Kinesis records. Paste the headers too to check its signature.
      </PageHeader>
      <div className="inspector">
        <form
          className="inspector-input"
          aria-label="Payload to inspect"
          onSubmit={(e) => {
            e.preventDefault();
            inspect.mutate();
          }}
        >
          <div className="publish-editor">
            <span className="label">Body</span>
            <JsonEditor
              label="Body to inspect"
              value={body}
              onChange={setBody}
              onView={(v) => (view.current = v)}
            />
          </div>
          <Field label="Headers" hint="One per line, as received: webhook-id: msg_…">
            <textarea rows={4} value={headers} onChange={(e) => setHeaders(e.target.value)} />
          </Field>
          <Field label="Check signatures with the keys of">
            <select value={destination} onChange={(e) => setDestination(e.target.value)}>
              <option value="">no destination</option>
              {webhooks.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Or a signing secret" hint="whsec_…; sent to the node, never stored">
            <input
              type="password"
              autoComplete="off"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </Field>
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={inspect.isPending}>
              {inspect.isPending ? "Inspecting…" : "Inspect"}
            </button>
          </div>
        </form>
        <div className="inspector-result">
          <CompareBodies body={body} />
          <ErrorNote error={inspect.error} prefix="Could not inspect" />
          {inspect.data ? (
            <Report report={inspect.data} onIssue={jumpTo} />
          ) : (
            <p className="muted">The result shows here.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function Report({
  report: r,
  onIssue,
}: {
  report: InspectReport;
  onIssue: (pointer: string) => void;
}) {
  const ok = r.issues.length === 0 && !r.parseError;
  return (
    <section
      className={ok ? "panel inspect-report" : "panel inspect-report inspect-bad"}
      aria-labelledby="inspect-summary"
      role="status"
    >
      <h2 id="inspect-summary">{r.summary}</h2>
      <p className="muted">
        {r.kind} · {r.size.toLocaleString()} bytes
      </p>
      {r.issues.length > 0 && (
        <>
          <h3>Issues ({r.issues.length})</h3>
          <ul className="inspect-issues">
            {r.issues.map((i, n) => (
              <li key={n}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => onIssue(i.pointer)}
                  title="Show it in the body"
                >
                  <code>{i.pointer || "(body)"}</code>
                </button>{" "}
                {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.signature && (
        <>
          <h3>Signature: {r.signature.verified ? "verified" : "not verified"}</h3>
          {r.signature.causes.length > 0 && (
            <ul className="inspect-causes">
              {r.signature.causes.map((c, n) => (
                <li key={n}>{c}</li>
              ))}
            </ul>
          )}
          {r.signature.headerSets.map((set) => (
            <dl key={set.prefix} className="facts">
              <dt>{set.prefix}-id</dt>
              <dd>
                <code>{set.id ?? "missing"}</code>
              </dd>
              <dt>timestamp</dt>
              <dd>
                {set.timestamp ?? "missing"}
                {set.skewSeconds != null &&
                  ` (${set.skewSeconds > 0 ? "+" : ""}${set.skewSeconds} s)`}
              </dd>
              <dt>signed</dt>
              <dd>
                <code className="truncate">{set.signedContent ?? "—"}</code>
              </dd>
              {set.signatures.map((s, n) => (
                <div key={n} className="facts-row">
                  <dt>signature {n + 1}</dt>
                  <dd>
                    <code>{s.signature.slice(0, 20)}…</code>{" "}
                    {s.matchedSecret ? `matches the ${s.matchedSecret} key` : "matches no key"}
                  </dd>
                </div>
              ))}
            </dl>
          ))}
        </>
      )}
      {r.links && r.links.length > 0 && (
        <>
          <h3>Download links</h3>
          <ul>
            {r.links.map((l) => (
              <li key={l.pointer}>
                <code>{l.pointer}</code> {l.outcome}
                {l.expireTime && ` · expires ${formatTime(l.expireTime)}`}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.configDiff && (
        <>
          <h3>Config changes (lastConfig → config)</h3>
          {r.configDiff.summary.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {r.configDiff.summary.map((line, n) => (
                <li key={n}>{line}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** Diff the body with another pasted one, by JSON path (`POST /v1/diff`). */
function CompareBodies({ body }: { body: string }) {
  const [other, setOther] = useState("");
  const compare = useMutation({
    mutationFn: () => {
      const parse = (text: string, what: string) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new Error(`${what} is not JSON`);
        }
      };
      return diffValues(parse(body, "the body"), parse(other, "the other body"));
    },
  });
  return (
    <details className="panel compare-bodies">
      <summary>Compare with another body</summary>
      <form
        aria-label="Compare with another body"
        onSubmit={(e) => {
          e.preventDefault();
          compare.mutate();
        }}
      >
        <Field label="Other body">
          <textarea
            rows={5}
            className="mono"
            value={other}
            onChange={(e) => setOther(e.target.value)}
          />
        </Field>
        <button type="submit" className="button button-small">
          Show differences
        </button>
      </form>
      <ErrorNote error={compare.error} prefix="Could not compare" />
      <div role="status">
        {compare.data && <ChangeList changes={compare.data} same="The bodies are the same." />}
      </div>
    </details>
  );
}
