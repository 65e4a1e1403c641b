#!/usr/bin/env node
// Browser end-to-end test of the console served by `switchboard serve`: Debian's chromium
// driven by playwright-core, a real node, and a local webhook receiver on 127.0.0.1.
//
//   node tests/e2e/run.mjs <path-to-switchboard-binary> <artifacts-dir>
//
// Logs in through the UI, creates a webhook destination, and a topic with its event types
// and destinations through the topic form; adds routes on the canvas by dropping on a node's
// body and with the keyboard alone; publishes and sees the delivery (in Publish's result
// and in Live); sees a destination at a closed port shown as failing and its message as
// retrying with the error and the next attempt in words; makes the receiver fail until
// the destination is disabled, re-enables and recovers; walks from nothing to a first
// delivery with the keyboard alone; runs axe-core on every page at 1400×900 and 720×480
// (any serious or critical violation fails), checking the narrow layout; sees a page of
// another origin refused when it posts with the console's cookie; and, against a second
// node serving TLS, sees wrong-key logins slowed and the session cookie Secure.
// Screenshots go to the artifacts directory. Ends with "N passed, M failed"; exits non-zero
// on any failure.
// Only processes it started are stopped (by PID), always.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const AXE_SOURCE = await import("node:fs/promises").then((fs) =>
  fs.readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"),
);
const WIDE = { width: 1400, height: 900 };
const NARROW = { width: 720, height: 480 };

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const WHOLE_RUN_MS = 300_000;
const DELIVERED_WITHIN_MS = 2_000;

const [binary, artifactsArg] = process.argv.slice(2);
if (!binary || !artifactsArg) {
  console.error("usage: node tests/e2e/run.mjs <path-to-switchboard-binary> <artifacts-dir>");
  process.exit(2);
}
const artifacts = path.resolve(artifactsArg);

// ---------------------------------------------------------------------------------------
// Steps: each one is a check; the run stops at the first failure (later steps depend on
// earlier ones) and reports what passed.

let passed = 0;
let failed = 0;
let shotNumber = 0;
const log = (...args) => console.log(...args);

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed += 1;
    log(
      `FAIL ${name} (${Date.now() - started} ms)\n     ${String(err?.stack ?? err).replaceAll("\n", "\n     ")}`,
    );
    await shot(`FAILED-${slug(name)}`).catch(() => undefined);
    throw new StepFailed();
  }
}

class StepFailed extends Error {}

const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

let page; // the browser page, once open

async function shot(name) {
  if (!page) return;
  shotNumber += 1;
  const file = path.join(artifacts, `${String(shotNumber).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  log(`     screenshot ${file}`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function eventually(what, fn, timeoutMs = 10_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`,
      );
    }
    await sleep(everyMs);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// The processes and servers this run starts; all stopped in `finally`.

let nodeProcess;
let tlsProcess;
let receiver;
let browser;
let tmp;

/** A webhook receiver on 127.0.0.1:0 that answers 200, or 500 while `failing`. */
function startReceiver() {
  const state = { failing: false, received: [] };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      state.received.push({ at: Date.now(), headers: req.headers, body, failing: state.failing });
      res.statusCode = state.failing ? 500 : 200;
      res.setHeader("content-type", "text/plain");
      res.end(state.failing ? "receiver is failing on purpose" : "ok");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ server, state, url: `http://127.0.0.1:${port}/hooks/switchboard` });
    });
  });
}

