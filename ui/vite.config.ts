// Vite config: the same bundle is served by Tauri (ui/dist) and by `switchboard serve`.
import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig(({ mode }) => {
  // `SWITCHBOARD_NODE_URL=http://127.0.0.1:PORT npm run dev` points the dev server's
  // API paths at a running node, so the browser sees one origin as in production.
  const node = loadEnv(mode, ".", "SWITCHBOARD_").SWITCHBOARD_NODE_URL;
  const proxy = node ? { "/healthz": node, "/v1": node } : undefined;

  return {
    plugins: [react()],
    // Relative asset URLs so the bundle works from any mount point.
    base: "./",
    clearScreen: false,
    server: { host: "127.0.0.1", port: 5173, strictPort: true, proxy },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  };
});
