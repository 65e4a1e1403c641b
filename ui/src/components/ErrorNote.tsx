// An error, shown where it happened (never swallowed).
import { errorMessage } from "../lib/problem";

export function ErrorNote({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {prefix ? `${prefix}: ` : ""}
      {errorMessage(error)}
    </p>
  );
}
