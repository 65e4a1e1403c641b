// "Recover since…": queue again the failed and skipped messages of a destination created
// at or after a chosen time (after re-enabling it, or any time).
import { useState } from "react";
import type { Destination } from "../api/types";
import { useRecoverDestination } from "../hooks/queries";
import { toLocalInput } from "../lib/format";
import { Dialog } from "./Dialog";
import { ErrorNote } from "./ErrorNote";
import { Field } from "./Field";

/** By default: an hour before the destination was disabled (or than now). */
function defaultSince(d: Destination): Date {
  const from = d.disabledTime ? new Date(d.disabledTime) : new Date();
  return new Date(from.getTime() - 3600_000);
}

export function RecoverDialog({
  destination,
  onClose,
}: {
  destination: Destination;
  onClose: () => void;
}) {
  const [since, setSince] = useState(() => toLocalInput(defaultSince(destination)));
  const recover = useRecoverDestination();
  const sinceDate = new Date(since);
  const valid = since !== "" && !Number.isNaN(sinceDate.getTime());

  return (
    <Dialog
      title={`Recover messages for ${destination.name}`}
      onClose={onClose}
      actions={
        recover.isSuccess ? (
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              type="submit"
              form="recover-form"
              className="button button-primary"
              disabled={!valid || recover.isPending}
            >
              {recover.isPending ? "Recovering…" : "Recover"}
            </button>
          </>
        )
      }
    >
      <form
        id="recover-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) recover.mutate({ id: destination.id, since: sinceDate.toISOString() });
        }}
      >
        <p className="muted">
          Failed, exhausted and skipped messages to this destination created at or after this time
          are queued again, in order.
          {destination.status === "disabled" &&
            " Re-enable the destination first so they are sent."}
        </p>
        <Field label="Recover messages since (local time)">
          <input
            type="datetime-local"
            step="1"
            value={since}
            onChange={(e) => setSince(e.target.value)}
            required
          />
        </Field>
      </form>
      {recover.isSuccess && (
        <p className="success-note" role="status">
          {recover.data.requeued} message{recover.data.requeued === 1 ? "" : "s"} queued again.
        </p>
      )}
      <ErrorNote error={recover.error} />
    </Dialog>
  );
}
