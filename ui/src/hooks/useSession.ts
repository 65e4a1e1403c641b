// Whether the browser may talk to the node: a session cookie (or the desktop shell, which
// holds the key). A 401 from any request sends the console back to the login screen.
import { useQuery } from "@tanstack/react-query";
import { ApiError, isDesktop } from "../api";
import { checkSession } from "../api/endpoints";
import { qk } from "./queries";

export type SessionState = "checking" | "in" | "out" | "error";

export function useSession(): { state: SessionState; error: unknown; recheck: () => void } {
  const query = useQuery({
    queryKey: qk.session,
    queryFn: async ({ signal }) => {
      try {
        await checkSession(signal);
        return "in" as const;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return "out" as const;
        throw err;
      }
    },
    enabled: true,
    retry: 1,
    staleTime: Infinity,
  });
  const recheck = () => void query.refetch();
  if (isDesktop()) return { state: "in", error: null, recheck };
  if (query.isPending) return { state: "checking", error: null, recheck };
  if (query.isError) return { state: "error", error: query.error, recheck };
  return { state: query.data, error: null, recheck };
}
