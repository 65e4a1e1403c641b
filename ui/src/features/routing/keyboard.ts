// Moving around the routing canvas with the keyboard, as a pure function of the graph:
// up and down within a column, right along a node's routes (node → its first route out →
// that route's target), left back along them (node → its first route in → its source);
// a node without routes that way moves to the nearest node of the next column. Node IDs and edge IDs share one
// space ("event:…", "topic:…", "destination:…", "etr:…", "tdr:…").
import type { GraphNode, RouteEdge } from "./graph";

const COLUMNS = ["event", "topic", "destination"] as const;

function columnsOf(nodes: GraphNode[]): GraphNode[][] {
  // Integrations sit under the topics, in the same column.
  const inColumn = (n: GraphNode, kind: (typeof COLUMNS)[number]) =>
    n.type === kind || (kind === "topic" && n.type === "integration");
  return COLUMNS.map((kind) =>
    nodes.filter((n) => inColumn(n, kind)).sort((a, b) => a.position.y - b.position.y),
  );
}

function nearest(column: GraphNode[], y: number): GraphNode | undefined {
  let best: GraphNode | undefined;
  for (const n of column) {
    if (!best || Math.abs(n.position.y - y) < Math.abs(best.position.y - y)) best = n;
  }
  return best;
}

/** Where focus goes from `focus` on `key`; the same place when there is nowhere to go. */
export function moveFocus(
  focus: string | null,
  key: string,
  nodes: GraphNode[],
  edges: RouteEdge[],
): string | null {
  const columns = columnsOf(nodes);
  const first = columns.find((c) => c.length > 0)?.[0]?.id ?? null;
  if (!focus) return first;
  const edge = edges.find((e) => e.id === focus);
  const byY = (id: string) => nodes.find((n) => n.id === id)?.position.y ?? 0;
  const outgoing = (id: string) =>
    edges.filter((e) => e.source === id).sort((a, b) => byY(a.target) - byY(b.target));

  if (edge) {
    const siblings = outgoing(edge.source);
    const i = siblings.findIndex((e) => e.id === edge.id);
    switch (key) {
      case "ArrowRight":
        return edge.target;
      case "ArrowLeft":
        return edge.source;
      case "ArrowDown":
        return siblings[Math.min(siblings.length - 1, i + 1)]?.id ?? focus;
      case "ArrowUp":
        return siblings[Math.max(0, i - 1)]?.id ?? focus;
      default:
        return focus;
    }
  }

  const c = columns.findIndex((col) => col.some((n) => n.id === focus));
  if (c < 0) return first;
  const column = columns[c]!;
  const i = column.findIndex((n) => n.id === focus);
  const y = column[i]!.position.y;
  switch (key) {
    case "ArrowDown":
      return column[Math.min(column.length - 1, i + 1)]!.id;
    case "ArrowUp":
      return column[Math.max(0, i - 1)]!.id;
    case "Home":
      return column[0]!.id;
    case "End":
      return column[column.length - 1]!.id;
    case "ArrowRight": {
      const route = outgoing(focus)[0];
      if (route) return route.id;
      for (const next of columns.slice(c + 1)) {
        const n = nearest(next, y);
        if (n) return n.id;
      }
      return focus;
    }
    case "ArrowLeft": {
      const route = edges
        .filter((e) => e.target === focus)
        .sort((a, b) => byY(a.source) - byY(b.source))[0];
      if (route) return route.id;
      for (const previous of columns.slice(0, c).reverse()) {
        const n = nearest(previous, y);
        if (n) return n.id;
      }
      return focus;
    }
    default:
      return focus;
  }
}
