// Shell of the console: sidebar, current page, node status line.
import { useState } from "react";
import { ComingSoon } from "./components/ComingSoon";
import { Sidebar, type Page } from "./components/Sidebar";
import { StatusLine } from "./components/StatusLine";
import { OverviewPage } from "./features/home/OverviewPage";
import { SECTIONS } from "./lib/sections";

export function App() {
  const [page, setPage] = useState<Page>("overview");
  const section = SECTIONS.find((s) => s.id === page);

  return (
    <div className="app">
      <Sidebar current={page} onSelect={setPage} />
      <main className="content">
        {section ? <ComingSoon section={section} /> : <OverviewPage onOpen={setPage} />}
      </main>
      <StatusLine />
    </div>
  );
}
