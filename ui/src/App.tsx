// Shell of the console: login gate, sidebar, alert banner, current page, status line.
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { AlertBanner } from "./components/AlertBanner";
import { ErrorNote } from "./components/ErrorNote";
import { LoginScreen } from "./components/LoginScreen";
import { Sidebar } from "./components/Sidebar";
import { StaleBanner } from "./components/StaleBanner";
import { StatusLine } from "./components/StatusLine";
import { AlertsPage } from "./features/alerts/AlertsPage";
import { DestinationsPage } from "./features/destinations/DestinationsPage";
import { OverviewPage } from "./features/home/OverviewPage";
import { LivePage } from "./features/live/LivePage";
import { TopicsPage } from "./features/topics/TopicsPage";
import { useHashRoute } from "./hooks/useHashRoute";
import { useLiveConnection } from "./hooks/useLiveConnection";
import { useSession } from "./hooks/useSession";

// The two heavy pages (React Flow, CodeMirror) load when first opened.
const RoutingPage = lazy(() =>
  import("./features/routing/RoutingPage").then((m) => ({ default: m.RoutingPage })),
);
const InspectorPage = lazy(() =>
  import("./features/inspector/InspectorPage").then((m) => ({ default: m.InspectorPage })),
);
const InboxPage = lazy(() =>
  import("./features/inbox/InboxPage").then((m) => ({ default: m.InboxPage })),
);
const IntegrationsPage = lazy(() =>
  import("./features/integrations/IntegrationsPage").then((m) => ({
    default: m.IntegrationsPage,
  })),
);
const InstallationsPage = lazy(() =>
  import("./features/installations/InstallationsPage").then((m) => ({
    default: m.InstallationsPage,
  })),
);
const PublishPage = lazy(() =>
  import("./features/publish/PublishPage").then((m) => ({ default: m.PublishPage })),
);

export function App() {
  const session = useSession();
  const client = useQueryClient();
  const [page, navigate] = useHashRoute();
  useLiveConnection(session.state === "in");

  if (session.state === "checking") {
    return (
      <main className="login">
        <p className="muted" role="status">
          Connecting to the node…
        </p>
      </main>
    );
  }
  if (session.state === "out") {
    // After logging in, every query (and the live stream) starts again with the cookie.
    return <LoginScreen onLoggedIn={() => void client.invalidateQueries()} />;
  }
  if (session.state === "error") {
    return (
      <main className="login">
        <div className="login-card">
          <h1>Cannot reach the node</h1>
          <ErrorNote error={session.error} />
          <button type="button" className="button button-primary" onClick={session.recheck}>
            Try again
          </button>
        </div>
      </main>
    );
  }

  return (
    <div className="app">
      <Sidebar current={page} onSelect={navigate} />
      <main className="content" id="content">
        <AlertBanner onOpenAlerts={() => navigate("alerts")} />
        <StaleBanner />
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {page === "overview" && <OverviewPage onOpen={navigate} />}
          {page === "destinations" && <DestinationsPage />}
          {page === "topics" && <TopicsPage />}
          {page === "routing" && <RoutingPage onOpen={navigate} />}
          {page === "live" && <LivePage onOpenPublish={() => navigate("publish")} />}
          {page === "alerts" && <AlertsPage />}
          {page === "publish" && <PublishPage onOpenLive={() => navigate("live")} />}
          {page === "integrations" && <IntegrationsPage />}
          {page === "installations" && <InstallationsPage />}
          {page === "inspector" && <InspectorPage />}
          {page === "inbox" && <InboxPage />}
        </Suspense>
      </main>
      <StatusLine />
    </div>
  );
}
