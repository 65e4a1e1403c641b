// The one subscription to the node's live events: refreshes the shared queries that an
// event makes stale, and hands every event to the live bus (the Live page's store).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { subscribeLive } from "../api";
import { PROJECT } from "../api/endpoints";
import type { Destination } from "../api/types";
import { emitLiveEvent, setLiveConnectionState } from "../lib/liveBus";
import { qk } from "./queries";

const RETRY_MS = 3_000;
const STATS_EVERY_MS = 1_000;

export function useLiveConnection(enabled: boolean) {
  const client = useQueryClient();

  useEffect(() => {
    if (!enabled) return;
    let unsubscribe: (() => void) | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let statsTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let resumed = false;

    // At 1000 messages/s, refetch stats at most once a second, not once per event.
    const refreshStatsSoon = () => {
      statsTimer ??= setTimeout(() => {
        statsTimer = undefined;
        void client.invalidateQueries({ queryKey: qk.stats });
      }, STATS_EVERY_MS);
    };

    // A failing destination is shown as failing, with its last error: a failed attempt
    // (or a success on one shown failing) refreshes the list, at most once a second.
    let destinationsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshDestinationsSoon = () => {
      destinationsTimer ??= setTimeout(() => {
        destinationsTimer = undefined;
        void client.invalidateQueries({ queryKey: qk.destinations });
      }, STATS_EVERY_MS);
    };
    const shownFailing = (destinationId: string) =>
      client
        .getQueryData<Destination[]>(qk.destinations)
        ?.some((d) => d.id === destinationId && d.failing);

    const connect = () => {
      setLiveConnectionState({ status: "connecting" });
      unsubscribe = subscribeLive(PROJECT, {
        onOpen: () => {
          setLiveConnectionState({ status: "connected" });
          // A fresh subscription does not replay what was missed while it was down.
          if (resumed) emitLiveEvent({ kind: "stream.lagged", data: {} });
        },
        onEvent: (event) => {
          switch (event.kind) {
            case "destination.disabled":
            case "destination.enabled":
            case "destination.paused":
            case "destination.resumed":
              void client.invalidateQueries({ queryKey: qk.destinations });
              void client.invalidateQueries({ queryKey: qk.stats });
              break;
            case "stream.lagged":
              void client.invalidateQueries();
              break;
            case "attempt.failed":
            case "message.exhausted":
              refreshDestinationsSoon();
              refreshStatsSoon();
              break;
            case "attempt.succeeded":
              if (shownFailing(event.data.destinationId)) refreshDestinationsSoon();
              refreshStatsSoon();
              break;
            case "capture.received":
              // Inbox traffic changes no delivery statistics (the Inbox page listens).
              break;
            default:
              refreshStatsSoon();
          }
          emitLiveEvent(event);
        },
        onError: (fatal, message) => {
          if (!fatal) {
            setLiveConnectionState({ status: "reconnecting", message });
            return;
          }
          setLiveConnectionState({ status: "offline", message });
          unsubscribe?.();
          // Maybe the session ended: re-check it (the login screen shows on 401).
          void client.invalidateQueries({ queryKey: qk.session });
          if (!stopped) {
            resumed = true;
            retry = setTimeout(connect, RETRY_MS);
          }
        },
      });
    };
    connect();

    return () => {
      stopped = true;
      unsubscribe?.();
      clearTimeout(retry);
      clearTimeout(statsTimer);
      clearTimeout(destinationsTimer);
    };
  }, [enabled, client]);
}
