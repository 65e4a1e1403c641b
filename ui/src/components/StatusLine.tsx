// Footer line showing whether the node answers GET /healthz, and where it lives.
import { useNodeHealth } from "../hooks/useNodeHealth";
import { useLiveConnectionState } from "../lib/liveBus";

export function StatusLine() {
  const { data, error, isPending, dataUpdatedAt, errorUpdatedAt, isError } = useNodeHealth();

  let state: "checking" | "up" | "down";
  let text: string;
  if (isPending && !isError) {
    state = "checking";
    text = "Connecting to node…";
  } else if (isError) {
    state = "down";
    text = `Node unreachable: ${error instanceof Error ? error.message : String(error)}`;
  } else {
    state = "up";
    text = `Node online · ${data.baseUrl}${data.version ? ` · v${data.version}` : ""}`;
  }
  const checkedAt = Math.max(dataUpdatedAt, errorUpdatedAt);
  const live = useLiveConnectionState();

  return (
    <footer className="status-line" data-state={state}>
      <span className="status-dot" aria-hidden="true" />
      <span className="status-text" role="status" aria-live="polite">
        {text}
      </span>
      <span className="status-live" data-live={live.status}>
        live events: {live.status}
      </span>
      {checkedAt > 0 && (
        <span className="status-time">checked {new Date(checkedAt).toLocaleTimeString()}</span>
      )}
    </footer>
  );
}
