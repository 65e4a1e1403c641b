// A read-only, foldable JSON tree (payloads, headers sent).
import JsonViewBase from "@uiw/react-json-view";

export function JsonView({ value, collapsed }: { value: unknown; collapsed?: number }) {
  if (value === null || typeof value !== "object") {
    return <pre className="code-block">{JSON.stringify(value, null, 2)}</pre>;
  }
  return (
    <div className="json-view">
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
