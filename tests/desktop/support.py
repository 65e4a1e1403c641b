"""Helpers for the desktop tests: reading the app's tray and notifications from outside the
process (over the private session bus, see fake_desktop_bus.py), a webhook receiver that
answers 410 Gone, and an HTTP proxy that can hold the live stream back.

Standard library plus PyGObject (Debian: python3-gi) for D-Bus.
"""

import http.client
import http.server
import json
import threading
import time

from gi.repository import Gio, GLib

ITEM_INTERFACE = "org.kde.StatusNotifierItem"
MENU_INTERFACE = "com.canonical.dbusmenu"


def wait_for(what, probe, timeout=20, interval=0.1):
    """Polls `probe` until it returns something truthy; returns that. Raises after `timeout`
    seconds with the last value (or error) seen."""
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = value
        except Exception as e:  # noqa: BLE001 - remembered for the timeout message
            last = e
        if time.time() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


class DesktopBus:
    """What the app did on the session bus, as fake_desktop_bus.py journals it, and the
    tray's state read from the app's StatusNotifierItem and its dbusmenu."""

    def __init__(self, journal):
        self.journal = journal
        self.bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def entries(self, kind):
        with open(self.journal, encoding="utf-8") as f:
            return [e for e in map(json.loads, f) if e["kind"] == kind]

    def notifications(self):
        return self.entries("notify")

    def call(self, dest, path, interface, method, args=None, reply=None):
        return self.bus.call_sync(
            dest, path, interface, method, args,
            GLib.VariantType(reply) if reply else None,
            Gio.DBusCallFlags.NONE, 5000, None).unpack()

    def has_owner(self, name):
        return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "NameHasOwner", GLib.Variant("(s)", (name,)), "(b)")[0]

    def tray_item(self):
        """The newest tray item registered by a process still on the bus, or None."""
        for item in reversed(self.entries("item")):
            if self.has_owner(item["sender"]):
                return item
        return None

    def tray(self):
        """The live tray: {"pid", "label", "title", "menu": {label: id}}."""
        item = self.tray_item()
        if item is None:
            raise AssertionError("no tray item registered")
        props = self.call(item["sender"], item["path"], "org.freedesktop.DBus.Properties",
                          "GetAll", GLib.Variant("(s)", (ITEM_INTERFACE,)), "(a{sv})")[0]
        _rev, layout = self.call(item["sender"], props["Menu"], MENU_INTERFACE, "GetLayout",
                                 GLib.Variant("(iias)", (0, -1, [])), "(u(ia{sv}av))")
        menu = {child[1].get("label", ""): child[0] for child in layout[2]}
        return {"pid": item["pid"], "sender": item["sender"], "menu_path": props["Menu"],
                "label": props.get("XAyatanaLabel", ""), "title": props.get("Title", ""),
                "menu": menu}

    def alert_line(self):
        """The tray's count (its label) and the menu line that describes it."""
        tray = self.tray()
        line = next((label for label in tray["menu"] if label.startswith("Switchboard:")), None)
        return tray["label"], line

    def click_menu(self, label):
        """Clicks a tray menu entry, as a panel does (dbusmenu `Event … clicked`)."""
        tray = self.tray()
        item_id = tray["menu"][label]
        self.call(tray["sender"], tray["menu_path"], MENU_INTERFACE, "Event",
                  GLib.Variant("(isvu)", (item_id, "clicked", GLib.Variant("s", ""), 0)))
        return tray


class Receiver:
    """A webhook receiver on loopback that counts what it got, by path, and answers 410 Gone
    for the paths in `gone` (which makes the node disable that destination at once), 204
    for the others."""

    def __init__(self):
        hits = self.hits = {}
        gone = self.gone = set()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hits[self.path] = hits.get(self.path, 0) + 1
                self.send_response(410 if self.path in gone else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class HoldingProxy:
    """An HTTP proxy on loopback in front of a node. While `hold_streams` is set, requests
    for the live stream (`…/stream`) wait before being forwarded; everything else passes.
    Counts the stream requests that are waiting."""

    def __init__(self, upstream_port):
        self.release = threading.Event()
        self.release.set()
        self.lock = threading.Lock()
        self.waiting = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                streaming = self.path.split("?")[0].endswith("/stream")
                if streaming and not proxy.release.is_set():
                    with proxy.lock:
                        proxy.waiting += 1
                    proxy.release.wait(60)
                    with proxy.lock:
                        proxy.waiting -= 1
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "content-length")}
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                self.send_response(answer.status)
                for k, v in answer.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                if streaming and answer.status == 200:
                    # Passed through as it comes, until either side closes.
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    try:
                        while chunk := answer.read1(65536):
                            self.wfile.write(chunk)
                            self.wfile.flush()
                    except OSError:
                        pass
                else:
                    data = answer.read()
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold_streams(self):
        self.release.clear()

    def release_streams(self):
        self.release.set()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
