#!/usr/bin/env python3
"""WebDriver end-to-end check of the real desktop binary (run by webdriver.sh, inside Xvfb
and a private session bus where fake_desktop_bus.py stands in for the panel's tray host
and the notification server).

Talks plain W3C WebDriver JSON to tauri-driver. Two launches of the app on the same dirs:

  1. The embedded node answers; a destination created through the UI appears in the API.
     It gets disabled for real (its receiver answers 410 Gone): the tray's count (read over
     D-Bus from its StatusNotifierItem and menu) goes 0 → 1, exactly one desktop
     notification names it; re-enabled, the count goes back to 0.
     The window is resized and moved through WebDriver.
     The sidebar's node selector is clicked to a second node (`switchboard serve` behind a
     proxy that holds its live stream back): its data shows; a destination disabled there
     before the stream connected is counted once it does (the tray race).
     The app is quit from its tray menu.
  2. Relaunched: the second node is still selected and answers; the window has the size
     (and position) it was given. Clicked back to the embedded node.

Prints `N passed, M failed`; exits non-zero on any failure.
Environment: DRIVER_URL, APP, DATA_DIR, SWITCHBOARD_BIN, ARTIFACTS, BUS_JOURNAL,
XDG_CONFIG_HOME (the app's config dir is under it).
"""

import base64
import http.client as http_client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from support import DesktopBus, HoldingProxy, Receiver, wait_for

DRIVER = os.environ["DRIVER_URL"].rstrip("/")
APP = os.environ["APP"]
DATA_DIR = os.environ["DATA_DIR"]
SWITCHBOARD = os.environ["SWITCHBOARD_BIN"]
ARTIFACTS = os.environ["ARTIFACTS"]
APP_CONFIG = os.path.join(os.environ["XDG_CONFIG_HOME"], "dev.switchboard.desktop")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
STAMP = int(time.time())
DEST_NAME = f"wd-hook-{STAMP}"
REMOTE_GONE = f"remote-gone-{STAMP}"      # disabled on the second node before the switch
REMOTE_LATE = f"remote-late-{STAMP}"      # disabled there while the stream is held back
PROJECT = "/v1/projects/default"
# The window as WebDriver sets it (the screen is 1280x860).
WINDOW = {"x": 64, "y": 48, "width": 960, "height": 640}
NARROW = {"width": 720, "height": 480}

passed = 0
failed = 0


def log(msg):
    print(f"webdriver: {msg}", file=sys.stderr, flush=True)


def http(method, url, body=None, headers=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


class Session:
    def __init__(self):
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": APP}}}}
        status, body = http("POST", f"{DRIVER}/session", caps, timeout=120)
        if status != 200:
            raise RuntimeError(f"new session: HTTP {status}: {body}")
        self.id = body["value"]["sessionId"]
        self.base = f"{DRIVER}/session/{self.id}"

    def cmd(self, method, path, body=None):
        # tauri-driver now and then drops a request when its pooled connection to
        # WebKitWebDriver went stale (it answers nothing; the request was not forwarded).
        for attempt in range(3):
            try:
                status, resp = http(method, self.base + path, body)
                break
            except (http_client.RemoteDisconnected, ConnectionResetError):
                if attempt == 2:
                    raise
                time.sleep(0.2)
        if status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {resp}")
        return resp["value"]

    def find(self, xpath, timeout=20):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                found = self.cmd("POST", "/elements", {"using": "xpath", "value": xpath})
                if found:
                    return found[0][ELEMENT]
            except RuntimeError as e:
                last = e
            time.sleep(0.3)
        raise RuntimeError(f"no element {xpath} within {timeout}s ({last})")

    def gone(self, xpath, timeout=20):
        wait_for(f"{xpath} to go", lambda: not self.cmd(
            "POST", "/elements", {"using": "xpath", "value": xpath}), timeout)

    def click(self, xpath):
        self.cmd("POST", f"/element/{self.find(xpath)}/click", {})

    def type(self, xpath, text):
        el = self.find(xpath)
        self.cmd("POST", f"/element/{el}/clear", {})
        self.cmd("POST", f"/element/{el}/value", {"text": text})

    def invoke(self, command, args=None):
        """A shell command through Tauri's IPC, as the UI's transport calls it."""
        script = (
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])"
            ".then(v => done({ok: v}), e => done({err: String(e)}));"
        )
        return self.cmd("POST", "/execute/async", {"script": script, "args": [command, args or {}]})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def text(self):
        return self.js("return document.body.innerText")

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        assert os.path.getsize(path) > 1000, "screenshot is empty"
        log(f"screenshot: {path}")

    def close(self):
        try:
            http("DELETE", self.base, timeout=30)
        except OSError:
            pass  # the app may be gone already (quit from its tray)


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        log(f"PASS {name}")
        return True
    except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
        failed += 1
        log(f"FAIL {name}: {e!r}")
        return False


