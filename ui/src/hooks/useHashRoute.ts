// The current page lives in the URL's hash (#/routing), so reloads and the back button keep
// it; works the same under `switchboard serve` and in the desktop shell.
import { useCallback, useSyncExternalStore } from "react";
import { SECTIONS } from "../lib/sections";
import type { Page } from "../components/Sidebar";

function read(): Page {
  const id = window.location.hash.replace(/^#\/?/, "");
  return (SECTIONS.find((s) => s.id === id)?.id ?? "overview") as Page;
}

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function useHashRoute(): [Page, (page: Page) => void] {
  const page = useSyncExternalStore(subscribe, read);
  const navigate = useCallback((next: Page) => {
    window.location.hash = next === "overview" ? "/" : `/${next}`;
  }, []);
  return [page, navigate];
}
