// Differences between two JSON values (`POST /v1/diff`), one per line: path, what happened,
// and the values before and after a change.
import type { Change } from "../api/types";

export function ChangeList({ changes, same }: { changes: Change[]; same: string }) {
  if (changes.length === 0) return <p className="muted">{same}</p>;
  return (
    <ul className="change-list">
      {changes.map((d) => (
        <li key={d.path} data-change={d.kind}>
          <code>{d.path}</code> {d.kind}
          {d.kind === "changed" && (
            <>
              : <code>{JSON.stringify(d.before)}</code> → <code>{JSON.stringify(d.after)}</code>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
