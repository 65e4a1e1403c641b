// Entry point: mounts the console with its query client.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api";
import { App } from "./App";
import { qk } from "./hooks/queries";
import "./styles.css";

// Any 401 means the session ended (expired, logged out elsewhere): re-check it, which
// shows the login screen; after logging in every query refetches.
const onError = (err: unknown) => {
  if (err instanceof ApiError && err.status === 401) {
    void queryClient.invalidateQueries({ queryKey: qk.session });
  }
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      // 4xx answers will not change by asking again; network blips may.
      retry: (count, err) =>
        !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
