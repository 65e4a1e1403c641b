// Wiring without a mouse: the same two kinds of routes, chosen from lists.
import { useState } from "react";
import type { EventType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
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
      <form
        className="wire-row"
        onSubmit={(e) => {
          e.preventDefault();
          createEventRoute.mutate({ eventType, topicId: topicA || topics[0]!.id });
        }}
      >
        <label>
          Event type
          <select value={eventType} onChange={(e) => setEventType(e.target.value as EventType)}>
            {EVENT_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <span aria-hidden="true">→</span>
        <label>
          Topic
          <select value={topicA} onChange={(e) => setTopicA(e.target.value)}>
            {topics.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={createEventRoute.isPending}>
          Add route
        </button>
      </form>
      <ErrorNote error={createEventRoute.error} />
      {destinations.length > 0 && (
        <form
          className="wire-row"
          onSubmit={(e) => {
            e.preventDefault();
            createDestinationRoute.mutate({
              topicId: topicB || topics[0]!.id,
              destinationId: destination || destinations[0]!.id,
            });
          }}
        >
          <label>
            Topic
            <select value={topicB} onChange={(e) => setTopicB(e.target.value)}>
              {topics.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <span aria-hidden="true">→</span>
          <label>
            Destination
            <select value={destination} onChange={(e) => setDestination(e.target.value)}>
              {destinations.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button" disabled={createDestinationRoute.isPending}>
            Add route
          </button>
        </form>
      )}
      <ErrorNote error={createDestinationRoute.error} />
    </details>
  );
}
