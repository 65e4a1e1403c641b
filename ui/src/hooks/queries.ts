// Server state shared by every page: one query per resource, so a change made on one
// page (or announced by the live stream) shows on all of them at once.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import * as api from "../api/endpoints";
import type { EventType } from "../api/types";

export const qk = {
  session: ["session"] as const,
  destinations: ["destinations"] as const,
  topics: ["topics"] as const,
  eventTopicRoutes: ["routes", "event-topic"] as const,
  topicDestinationRoutes: ["routes", "topic-destination"] as const,
  stats: ["stats"] as const,
  eventTypes: ["event-types"] as const,
  message: (id: string) => ["message", id] as const,
  integrations: ["integrations"] as const,
  installations: ["installations"] as const,
};

export const useIntegrations = () =>
  useQuery({ queryKey: qk.integrations, queryFn: ({ signal }) => api.listIntegrations(signal) });

/** Every installation of the project; refreshed while reads may be running. */
export const useInstallations = () =>
  useQuery({
    queryKey: qk.installations,
    queryFn: ({ signal }) => api.listInstallations(signal),
    refetchInterval: 3_000,
  });

/** A mutation that refreshes integrations and installations when it succeeds. */
export function useReadsMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: qk.integrations }),
        client.invalidateQueries({ queryKey: qk.installations }),
      ]),
  });
}

export const useDestinations = () =>
  useQuery({ queryKey: qk.destinations, queryFn: ({ signal }) => api.listDestinations(signal) });

export const useTopics = () =>
  useQuery({ queryKey: qk.topics, queryFn: ({ signal }) => api.listTopics(signal) });

export const useEventTopicRoutes = () =>
  useQuery({
    queryKey: qk.eventTopicRoutes,
    queryFn: ({ signal }) => api.listEventTopicRoutes(signal),
  });

export const useTopicDestinationRoutes = () =>
  useQuery({
    queryKey: qk.topicDestinationRoutes,
    queryFn: ({ signal }) => api.listTopicDestinationRoutes(signal),
  });

/** Per-destination delivery stats; refreshed every few seconds and on live events. */
export const useStats = () =>
  useQuery({
    queryKey: qk.stats,
    queryFn: ({ signal }) => api.getStats(signal),
    refetchInterval: 5_000,
  });

export const useEventTypes = () =>
  useQuery({
    queryKey: qk.eventTypes,
    queryFn: ({ signal }) => api.listEventTypes(signal),
    staleTime: Infinity,
  });

/** Everything a destination's or a topic's change can affect. */
function invalidateGraph(client: QueryClient) {
  return Promise.all([
    client.invalidateQueries({ queryKey: qk.destinations }),
    client.invalidateQueries({ queryKey: qk.topics }),
    client.invalidateQueries({ queryKey: ["routes"] }),
    client.invalidateQueries({ queryKey: qk.stats }),
  ]);
}

/** A mutation that refreshes the shared graph queries when it succeeds. */
export function useGraphMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => invalidateGraph(client),
  });
}

export const useCreateEventTopicRoute = () =>
  useGraphMutation((r: { eventType: EventType; topicId: string }) =>
    api.createEventTopicRoute(r.eventType, r.topicId),
  );

export const useCreateTopicDestinationRoute = () =>
  useGraphMutation((r: { topicId: string; destinationId: string }) =>
    api.createTopicDestinationRoute(r.topicId, r.destinationId),
  );

export const useDestinationAction = () =>
  useGraphMutation((r: { id: string; action: "pause" | "resume" | "enable" }) =>
    api.destinationAction(r.id, r.action),
  );

export const useRecoverDestination = () =>
  useGraphMutation((r: { id: string; since: string }) => api.recoverDestination(r.id, r.since));
