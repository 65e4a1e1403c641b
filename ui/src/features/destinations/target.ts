// Where a destination sends, in one line.
import type { Destination } from "../../api/types";

export function targetOf(d: Destination): string {
  const m = d.metadata;
  switch (d.type) {
    case "webhook":
      return m.url ?? "—";
    case "kinesis":
      return `${m.streamName ?? "?"} (${m.region ?? "?"})${m.endpointUrl ? ` via ${m.endpointUrl}` : ""}`;
    case "log":
      return m.path ?? "default log file";
  }
}
