// The routing graph as React Flow nodes and edges, derived from the same queries as the
// lists. Positions are a pure function of the data (columns; topics and destinations
// sorted by name), so the layout is the same after every reload.
import type { Edge, Node } from "@xyflow/react";
import type {
  Destination,
  EventTopicRoute,
  EventType,
  Integration,
  Topic,
  TopicDestinationRoute,
} from "../../api/types";
import { EVENT_TYPES } from "../../lib/eventTypes";

export const COLUMN_X = { event: 0, topic: 400, destination: 800 } as const;
export const NODE_WIDTH = 280;
const ROW_HEIGHT = 62;
const TOP = 56;

export type EventNodeData = { kind: "event"; eventType: EventType; routed: boolean };
export type TopicNodeData = { kind: "topic"; topic: Topic };
export type DestinationNodeData = { kind: "destination"; destination: Destination };
export type LabelNodeData = { kind: "label"; text: string; hint: string };
/** An integration: its read objects' results go straight to their destinations. */
export type IntegrationNodeData = { kind: "integration"; integration: Integration };

export type EventNode = Node<EventNodeData, "event">;
export type TopicNode = Node<TopicNodeData, "topic">;
export type DestinationNode = Node<DestinationNodeData, "destination">;
export type LabelNode = Node<LabelNodeData, "label">;
export type IntegrationNode = Node<IntegrationNodeData, "integration">;
export type GraphNode = EventNode | TopicNode | DestinationNode | LabelNode | IntegrationNode;

export const nodeId = {
  event: (t: string) => `event:${t}`,
  topic: (id: string) => `topic:${id}`,
  destination: (id: string) => `destination:${id}`,
  integration: (id: string) => `integration:${id}`,
};

/** What a node ID names: `{kind, key}` (an event type, a topic ID or a destination ID). */
export function parseNodeId(id: string): { kind: string; key: string } {
  const i = id.indexOf(":");
  return { kind: id.slice(0, i), key: id.slice(i + 1) };
}

export interface GraphData {
  topics: Topic[];
  destinations: Destination[];
  eventRoutes: EventTopicRoute[];
  destinationRoutes: TopicDestinationRoute[];
  /** Deployed integrations (their read objects' destinations are routes too). */
  integrations: Integration[];
}

const fixed = { draggable: false, deletable: false } as const;

export function buildNodes(data: GraphData): GraphNode[] {
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  const routedEvents = new Set(data.eventRoutes.map((r) => r.eventType));
  const label = (id: string, x: number, text: string, hint: string): LabelNode => ({
    id,
    type: "label",
    position: { x, y: 0 },
    data: { kind: "label", text, hint },
    selectable: false,
    connectable: false,
    focusable: false,
    ...fixed,
  });
  return [
    label("label:events", COLUMN_X.event, "Event types", "drag → onto a topic"),
    label("label:topics", COLUMN_X.topic, "Topics", "drag → onto a destination"),
    label("label:destinations", COLUMN_X.destination, "Destinations", ""),
    ...EVENT_TYPES.map((eventType, i): EventNode => ({
      id: nodeId.event(eventType),
      type: "event",
      position: { x: COLUMN_X.event, y: TOP + i * ROW_HEIGHT },
      data: { kind: "event", eventType, routed: routedEvents.has(eventType) },
      ...fixed,
    })),
    ...[...data.topics].sort(byName).map((topic, i): TopicNode => ({
      id: nodeId.topic(topic.id),
      type: "topic",
      position: { x: COLUMN_X.topic, y: TOP + i * ROW_HEIGHT },
      data: { kind: "topic", topic },
      ...fixed,
    })),
    // Under the topics: integrations, whose read results skip topics.
    ...(data.integrations.length > 0
      ? [
          label(
            "label:integrations",
            COLUMN_X.topic,
            "Integrations",
            "read results go where amp.yaml says",
          ),
        ].map((l) => ({ ...l, position: { x: COLUMN_X.topic, y: integrationsTop(data) - 48 } }))
      : []),
    ...[...data.integrations].sort(byName).map((integration, i): IntegrationNode => ({
      id: nodeId.integration(integration.id),
      type: "integration",
      position: { x: COLUMN_X.topic, y: integrationsTop(data) + i * ROW_HEIGHT },
      data: { kind: "integration", integration },
      ...fixed,
    })),
    ...[...data.destinations].sort(byName).map((destination, i): DestinationNode => ({
      id: nodeId.destination(destination.id),
      type: "destination",
      position: { x: COLUMN_X.destination, y: TOP + i * ROW_HEIGHT * 1.5 },
      data: { kind: "destination", destination },
      ...fixed,
    })),
  ];
}

