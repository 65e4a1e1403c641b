// Integrations: write an amp.yaml with the node's validator marking each issue at its line
// and column as you type (debounced; the node checks, destinations included), deploy it
// as `amp deploy` would, and see each integration's read objects with their destinations
// and next three runs.
import { setDiagnostics, type Diagnostic } from "@codemirror/lint";
import type { EditorView } from "@codemirror/view";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api";
import { deleteIntegration, deployIntegrations, validateManifest } from "../../api/endpoints";
import type { Integration, ManifestIssue } from "../../api/types";
import { CodeEditor } from "../../components/CodeEditor";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNote } from "../../components/ErrorNote";
import { PageHeader } from "../../components/PageHeader";
import { useDestinations, useIntegrations, useReadsMutation } from "../../hooks/queries";
import { formatTime } from "../../lib/format";
import { issueRange, manifestTemplate } from "./manifest";

/** How long typing pauses before the node checks the manifest. */
const CHECK_DELAY_MS = 400;

/** The manifest's issues as the node reports them, checked `CHECK_DELAY_MS` after typing. */
function useManifestCheck(text: string) {
  const [issues, setIssues] = useState<ManifestIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const abort = new AbortController();
    setChecking(true);
    const timer = window.setTimeout(() => {
      validateManifest(text, abort.signal)
        .then((check) => {
          setIssues(check.issues);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!abort.signal.aborted) setError(e);
        })
        .finally(() => {
          if (!abort.signal.aborted) setChecking(false);
        });
    }, CHECK_DELAY_MS);
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [text]);
  return { issues, checking, error };
}

export function IntegrationsPage() {
  const destinations = useDestinations();
  const integrations = useIntegrations();
  const [text, setText] = useState<string | null>(null);
  const firstDestination = destinations.data?.[0]?.name;
  const source = text ?? manifestTemplate(firstDestination);
  const check = useManifestCheck(source);
  const [deployed, setDeployed] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const deploy = useReadsMutation((yaml: string) => deployIntegrations(yaml));
  const remove = useReadsMutation((id: string) => deleteIntegration(id));

  // Each issue is marked where it is, with its message.
  const view = useRef<EditorView | null>(null);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const diagnostics: Diagnostic[] = check.issues.map((issue) => ({
      ...issueRange(v.state.doc, issue.line, issue.column),
      severity: issue.severity === "error" ? "error" : "warning",
      message: `${issue.message} (${issue.rule})`,
    }));
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [check.issues]);
  const jumpTo = (issue: ManifestIssue) => {
    const v = view.current;
    if (!v) return;
    const { from, to } = issueRange(v.state.doc, issue.line, issue.column);
    v.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
    v.focus();
  };

  const errors = check.issues.filter((i) => i.severity === "error");
  const list = integrations.data ?? [];
  const destinationStatus = (name: string) =>
    destinations.data?.find((d) => d.name === name)?.status ?? "missing";

  return (
    <section className="page page-wide">
      <PageHeader title="Integrations">
        Read actions from an <code>amp.yaml</code>: what is read, where its results go and how
        often. Deploy it here as <code>amp deploy</code> would.
      </PageHeader>
      <form
        className="panel manifest-form"
        aria-label="Manifest"
        onSubmit={(e) => {
          e.preventDefault();
          setDeployed(null);
          deploy.mutate(source, {
            onSuccess: (out) =>
              setDeployed(
                `Deployed ${out.map((i) => `${i.name} (${i.readObjects?.length ?? 0} objects)`).join(", ")}.`,
              ),
          });
        }}
      >
        <div className="publish-editor">
          <span className="label">amp.yaml</span>
          <CodeEditor
            language="yaml"
            label="amp.yaml"
            value={source}
            onChange={(v) => {
              setText(v);
              setDeployed(null);
            }}
            invalid={errors.length > 0}
            onView={(v) => (view.current = v)}
          />
        </div>
        <div className="manifest-issues" aria-live="polite">
          {check.checking ? (
            <p className="muted">Checking…</p>
          ) : check.issues.length === 0 ? (
            <p className="success-note">No issues: ready to deploy.</p>
          ) : (
            <>
              <p>
                {errors.length} error{errors.length === 1 ? "" : "s"},{" "}
                {check.issues.length - errors.length} warning
                {check.issues.length - errors.length === 1 ? "" : "s"}
              </p>
              <ul className="issue-list">
                {check.issues.map((issue, i) => (
                  <li key={`${issue.path}-${issue.rule}-${i}`}>
                    <button type="button" className="link-button" onClick={() => jumpTo(issue)}>
                      <span
                        className={
                          issue.severity === "error" ? "pill pill-disabled" : "pill pill-failing"
                        }
                      >
                        {issue.severity}
                      </span>{" "}
                      line {issue.line}, column {issue.column}: {issue.message}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          <ErrorNote error={check.error} prefix="Could not check the manifest" />
        </div>
        <div className="button-row">
          <button
            type="submit"
            className="button button-primary"
            disabled={deploy.isPending || errors.length > 0}
          >
            {deploy.isPending ? "Deploying…" : "Deploy"}
          </button>
          {errors.length > 0 && <span className="muted">Fix the errors to deploy.</span>}
        </div>
        {deploy.error instanceof ApiError && deploy.error.problem?.issues?.length ? (
          <p className="error-note" role="alert">
            Not deployed: {deploy.error.problem.issues.map((i) => i.detail).join("; ")}
          </p>
        ) : (
          <ErrorNote error={deploy.error} prefix="Not deployed" />
        )}
        <p className="success-note" role="status">
          {deployed}
        </p>
      </form>

      <h2>Deployed</h2>
      <ErrorNote error={integrations.error} prefix="Could not load integrations" />
      {integrations.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <EmptyState icon="⇊" title="No integrations yet">
          <p>Deploy an amp.yaml above; its read objects and their schedules show here.</p>
        </EmptyState>
      ) : (
        list.map((integration) => (
          <article key={integration.id} className="panel integration" aria-label={integration.name}>
            <header className="integration-header">
              <h3>
                {integration.name} <span className="muted">· {integration.provider}</span>
              </h3>
              <button
                type="button"
                className="button button-danger"
                onClick={() => setDeleting(integration)}
              >
                Delete
              </button>
            </header>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Object</th>
                    <th scope="col">Destination</th>
                    <th scope="col">Schedule</th>
                    <th scope="col">Next three runs</th>
                    <th scope="col">Delivery</th>
                  </tr>
                </thead>
                <tbody>
                  {(integration.readObjects ?? []).map((o) => (
                    <tr key={o.objectName}>
                      <td>{o.objectName}</td>
                      <td>
                        {o.destination}{" "}
                        {destinationStatus(o.destination) !== "active" && (
                          <span className="pill pill-failing">
                            {destinationStatus(o.destination)}
                          </span>
                        )}
                      </td>
                      <td>
                        <code>{o.schedule}</code>
                      </td>
                      <td>{o.nextRuns.map((t) => formatTime(t)).join(" · ")}</td>
                      <td>{o.deliveryMode}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </article>
        ))
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete integration"
          danger
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
        >
          Its installations are deleted with it (each announced with installation.deleted).
        </ConfirmDialog>
      )}
    </section>
  );
}
