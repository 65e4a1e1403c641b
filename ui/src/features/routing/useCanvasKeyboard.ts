// The routing canvas from the keyboard: one Tab stop; arrows move between nodes and along
// routes (see keyboard.ts), Enter starts a route and Enter on a target makes it, Escape
// cancels, Delete removes the focused route, + − 0 zoom. What happens is said in words.
import type { ReactFlowInstance } from "@xyflow/react";
import {
  useCallback,
  useMemo,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent as ReactKeyboardEvent,
} from "react";
import { nodeName, parseNodeId, type GraphData, type GraphNode, type RouteEdge } from "./graph";
import { moveFocus } from "./keyboard";

interface Options {
  nodes: GraphNode[];
  edges: RouteEdge[];
  data: GraphData;
  flow: ReactFlowInstance<GraphNode, RouteEdge> | null;
  minZoom: number;
  /** Puts a sentence on screen (and to screen readers). */
  say: (text: string) => void;
  addRoute: (source: string, target: string) => void;
  removeRoute: (edge: RouteEdge, onSuccess: () => void) => void;
}

export function useCanvasKeyboard({
  nodes,
  edges,
  data,
  flow,
  minZoom,
  say,
  addRoute,
  removeRoute,
}: Options) {
  // Keyboard: the focused node or route, and the node a route is being made from.
  // Mirrored in refs: keys can come faster than renders, and each must see the last move.
  const [focusId, setFocusIdState] = useState<string | null>(null);
  const [routeFrom, setRouteFromState] = useState<string | null>(null);
  const focusRef = useRef<string | null>(null);
  const routeFromRef = useRef<string | null>(null);
  const setFocusId = useCallback((id: string | null) => {
    focusRef.current = id;
    setFocusIdState(id);
  }, []);
  const setRouteFrom = useCallback((id: string | null) => {
    routeFromRef.current = id;
    setRouteFromState(id);
  }, []);
  const describe = useCallback(
    (id: string): string => {
      const edge = edges.find((e) => e.id === id);
      if (edge) {
        return `Route ${nodeName(edge.source, data)} → ${nodeName(edge.target, data)}. Delete removes it.`;
      }
      const { kind } = parseNodeId(id);
      const what = kind === "event" ? "Event type" : kind === "topic" ? "Topic" : "Destination";
      const out = edges.filter((e) => e.source === id).length;
      const into = edges.filter((e) => e.target === id).length;
      return `${what} ${nodeName(id, data)}: ${into} route${into === 1 ? "" : "s"} in, ${out} out.`;
    },
    [edges, data],
  );
  const focusOn = useCallback(
    (id: string) => {
      setFocusId(id);
      const edge = edges.find((e) => e.id === id);
      const node = nodes.find((n) => n.id === (edge ? edge.target : id));
      if (node && flow) {
        const w = node.measured?.width ?? 280;
        const h = node.measured?.height ?? 40;
        void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, {
          zoom: flow.getZoom(),
          duration: 150,
        });
      }
    },
    [edges, nodes, flow, setFocusId],
  );
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return; // keys inside a node's own buttons
    const focusId = focusRef.current;
    const routeFrom = routeFromRef.current;
    const current =
      focusId && (nodes.some((n) => n.id === focusId) || edges.some((x) => x.id === focusId))
        ? focusId
        : null;
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      const next = moveFocus(current, e.key, nodes, edges);
      if (next) {
        focusOn(next);
        say(
          describe(next) +
            (routeFrom
              ? ` Making a route from ${nodeName(routeFrom, data)}: Enter ends it here.`
              : ""),
        );
      }
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (!current || edges.some((x) => x.id === current)) return;
      if (routeFrom) {
        setRouteFrom(null);
        addRoute(routeFrom, current);
      } else if (parseNodeId(current).kind === "destination") {
        say("A destination is the end of a route: start from an event type or a topic.");
      } else {
        setRouteFrom(current);
        say(
          `Making a route from ${nodeName(current, data)}: move to a ${parseNodeId(current).kind === "event" ? "topic" : "destination"} and press Enter; Escape cancels.`,
        );
      }
    } else if (e.key === "Escape" && routeFrom) {
      e.preventDefault();
      setRouteFrom(null);
      say("Route cancelled.");
    } else if ((e.key === "Delete" || e.key === "Backspace") && current) {
      const edge = edges.find((x) => x.id === current);
      if (!edge) return;
      e.preventDefault();
      removeRoute(edge, () =>
        say(`Route removed: ${nodeName(edge.source, data)} → ${nodeName(edge.target, data)}`),
      );
      setFocusId(edge.source);
    } else if (e.key === "+" || e.key === "=") {
      void flow?.zoomIn();
    } else if (e.key === "-") {
      void flow?.zoomOut();
    } else if (e.key === "0") {
      void flow?.fitView({ padding: 0.08, minZoom });
    }
  };
  const shownNodes = useMemo(
    () =>
      nodes.map((n) =>
        n.id === focusId || n.id === routeFrom
          ? ({
              ...n,
              className: [n.id === focusId && "kb-focus", n.id === routeFrom && "kb-source"]
                .filter(Boolean)
                .join(" "),
            } as GraphNode)
          : n,
      ),
    [nodes, focusId, routeFrom],
  );
  const shownEdges = useMemo(
    () =>
      edges.map((e) =>
        e.id === focusId ? { ...e, className: `${e.className ?? ""} kb-focus`.trim() } : e,
      ),
    [edges, focusId],
  );
  // Keyboard focus only: a mouse press on the canvas shows no focus ring.
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || focusRef.current) return;
    if (!e.currentTarget.matches(":focus-visible")) return;
    const first = moveFocus(null, "Home", nodes, edges);
    if (first) {
      setFocusId(first);
      say(describe(first));
    }
  };

  return { nodes: shownNodes, edges: shownEdges, onKeyDown, onFocus };
}
