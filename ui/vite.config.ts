// Vite config: the same bundle is served by Tauri (ui/dist) and by `switchboard serve`.
import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig(({ mode }) => {
  // `SWITCHBOARD_NODE_URL=http://127.0.0.1:PORT npm run dev` points the dev server's
  // API paths at a running node, so the browser sees one origin as in production.
  const env = loadEnv(mode, ".", "SWITCHBOARD_");
  const node = env.SWITCHBOARD_NODE_URL;
  // Development only: `SWITCHBOARD_API_KEY` makes the proxy authenticate every request, for
  // nodes without browser logins. The key stays in this Node process, never in the page.
  const headers = env.SWITCHBOARD_API_KEY ? { "X-Api-Key": env.SWITCHBOARD_API_KEY } : undefined;
  const target = node ? { target: node, headers } : undefined;
  const proxy = target
    ? { "/healthz": target, "/v1": target, "/login": target, "/openapi.json": target }
    : undefined;

  return {
    plugins: [react()],
    // Relative asset URLs so the bundle works from any mount point.
    base: "./",
    clearScreen: false,
    server: { host: "127.0.0.1", port: 5173, strictPort: true, proxy },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  };
});