/** Serves one HTML page on 127.0.0.1 (another origin than the node's). */
function startPage(html) {
  const server = http.createServer((req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

/** A second node serving TLS with a self-signed certificate made here (openssl). */
async function startTlsNode() {
  const dir = path.join(tmp, "tls");
  await mkdir(dir, { recursive: true });
  const cert = path.join(dir, "node.pem");
  const key = path.join(dir, "node.key");
  await new Promise((resolve, reject) => {
    const openssl = spawn(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    openssl.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`openssl exited ${code}`)),
    );
  });
  const child = spawn(
    binary,
    [
      "serve",
      "--data-dir",
      path.join(dir, "data"),
      "--secret-store",
      "file",
      "--listen",
      "127.0.0.1:0",
      "--tls-cert",
      cert,
      "--tls-key",
      key,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  tlsProcess = child;
  const logFile = createWriteStream(path.join(artifacts, "node-tls.log"));
  const info = { url: undefined, loginLink: undefined };
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    logFile.write(chunk);
    stdout += chunk;
    info.url ??= stdout.match(/listening on (https:\/\/\S+)/)?.[1];
    info.loginLink ??= stdout.match(/login link[^:]*:\s*(https\S+)/i)?.[1];
  });
  child.stderr.on("data", (chunk) => logFile.write(chunk));
  await eventually(
    "the TLS node to print its URL and login link",
    () => info.url && info.loginLink,
    60_000,
    50,
  );
  return info;
}

/** Starts the node; resolves once it printed its URL (and, on first start, the admin key). */
async function startNode(listen = "127.0.0.1:0") {
  const dataDir = path.join(tmp, "data");
  const config = path.join(tmp, "node.toml");
  // Seconds-scale delivery so failing → disabled takes a few seconds, not days.
  await writeFile(config, '[delivery]\nretry-schedule = ["0s", "200ms"]\ndisable-after = "2s"\n');
  const logFile = createWriteStream(path.join(artifacts, "node.log"));
  const child = spawn(
    binary,
    [
      "serve",
      "--data-dir",
      dataDir,
      "--secret-store",
      "file",
      "--config",
      config,
      "--listen",
      listen,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  nodeProcess = child;
  const info = { url: undefined, adminKey: undefined, loginLink: undefined };
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    logFile.write(chunk);
    stdout += chunk;
    info.url ??= stdout.match(/listening on (http:\/\/\S+)/)?.[1];
    info.adminKey ??= stdout.match(/Admin API key[^:]*:\s*(\S+)/)?.[1];
    info.loginLink ??= stdout.match(/login link[^:]*:\s*(http\S+)/i)?.[1];
  });
  child.stderr.on("data", (chunk) => logFile.write(chunk));
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  await Promise.race([
    eventually(
      "the node to print its URL and admin key",
      // The key is printed on the first start only.
      () => info.url && (info.adminKey || listen !== "127.0.0.1:0"),
      60_000,
      50,
    ),
    exited.then(({ code, signal }) => {
      throw new Error(`the node exited early (code ${code}, signal ${signal}); see node.log`);
    }),
  ]);
  return info;
}

async function stopNode() {
  const child = nodeProcess;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------

/** The node's API, with the admin key (for checks the UI cannot make). */
function api(info) {
  return async (method, apiPath, body) => {
    const response = await fetch(`${info.url}${apiPath}`, {
      method,
      headers: {
        "X-Api-Key": info.adminKey,
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${apiPath}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

async function centre(locator) {
  const box = await locator.boundingBox();
  expect(box, "element has no box (not visible?)");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real mouse drag between two elements, in small moves as a hand would. */
async function drag(from, to) {
  const a = await centre(from);
  const b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 12, a.y + 4, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 25 });
  await sleep(100);
  await page.mouse.up();
}

/** Presses Tab until `locator` has the focus (at most `max` times): it is reachable by keyboard. */
async function tabTo(locator, max = 80) {
  const target = await locator.elementHandle();
  expect(target, "nothing to tab to");
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reached with ${max} presses of Tab`);
}

/** axe-core on the page as it is: fails on any serious or critical violation. */
async function axeClean(what) {
  // Evaluated through the DevTools protocol, not added as an inline <script>: the
  // console's Content-Security-Policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
      count: v.nodes.length,
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.filter((x) => !bad.includes(x))) {
    log(`     axe (${v.impact}) on ${what}: ${v.id} × ${v.count}`);
  }
  expect(
    bad.length === 0,
    `axe on ${what}:\n${bad.map((v) => `${v.impact} ${v.id} (${v.help}) × ${v.count}\n  ${v.nodes.join("\n  ")}`).join("\n")}`,
  );
}

/** No page scrolls sideways: the content fits the window's width. */
async function fitsWidth(what) {
  const over = await page.evaluate(() =>
    [document.scrollingElement, document.querySelector("main.content")]
      .filter(Boolean)
      .map((el) => el.scrollWidth - el.clientWidth),
  );
  expect(
    over.every((d) => d <= 1),
    `${what} scrolls sideways by ${over} px`,
  );
}

const nav = (name) =>
  page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name }).click();
const main = () => page.locator("main");

async function run() {
  await mkdir(artifacts, { recursive: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), "switchboard-e2e-"));
  const names = { destination: "e2e-webhook", topic: "e2e-installations" };
  const ctx = {};

  await step("start the node and the receiver", async () => {
    receiver = await startReceiver();
    ctx.node = await startNode();
    ctx.api = api(ctx.node);
    log(`     node ${ctx.node.url}, receiver ${receiver.url}`);
  });

  await step("open the console in chromium: it asks to log in", async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({ viewport: WIDE });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => log(`     page error: ${err.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") log(`     console error: ${m.text()}`);
    });
    await page.goto(ctx.node.url);
    await page.getByRole("heading", { name: "Log in to Switchboard" }).waitFor();
    await shot("login");
  });

  await step("a wrong API key is refused with a message", async () => {
    await page.getByLabel("API key").fill("sbk_not-a-real-key");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
  });

  await step("log in with the admin key (session cookie, key not stored)", async () => {
    await page.getByLabel("API key").fill(ctx.node.adminKey);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Getting started" }).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "switchboard_session");
    expect(session?.httpOnly, "no HttpOnly switchboard_session cookie after logging in");
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(!stored.includes(ctx.node.adminKey), "the API key was left in web storage");
    await shot("overview");
  });

  if (ctx.node.loginLink) {
    await step("the one-time login link logs a fresh browser in, once", async () => {
      const other = await browser.newContext();
      const p = await other.newPage();
      await p.goto(ctx.node.loginLink);
      await p.getByRole("heading", { name: "Getting started" }).waitFor();
      await other.close();
      const again = await fetch(ctx.node.loginLink, { redirect: "manual" });
      expect(again.status >= 400, `a used login link should be refused, got HTTP ${again.status}`);
    });
  }

  await step(
    "destinations page: empty state, then the form shows the API's field issue",
    async () => {
      await nav("Destinations");
      await main().getByText("No destinations yet").waitFor();
      await shot("destinations-empty");
      await main().getByRole("button", { name: "New destination" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name", { exact: true }).fill(names.destination);
      await dialog.getByLabel("URL", { exact: true }).fill("http://example.com/not-loopback");
      await dialog.getByRole("button", { name: "Create destination" }).click();
      // The node refuses plain http to a non-loopback host; the form shows it under URL.
      const url = dialog.getByLabel("URL", { exact: true });
      await eventually(
        "URL marked invalid",
        async () => (await url.getAttribute("aria-invalid")) === "true",
      );
      const describedBy = await url.getAttribute("aria-describedby");
      const message = await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).innerText();
      expect(/https/.test(message), `unexpected URL issue text: ${message}`);
      await shot("destination-form-issue");
    },
  );

  await step("create a webhook destination through the form", async () => {
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("URL", { exact: true }).fill(receiver.url);
    await dialog.getByRole("button", { name: "Add header" }).click();
    await dialog.getByLabel("Header 1 name").fill("X-E2E");
    await dialog.getByLabel("Header 1 value").fill("switchboard");
    await dialog.getByRole("button", { name: "Create destination" }).click();
    await dialog.waitFor({ state: "detached" });
    await main().getByRole("button", { name: names.destination }).waitFor();
    await main().getByRole("heading", { name: names.destination }).waitFor(); // its details
    const list = await ctx.api("GET", "/v1/projects/default/destinations");
    ctx.destination = list.find((d) => d.name === names.destination);
    expect(ctx.destination?.metadata?.url === receiver.url, "the destination is not in the API");
    expect(
      ctx.destination.metadata.headers?.["X-E2E"] === "switchboard",
      "the custom header was not saved",
    );
  });

  await step(
    "a page of another origin cannot change anything with the console's cookie",
    async () => {
      // A page on another port of this host is same-site, so the SameSite=Strict cookie
      // goes along with its form post; the node must refuse it (the Origin is not its own).
      const target = `${ctx.node.url}/v1/projects/default/destinations/${ctx.destination.id}/pause`;
      const evil = await startPage(
        `<form method="post" action="${target}"></form><script>document.forms[0].submit()</script>`,
      );
      try {
        const p = await page.context().newPage();
        const answered = p.waitForResponse((r) => r.url() === target);
        await p.goto(evil.url);
        const response = await answered;
        expect(response.status() === 403, `the forged post got HTTP ${response.status()}`);
        await p.close();
      } finally {
        evil.server.close();
      }
      const after = await ctx.api("GET", `/v1/projects/default/destinations/${ctx.destination.id}`);
      expect(after.status === "active", `the destination is ${after.status} after the forged post`);
    },
  );

  await step("reveal the signing secret", async () => {
    await main().getByRole("button", { name: "Reveal" }).click();
    const secret = main().getByLabel("Signing secret value");
    await eventually(
      "the secret shown",
      async () =>
        (await secret.innerText()).startsWith("whsec_") &&
        !(await secret.innerText()).includes("•"),
    );
    await shot("destination-detail");
    await main().getByRole("button", { name: "Hide" }).click();
  });

  await step(
    "create a topic with its event types and destinations in one step (the topic form)",
    async () => {
      await nav("Topics");
      await main().getByText("No topics yet").waitFor();
      const form = main().getByRole("form", { name: "New topic" });
      await form.getByLabel("New topic name").fill(names.topic);
      await form
        .getByRole("group", { name: /Event types/ })
        .getByLabel("installation.created")
        .check();
      await form
        .getByRole("group", { name: /Destinations/ })
        .getByLabel(names.destination)
        .check();
      await form.getByRole("button", { name: "Create topic" }).click();
      await form.getByRole("status").filter({ hasText: "created with 2 routes" }).waitFor();
      const row = main().getByRole("row").filter({ hasText: names.topic });
      await row
        .filter({ hasText: "installation.created" })
        .filter({ hasText: names.destination })
        .waitFor();
      const topics = await ctx.api("GET", "/v1/projects/default/topics");
      ctx.topic = topics.find((t) => t.name === names.topic);
      expect(ctx.topic, "the topic is not in the API");
      const er = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
      const dr = await ctx.api("GET", "/v1/projects/default/topic-destination-routes");
      expect(
        er.some((r) => r.eventType === "installation.created" && r.topicId === ctx.topic.id) &&
          dr.some((r) => r.topicId === ctx.topic.id && r.destinationId === ctx.destination.id),
        "the topic's routes are not in the API",
      );
      await shot("topics");
    },
  );

  const flowNode = (id) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const handle = (id, kind) => flowNode(id).locator(`.react-flow__handle.${kind}`);
  const edges = () => page.locator(".react-flow__edge");
  const said = () => main().locator(".canvas-said");

  await step("routing canvas: the topic form's routes are there at once", async () => {
    ctx.dropTopic = await ctx.api("POST", "/v1/projects/default/topics", { name: "e2e-drop" });
    await nav("Routing");
    await flowNode(`topic:${ctx.dropTopic.id}`).waitFor();
    await eventually("two edges on the canvas", async () => (await edges().count()) === 2);
  });

  await step("routing canvas: a drop anywhere on a topic's body makes the route", async () => {
    const target = flowNode(`topic:${ctx.dropTopic.id}`);
    const box = await target.boundingBox();
    const from = await centre(handle("event:connection.created", "source"));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 12, from.y + 4, { steps: 4 });
    // A quarter in from the left edge, low on the node: far from the 7 px dot.
    const to = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.75 };
    await page.mouse.move(to.x, to.y, { steps: 25 });
    await main().locator(".drag-hint").filter({ hasText: "Release to route" }).waitFor();
    await page.mouse.up();
    await said().filter({ hasText: "Route added: connection.created → e2e-drop" }).waitFor();
    const routes = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
    expect(
      routes.some((r) => r.eventType === "connection.created" && r.topicId === ctx.dropTopic.id),
      "the dropped route is not in the API",
    );
    await eventually("three edges", async () => (await edges().count()) === 3);
  });

  await step(
    "routing canvas: an impossible drop (event type → destination) says why and adds nothing",
    async () => {
      const from = await centre(handle("event:connection.error", "source"));
      const to = await centre(flowNode(`destination:${ctx.destination.id}`));
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + 12, from.y + 4, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 25 });
      await main()
        .locator(".drag-hint-bad")
        .filter({ hasText: "goes into a topic first" })
        .waitFor();
      await shot("routing-refused-drop");
      await page.mouse.up();
      await said().filter({ hasText: "Not added" }).waitFor();
      const routes = await ctx.api("GET", "/v1/projects/default/topic-destination-routes");
      expect(routes.length === 1, "a route was created by a refused drag");
      expect((await edges().count()) === 3, "an edge was added by a refused drag");
    },
  );

  await step("routing canvas: a route made and removed with the keyboard alone", async () => {
    const canvas = main().getByRole("application", { name: "Routing canvas" });
    // The drags above left the mouse's focus on it: leave, then come back by keyboard.
    await main().getByText("Keyboard: Tab to the canvas").click();
    await tabTo(canvas);
    await said().filter({ hasText: "Event type connection.created" }).waitFor();
    // Focus starts on the first event type (connection.created); down to connection.updated.
    for (let i = 0; i < 3; i += 1) await page.keyboard.press("ArrowDown");
    await said().filter({ hasText: "Event type connection.updated" }).waitFor();
    await page.keyboard.press("Enter");
    await said().filter({ hasText: "Making a route from connection.updated" }).waitFor();
    await page.keyboard.press("ArrowRight"); // no route out yet: the nearest topic
    await said()
      .filter({ hasText: `Topic ${names.topic}` })
      .waitFor();
    await shot("routing-keyboard");
    await page.keyboard.press("Enter");
    await said()
      .filter({ hasText: `Route added: connection.updated → ${names.topic}` })
      .waitFor();
    const routes = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
    const made = routes.find(
      (r) => r.eventType === "connection.updated" && r.topicId === ctx.topic.id,
    );
    expect(made, "the keyboard's route is not in the API");
    await eventually("four edges", async () => (await edges().count()) === 4);
    // Left from the topic: its first route in (from the highest event type), Delete.
    await page.keyboard.press("ArrowLeft");
    await said()
      .filter({ hasText: `Route connection.updated → ${names.topic}` })
      .waitFor();
    await page.keyboard.press("Delete");
    await said().filter({ hasText: "Route removed" }).waitFor();
    const after = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
    expect(!after.some((r) => r.id === made.id), "the route is still in the API");
    expect(
      await canvas.evaluate((el) => el === document.activeElement),
      "the canvas lost the focus",
    );
  });

  await step(
    "routing canvas: select a route with the mouse and press Delete removes it",
    async () => {
      await eventually("three edges", async () => (await edges().count()) === 3);
      const routes = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
      const extra = routes.find((r) => r.eventType === "connection.created");
      expect(extra, "the extra route is not in the API");
      await page
        .locator(`.react-flow__edge[data-id="etr:${extra.id}"] .react-flow__edge-interaction`)
        .click({ force: true });
      await eventually("the edge selected", async () =>
        (
          await page.locator(`.react-flow__edge[data-id="etr:${extra.id}"]`).getAttribute("class")
        ).includes("selected"),
      );
      await page.keyboard.press("Delete");
      await eventually("two edges again", async () => (await edges().count()) === 2);
      const after = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
      expect(!after.some((r) => r.id === extra.id), "the deleted route is still in the API");
      await ctx.api("DELETE", `/v1/projects/default/topics/${ctx.dropTopic.id}`);
      await shot("routing");
    },
  );

  await step("the form without dragging is visible and says what it added", async () => {
    const form = main().getByRole("region", { name: "Add a route without dragging" });
    await form.waitFor();
    const rows = form.locator("form.wire-row");
    await rows.first().getByLabel("Event type").selectOption("installation.deleted");
    await rows.first().getByLabel("Topic").selectOption({ label: names.topic });
    const add = rows.first().getByRole("button", { name: "Add route" });
    await add.focus();
    await page.keyboard.press("Enter");
    await form
      .getByRole("status")
      .filter({ hasText: `Route added: installation.deleted → ${names.topic}` })
      .waitFor();
    expect(await add.evaluate((el) => el === document.activeElement), "focus left the button");
    const routes = await ctx.api("GET", "/v1/projects/default/notification-event-topic-routes");
    const made = routes.find((r) => r.eventType === "installation.deleted");
    expect(made, "the form's route is not in the API");
    await ctx.api("DELETE", `/v1/projects/default/notification-event-topic-routes/${made.id}`);
  });

  await step("the lists show the canvas's routes at once (shared data)", async () => {
    await nav("Topics");
    const row = main().getByRole("row").filter({ hasText: names.topic });
    await row
      .filter({ hasText: "installation.created" })
      .filter({ hasText: names.destination })
      .waitFor();
  });

  const publishOnce = async () => {
    await main().getByRole("button", { name: "Publish", exact: true }).click();
    const result = main().getByRole("status").filter({ hasText: "Accepted (202)" });
    await result.waitFor();
    const ids = await result.locator("tbody tr td:first-child code").allInnerTexts();
    return ids;
  };

  await step("publish a notification from the Publish page (valid example prefilled)", async () => {
    await nav("Publish");
    await main().getByLabel("Event type").selectOption("installation.created");
    await main().getByLabel("Notification payload (JSON)").waitFor();
    ctx.publishedAt = Date.now();
    const ids = await publishOnce();
    expect(ids.length === 1, `expected one message, got ${ids.length}`);
    ctx.firstMessage = ids[0];
    // The result follows the message live until it is final.
    await main()
      .locator(`.publish-result [data-message-id="${ids[0]}"][data-status="delivered"]`)
      .waitFor();
    await shot("publish");
  });

  await step(
    `it is delivered, and Live shows it delivered within ${DELIVERED_WITHIN_MS / 1000} s`,
    async () => {
      await main().getByRole("button", { name: "Watch it on the Live page" }).click();
      const row = page.locator(`[data-message-id="${ctx.firstMessage}"][data-status="delivered"]`);
      await row.waitFor({ timeout: DELIVERED_WITHIN_MS + 3_000 });
      const took = Date.now() - ctx.publishedAt;
      log(`     publish → delivered in Live: ${took} ms`);
      expect(took <= DELIVERED_WITHIN_MS, `took ${took} ms`);
      const got = receiver.state.received.find((r) => r.body.includes('"installation.created"'));
      expect(got, "the receiver got nothing");
      expect(got.headers["webhook-signature"]?.startsWith("v1,"), "no webhook-signature header");
      expect(got.headers["x-e2e"] === "switchboard", "the custom header was not sent");
      await row.click();
      await page.getByRole("heading", { name: "Attempts (1)" }).waitFor();
      await page.locator(".attempt").getByText("HTTP 200").waitFor();
      await shot("live-detail");
    },
  );

  await step(
    "a destination at a closed port shows as failing, its message as retrying, in words",
    async () => {
      const closed = await new Promise((resolve) => {
        const probe = http.createServer();
        probe.listen(0, "127.0.0.1", () => {
          const { port } = probe.address();
          probe.close(() => resolve(port));
        });
      });
      // Its own long retry schedule: it keeps retrying (not exhausted, not disabled).
      ctx.closed = await ctx.api("POST", "/v1/projects/default/destinations", {
        name: "e2e-closed",
        type: "webhook",
        metadata: { url: `http://127.0.0.1:${closed}/hook` },
        delivery: { retrySchedule: [0, 600, 3600] },
      });
      await ctx.api("POST", "/v1/projects/default/topic-destination-routes", {
        topicId: ctx.topic.id,
        destinationId: ctx.closed.id,
      });
      await nav("Publish");
      const ids = await publishOnce();
      const started = Date.now();
      await nav("Destinations");
      const row = main().getByRole("row").filter({ hasText: "e2e-closed" });
      await row.locator('[data-state="failing"], .pill-failing').first().waitFor();
      await row.getByText(/connection refused/).waitFor();
      log(`     failing shown on Destinations after ${Date.now() - started} ms`);
      await row.getByRole("button", { name: "e2e-closed" }).click();
      await main().locator(".callout-warn").filter({ hasText: "would be disabled at" }).waitFor();
      await shot("destination-failing");
      await nav("Alerts");
      const warn = main().locator('[data-destination="e2e-closed"][data-state="failing"]');
      await warn.getByText(/Failing since/).waitFor();
      const badge = page.getByRole("navigation", { name: "Sections" }).locator(".badge");
      await badge.filter({ hasText: "1" }).waitFor();
      expect(!(await page.locator(".alert-banner").isVisible()), "the banner counts a failing one");
      await shot("alerts-failing");
      await nav("Live");
      const closedMessage = await eventually("the closed port's message", async () => {
        for (const id of ids) {
          const m = await ctx.api("GET", `/v1/projects/default/messages/${id}`);
          if (m.destinationId === ctx.closed.id) return m;
        }
      });
      const liveRow = page.locator(
        `[data-message-id="${closedMessage.id}"][data-status="retrying"]`,
      );
      await liveRow.getByText("connection refused").waitFor();
      await liveRow.click();
      const next = main().locator(".what-next");
      await next.getByText(/Last error: connection refused/).waitFor();
      await next.getByText(/Attempt 2 of 3 in \d+ min( \d+ s)? \(at \d\d:\d\d:\d\d\)/).waitFor();
      await next.getByText(/retries end with attempt 3/).waitFor();
      await shot("live-retrying");
      await page.keyboard.press("Escape");
      await main().locator(".message-detail").waitFor({ state: "detached" });
      // Done with it: the failure phase below wants only the receiver's destination.
      await ctx.api("DELETE", `/v1/projects/default/destinations/${ctx.closed.id}`);
    },
  );

  await step(
    "Inspect from Live: the delivery's signature verifies; an edit shows its issue",
    async () => {
      await nav("Live");
      await page.locator(`[data-message-id="${ctx.firstMessage}"]`).click();
      await main().getByRole("button", { name: "Inspect" }).click();
      const report = main().locator(".inspect-report");
      await report
        .getByRole("heading", {
          name: "`installation.created` notification: valid; signature verified.",
        })
        .waitFor();
      await report.getByText("matches the e2e-webhook's current key").first().waitFor();
      await shot("inspector-verified");
      const editor = main().getByLabel("Body to inspect");
      await editor.click();
      await page.keyboard.press("Control+a");
      await page.keyboard.insertText(
        '{"notificationType": "installation.created", "data": {"installationId": 7}}',
      );
      await main().getByRole("button", { name: "Inspect", exact: true }).click();
      await report
        .getByText(/issues/)
        .first()
        .waitFor();
      await report
        .locator(".inspect-issues li")
        .filter({ hasText: "/data/installationId" })
        .waitFor();
      await report.getByText(/not verified/).waitFor();
      // Marked at their place in the body; a click on one selects it there.
      await main().locator(".cm-lintRange-error").first().waitFor();
      await report.getByRole("button", { name: "/data/installationId" }).click();
      await eventually("the field's value selected in the focused editor", () =>
        page.evaluate(
          () =>
            document.activeElement?.classList.contains("cm-content") &&
            document.getSelection()?.toString() === "7",
        ),
      );
      await shot("inspector-issues");
      // Two pasted bodies, compared by path.
      await main().getByText("Compare with another body").first().click();
      const compare = main().getByRole("form", { name: "Compare with another body" });
      await compare
        .getByLabel("Other body")
        .fill('{"notificationType": "installation.created", "data": {"installationId": "8"}}');
      await compare.getByRole("button", { name: "Show differences" }).click();
      await main()
        .locator('.compare-bodies .change-list li[data-change="changed"]')
        .filter({ hasText: "/data/installationId" })
        .waitFor();
    },
  );

  await step("the receiver fails: publishing until the destination is disabled", async () => {
    receiver.state.failing = true;
    ctx.failedMessages = [];
    await nav("Publish");
    const banner = page.locator(".alert-banner");
    const deadline = Date.now() + 20_000;
    while (!(await banner.isVisible())) {
      expect(Date.now() < deadline, "the destination was not disabled within 20 s");
      ctx.failedMessages.push(...(await publishOnce()));
      await sleep(600);
    }
    log(`     published ${ctx.failedMessages.length} messages while failing`);
    await banner.getByText(names.destination).waitFor();
    await shot("publish-with-alert-banner");
  });

  await step(
    "the banner shows on every page; the destination shows as disabled with its reason",
    async () => {
      await nav("Destinations");
      await page.locator(".alert-banner").waitFor();
      const row = main().getByRole("row").filter({ hasText: names.destination });
      await row.locator(".pill-disabled").waitFor();
      await row.getByText(/since/).waitFor();
      await shot("destinations-disabled");
      await nav("Routing");
      const node = flowNode(`destination:${ctx.destination.id}`);
      await node.locator(".flow-disabled").waitFor();
      await node.getByRole("button", { name: "Re-enable" }).waitFor();
      await node.getByRole("button", { name: "Recover since…" }).waitFor();
      await shot("routing-disabled");
      await nav("Live");
      await page.locator(".alert-banner").waitFor();
      await page.locator('[data-status="exhausted"]').first().waitFor();
      await shot("live-failures");
    },
  );

  await step("alerts: re-enable the destination", async () => {
    receiver.state.failing = false;
    await nav("Alerts");
    const item = main().locator(`[data-destination="${names.destination}"]`);
    // "410 Gone", not "410": the receiver's URL, shown beside the reason, may have 410
    // in its port.
    await item.getByText(/kept failing|410 Gone/).waitFor();
    await shot("alerts");
    await item.getByRole("button", { name: "Re-enable" }).click();
    await page.locator(".alert-banner").waitFor({ state: "detached" });
    await item.getByText("Re-enabled.").waitFor();
    const d = await ctx.api("GET", `/v1/projects/default/destinations/${ctx.destination.id}`);
    expect(d.status === "active", `status is ${d.status}`);
  });

  await step("alerts: recover since… queues the failed messages again", async () => {
    const item = main().locator(`[data-destination="${names.destination}"]`);
    await item.getByRole("button", { name: "Recover since…" }).click();
    const dialog = page.getByRole("dialog");
    // The default "since" is an hour before the destination was disabled.
    await dialog.getByRole("button", { name: "Recover", exact: true }).click();
    const note = dialog.getByRole("status");
    await note.waitFor();
    const requeued = Number((await note.innerText()).match(/(\d+) message/)?.[1]);
    log(`     requeued ${requeued}`);
    // Messages still waiting for a retry when it was disabled are not "failed": they are
    // simply delivered once it is active again. The next step checks every one arrives.
    expect(requeued >= 1, `requeued ${requeued} of ${ctx.failedMessages.length}`);
    await shot("recover");
    await dialog.getByRole("button", { name: "Done" }).click();
    await item.getByRole("button", { name: "Dismiss" }).click();
    await main().getByText("No alerts").waitFor();
  });

  await step("Live shows the recovered messages delivered", async () => {
    await nav("Live");
    for (const id of ctx.failedMessages) {
      await page
        .locator(`[data-message-id="${id}"][data-status="delivered"]`)
        .waitFor({ timeout: 15_000 });
    }
    const delivered = receiver.state.received.filter((r) => !r.failing).length;
    expect(
      delivered >= ctx.failedMessages.length + 1,
      `the receiver got ${delivered} successful deliveries`,
    );
    await shot("live-recovered");
  });

  await step(
    "live filters: status = delivered, then an empty filter shows its empty state",
    async () => {
      await main().getByLabel("Status").selectOption("delivered");
      await page.locator(`[data-message-id="${ctx.firstMessage}"]`).waitFor();
      await main().getByLabel("Status").selectOption("skipped");
      await main().getByText("Nothing matches these filters.").waitFor();
      await main().getByLabel("Status").selectOption("");
    },
  );

  await step("Live's list is one Tab stop, with arrow keys between rows", async () => {
    const rows = page.locator(".live-body [role=row]");
    await rows.nth(1).waitFor();
    expect(
      (await page.locator('.live-body [role=row][tabindex="0"]').count()) === 1,
      "rows are separate Tab stops",
    );
    await tabTo(rows.first());
    await page.keyboard.press("ArrowDown");
    await eventually("the second row focused", () =>
      rows.nth(1).evaluate((el) => el === document.activeElement),
    );
    await page.keyboard.press("Enter");
    await main().locator(".message-detail").waitFor();
    await page.keyboard.press("Escape");
    await main().locator(".message-detail").waitFor({ state: "detached" });
    await eventually("focus back on the row", () =>
      rows.nth(1).evaluate((el) => el === document.activeElement),
    );
  });

  await step("when the live stream drops, every page says what is on it may be stale", async () => {
    await nav("Destinations");
    // The node goes away (a restart on the same port and data): the stream drops.
    await stopNode();
    const banner = page.locator(".stale-banner");
    await banner.getByText("Live updates stopped").waitFor({ timeout: 15_000 });
    await nav("Live");
    await banner.waitFor();
    await shot("stream-dropped");
    const { adminKey } = ctx.node;
    ctx.node = { ...(await startNode(new URL(ctx.node.url).host)), adminKey };
    await banner.waitFor({ state: "detached", timeout: 20_000 });
  });

  await step("the first-delivery walk with the keyboard alone", async () => {
    const kbReceiver = receiver.url.replace("/hooks/switchboard", "/hooks/keyboard");
    const press = (key) => page.keyboard.press(key);
    await tabTo(
      page
        .getByRole("navigation", { name: "Sections" })
        .getByRole("button", { name: "Destinations" }),
    );
    await press("Enter");
    await tabTo(main().getByRole("button", { name: "New destination" }));
    await press("Enter");
    const dialog = page.getByRole("dialog");
    const name = dialog.getByLabel("Name", { exact: true });
    await eventually("the dialog's first field focused", () =>
      name.evaluate((el) => el === document.activeElement),
    );
    await page.keyboard.type("kb-hook");
    await tabTo(dialog.getByLabel("URL", { exact: true }));
    await page.keyboard.type(kbReceiver);
    await tabTo(dialog.getByRole("button", { name: "Create destination" }));
    await press("Enter");
    await dialog.waitFor({ state: "detached" });
    await tabTo(
      page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Topics" }),
    );
    await press("Enter");
    const form = main().getByRole("form", { name: "New topic" });
    await tabTo(form.getByLabel("New topic name"));
    await page.keyboard.type("kb-topic");
    await tabTo(form.getByLabel("write.async.done"));
    await press("Space");
    await tabTo(form.getByRole("group", { name: /Destinations/ }).getByLabel("kb-hook"));
    await press("Space");
    await tabTo(form.getByRole("button", { name: "Create topic" }));
    await press("Enter");
    await form.getByRole("status").filter({ hasText: "kb-topic created with 2 routes" }).waitFor();
    await tabTo(
      page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Publish" }),
    );
    await press("Enter");
    const select = main().getByLabel("Event type");
    await tabTo(select);
    await page.keyboard.type("write.async");
    await eventually(
      "write.async.done chosen",
      async () => (await select.inputValue()) === "write.async.done",
    );
    await tabTo(main().getByRole("button", { name: "Publish", exact: true }));
    const before = receiver.state.received.length;
    await press("Enter");
    const result = main().locator(".publish-result");
    await result.locator('[data-status="delivered"]').waitFor();
    expect(
      receiver.state.received.slice(before).some((r) => r.body.includes("write.async.done")),
      "the receiver did not get the keyboard's notification",
    );
    await shot("keyboard-walk-delivered");
  });

  await step(
    "Inbox: one click makes an inbox and its destination; a delivery shows verified; diff",
    async () => {
      await nav("Inbox");
      const form = main().getByRole("form", { name: "Send to a new inbox" });
      await form.getByLabel("New inbox name").fill("e2e-inbox");
      await form.getByRole("button", { name: "Send to a new inbox" }).click();
      await main().getByTestId("capture-url").waitFor();
      const inbox = (await ctx.api("GET", "/v1/projects/default/inboxes")).find(
        (i) => i.name === "e2e-inbox",
      );
      expect(inbox?.destinationId, "no destination was made with the inbox");
      await ctx.api("POST", "/v1/projects/default/topic-destination-routes", {
        topicId: ctx.topic.id,
        destinationId: inbox.destinationId,
      });
      const types = await ctx.api("GET", "/v1/event-types");
      const example = types.find((t) => t.eventType === "installation.created").example;
      for (const installationId of ["inst-1", "inst-2"]) {
        await ctx.api("POST", "/v1/projects/default/notifications", {
          ...example,
          data: { ...example.data, installationId },
        });
      }
      const rows = main().locator("[data-capture-id]");
      await eventually("two captures listed", async () => (await rows.count()) >= 2, 15_000);
      await rows.nth(1).click(); // the older one
      await main().locator('.capture-verdict[data-verified="true"]').waitFor();
      await main().getByRole("button", { name: "Pin for diff" }).click();
      await rows.nth(0).click();
      await main().locator('.capture-verdict[data-verified="true"]').waitFor();
      await main().getByRole("button", { name: "Diff with pinned" }).click();
      await main()
        .locator('.diff-view li[data-change="changed"]')
        .filter({ hasText: "/data/installationId" })
        .waitFor();
      await shot("inbox-diff");
      // One row per message delivered here, with its attempts.
      await eventually(
        "the two messages in the timeline",
        async () => (await main().locator("tr[data-webhook-id]").count()) === 2,
      );
      // Make it fail on purpose: the next delivery is answered 500.
      const rules = main().getByRole("form", { name: "Response rules" });
      await rules.getByRole("button", { name: "500 ×3 then 200" }).click();
      await rules.getByRole("button", { name: "Apply rules" }).click();
      await rules.getByRole("status").filter({ hasText: "Applied" }).waitFor();
      const after = await ctx.api("GET", `/v1/projects/default/inboxes/${inbox.id}`);
      expect(after.rules[0].status === 500 && after.rules[0].times === 3, "rules not applied");
      await ctx.api("DELETE", `/v1/projects/default/destinations/${inbox.destinationId}`);
    },
  );

  await step(
    "Integrations: an amp.yaml error is marked at its line as you type; fixed, it deploys",
    async () => {
      await nav("Integrations");
      const manifest = (schedule) => `specVersion: 1.0.0
integrations:
  - name: readE2e
    provider: salesforce
    read:
      objects:
        - objectName: contact
          destination: ${names.destination}
          schedule: "${schedule}"
          backfill:
            defaultPeriod:
              fullHistory: true
          requiredFields:
            - fieldName: id
            - fieldName: email
            - mapToName: pronoun
              mapToDisplayName: Pronoun
              default: pronoun__c
          optionalFields:
            - fieldName: phone
`;
      await main().getByRole("textbox", { name: "amp.yaml" }).click();
      await page.keyboard.press("Control+a");
      await page.keyboard.insertText(manifest("* * * * *"));
      // The node's check, debounced: the schedule's issue at line 9, column 21, marked there.
      const issue = main()
        .locator(".issue-list li")
        .filter({ hasText: "line 9, column 21" })
        .filter({ hasText: "minute field" });
      await issue.waitFor();
      await main().locator(".cm-lintRange-error").first().waitFor();
      expect(
        await main().getByRole("button", { name: "Deploy" }).isDisabled(),
        "deploy is offered with an error in the manifest",
      );
      await issue.getByRole("button").click();
      await eventually("the schedule selected in the focused editor", () =>
        page.evaluate(
          () =>
            document.activeElement?.classList.contains("cm-content") &&
            document.getSelection()?.toString() === '"*',
        ),
      );
      await shot("integrations-issue");
      await page.keyboard.press("Control+a");
      await page.keyboard.insertText(manifest("*/30 * * * *"));
      // A full-history backfill is allowed, with a warning.
      await main().getByText("0 errors, 1 warning").waitFor();
      await main()
        .locator(".issue-list li")
        .filter({ hasText: "line 12, column 28: a full-history backfill" })
        .waitFor();
      await main().getByRole("button", { name: "Deploy" }).click();
      await main()
        .getByRole("status")
        .filter({ hasText: "Deployed readE2e (1 objects)." })
        .waitFor();
      const deployed = main().getByRole("article", { name: "readE2e" });
      await deployed.getByRole("cell", { name: names.destination }).waitFor();
      await deployed.getByRole("cell", { name: "*/30 * * * *" }).waitFor();
      await shot("integrations-deployed");
    },
  );

  await step(
    "Installations: install with the field picker; the backfill is delivered and shows in Live",
    async () => {
      await nav("Installations");
      const form = main().getByRole("form", { name: "New installation" });
      await form.getByLabel("Group reference").fill("acme");
      await form.getByLabel("Group name").fill("Acme Corp");
      await form.getByLabel("Sample records to add first").fill("25");
      // Required fields are fixed; the optional one is a choice; the mapping starts at its default.
      expect(
        await form.getByLabel("email (required)").isDisabled(),
        "a required field can be unticked",
      );
      await form.getByLabel("phone").check();
      expect(
        (await form.getByLabel("Map Pronoun (required) to").inputValue()) === "pronoun__c",
        "the mapping does not start at its default",
      );
      await form.getByRole("button", { name: "Install" }).click();
      await main()
        .getByRole("status")
        .filter({ hasText: "Installed readE2e for acme with 25 sample records" })
        .waitFor({ timeout: 15_000 });
      const card = main().getByRole("article", { name: "Installation for acme" });
      await card.getByText("done: 25 records").waitFor({ timeout: 15_000 });
      await shot("installations-backfilled");
      const reads = await ctx.api("GET", "/v1/projects/default/messages?eventType=read");
      const ids = reads.items.map((m) => m.id);
      expect(ids.length >= 1, "no read-result message");
      await nav("Live");
      for (const id of ids) {
        await page
          .locator(`[data-message-id="${id}"][data-status="delivered"]`)
          .waitFor({ timeout: 15_000 });
      }
      const message = receiver.state.received.find((r) => r.body.includes('"action":"read"'));
      expect(message, "the receiver got no read-result message");
      const body = JSON.parse(message.body);
      expect(body.resultInfo.numRecords === 25, `numRecords ${body.resultInfo.numRecords}`);
      expect(
        body.result[0].fields.phone !== undefined && body.result[0].fields.email !== undefined,
        "the picked fields are not in the message",
      );
      await shot("live-read-results");
      // Edit what it reads: phone off again, saved as an update of that object.
      await nav("Installations");
      await card.getByRole("button", { name: "Edit" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("phone").uncheck();
      await dialog.getByRole("button", { name: "Save" }).click();
      await card.getByRole("status").filter({ hasText: "Saved: contact for acme." }).waitFor();
      const [installed] = await ctx.api("GET", "/v1/projects/default/installations?groupRef=acme");
      const fields = installed.config.content.read.objects.contact.selectedFields;
      expect(
        !fields.phone && fields.email,
        `selected fields after the edit: ${JSON.stringify(fields)}`,
      );
    },
  );

  const pages = [
    "Overview",
    "Destinations",
    "Topics",
    "Routing",
    "Live",
    "Alerts",
    "Publish",
    "Integrations",
    "Installations",
    "Inspector",
    "Inbox",
  ];
  for (const size of [WIDE, NARROW]) {
    await step(
      `every page at ${size.width}×${size.height}: usable, and axe finds nothing serious`,
      async () => {
        await page.setViewportSize(size);
        // Every page is checked before the step fails, so one run lists every violation.
        const problems = [];
        for (const name of pages) {
          await nav(name);
          await main().getByRole("heading", { level: 1 }).first().waitFor();
          await sleep(250); // layout and fitView settle
          await shot(`${slug(name)}-${size.width}x${size.height}`);
          for (const check of [fitsWidth, axeClean]) {
            await check(`${name} at ${size.width}×${size.height}`).catch((e) =>
              problems.push(e.message),
            );
          }
        }
        expect(problems.length === 0, problems.join("\n"));
      },
    );
  }

  await step("over TLS: the session cookie is Secure, and wrong keys are slowed", async () => {
    const tls = await startTlsNode();
    expect(tls.url.startsWith("https://"), `the TLS node says ${tls.url}`);
    // The certificate is self-signed (made for this run): this browser is told to take it.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: WIDE });
    const p = await context.newPage();
    await p.goto(tls.url);
    await p.getByRole("heading", { name: "Log in to Switchboard" }).waitFor();
    for (let i = 0; i < 5; i += 1) {
      await p.getByLabel("API key").fill(`sbk_wrong-${i}`);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
      await p.getByRole("button", { name: "Log in" }).waitFor({ state: "visible" });
    }
    await p.getByLabel("API key").fill("sbk_wrong-again");
    await p.getByRole("button", { name: "Log in" }).click();
    await p.getByRole("alert").filter({ hasText: "too many logins" }).waitFor();
    await shot("login-slowed");
    await p.goto(tls.loginLink);
    await p.getByRole("heading", { name: "Getting started" }).waitFor();
    const session = (await context.cookies()).find((c) => c.name === "switchboard_session");
    expect(session?.secure, "the session cookie over TLS is not Secure");
    expect(session?.httpOnly && session?.sameSite === "Strict", "the cookie lost HttpOnly/Strict");
    await context.close();
  });

  await step("at 720×480: icon sidebar, Live detail over the list, Publish stacked", async () => {
    const navBox = await page.getByRole("navigation", { name: "Sections" }).boundingBox();
    expect(navBox.width <= 80, `the sidebar is ${navBox.width} px wide`);
    await nav("Publish");
    const controls = await main().locator(".publish-controls").boundingBox();
    const editor = await main().locator(".publish-editor").boundingBox();
    expect(editor.y >= controls.y + controls.height - 1, "the editor is not under the form");
    await nav("Live");
    await page.locator(`[data-message-id="${ctx.firstMessage}"]`).click();
    const detail = await main().locator(".message-detail").boundingBox();
    const list = await main().locator(".live-table").boundingBox();
    expect(
      detail.width >= list.width - 2,
      `the detail (${detail.width}) is not over the list (${list.width})`,
    );
    await axeClean("Live's detail at 720×480");
    await shot("live-detail-720x480");
    await page.keyboard.press("Escape");
    await main().locator(".message-detail").waitFor({ state: "detached" });
  });
}

// ---------------------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  console.error(`the whole run exceeded ${WHOLE_RUN_MS / 1000} s`);
  failed += 1;
  cleanup().finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(1);
  });
}, WHOLE_RUN_MS);

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await browser?.close().catch((e) => log(`     closing the browser: ${e.message}`));
  await stopNode().catch((e) => log(`     stopping the node: ${e.message}`));
  if (tlsProcess && tlsProcess.exitCode === null && tlsProcess.signalCode === null) {
    const exited = new Promise((resolve) => tlsProcess.once("exit", resolve));
    tlsProcess.kill("SIGTERM");
    await exited;
  }
  if (receiver) {
    const closed = new Promise((r) => receiver.server.close(r));
    receiver.server.closeAllConnections();
    await closed;
  }
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    cleanup().finally(() => process.exit(130));
  });
}

try {
  await run();
} catch (err) {
  if (!(err instanceof StepFailed)) {
    failed += 1;
    console.error(err);
  }
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
