// Installations: create one with the field picker, and per installation and object see the
// last reads (type, records, messages, status), the backfill, the next run; read now,
// pause and unpause, ask an on-request object for pages, delete.
import { useState } from "react";
import {
  deleteInstallation,
  deliverResults,
  setReadsPaused,
  triggerRead,
} from "../../api/endpoints";
import type { Installation, Integration, ReadObjectState } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNote } from "../../components/ErrorNote";
import { PageHeader } from "../../components/PageHeader";
import { useInstallations, useIntegrations, useReadsMutation } from "../../hooks/queries";
import { formatTime } from "../../lib/format";
import { EditObjectDialog } from "./EditObjectDialog";
import { InstallationForm } from "./InstallationForm";
import { readObjectChoices, type ObjectChoices } from "./manifestFields";

export function InstallationsPage() {
  const integrations = useIntegrations();
  const installations = useInstallations();
  const [note, setNote] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Installation | null>(null);
  const remove = useReadsMutation((i: Installation) => deleteInstallation(i.integrationId, i.id));
  const integrationList = integrations.data ?? [];
  const list = installations.data ?? [];

  return (
    <section className="page page-wide">
      <PageHeader title="Installations">
        Each group's installation of an integration: the fields it reads, its backfill, and its
        reads on schedule or on demand.
      </PageHeader>
      <ErrorNote error={integrations.error} prefix="Could not load integrations" />
      {integrationList.length === 0 && !integrations.isPending ? (
        <EmptyState icon="⇊" title="No integration to install">
          <p>Deploy an amp.yaml on the Integrations page first.</p>
        </EmptyState>
      ) : (
        integrationList.length > 0 && (
          <InstallationForm integrations={integrationList} onCreated={setNote} />
        )
      )}
      <p className="success-note" role="status">
        {note}
      </p>

      <h2>Installed</h2>
      <ErrorNote error={installations.error} prefix="Could not load installations" />
      {list.length === 0 && !installations.isPending ? (
        <p className="muted">No installations yet.</p>
      ) : (
        list.map((inst) => (
          <InstallationCard
            key={inst.id}
            installation={inst}
            integration={integrationList.find((i) => i.id === inst.integrationId)}
            onDelete={() => setDeleting(inst)}
          />
        ))
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the installation for ${deleting.group.groupRef}?`}
          confirmLabel="Delete installation"
          danger
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting, { onSuccess: () => setDeleting(null) })}
        >
          Its reads stop and installation.deleted is published with its config. The group's records
          stay in the local source.
        </ConfirmDialog>
      )}
    </section>
  );
}

function InstallationCard(props: {
  installation: Installation;
  integration?: Integration;
  onDelete: () => void;
}) {
  const { installation: inst, integration, onDelete } = props;
  const [said, setSaid] = useState<string | null>(null);
  const [editing, setEditing] = useState<ObjectChoices | null>(null);
  const choices = readObjectChoices(integration?.latestRevision.content);
  const act = useReadsMutation((run: () => Promise<unknown>) => run());
  const integrationId = inst.integrationId;
  const group = inst.group.groupRef;
  const deliveryOf = (object: string) =>
    integration?.readObjects?.find((o) => o.objectName === object)?.deliveryMode ?? "auto";
  const run = (label: string, fn: () => Promise<unknown>) => {
    setSaid(null);
    act.mutate(fn, { onSuccess: () => setSaid(label) });
  };

  return (
    <article className="panel installation" aria-label={`Installation for ${group}`}>
      <header className="integration-header">
        <h3>
          {integration?.name ?? integrationId} <span className="muted">for</span>{" "}
          {inst.group.groupName} <span className="muted">({group})</span>{" "}
          <span
            className={inst.healthStatus === "healthy" ? "pill pill-active" : "pill pill-disabled"}
          >
            {inst.healthStatus}
          </span>
        </h3>
        <button type="button" className="button button-danger" onClick={onDelete}>
          Delete
        </button>
      </header>
      <p className="muted">
        Installed {formatTime(inst.createTime)} by {inst.createdBy}; config{" "}
        {inst.config.id.slice(0, 8)}
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Object</th>
              <th scope="col">Backfill</th>
              <th scope="col">Next run</th>
              <th scope="col">Last reads</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(inst.readObjects ?? []).map((o) => (
              <tr key={o.objectName}>
                <td>
                  {o.objectName}
                  {o.paused && (
                    <>
                      {" "}
                      <span className="pill pill-paused" title={o.pauseNote ?? undefined}>
                        paused
                      </span>
                    </>
                  )}
                  {o.pauseNote && <div className="muted">{o.pauseNote}</div>}
                </td>
                <td>{backfillLabel(o)}</td>
                <td>{o.paused ? "—" : formatTime(o.nextRunTime)}</td>
                <td>
                  <RecentReads state={o} />
                </td>
                <td className="actions">
                  {choices.some((c) => c.objectName === o.objectName) && (
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        setEditing(choices.find((c) => c.objectName === o.objectName) ?? null)
                      }
                    >
                      Edit
                    </button>
                  )}
                  <button
                    type="button"
                    className="button"
                    disabled={act.isPending}
                    onClick={() =>
                      run(`Reading ${o.objectName} now.`, () =>
                        triggerRead(integrationId, o.objectName, group),
                      )
                    }
                  >
                    Read now
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={act.isPending}
                    onClick={() =>
                      run(o.paused ? `${o.objectName} resumed.` : `${o.objectName} paused.`, () =>
                        setReadsPaused(integrationId, inst.id, !o.paused, [o.objectName]),
                      )
                    }
                  >
                    {o.paused ? "Unpause" : "Pause"}
                  </button>
                  {deliveryOf(o.objectName) === "onRequest" && (
                    <button
                      type="button"
                      className="button"
                      disabled={act.isPending}
                      onClick={() =>
                        run(`One more page of ${o.objectName} asked for.`, () =>
                          deliverResults(integrationId, o.objectName, group, 1),
                        )
                      }
                    >
                      Deliver a page ({o.pageCredit} waiting)
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorNote error={act.error} />
      <p className="success-note" role="status">
        {said}
      </p>
      {editing && (
        <EditObjectDialog
          installation={inst}
          object={editing}
          onClose={() => setEditing(null)}
          onSaved={setSaid}
        />
      )}
    </article>
  );
}

function backfillLabel(o: ReadObjectState): string {
  const backfill = o.recentOperations.find((op) => op.readType === "backfill");
  switch (o.backfill) {
    case "none":
      return "none (reads start with changes)";
    case "running":
      return `running: ${backfill?.metadata.progress.recordsProcessed ?? 0} records`;
    default:
      return backfill
        ? `done: ${backfill.metadata.progress.recordsProcessed} records, ${backfill.messages} messages`
        : "done";
  }
}

function RecentReads({ state }: { state: ReadObjectState }) {
  if (state.recentOperations.length === 0) return <span className="muted">none yet</span>;
  return (
    <ul className="read-list">
      {state.recentOperations.slice(0, 3).map((op) => (
        <li key={op.id} title={op.result ?? undefined}>
          <span
            className={
              op.status === "success"
                ? "pill pill-delivered"
                : op.status === "failure"
                  ? "pill pill-failed"
                  : "pill pill-delivering"
            }
          >
            {op.status === "in_progress" ? "reading" : op.status}
          </span>{" "}
          {op.readType}: {op.metadata.progress.recordsProcessed} records, {op.messages} messages
          <span className="muted"> · {formatTime(op.createTime)}</span>
        </li>
      ))}
    </ul>
  );
}
