// Wiring without a mouse: the same two kinds of routes, chosen from lists.
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
  const topics = [...data.topics].sort((a, b) => a.name.localeCompare(b.name));
  const destinations = [...data.destinations].sort((a, b) => a.name.localeCompare(b.name));
  if (topics.length === 0) return null;

  return (
    <details className="panel wire-form">
      <summary>Add a route without dragging</summary>
      <RouteForm
        pending={createEventRoute.isPending}
        onSubmit={() => createEventRoute.mutate({ eventType, topicId: topicA || topics[0]!.id })}
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
          onSubmit={() =>
            createDestinationRoute.mutate({
              topicId: topicB || topics[0]!.id,
              destinationId: destination || destinations[0]!.id,
            })
          }
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
    </details>
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
      <button type="submit" className="button" disabled={pending}>
        Add route
      </button>
    </form>
  );
}