def read_node_json(data_dir):
    with open(os.path.join(data_dir, "node.json")) as f:
        return json.load(f)["baseUrl"]


def healthy(base):
    status, body = http("GET", f"{base}/healthz", timeout=2)
    return base if status == 200 and body.get("status") == "ok" else None


def wait_for_node(data_dir, timeout=60):
    """The embedded node's address, once it answers (it announces it in node.json)."""
    return wait_for(f"the node of {data_dir} to answer",
                    lambda: healthy(read_node_json(data_dir)), timeout, interval=0.3)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_key(data_dir, name):
    out = subprocess.run(
        [SWITCHBOARD, "keys", "create", "--data-dir", data_dir, "--name", name],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return out.stdout.strip().splitlines()[-1].strip()


class Node:
    """API calls to a node with a key."""

    def __init__(self, base, key):
        self.base, self.key = base, key

    def call(self, method, path, body=None, expect=(200,)):
        status, answer = http(method, f"{self.base}{PROJECT}{path}", body,
                              headers={"X-Api-Key": self.key})
        assert status in expect, f"{method} {path}: HTTP {status}: {answer}"
        return answer

    def destinations(self):
        body = self.call("GET", "/destinations")
        return body if isinstance(body, list) else body.get("destinations") or body.get("items") or []

    def destination(self, name):
        match = [d for d in self.destinations() if d.get("name") == name]
        assert match, f"{name} not in {[d.get('name') for d in self.destinations()]}"
        return match[0]

    def create_webhook(self, name, url):
        return self.call("POST", "/destinations",
                         {"name": name, "type": "webhook", "metadata": {"url": url}},
                         expect=(200, 201))

    def disable_through_receiver(self, name):
        """Sends the destination a test notification; its receiver answers 410 Gone, so the
        node disables it. Returns once the API shows it disabled."""
        dest = self.destination(name)
        self.call("POST", f"/destinations/{dest['id']}/test", {}, expect=(202,))
        wait_for(f"{name} to be disabled",
                 lambda: self.destination(name).get("status") == "disabled", timeout=20)
        return dest


class RemoteNode:
    """A second node (`switchboard serve`) behind a HoldingProxy, stored as profile
    "remote" (its key in the profile store, as the CLI keeps it)."""

    def __init__(self, receiver):
        self.dir = os.path.join(os.path.dirname(DATA_DIR), "remote-node")
        key = create_key(self.dir, "desk")
        port = free_port()
        self.log = open(os.path.join(ARTIFACTS, "remote-node.log"), "w")
        self.server = subprocess.Popen(
            [SWITCHBOARD, "serve", "--data-dir", self.dir, "--listen", f"127.0.0.1:{port}"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for("the second node to answer", lambda: healthy(base), timeout=30, interval=0.3)
        self.api = Node(base, key)
        self.proxy = HoldingProxy(port)
        subprocess.run(
            [SWITCHBOARD, "--url", self.proxy.url, "profiles", "add", "remote",
             "--api-key-stdin", "--key-store", "file"],
            input=key, capture_output=True, text=True, timeout=60, check=True,
        )
        for name in (REMOTE_GONE, REMOTE_LATE):
            receiver.gone.add(f"/{name}")
            self.api.create_webhook(name, f"{receiver.url}/{name}")
        self.api.disable_through_receiver(REMOTE_GONE)

    def close(self):
        self.proxy.close()
        self.server.terminate()
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()


def selected_profile(session):
    return session.js("const s = document.getElementById('profile-select'); return s && s.value")


def click_profile(session, name):
    """Chooses a node in the sidebar's selector with the mouse: the <select>, then its option."""
    session.click("//select[@id='profile-select']")
    session.click(f"//select[@id='profile-select']/option[@value='{name}']")
    wait_for(f"the selector to show {name}", lambda: selected_profile(session) == name)


def destinations_page_shows(session, present, absent):
    session.click("//nav//button[.//span[normalize-space()='Destinations']]")
    for name in present:
        session.find(f"//table//*[normalize-space()='{name}']", timeout=20)
    for name in absent:
        session.gone(f"//table//*[normalize-space()='{name}']", timeout=10)


def tray_shows(desktop, count):
    """Waits until the tray's label and its menu line both say `count` open alerts."""
    label = str(count) if count else ""
    words = f"{count} open alert" if count else "no open alerts"
    wait_for(f"the tray to show {count} open alert(s)",
             lambda: (lambda l: l[0] == label and l[1] and words in l[1])(desktop.alert_line()),
             timeout=20)


def window_rect(session):
    return session.cmd("GET", "/window/rect")


def x_geometry(pid):
    """The app's window as the X server has it (no window manager runs under Xvfb here, so
    nothing else moves or frames it)."""
    wins = subprocess.run(["xdotool", "search", "--all", "--pid", str(pid), "--name", "^Switchboard$"],
                          capture_output=True, text=True, timeout=10).stdout.split()
    assert len(wins) == 1, f"windows of pid {pid} named Switchboard: {wins}"
    shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wins[0]],
                           capture_output=True, text=True, timeout=10, check=True).stdout
    geo = dict(line.split("=", 1) for line in shell.split())
    return {k.lower(): int(geo[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")}


def first_launch(state, desktop, receiver, remote):
    session = Session()
    try:
        def node_answers():
            state["base"] = wait_for_node(DATA_DIR)
            assert state["base"].startswith("http://127.0.0.1:"), state["base"]
            state["local"] = Node(state["base"], create_key(DATA_DIR, "webdriver"))

        def ui_shows_the_console():
            session.find("//nav[@aria-label='Sections']", timeout=30)

        def live_events_connected():
            session.find("//*[contains(normalize-space(), 'live events: connected')]", timeout=20)

        def tray_starts_at_zero():
            item = wait_for("the tray to register", desktop.tray_item, timeout=20)
            state["pid"] = item["pid"]
            tray_shows(desktop, 0)
            assert not desktop.notifications(), desktop.notifications()

        def profiles_listed_without_keys():
            answer = session.invoke("profiles_list")
            assert "ok" in answer, answer
            names = {p["name"]: p for p in answer["ok"]}
            assert names["local"]["current"] and names["local"]["url"] == state["base"], answer
            assert names["remote"]["url"].rstrip("/") == remote.proxy.url, answer
            assert "key" not in json.dumps(answer).lower(), answer

        def create_destination_in_ui():
            session.click("//nav//button[.//span[normalize-space()='Destinations']]")
            session.click("//button[normalize-space()='New destination']")
            session.type("//label[normalize-space()='Name']/following-sibling::input", DEST_NAME)
            session.type("//label[normalize-space()='URL']/following-sibling::input",
                         f"{receiver.url}/{DEST_NAME}")
            session.click("//button[@type='submit' and normalize-space()='Create destination']")
            try:
                session.find(f"//table//*[normalize-space()='{DEST_NAME}']", timeout=20)
            except RuntimeError:
                log("page text: " + session.text()[:2000])
                raise

        def destination_exists_in_api():
            dest = state["local"].destination(DEST_NAME)
            assert dest.get("metadata", {}).get("url") == f"{receiver.url}/{DEST_NAME}", dest

        def disable_counts_in_tray_and_notifies_once():
            receiver.gone.add(f"/{DEST_NAME}")
            state["local"].disable_through_receiver(DEST_NAME)
            assert receiver.hits.get(f"/{DEST_NAME}") == 1, receiver.hits
            tray_shows(desktop, 1)
            shown = wait_for("a desktop notification", desktop.notifications, timeout=10)
            assert len(shown) == 1, shown
            assert DEST_NAME in shown[0]["summary"], shown[0]
            assert shown[0]["pid"] == state["pid"], (shown[0], state["pid"])

        def re_enable_clears_the_tray():
            # The receiver is fixed first: the message it refused is retried after this.
            receiver.gone.discard(f"/{DEST_NAME}")
            dest = state["local"].destination(DEST_NAME)
            state["local"].call("POST", f"/destinations/{dest['id']}/enable", {})
            tray_shows(desktop, 0)
            # Still the one notification: re-enabling (and recounting) notifies nobody.
            assert len(desktop.notifications()) == 1, desktop.notifications()

        def narrow_layout_at_the_minimum_size():
            # The desktop's minimum window (tauri.conf.json): every page must work in it.
            session.cmd("POST", "/window/rect", {"x": 0, "y": 0, **NARROW})
            wait_for("the window at its minimum size",
                     lambda: (window_rect(session)["width"], window_rect(session)["height"]) ==
                     (NARROW["width"], NARROW["height"]), timeout=10)
            wait_for("the page laid out for the narrow window",
                     lambda: session.js("return window.innerWidth") <= NARROW["width"], timeout=10)
            for page in ["Destinations", "Topics", "Routing", "Live", "Alerts", "Publish"]:
                session.click(f"//nav//button[.//span[normalize-space()='{page}']]")
                session.find(f"//main//h1[normalize-space()='{page}']")
                layout = session.js(
                    "const nav = document.querySelector('nav.sidebar').getBoundingClientRect();"
                    "const main = document.querySelector('main.content');"
                    "return {nav: nav.width, over: Math.max(main.scrollWidth - main.clientWidth,"
                    " document.documentElement.scrollWidth - document.documentElement.clientWidth)};")
                assert layout["nav"] <= 80, f"{page}: the sidebar is {layout['nav']} px wide"
                assert layout["over"] <= 1, f"{page}: scrolls sideways by {layout['over']} px"
            boxes = session.js(
                "const box = (s) => document.querySelector(s).getBoundingClientRect();"
                "const c = box('.publish-controls'), e = box('.publish-editor');"
                "return {controlsBottom: c.bottom, editorTop: e.top};")
            assert boxes["editorTop"] >= boxes["controlsBottom"] - 1, f"Publish not stacked: {boxes}"
            session.find("//main//*[contains(@class, 'cm-line')][normalize-space()]")
            session.screenshot(os.path.join(ARTIFACTS, "desktop-webdriver-720x480.png"))

        def window_set_through_webdriver():
            session.cmd("POST", "/window/rect", WINDOW)
            rect = wait_for("the window to take its new size",
                            lambda: (lambda r: r if (r["width"], r["height"]) ==
                                     (WINDOW["width"], WINDOW["height"]) else None)(
                                window_rect(session)), timeout=10)
            state["rect"] = rect
            log(f"window rect after setting {WINDOW}: {rect}")

        def profile_selector_clicked_to_remote():
            # The second node's stream is held back from here until after a destination
            # there got disabled: only a recount when it connects can see that one.
            remote.proxy.hold_streams()
            click_profile(session, "remote")
            destinations_page_shows(session, [REMOTE_GONE, REMOTE_LATE], [DEST_NAME])
            info = session.invoke("node_info")
            assert info.get("ok", {}).get("profile") == "remote", info

        def tray_counts_a_destination_disabled_before_the_stream_connected():
            tray_shows(desktop, 1)  # the count on switching: REMOTE_GONE
            wait_for("the live streams to wait at the proxy", lambda: remote.proxy.waiting >= 1)
            remote.api.disable_through_receiver(REMOTE_LATE)
            label, _ = desktop.alert_line()
            assert label == "1", f"the tray changed while its stream was held back: {label!r}"
            remote.proxy.release_streams()
            tray_shows(desktop, 2)
            # The console's list, read before the stream connected, is read again too.
            session.find(f"//table//tr[@data-status='disabled'][.//*[normalize-space()='{REMOTE_LATE}']]",
                         timeout=20)

        def quit_from_the_tray_menu():
            tray = desktop.click_menu("Quit")
            wait_for("the app to exit", lambda: not desktop.has_owner(tray["sender"]), timeout=20)
            wait_for("node.json to be removed",
                     lambda: not os.path.exists(os.path.join(DATA_DIR, "node.json")), timeout=10)
            with open(os.path.join(APP_CONFIG, "connection.json")) as f:
                assert json.load(f)["profile"] == "remote"
            assert os.path.exists(os.path.join(APP_CONFIG, ".window-state.json")), \
                os.listdir(APP_CONFIG)

        if not check("embedded node answers", node_answers):
            return
        check("console UI renders", ui_shows_the_console)
        check("live events connected through the shell", live_events_connected)
        check("tray registered over D-Bus with no open alerts", tray_starts_at_zero)
        check("profiles listed (local current, remote stored, no keys)",
              profiles_listed_without_keys)
        if check("destination created through the UI", create_destination_in_ui):
            check("destination visible through the API", destination_exists_in_api)
            if check("disabled destination: tray 0 -> 1, one notification naming it",
                     disable_counts_in_tray_and_notifies_once):
                check("re-enabled: tray back to 0", re_enable_clears_the_tray)
        check("narrow layout at 720×480 in the real window (icon sidebar, no sideways scroll, "
              "Publish stacked)", narrow_layout_at_the_minimum_size)
        check("window resized and moved through WebDriver", window_set_through_webdriver)
        if check("node selector clicked to the second node: its data shows",
                 profile_selector_clicked_to_remote):
            check("race: disabled before the stream connected is counted (tray and UI)",
                  tray_counts_a_destination_disabled_before_the_stream_connected)
        check("screenshot taken",
              lambda: session.screenshot(os.path.join(ARTIFACTS, "desktop-webdriver.png")))
        check("quit from the tray menu (graceful: node stopped, state saved)",
              quit_from_the_tray_menu)
    finally:
        session.close()


def second_launch(state, desktop, remote):
    session = Session()
    try:
        def remembered_profile_selected():
            session.find("//nav[@aria-label='Sections']", timeout=30)
            wait_for("the selector to show remote", lambda: selected_profile(session) == "remote")
            info = session.invoke("node_info")
            assert info.get("ok", {}).get("profile") == "remote", info
            assert info["ok"]["baseUrl"].rstrip("/") == remote.proxy.url, info
            destinations_page_shows(session, [REMOTE_GONE, REMOTE_LATE], [DEST_NAME])
            # The tray counts the remembered node's alerts too.
            wait_for("the tray to register", desktop.tray_item, timeout=20)
            tray_shows(desktop, 2)

        def window_restored():
            rect = window_rect(session)
            log(f"window rect after relaunch: {rect} (set: {WINDOW}, read back then: {state.get('rect')})")
            assert (rect["width"], rect["height"]) == (WINDOW["width"], WINDOW["height"]), rect
            before = state.get("rect")
            assert before, "the first launch did not set the window"
            assert (rect["x"], rect["y"]) == (before["x"], before["y"]), (rect, before)
            # The same from outside the app, as the X server has it.
            x = x_geometry(desktop.tray_item()["pid"])
            assert x == {"x": before["x"], "y": before["y"], "width": WINDOW["width"],
                         "height": WINDOW["height"]}, x

        def clicked_back_to_the_embedded_node():
            click_profile(session, "local")
            destinations_page_shows(session, [DEST_NAME], [REMOTE_GONE])
            tray_shows(desktop, 0)
            with open(os.path.join(APP_CONFIG, "connection.json")) as f:
                assert json.load(f)["profile"] == "local"

        check("relaunch: the remembered node is selected and answers", remembered_profile_selected)
        check("relaunch: window size and position restored", window_restored)
        check("node selector clicked back to the embedded node", clicked_back_to_the_embedded_node)
        check("screenshot after relaunch",
              lambda: session.screenshot(os.path.join(ARTIFACTS, "desktop-webdriver-relaunch.png")))
        # The whole display too (window decorations, dialogs outside the web view).
        subprocess.run(["import", "-window", "root",
                        os.path.join(ARTIFACTS, "desktop-webdriver-root.png")],
                       timeout=30, check=False)
    finally:
        session.close()


def main():
    desktop = DesktopBus(os.environ["BUS_JOURNAL"])
    receiver = Receiver()
    remote = None
    state = {}
    try:
        remote = RemoteNode(receiver)
        first_launch(state, desktop, receiver, remote)
        second_launch(state, desktop, remote)

        def one_notification_in_all():
            shown = desktop.notifications()
            assert [n["summary"] for n in shown] == [f'Destination "{DEST_NAME}" disabled'], shown
        check("one desktop notification in all (switches and recounts notify nobody)",
              one_notification_in_all)
    finally:
        if remote:
            remote.close()
        receiver.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001
        log(f"FAIL setup: {e!r}")
        print(f"{passed} passed, {failed + 1} failed")
        sys.exit(1)
