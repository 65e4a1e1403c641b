// Across every page while the live stream is down: what is on screen stopped updating, so
// nothing on it may pass for current. Once the stream is back, every query refreshes.
import { useLiveConnectionState } from "../lib/liveBus";

export function StaleBanner() {
  const live = useLiveConnectionState();
  if (live.status !== "reconnecting" && live.status !== "offline") return null;
  return (
    <div className="stale-banner" role="status" data-live={live.status}>
      <strong>Live updates stopped</strong> ({live.message}). Statuses and counts on this page may
      be out of date; {live.status === "reconnecting" ? "reconnecting…" : "retrying soon."}
    </div>
  );
}
