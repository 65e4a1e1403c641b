// A read-only, foldable JSON tree (payloads, headers sent). Its box scrolls, so it is a
// Tab stop of its own (arrow keys scroll it); its colours are set in styles.css for contrast.
import JsonViewBase from "@uiw/react-json-view";

export function JsonView({
  value,
  collapsed,
  label = "JSON",
}: {
  value: unknown;
  collapsed?: number;
  label?: string;
}) {
  if (value === null || typeof value !== "object") {
    return <pre className="code-block">{JSON.stringify(value, null, 2)}</pre>;
  }
  return (
    <div className="json-view" tabIndex={0} role="region" aria-label={label}>
      <JsonViewBase
        value={value as object}
        collapsed={collapsed ?? 3}
        displayDataTypes={false}
        enableClipboard
        shortenTextAfterLength={0}
      />
    </div>
  );
}
