#!/usr/bin/env node
// How the console's Live view behaves under a stream of 1000 messages/s (each message is a
// `message.created` and an `attempt.succeeded` event: 2000 SSE events/s) for 30 s.
//
//   (cd ui && npm run build) && node bench/live-view/run.mjs [seconds] [rate]
//
// The UI is the built ui/dist; the node is a stand-in on 127.0.0.1 that serves the UI, the
// list endpoints and the event stream, so what is measured is the browser side alone (a
// real node's own throughput is measured elsewhere). Debian chromium via playwright-core
// (installed by `npm ci` in tests/e2e). Reports the longest main-thread task, long-task
// totals, the worst round trip into the page while streaming, rows held, DOM size and the
// JS heap at the end.
import { readFile } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const { chromium } = createRequire(path.join(root, "tests/e2e/package.json"))("playwright-core");

const SECONDS = Number(process.argv[2] ?? 30);
const RATE = Number(process.argv[3] ?? 1000);
const TICK_MS = 10;
const dist = path.join(root, "ui/dist");

const destinations = ["billing", "crm-sync", "audit-log"].map((name, i) => ({
  id: `dest-${i}`,
  name,
  type: "webhook",
  metadata: { url: `https://${name}.example.com/hook` },
  projectId: "p",
  createTime: new Date().toISOString(),
  updateTime: new Date().toISOString(),
  status: "active",
}));
const eventTypes = ["installation.created", "connection.created", "read.backfill.done"];

const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };
let sent = 0;
let streaming = false;

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  if (p === "/healthz") return json(res, 200, { status: "ok", version: "bench" });
  if (p === "/v1/projects/default") return json(res, 200, { id: "p", name: "default" });
  if (p === "/v1/projects/default/destinations") return json(res, 200, destinations);
  if (p === "/v1/projects/default/topics") return json(res, 200, []);
  if (p.startsWith("/v1/projects/default/notification-event-topic-routes"))
    return json(res, 200, []);
  if (p.startsWith("/v1/projects/default/topic-destination-routes")) return json(res, 200, []);
  if (p === "/v1/projects/default/stats") {
    return json(res, 200, {
      queued: 0,
      destinations: destinations.map((d) => ({
        destinationId: d.id,
        destinationName: d.name,
        status: "active",
        counts: { delivered: sent, pending: 0, delivering: 0, failed: 0, exhausted: 0, skipped: 0 },
        latencyMs: { p50: 40, p95: 60, p99: 90 },
        deliveriesPerSecond: RATE,
        successRate: 1,
      })),
    });
  }
  if (p === "/v1/projects/default/messages") return json(res, 200, { items: [] });
  if (p === "/v1/projects/default/stream") return stream(req, res);
  if (p.startsWith("/v1/"))
    return json(res, 404, { title: "Not Found", detail: "no such endpoint" });
  const file = p === "/" ? "index.html" : p.slice(1);
  try {
    const body = await readFile(path.join(dist, path.normalize(file)));
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});

function stream(req, res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(": open\n\n");
  let id = 0;
  let seq = 0;
  const perTick = (RATE * TICK_MS) / 1000;
  let owed = 0;
  const timer = setInterval(() => {
    if (!streaming) return;
    owed += perTick;
    let chunk = "";
    while (owed >= 1) {
      owed -= 1;
      seq += 1;
      const base = {
        messageId: `msg_${seq}`,
        notificationId: `n_${seq}`,
        destinationId: destinations[seq % 3].id,
        destinationName: destinations[seq % 3].name,
        eventType: eventTypes[seq % 3],
      };
      chunk += `id: ${++id}\nevent: message.created\ndata: ${JSON.stringify({ ...base, status: "pending", createTime: new Date().toISOString() })}\n\n`;
      // The message created 20 ticks ago succeeds now.
      if (seq > 20 * perTick) {
        const done = seq - 20 * perTick;
        chunk += `id: ${++id}\nevent: attempt.succeeded\ndata: ${JSON.stringify({
          ...base,
          messageId: `msg_${done}`,
          attempt: 1,
          statusCode: 200,
          durationMs: 12,
          latencyMs: 200,
        })}\n\n`;
      }
      sent += 1;
    }
    if (chunk) res.write(chunk);
  }, TICK_MS);
  req.on("close", () => clearInterval(timer));
}

await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-precise-memory-info",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const heap = async () =>
    (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "JSHeapUsedSize")
      .value;

  await page.goto(`${base}/#/live`);
  await page.getByText("No messages yet").waitFor();
  await page.waitForTimeout(1000);
  await page.evaluate(() => (window.__longTasks = []));
  const heapBefore = await heap();

  streaming = true;
  const started = Date.now();
  let worstRoundTrip = 0;
  let clicks = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const t = Date.now();
    await page.evaluate(() => 1);
    worstRoundTrip = Math.max(worstRoundTrip, Date.now() - t);
    // Now and then, use the page while it streams: open a message's details.
    if (clicks < 5 && Date.now() - started > (clicks + 1) * 5000) {
      clicks += 1;
      await page.locator("[data-message-id]").nth(3).click({ timeout: 5000 });
    }
    await page.waitForTimeout(200);
  }
  streaming = false;
  const elapsed = (Date.now() - started) / 1000;
  await page.waitForTimeout(600);

  const result = await page.evaluate(() => ({
    longTasks: window.__longTasks,
    shown: document.querySelector(".filters-info")?.textContent ?? "",
    domNodes: document.getElementsByTagName("*").length,
    rowsInDom: document.querySelectorAll("[data-message-id]").length,
  }));
  // Heap after a collection, so it reflects what is held, not garbage not yet collected.
  await cdp.send("HeapProfiler.collectGarbage");
  const heapAfter = await heap();
  const tasks = result.longTasks;
  const summary = {
    streamSeconds: Number(elapsed.toFixed(1)),
    messagesPerSecond: RATE,
    messagesSent: sent,
    longestTaskMs: Math.round(Math.max(0, ...tasks)),
    longTasksOver50ms: tasks.length,
    longTaskTotalMs: Math.round(tasks.reduce((a, b) => a + b, 0)),
    worstRoundTripIntoPageMs: worstRoundTrip,
    rowsHeld: result.shown.trim(),
    rowsInDom: result.rowsInDom,
    domNodes: result.domNodes,
    jsHeapBeforeMB: Number((heapBefore / 1048576).toFixed(1)),
    jsHeapAfterMB: Number((heapAfter / 1048576).toFixed(1)),
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
