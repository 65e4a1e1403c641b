// Polls the node's liveness endpoint; the status line reads it.
import { useQuery } from "@tanstack/react-query";
import { getHealth } from "../api";

const POLL_MS = 5_000;

export function useNodeHealth() {
  return useQuery({
    queryKey: ["node", "healthz"],
    queryFn: ({ signal }) => getHealth(signal),
    refetchInterval: POLL_MS,
    // Keep polling while the window is in the background: the status is the point.
    refetchIntervalInBackground: true,
    retry: false,
  });
}
