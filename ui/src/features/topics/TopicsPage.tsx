// Topics the way Ampersand's dashboard makes them: a name, the event types it receives and
// the destinations it feeds, created or changed with their routes in one step (one API
// call, all or nothing); delete says which routes go with it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createTopic, deleteTopic, updateTopic } from "../../api/endpoints";
import type { Destination, Topic } from "../../api/types";
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
import { Dialog } from "../../components/Dialog";
import { TopicRoutingFields, type TopicRouting } from "./TopicRoutingFields";

const NO_ROUTING: TopicRouting = { eventTypes: [], destinationIds: [] };

export function TopicsPage() {
  const topics = useTopics();
  const eventRoutes = useEventTopicRoutes();
  const destRoutes = useTopicDestinationRoutes();
  const destinations = useDestinations();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [routing, setRouting] = useState<TopicRouting>(NO_ROUTING);
  const [created, setCreated] = useState<string | null>(null);
  const [editing, setEditing] = useState<Topic | null>(null);
  const [deleting, setDeleting] = useState<Topic | null>(null);

  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: qk.topics }),
      client.invalidateQueries({ queryKey: ["routes"] }),
    ]);
  const create = useMutation({
    mutationFn: () => createTopic({ name: name.trim(), ...routing }),
    onSuccess: async (topic) => {
      setCreated(
        `Topic ${topic.name} created with ${routeCount(routing)} route` +
          (routeCount(routing) === 1 ? "." : "s."),
      );
      setName("");
      setRouting(NO_ROUTING);
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
  const destinationList = [...(destinations.data ?? [])].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
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
        className="panel topic-form"
        aria-label="New topic"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          create.mutate();
        }}
      >
        <Field
          label="New topic name"
          error={createIssues.byField.name}
          hint="e.g. installations or billing-alerts"
        >
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <TopicRoutingFields value={routing} onChange={setRouting} destinations={destinationList} />
        <div className="button-row">
          <button
            type="submit"
            className="button button-primary"
            disabled={create.isPending || name.trim() === ""}
          >
            {create.isPending ? "Creating…" : "Create topic"}
          </button>
          <span className="muted">Its routes are created with it.</span>
        </div>
        {createIssues.other.length > 0 && (
          <p className="error-note" role="alert">
            {createIssues.other.join("; ")}
          </p>
        )}
        <p className="success-note" role="status">
          {created}
        </p>
      </form>

      <ErrorNote error={topics.error} prefix="Could not load topics" />
      <ErrorNote error={eventRoutes.error ?? destRoutes.error} prefix="Could not load routes" />

      {topics.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 && !topics.error ? (
        <EmptyState icon="#" title="No topics yet">
          <p>
            Create a topic above (for example <em>installations</em>) with the event types it should
            receive and the destinations it should feed; its routes are made with it.
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
                    <td title={t.name}>
                      <strong>{t.name}</strong>
                    </td>
                    <td title={events.join(", ")}>
                      {events.length > 0 ? events.join(", ") : <span className="muted">none</span>}
                    </td>
                    <td title={dests.join(", ")}>
                      {dests.length > 0 ? dests.join(", ") : <span className="muted">none</span>}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing(t)}
                        aria-label={`Edit ${t.name}`}
                      >
                        Edit
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

      {editing && (
        <EditDialog
          topic={editing}
          routing={{
            eventTypes: eventsOf(editing),
            destinationIds: (destRoutes.data ?? [])
              .filter((r) => r.topicId === editing.id)
              .map((r) => r.destinationId),
          }}
          destinations={destinationList}
          onClose={() => setEditing(null)}
        />
      )}
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

const routeCount = (r: TopicRouting) => r.eventTypes.length + r.destinationIds.length;

function EditDialog({
  topic,
  routing: initial,
  destinations,
  onClose,
}: {
  topic: Topic;
  routing: TopicRouting;
  destinations: Destination[];
  onClose: () => void;
}) {
  const [name, setName] = useState(topic.name);
  const [routing, setRouting] = useState(initial);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () => updateTopic(topic.id, { name: name.trim(), ...routing }),
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: qk.topics }),
        client.invalidateQueries({ queryKey: ["routes"] }),
      ]);
      onClose();
    },
  });
  const issues = fieldIssues(save.error, ["name"]);
  return (
    <Dialog
      title={`Edit topic ${topic.name}`}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="edit-topic-form"
            className="button button-primary"
            disabled={save.isPending || name.trim() === ""}
          >
            {save.isPending ? "Saving…" : "Save topic"}
          </button>
        </>
      }
    >
      <form
        id="edit-topic-form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Field label="Topic name" error={issues.byField.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <TopicRoutingFields value={routing} onChange={setRouting} destinations={destinations} />
      </form>
      {issues.other.length > 0 && (
        <p className="error-note" role="alert">
          Nothing was changed: {issues.other.join("; ")}
        </p>
      )}
    </Dialog>
  );
}
