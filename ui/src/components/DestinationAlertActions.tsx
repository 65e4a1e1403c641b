// "Re-enable" and "Recover since…" for a disabled destination; used on the Alerts page,
// the Destinations list and the routing canvas.
import { useState } from "react";
import type { Destination } from "../api/types";
import { useDestinationAction } from "../hooks/queries";
import { ErrorNote } from "./ErrorNote";
import { RecoverDialog } from "./RecoverDialog";

export function DestinationAlertActions({
  destination,
  compact,
  onReenable,
}: {
  destination: Destination;
  compact?: boolean;
  /**
   * Called when re-enabling starts, so the owner can keep showing this destination (with
   * "Recover since…") once it is no longer disabled.
   */
  onReenable?: (d: Destination) => void;
}) {
  const action = useDestinationAction();
  const [recovering, setRecovering] = useState(false);
  const size = compact ? " button-small" : "";
  return (
    <>
      <span className="button-row nodrag">
        {destination.status === "disabled" && (
          <button
            type="button"
            className={`button button-primary${size}`}
            disabled={action.isPending}
            onClick={() => {
              onReenable?.(destination);
              action.mutate({ id: destination.id, action: "enable" });
            }}
          >
            {action.isPending ? "Re-enabling…" : "Re-enable"}
          </button>
        )}
        <button type="button" className={`button${size}`} onClick={() => setRecovering(true)}>
          Recover since…
        </button>
      </span>
      <ErrorNote error={action.error} prefix="Could not re-enable" />
      {recovering && (
        <RecoverDialog destination={destination} onClose={() => setRecovering(false)} />
      )}
    </>
  );
}
