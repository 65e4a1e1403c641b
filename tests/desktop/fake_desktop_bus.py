#!/usr/bin/env python3
"""The desktop services the app talks to, faked on a private session bus for the tests.

- org.kde.StatusNotifierWatcher: where libayatana-appindicator (Tauri's tray on Linux)
  registers its StatusNotifierItem. Without a watcher the tray would fall back to an
  XEmbed icon that nothing outside the process can read.
- org.freedesktop.Notifications: records every Notify call (the notification plugin's
  desktop notifications).

Each registration and notification is appended as one JSON line to the journal file given
as the only argument, so the test reads what happened from outside the app:
  {"kind": "item", "sender": ":1.7", "path": "/org/ayatana/NotificationItem/...", "pid": 123}
  {"kind": "notify", "sender": ":1.7", "pid": 123, "app": "...", "summary": "...", "body": "..."}
A line {"kind": "ready"} is written once both names are owned.

Needs PyGObject (Debian: python3-gi). Runs until SIGTERM/SIGINT.
"""

import json
import signal
import sys

from gi.repository import Gio, GLib

WATCHER_XML = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>
"""

NOTIFICATIONS_XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg name="app_name" type="s" direction="in"/>
      <arg name="replaces_id" type="u" direction="in"/>
      <arg name="app_icon" type="s" direction="in"/>
      <arg name="summary" type="s" direction="in"/>
      <arg name="body" type="s" direction="in"/>
      <arg name="actions" type="as" direction="in"/>
      <arg name="hints" type="a{sv}" direction="in"/>
      <arg name="expire_timeout" type="i" direction="in"/>
      <arg name="id" type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg name="id" type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg name="caps" type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg name="name" type="s" direction="out"/>
      <arg name="vendor" type="s" direction="out"/>
      <arg name="version" type="s" direction="out"/>
      <arg name="spec_version" type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg name="id" type="u"/><arg name="reason" type="u"/></signal>
    <signal name="ActionInvoked"><arg name="id" type="u"/><arg name="action_key" type="s"/></signal>
  </interface>
</node>
"""


class FakeDesktop:
    def __init__(self, journal_path):
        self.journal = open(journal_path, "a", buffering=1, encoding="utf-8")
        self.items = []
        self.next_id = 1
        self.owned = set()
        self.bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def record(self, entry):
        self.journal.write(json.dumps(entry) + "\n")

    def pid_of(self, sender):
        try:
            reply = self.bus.call_sync(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetConnectionUnixProcessID", GLib.Variant("(s)", (sender,)),
                GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, 2000, None)
            return reply.unpack()[0]
        except GLib.Error:
            return None

    def serve(self, name, path, xml, on_call, on_property):
        info = Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0]
        self.bus.register_object(path, info, on_call, on_property, None)
        Gio.bus_own_name_on_connection(
            self.bus, name, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
            lambda _c, n: self.acquired(n), lambda _c, n: self.lost(n))

    def acquired(self, name):
        self.owned.add(name)
        if len(self.owned) == 2:
            self.record({"kind": "ready"})

    def lost(self, name):
        if name in self.owned:
            sys.exit(0)  # the bus went away: the session is over
        print(f"fake_desktop_bus: could not own {name}", file=sys.stderr, flush=True)
        sys.exit(1)

    # ---- org.kde.StatusNotifierWatcher ----
    def watcher_call(self, conn, sender, _path, _iface, method, params, invocation):
        if method == "RegisterStatusNotifierItem":
            service = params.unpack()[0]
            # Ayatana passes its object path; others pass a bus name (the path is then fixed).
            if service.startswith("/"):
                bus_name, item_path = sender, service
            else:
                bus_name, item_path = service, "/StatusNotifierItem"
            self.items.append(f"{bus_name}{item_path}")
            self.record({"kind": "item", "sender": bus_name, "path": item_path,
                         "pid": self.pid_of(sender)})
            conn.emit_signal(None, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                             "StatusNotifierItemRegistered",
                             GLib.Variant("(s)", (f"{bus_name}{item_path}",)))
        invocation.return_value(None)

    def watcher_property(self, _conn, _sender, _path, _iface, prop):
        if prop == "RegisteredStatusNotifierItems":
            return GLib.Variant("as", self.items)
        if prop == "IsStatusNotifierHostRegistered":
            return GLib.Variant("b", True)
        return GLib.Variant("i", 0)

    # ---- org.freedesktop.Notifications ----
    def notifications_call(self, _conn, sender, _path, _iface, method, params, invocation):
        if method == "Notify":
            app, _replaces, _icon, summary, body, actions, _hints, _timeout = params.unpack()
            nid = self.next_id
            self.next_id += 1
            self.record({"kind": "notify", "id": nid, "sender": sender,
                         "pid": self.pid_of(sender), "app": app, "summary": summary,
                         "body": body, "actions": actions})
            invocation.return_value(GLib.Variant("(u)", (nid,)))
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("fake", "switchboard-tests", "1", "1.2")))
        else:  # CloseNotification
            invocation.return_value(None)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fake_desktop_bus.py JOURNAL")
    desktop = FakeDesktop(sys.argv[1])
    desktop.serve("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", WATCHER_XML,
                  desktop.watcher_call, desktop.watcher_property)
    desktop.serve("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                  NOTIFICATIONS_XML, desktop.notifications_call, None)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
