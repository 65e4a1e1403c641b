#!/usr/bin/env python3
"""WebDriver end-to-end check of the real desktop binary (run by webdriver.sh, inside Xvfb).

Talks plain W3C WebDriver JSON to tauri-driver (standard library only): starts the app,
waits for its embedded node, creates a destination through the UI, then checks through the
node's HTTP API (with a key made by `switchboard keys create` on the same data dir) that it
exists, and saves a screenshot. Prints `N passed, M failed`; exits non-zero on any failure.

Environment: DRIVER_URL, APP, DATA_DIR, SWITCHBOARD_BIN, ARTIFACTS.
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

DRIVER = os.environ["DRIVER_URL"].rstrip("/")
APP = os.environ["APP"]
DATA_DIR = os.environ["DATA_DIR"]
SWITCHBOARD = os.environ["SWITCHBOARD_BIN"]
ARTIFACTS = os.environ["ARTIFACTS"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
DEST_NAME = f"wd-hook-{int(time.time())}"
DEST_URL = "http://127.0.0.1:9/webdriver-hook"

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

    def text(self):
        return self.cmd("POST", "/execute/sync", {"script": "return document.body.innerText", "args": []})

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def close(self):
        http("DELETE", self.base)


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        log(f"PASS {name}")
        return True
    except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
        failed += 1
        log(f"FAIL {name}: {e}")
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_node(timeout=60):
    path = os.path.join(DATA_DIR, "node.json")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path) as f:
                base = json.load(f)["baseUrl"]
            status, body = http("GET", f"{base}/healthz", timeout=2)
            if status == 200 and body.get("status") == "ok":
                return base
        except (OSError, ValueError, KeyError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the embedded node did not answer within {timeout}s ({path})")


def main():
    state = {}
    session = Session()
    try:
        def node_answers():
            state["base"] = wait_for_node()
            assert state["base"].startswith("http://127.0.0.1:"), state["base"]

        def ui_shows_the_console():
            session.find("//nav[@aria-label='Sections']", timeout=30)

        def live_events_connected():
            # The status line says so once `live_subscribe` answered (events on a Channel).
            session.find("//*[contains(normalize-space(), 'live events: connected')]", timeout=20)

        def profiles_listed_without_keys():
            answer = session.invoke("profiles_list")
            assert "ok" in answer, answer
            local = [p for p in answer["ok"] if p["name"] == "local"]
            assert local and local[0]["current"], answer
            assert local[0]["url"] == state["base"], (local, state["base"])
            assert "key" not in json.dumps(answer).lower(), answer

        def create_destination_in_ui():
            session.click("//nav//button[.//span[normalize-space()='Destinations']]")
            session.click("//button[normalize-space()='New destination']")
            session.type("//label[normalize-space()='Name']/following-sibling::input", DEST_NAME)
            session.type("//label[normalize-space()='URL']/following-sibling::input", DEST_URL)
            session.click("//button[@type='submit' and normalize-space()='Create destination']")
            # The list shows it once the node accepted it (the dialog closes on success).
            try:
                session.find(f"//table//*[normalize-space()='{DEST_NAME}']", timeout=20)
            except RuntimeError:
                log("page text: " + session.text()[:2000])
                raise

        def destination_exists_in_api():
            out = subprocess.run(
                [SWITCHBOARD, "--data-dir", DATA_DIR, "keys", "create", "--name", "webdriver"],
                capture_output=True, text=True, timeout=60, check=True,
            )
            key = out.stdout.strip().splitlines()[-1].strip()
            status, body = http(
                "GET", f"{state['base']}/v1/projects/default/destinations",
                headers={"X-Api-Key": key},
            )
            assert status == 200, f"HTTP {status}: {body}"
            items = body if isinstance(body, list) else body.get("destinations") or body.get("items") or []
            match = [d for d in items if d.get("name") == DEST_NAME]
            assert match, f"{DEST_NAME} not in {[d.get('name') for d in items]}"
            assert match[0].get("metadata", {}).get("url") == DEST_URL, match[0]

        def remote_profile_switch():
            # A second node (`switchboard serve`) stored as profile "remote" with its key in
            # the profile store: after `profile_use`, the shell's requests go there.
            remote_dir = os.path.join(os.path.dirname(DATA_DIR), "remote-node")
            key = subprocess.run(
                [SWITCHBOARD, "--data-dir", remote_dir, "keys", "create", "--name", "desk"],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout.strip().splitlines()[-1].strip()
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            with open(os.path.join(ARTIFACTS, "remote-node.log"), "w") as out:
                server = subprocess.Popen(
                    [SWITCHBOARD, "--data-dir", remote_dir, "serve", "--listen", f"127.0.0.1:{port}"],
                    stdout=out, stderr=subprocess.STDOUT,
                )
            try:
                deadline = time.time() + 30
                while True:
                    try:
                        if http("GET", f"{url}/healthz", timeout=2)[0] == 200:
                            break
                    except (OSError, urllib.error.URLError):
                        pass
                    assert time.time() < deadline, "the remote node did not start"
                    time.sleep(0.3)
                subprocess.run(
                    [SWITCHBOARD, "--url", url, "profiles", "add", "remote", "--api-key-stdin",
                     "--key-store", "file"],
                    input=key, capture_output=True, text=True, timeout=60, check=True,
                )
                used = session.invoke("profile_use", {"name": "remote"})
                assert used.get("ok", {}).get("profile") == "remote", used
                assert used["ok"]["baseUrl"] == url, used
                answer = session.invoke(
                    "node_request",
                    {"request": {"method": "GET", "path": "/v1/projects/default/destinations"}},
                )
                assert answer.get("ok", {}).get("status") == 200, answer
                assert DEST_NAME not in answer["ok"]["body"], "still talking to the embedded node"
                back = session.invoke("profile_use", {"name": "local"})
                assert back.get("ok", {}).get("baseUrl") == state["base"], back
                answer = session.invoke(
                    "node_request",
                    {"request": {"method": "GET", "path": "/v1/projects/default/destinations"}},
                )
                assert DEST_NAME in answer.get("ok", {}).get("body", ""), answer
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()

        def screenshot():
            path = os.path.join(ARTIFACTS, "desktop-webdriver.png")
            session.screenshot(path)
            assert os.path.getsize(path) > 1000, "screenshot is empty"
            log(f"screenshot: {path}")
            # The whole display too (window decorations, dialogs outside the web view).
            root = os.path.join(ARTIFACTS, "desktop-webdriver-root.png")
            subprocess.run(["import", "-window", "root", root], timeout=30, check=False)

        if check("embedded node answers", node_answers):
            check("console UI renders", ui_shows_the_console)
            check("live events connected through the shell", live_events_connected)
            check("profiles listed (local current, no keys)", profiles_listed_without_keys)
            if check("destination created through the UI", create_destination_in_ui):
                check("destination visible through the API", destination_exists_in_api)
                check("remote profile selected and back", remote_profile_switch)
        check("screenshot taken", screenshot)
    finally:
        session.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001
        log(f"FAIL setup: {e}")
        print(f"{passed} passed, {failed + 1} failed")
        sys.exit(1)
