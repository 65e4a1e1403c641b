// Wiring without a mouse: the same two kinds of routes, chosen from lists. Always shown;
// says what it added (on screen and to screen readers) and leaves focus where it was.
import { useState, type ReactNode } from "react";
import type { EventType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { LabelledSelect } from "../../components/LabelledSelect";
import { useCreateEventTopicRoute, useCreateTopicDestinationRoute } from "../../hooks/queries";
import { EVENT_TYPES } from "../../lib/eventTypes";
import type { GraphData } from "./graph";

export function WireForm({ data }: { data: GraphData }) {
  const [eventType, setEventType] = useState<EventType>(EVENT_TYPES[0]!);
  const [topicA, setTopicA] = useState("");
  const [topicB, setTopicB] = useState("");
  const [destination, setDestination] = useState("");
  const createEventRoute = useCreateEventTopicRoute();
  const createDestinationRoute = useCreateTopicDestinationRoute();
  const [said, setSaid] = useState("");
  const nameOf = (list: { id: string; name: string }[], id: string) =>
    list.find((x) => x.id === id)?.name ?? id;
  const topics = [...data.topics].sort((a, b) => a.name.localeCompare(b.name));
  const destinations = [...data.destinations].sort((a, b) => a.name.localeCompare(b.name));
  if (topics.length === 0) return null;

  return (
    <section className="panel wire-form" aria-labelledby="wire-form-heading">
      <h2 id="wire-form-heading">Add a route without dragging</h2>
      <RouteForm
        pending={createEventRoute.isPending}
        onSubmit={() => {
          const topicId = topicA || topics[0]!.id;
          setSaid("");
          createEventRoute.mutate(
            { eventType, topicId },
            { onSuccess: () => setSaid(`Route added: ${eventType} → ${nameOf(topics, topicId)}`) },
          );
        }}
        from={
          <LabelledSelect
            label="Event type"
            value={eventType}
            choices={EVENT_TYPES}
            onChange={(v) => setEventType(v as EventType)}
          />
        }
        to={<LabelledSelect label="Topic" value={topicA} choices={topics} onChange={setTopicA} />}
      />
      <ErrorNote error={createEventRoute.error} />
      {destinations.length > 0 && (
        <RouteForm
          pending={createDestinationRoute.isPending}
          onSubmit={() => {
            const topicId = topicB || topics[0]!.id;
            const destinationId = destination || destinations[0]!.id;
            setSaid("");
            createDestinationRoute.mutate(
              { topicId, destinationId },
              {
                onSuccess: () =>
                  setSaid(
                    `Route added: ${nameOf(topics, topicId)} → ${nameOf(destinations, destinationId)}`,
                  ),
              },
            );
          }}
          from={
            <LabelledSelect label="Topic" value={topicB} choices={topics} onChange={setTopicB} />
          }
          to={
            <LabelledSelect
              label="Destination"
              value={destination}
              choices={destinations}
              onChange={setDestination}
            />
          }
        />
      )}
      <ErrorNote error={createDestinationRoute.error} />
      <p className="success-note" role="status">
        {said}
      </p>
    </section>
  );
}

/** One route as a row: its two ends, from → to, and the button that creates it. */
function RouteForm({
  from,
  to,
  pending,
  onSubmit,
}: {
  from: ReactNode;
  to: ReactNode;
  pending: boolean;
  onSubmit: () => void;
}) {
  return (
    <form
      className="wire-row"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {from}
      <span aria-hidden="true">→</span>
      {to}
      {/* aria-disabled, not disabled: a disabled button would drop the keyboard focus. */}
      <button
        type="submit"
        className="button"
        aria-disabled={pending}
        onClick={(e) => pending && e.preventDefault()}
      >
        Add route
      </button>
    </form>
  );
}
