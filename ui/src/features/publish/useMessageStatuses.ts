// The latest status of each message the live stream has spoken of since the page opened:
// listening starts before publishing, so a delivery that lands before the 202 answer is
// not missed. Bounded: only the newest statuses are kept.
import { useEffect, useState } from "react";
import type { MessageStatus } from "../../api/types";
import { onLiveEvent } from "../../lib/liveBus";

const KEEP = 1_000;

export interface LiveStatus {
  status: MessageStatus;
  error?: string;
  errorClass?: string | null;
  statusCode?: number | null;
}

export function useMessageStatuses(): ReadonlyMap<string, LiveStatus> {
  const [statuses, setStatuses] = useState<ReadonlyMap<string, LiveStatus>>(new Map());
  useEffect(
    () =>
      onLiveEvent((event) => {
        let next: LiveStatus | undefined;
        let id: string | undefined;
        switch (event.kind) {
          case "attempt.succeeded":
            id = event.data.messageId;
            next = { status: "delivered", statusCode: event.data.statusCode };
            break;
          case "attempt.failed":
          case "message.exhausted":
            id = event.data.messageId;
            next = {
              status:
                event.kind === "message.exhausted" || !event.data.nextAttemptTime
                  ? "exhausted"
                  : "retrying",
              error: event.data.error,
              errorClass: event.data.errorClass,
              statusCode: event.data.statusCode,
            };
            break;
          default:
            return;
        }
        const [messageId, status] = [id, next];
        setStatuses((current) => {
          const map = new Map(current);
          map.delete(messageId);
          map.set(messageId, status);
          if (map.size > KEEP) map.delete(map.keys().next().value!);
          return map;
        });
      }),
    [],
  );
  return statuses;
}
