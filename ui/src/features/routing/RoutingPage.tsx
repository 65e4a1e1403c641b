// The routing canvas: event types → topics → destinations. Drag from a node's right
// handle onto the next column to add a route; select an edge and press Delete to remove it.
import {
  Background,
  Controls,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { deleteEventTopicRoute, deleteTopicDestinationRoute } from "../../api/endpoints";
import type { EventType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import {
  useCreateEventTopicRoute,
  useCreateTopicDestinationRoute,
  useDestinations,
  useEventTopicRoutes,
  useTopicDestinationRoutes,
  useTopics,
} from "../../hooks/queries";
import {
  buildEdges,
  buildNodes,
  canConnect,
  parseNodeId,
  type GraphData,
  type GraphNode,
  type RouteEdge,
} from "./graph";
import { nodeTypes } from "./nodes";
import { WireForm } from "./WireForm";
import { PageHeader } from "../../components/PageHeader";

const DELETE_KEYS = ["Delete", "Backspace"];

export function RoutingPage({ onOpen }: { onOpen: (page: "topics" | "destinations") => void }) {
  const topics = useTopics();
  const destinations = useDestinations();
  const eventRoutes = useEventTopicRoutes();
  const destinationRoutes = useTopicDestinationRoutes();
  const client = useQueryClient();
  const createEventRoute = useCreateEventTopicRoute();
  const createDestinationRoute = useCreateTopicDestinationRoute();
  const removeRoutes = useMutation({
    mutationFn: (edges: RouteEdge[]) =>
      Promise.all(
        edges.map((e) =>
          e.data?.route === "event-topic"
            ? deleteEventTopicRoute(e.data.routeId)
            : deleteTopicDestinationRoute(e.data?.routeId ?? ""),
        ),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: ["routes"] }),
  });

  const loading =
    topics.isPending ||
    destinations.isPending ||
    eventRoutes.isPending ||
    destinationRoutes.isPending;
  const data: GraphData = useMemo(
    () => ({
      topics: topics.data ?? [],
      destinations: destinations.data ?? [],
      eventRoutes: eventRoutes.data ?? [],
      destinationRoutes: destinationRoutes.data ?? [],
    }),
    [topics.data, destinations.data, eventRoutes.data, destinationRoutes.data],
  );

  // React Flow keeps measurements and selection on the node/edge objects: merge those into
  // each newly derived graph rather than dropping them.
  const [nodes, setNodes] = useState<GraphNode[]>([]);
  const [edges, setEdges] = useState<RouteEdge[]>([]);
  useEffect(() => {
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return buildNodes(data).map((n) => {
        const o = old.get(n.id);
        return o ? ({ ...n, measured: o.measured, selected: o.selected } as GraphNode) : n;
      });
    });
    setEdges((prev) => {
      const selected = new Set(prev.filter((e) => e.selected).map((e) => e.id));
      return buildEdges(data).map((e) => (selected.has(e.id) ? { ...e, selected: true } : e));
    });
  }, [data]);

  const onNodesChange = useCallback(
    (changes: NodeChange<GraphNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns)),
    [],
  );
  const onEdgesChange = useCallback(
    // Removals go through onEdgesDelete (the API); the refetch then drops the edge.
    (changes: EdgeChange<RouteEdge>[]) =>
      setEdges((es) =>
        applyEdgeChanges(
          changes.filter((c) => c.type !== "remove"),
          es,
        ),
      ),
    [],
  );

  const isValidConnection = useCallback(
    (c: Connection | Edge) => canConnect(c.source, c.target, data),
    [data],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (!canConnect(c.source, c.target, data)) return;
      const s = parseNodeId(c.source);
      const t = parseNodeId(c.target);
      if (s.kind === "event") {
        createEventRoute.mutate({ eventType: s.key as EventType, topicId: t.key });
      } else {
        createDestinationRoute.mutate({ topicId: s.key, destinationId: t.key });
      }
    },
    [data, createEventRoute, createDestinationRoute],
  );
  const onBeforeDelete = useCallback(
    async ({ edges: es }: { nodes: GraphNode[]; edges: RouteEdge[] }) => ({ nodes: [], edges: es }),
    [],
  );
  const onEdgesDelete = useCallback((es: RouteEdge[]) => removeRoutes.mutate(es), [removeRoutes]);

  const selectedEdges = edges.filter((e) => e.selected);
  const error = topics.error ?? destinations.error ?? eventRoutes.error ?? destinationRoutes.error;

  return (
    <section className="page page-full">
      <PageHeader
        title="Routing"
        actions={
          selectedEdges.length > 0 ? (
            <button
              type="button"
              className="button button-danger"
              onClick={() => removeRoutes.mutate(selectedEdges)}
            >
              Delete{" "}
              {selectedEdges.length === 1 ? "selected route" : `${selectedEdges.length} routes`}
            </button>
          ) : null
        }
      >
        Drag from an event type's handle onto a topic, and from a topic onto a destination. Select a
        route and press Delete to remove it.
      </PageHeader>

      <ErrorNote error={error} prefix="Could not load the routing graph" />
      <ErrorNote
        error={createEventRoute.error ?? createDestinationRoute.error}
        prefix="Could not add the route"
      />
      <ErrorNote error={removeRoutes.error} prefix="Could not delete the route" />

      {!loading && data.topics.length === 0 && (
        <div className="callout">
          <p>
            <strong>No topics yet.</strong> Event types are routed into topics, and topics feed
            destinations.{" "}
            <button type="button" className="link-button" onClick={() => onOpen("topics")}>
              Create a topic
            </button>
            {data.destinations.length === 0 && (
              <>
                {" "}
                and{" "}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => onOpen("destinations")}
                >
                  a destination
                </button>
              </>
            )}{" "}
            first.
          </p>
        </div>
      )}
      {!loading && data.topics.length > 0 && data.destinations.length === 0 && (
        <div className="callout">
          <p>
            <strong>No destinations yet.</strong>{" "}
            <button type="button" className="link-button" onClick={() => onOpen("destinations")}>
              Create a destination
            </button>{" "}
            to send a topic's notifications somewhere.
          </p>
        </div>
      )}

      <div className="canvas" aria-label="Routing canvas" role="region">
        <ReactFlow<GraphNode, RouteEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          isValidConnection={isValidConnection}
          onBeforeDelete={onBeforeDelete}
          onEdgesDelete={onEdgesDelete}
          deleteKeyCode={DELETE_KEYS}
          nodesDraggable={false}
          elementsSelectable
          edgesFocusable
          fitView
          fitViewOptions={{ padding: 0.08 }}
          minZoom={0.3}
          maxZoom={1.5}
        >
          <Background gap={24} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>

      <WireForm data={data} />
    </section>
  );
}
