// Footer line showing whether the node answers GET /healthz, and where it lives.
import { useNodeHealth } from "../hooks/useNodeHealth";

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

  return (
    <footer className="status-line" role="status" aria-live="polite" data-state={state}>
      <span className="status-dot" aria-hidden="true" />
      <span className="status-text">{text}</span>
      {checkedAt > 0 && (
        <span className="status-time">checked {new Date(checkedAt).toLocaleTimeString()}</span>
      )}
    </footer>
  );
}
