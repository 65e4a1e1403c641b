// Fan-out of the node's live events to whoever listens (the Live page's store, query
// invalidation), plus the connection's state for the status line.
import { useSyncExternalStore } from "react";
import type { LiveEnvelope } from "../api";

type Listener = (event: LiveEnvelope) => void;
const listeners = new Set<Listener>();

export function onLiveEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitLiveEvent(event: LiveEnvelope) {
  for (const listener of listeners) listener(event);
}

export type LiveConnectionState =
  | { status: "connecting" }
  | { status: "connected" }
  | { status: "reconnecting" | "offline"; message: string };

let state: LiveConnectionState = { status: "connecting" };
const stateListeners = new Set<() => void>();

export function setLiveConnectionState(next: LiveConnectionState) {
  state = next;
  for (const l of stateListeners) l();
}

export function useLiveConnectionState(): LiveConnectionState {
  return useSyncExternalStore(
    (l) => {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    () => state,
  );
}
