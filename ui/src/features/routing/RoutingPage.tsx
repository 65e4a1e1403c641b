// The routing canvas: event types → topics → destinations. Drag from a node's right
// handle onto any part of a node in the next column to add a route (a refused target says
// why while dragging); select an edge and press Delete to remove it. From the keyboard the
// canvas is one Tab stop: arrows move, Enter starts a route and Enter on a target makes it,
// Delete removes the focused route.
import {
  Background,
  Controls,
  Panel,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useConnection,
  type Connection,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type ReactFlowInstance,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { deleteEventTopicRoute, deleteTopicDestinationRoute } from "../../api/endpoints";
import type { EventType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import {
  useCreateEventTopicRoute,
  useCreateTopicDestinationRoute,
  useDestinations,
  useIntegrations,
  useEventTopicRoutes,
  useTopicDestinationRoutes,
  useTopics,
} from "../../hooks/queries";
import {
  buildEdges,
  buildNodes,
  canConnect,
  connectProblem,
  nodeName,
  parseNodeId,
  type GraphData,
  type GraphNode,
  type RouteEdge,
} from "./graph";
import { useCanvasKeyboard } from "./useCanvasKeyboard";
import { nodeTypes } from "./nodes";
import { WireForm } from "./WireForm";
import { PageHeader } from "../../components/PageHeader";

const DELETE_KEYS = ["Delete", "Backspace"];
/** Below this the labels are too small to read; the canvas pans instead. */
const MIN_ZOOM = 0.6;

export function RoutingPage({ onOpen }: { onOpen: (page: "topics" | "destinations") => void }) {
  const topics = useTopics();
  const destinations = useDestinations();
  const eventRoutes = useEventTopicRoutes();
  const destinationRoutes = useTopicDestinationRoutes();
  const integrations = useIntegrations();
  const client = useQueryClient();
  const createEventRoute = useCreateEventTopicRoute();
  const createDestinationRoute = useCreateTopicDestinationRoute();
  const removeRoutes = useMutation({
    mutationFn: (edges: RouteEdge[]) =>
      Promise.all(
        edges
          .filter((e) => e.data?.route !== "read")
          .map((e) =>
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
      integrations: integrations.data ?? [],
    }),
    [topics.data, destinations.data, eventRoutes.data, destinationRoutes.data, integrations.data],
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
  // What the canvas last said (a route added, a drop refused): on screen and read out.
  const [said, setSaid] = useState("");
  const addRoute = useCallback(
    (source: string, target: string) => {
      const problem = connectProblem(source, target, data);
      if (problem) {
        setSaid(`Not added: ${problem}.`);
        return;
      }
      const s = parseNodeId(source);
      const t = parseNodeId(target);
      const done = {
        onSuccess: () =>
          setSaid(`Route added: ${nodeName(source, data)} → ${nodeName(target, data)}`),
      };
      if (s.kind === "event") {
        createEventRoute.mutate({ eventType: s.key as EventType, topicId: t.key }, done);
      } else {
        createDestinationRoute.mutate({ topicId: s.key, destinationId: t.key }, done);
      }
    },
    [data, createEventRoute, createDestinationRoute],
  );
  const onConnect = useCallback((c: Connection) => addRoute(c.source, c.target), [addRoute]);
  // A drag that ended on no node, or on one that refused it, says so.
  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode) return;
      setSaid(
        state.toNode
          ? `Not added: ${connectProblem(state.fromNode.id, state.toNode.id, data) ?? "refused"}.`
          : "Not added: drop the route on a node of the next column (anywhere on it).",
      );
    },
    [data],
  );

  const [flow, setFlow] = useState<ReactFlowInstance<GraphNode, RouteEdge> | null>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  // The zoom buttons are for the mouse; keyboard users have + - 0 (one Tab stop).
  useEffect(() => {
    canvasRef.current
      ?.querySelectorAll<HTMLElement>(".react-flow__controls button")
      .forEach((b) => (b.tabIndex = -1));
  });
  const keyboard = useCanvasKeyboard({
    nodes,
    edges,
    data,
    flow,
    minZoom: MIN_ZOOM,
    say: setSaid,
    addRoute,
    removeRoute: (edge, onSuccess) => removeRoutes.mutate([edge], { onSuccess }),
  });

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
        Drag from an event type onto a topic, and from a topic onto a destination (drop anywhere on
        it). Select a route and press Delete to remove it.
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

      <p id="canvas-keys" className="muted canvas-keys">
        Keyboard: Tab to the canvas, arrows to move (right follows routes), Enter to start a route
        and Enter on its target to make it, Delete on a route to remove it, + − 0 to zoom.
      </p>
      <div
        ref={canvasRef}
        className="canvas"
        role="application"
        aria-roledescription="routing canvas"
        aria-label="Routing canvas"
        aria-describedby="canvas-keys"
        tabIndex={0}
        onKeyDown={keyboard.onKeyDown}
        onFocus={keyboard.onFocus}
      >
        <ReactFlow<GraphNode, RouteEdge>
          nodes={keyboard.nodes}
          edges={keyboard.edges}
          nodeTypes={nodeTypes}
          onInit={(instance) => {
            setFlow(instance);
            // Too big to fit at a readable zoom (a narrow window): show its top left,
            // where routes start, rather than the middle of it.
            void instance.fitView({ padding: 0.08, minZoom: MIN_ZOOM }).then(() => {
              if (instance.getZoom() <= MIN_ZOOM + 0.001) {
                void instance.setViewport({ x: 12, y: 8, zoom: MIN_ZOOM });
              }
            });
          }}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          onBeforeDelete={onBeforeDelete}
          onEdgesDelete={onEdgesDelete}
          deleteKeyCode={DELETE_KEYS}
          nodesDraggable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable
          fitView
          fitViewOptions={{ padding: 0.08, minZoom: MIN_ZOOM }}
          minZoom={MIN_ZOOM}
          maxZoom={1.5}
        >
          <Background gap={24} />
          <Controls showInteractive={false} />
          <DragHint data={data} />
        </ReactFlow>
      </div>
      <p className="canvas-said" role="status">
        {said}
      </p>

      <WireForm data={data} />
    </section>
  );
}

/** While dragging a route: what a drop here would do, or why it is refused. */
function DragHint({ data }: { data: GraphData }) {
  const connection = useConnection();
  if (!connection.inProgress) return null;
  const from = connection.fromNode.id;
  const to = connection.toNode?.id;
  const problem = to && to !== from ? connectProblem(from, to, data) : null;
  return (
    <Panel position="bottom-center" className={problem ? "drag-hint drag-hint-bad" : "drag-hint"}>
      {problem
        ? `Refused: ${problem}`
        : to && to !== from
          ? `Release to route ${nodeName(from, data)} → ${nodeName(to, data)}`
          : `Drop on a ${parseNodeId(from).kind === "event" ? "topic" : "destination"} (anywhere on it)`}
    </Panel>
  );
}