/** Where the integrations start: below the topics, with room for their label. */
function integrationsTop(data: GraphData): number {
  return TOP + (data.topics.length + 1) * ROW_HEIGHT + 24;
}

export type RouteEdgeData = {
  route: "event-topic" | "topic-destination" | "read";
  routeId: string;
};
export type RouteEdge = Edge<RouteEdgeData>;

export function buildEdges(data: GraphData): RouteEdge[] {
  const topicIds = new Set(data.topics.map((t) => t.id));
  const destinations = new Map(data.destinations.map((d) => [d.id, d]));
  return [
    ...data.eventRoutes
      .filter((r) => topicIds.has(r.topicId))
      .map((r): RouteEdge => ({
        id: `etr:${r.id}`,
        source: nodeId.event(r.eventType),
        target: nodeId.topic(r.topicId),
        data: { route: "event-topic", routeId: r.id },
        ariaLabel: `Route ${r.eventType} to topic`,
      })),
    ...data.destinationRoutes
      .filter((r) => topicIds.has(r.topicId) && destinations.has(r.destinationId))
      .map((r): RouteEdge => {
        const disabled = destinations.get(r.destinationId)?.status === "disabled";
        return {
          id: `tdr:${r.id}`,
          source: nodeId.topic(r.topicId),
          target: nodeId.destination(r.destinationId),
          data: { route: "topic-destination", routeId: r.id },
          className: disabled ? "edge-disabled" : undefined,
          ariaLabel: `Route topic to destination ${destinations.get(r.destinationId)?.name ?? ""}`,
        };
      }),
    // A read object's results: set by the manifest, so not deletable here.
    ...data.integrations.flatMap((integration) =>
      (integration.readObjects ?? [])
        .filter((o) => o.destinationId && destinations.has(o.destinationId))
        .map((o): RouteEdge => ({
          id: `read:${integration.id}:${o.objectName}`,
          source: nodeId.integration(integration.id),
          target: nodeId.destination(o.destinationId!),
          data: { route: "read", routeId: `${integration.id}:${o.objectName}` },
          label: o.objectName,
          className: "edge-read",
          deletable: false,
          ariaLabel: `${integration.name} reads ${o.objectName} into ${destinations.get(o.destinationId!)?.name ?? ""}`,
        })),
    ),
  ];
}

/**
 * The wiring rules: event type → topic, topic → destination, once each. Everything else
 * (event → destination, topic → topic, duplicates) is refused while dragging, with why.
 */
export function connectProblem(source: string, target: string, data: GraphData): string | null {
  const s = parseNodeId(source);
  const t = parseNodeId(target);
  if (s.kind === "event" && t.kind === "topic") {
    return data.eventRoutes.some((r) => r.eventType === s.key && r.topicId === t.key)
      ? `${s.key} is already routed into ${nodeName(target, data)}`
      : null;
  }
  if (s.kind === "topic" && t.kind === "destination") {
    return data.destinationRoutes.some((r) => r.topicId === s.key && r.destinationId === t.key)
      ? `${nodeName(source, data)} already feeds ${nodeName(target, data)}`
      : null;
  }
  if (s.kind === "integration") {
    return "an integration's read results go where its amp.yaml says: change the destination there and deploy";
  }
  if (t.kind === "integration")
    return "integrations are not fed by routes; they read from their source";
  if (s.kind === "event" && t.kind === "destination") {
    return "an event type goes into a topic first; the topic then feeds destinations";
  }
  if (s.kind === t.kind)
    return `a ${s.kind === "event" ? "event type" : s.kind} cannot route to another`;
  if (s.kind === "destination") return "a destination is the end of a route; start from a topic";
  return "routes go left to right: event type → topic → destination";
}

export function canConnect(source: string, target: string, data: GraphData): boolean {
  return connectProblem(source, target, data) === null;
}

/** What a node is called on screen: the event type, or the topic's or destination's name. */
export function nodeName(id: string, data: GraphData): string {
  const { kind, key } = parseNodeId(id);
  if (kind === "topic") return data.topics.find((t) => t.id === key)?.name ?? key;
  if (kind === "destination") return data.destinations.find((d) => d.id === key)?.name ?? key;
  if (kind === "integration") return data.integrations.find((i) => i.id === key)?.name ?? key;
  return key;
}
