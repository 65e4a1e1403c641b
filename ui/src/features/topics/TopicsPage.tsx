// Topics: create, rename, delete (saying which routes go with it).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createTopic, deleteTopic, renameTopic } from "../../api/endpoints";
import type { Topic } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNote } from "../../components/ErrorNote";
import { Field } from "../../components/Field";
import {
  qk,
  useDestinations,
  useEventTopicRoutes,
  useTopicDestinationRoutes,
  useTopics,
} from "../../hooks/queries";
import { fieldIssues } from "../../lib/problem";
import { PageHeader } from "../../components/PageHeader";

export function TopicsPage() {
  const topics = useTopics();
  const eventRoutes = useEventTopicRoutes();
  const destRoutes = useTopicDestinationRoutes();
  const destinations = useDestinations();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<Topic | null>(null);
  const [deleting, setDeleting] = useState<Topic | null>(null);

  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: qk.topics }),
      client.invalidateQueries({ queryKey: ["routes"] }),
    ]);
  const create = useMutation({
    mutationFn: (n: string) => createTopic(n),
    onSuccess: async () => {
      setName("");
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (t: Topic) => deleteTopic(t.id),
    onSuccess: async () => {
      setDeleting(null);
      await refresh();
    },
  });

  const list = [...(topics.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const eventsOf = (t: Topic) =>
    (eventRoutes.data ?? []).filter((r) => r.topicId === t.id).map((r) => r.eventType);
  const destinationsOf = (t: Topic) =>
    (destRoutes.data ?? [])
      .filter((r) => r.topicId === t.id)
      .map(
        (r) => destinations.data?.find((d) => d.id === r.destinationId)?.name ?? r.destinationId,
      );
  const createIssues = fieldIssues(create.error, ["name"]);

  return (
    <section className="page page-wide">
      <PageHeader title="Topics">
        Named channels: event types are routed into topics, and topics feed destinations.
      </PageHeader>

      <form
        className="inline-form panel"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name.trim());
        }}
      >
        <Field
          label="New topic name"
          error={createIssues.byField.name}
          hint="e.g. installations or billing-alerts"
        >
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending || name.trim() === ""}
        >
          Create topic
        </button>
        {createIssues.other.length > 0 && (
          <p className="error-note" role="alert">
            {createIssues.other.join("; ")}
          </p>
        )}
      </form>

      <ErrorNote error={topics.error} prefix="Could not load topics" />
      <ErrorNote error={eventRoutes.error ?? destRoutes.error} prefix="Could not load routes" />

      {topics.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 && !topics.error ? (
        <EmptyState icon="#" title="No topics yet">
          <p>
            Create a topic above (for example <em>installations</em>), then on the Routing page drag
            event types into it and wire it to destinations.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Event types routed in</th>
                <th scope="col">Destinations fed</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => {
                const events = eventsOf(t);
                const dests = destinationsOf(t);
                return (
                  <tr key={t.id}>
                    <td>
                      <strong>{t.name}</strong>
                    </td>
                    <td>
                      {events.length > 0 ? events.join(", ") : <span className="muted">none</span>}
                    </td>
                    <td>
                      {dests.length > 0 ? dests.join(", ") : <span className="muted">none</span>}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setRenaming(t)}
                        aria-label={`Rename ${t.name}`}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => setDeleting(t)}
                        aria-label={`Delete ${t.name}`}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {renaming && <RenameDialog topic={renaming} onClose={() => setRenaming(null)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete topic ${deleting.name}?`}
          confirmLabel="Delete topic"
          danger
          busy={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          <RoutesGoing events={eventsOf(deleting)} destinations={destinationsOf(deleting)} />
        </ConfirmDialog>
      )}
    </section>
  );
}

function RoutesGoing({ events, destinations }: { events: string[]; destinations: string[] }) {
  if (events.length === 0 && destinations.length === 0) {
    return <p>The topic has no routes; nothing else changes.</p>;
  }
  return (
    <>
      <p>These routes are deleted with it:</p>
      <ul className="route-list">
        {events.map((e) => (
          <li key={`e-${e}`}>
            event type <code>{e}</code> → this topic
          </li>
        ))}
        {destinations.map((d) => (
          <li key={`d-${d}`}>
            this topic → destination <strong>{d}</strong>
          </li>
        ))}
      </ul>
    </>
  );
}

function RenameDialog({ topic, onClose }: { topic: Topic; onClose: () => void }) {
  const [name, setName] = useState(topic.name);
  const client = useQueryClient();
  const rename = useMutation({
    mutationFn: () => renameTopic(topic.id, name.trim()),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: qk.topics });
      onClose();
    },
  });
  const issues = fieldIssues(rename.error, ["name"]);
  return (
    <ConfirmDialog
      title={`Rename ${topic.name}`}
      confirmLabel="Rename"
      busy={rename.isPending}
      error={issues.other.length > 0 ? new Error(issues.other.join("; ")) : null}
      onConfirm={() => rename.mutate()}
      onCancel={onClose}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate();
        }}
      >
        <Field label="Topic name" error={issues.byField.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
      </form>
    </ConfirmDialog>
  );
}
