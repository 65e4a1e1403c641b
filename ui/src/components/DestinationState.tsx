// A destination's state as an operator needs it: `failing` (active, but its attempts fail
// and none has succeeded since) before it is ever `disabled`, with why and what comes next.
import type { Destination } from "../api/types";
import { errorLabel, formatClock, relativeTime } from "../lib/format";
import { StatusPill } from "./StatusPill";

/** `failing` for an active destination in a run of failures; otherwise its status. */
export function displayedState(d: Destination): string {
  return d.status === "active" && d.failing ? "failing" : d.status;
}

export function DestinationStatePill({ destination: d }: { destination: Destination }) {
  return <StatusPill status={displayedState(d)} title={d.disabledReason ?? undefined} />;
}

/** One sentence: since when it fails, the last error, and when it would be disabled. */
export function failingSummary(d: Destination): string | undefined {
  const f = d.failing;
  if (!f || d.status === "disabled") return undefined;
  const cause = errorLabel(f.lastErrorClass, undefined, f.lastError);
  const parts = [`Failing since ${formatClock(f.since)} (${relativeTime(f.since)})`];
  if (f.lastError) parts.push(`last error: ${cause ? `${cause} — ` : ""}${f.lastError}`);
  if (f.disableTime) {
    parts.push(
      `would be disabled at ${formatClock(f.disableTime)} (${relativeTime(f.disableTime)}) if ` +
        "no attempt succeeds by then and a message has run out of retries",
    );
  } else if (d.type !== "webhook") {
    parts.push(`${d.type} destinations are not disabled automatically`);
  }
  return `${parts.join("; ")}.`;
}
