#!/usr/bin/env bash
# End-to-end test of the real desktop binary with WebDriver (tauri-driver + Debian's
# WebKitWebDriver) under Xvfb and a private session bus, on which fake_desktop_bus.py
# plays the panel's tray host and the notification server: the UI against the embedded
# node, the tray count and the desktop notification when a destination is disabled, the
# node selector clicked to a second node (and the tray race there), the window's size and
# position and the chosen node across a relaunch. See webdriver_client.py for the steps.
#
#   SQLX_OFFLINE=true cargo build -p switchboard -p switchboard-desktop   # (ui/dist built first)
#   tests/desktop/webdriver.sh [path/to/switchboard-desktop] [path/to/switchboard] [artifacts-dir]
#
# Binaries default to $CARGO_TARGET_DIR/debug (or ./target/debug). Installs tauri-driver
# with `cargo install tauri-driver --version ^2 --locked` when it is missing.
# Needs: xvfb-run, xauth, dbus-run-session, WebKitWebDriver (webkit2gtk-driver), python3
# with PyGObject (python3-gi). Writes <artifacts>/desktop-webdriver*.png and logs. Prints
# `N passed, M failed` last; exits non-zero on failure.
set -euo pipefail
DESKTOP_TEST=webdriver
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail() { echo "webdriver: FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# ---- inner part: runs inside the private desktop session ------------------------------
if [[ ${1:-} == --inner ]]; then
  port=$2 native_port=$3
  desktop_fake_bus "$BUS_JOURNAL"
  tauri-driver --port "$port" --native-port "$native_port" \
    >"$ARTIFACTS/tauri-driver.log" 2>&1 &
  driver=$!
  trap 'kill -TERM "$driver" "$FAKE_BUS_PID" 2>/dev/null || true; wait "$driver" "$FAKE_BUS_PID" 2>/dev/null || true' EXIT
  driver_listens() {
    kill -0 "$driver" || { cat "$ARTIFACTS/tauri-driver.log" >&2; fail "tauri-driver exited"; }
    (exec 3<>"/dev/tcp/127.0.0.1/$port")
  }
  desktop_wait 20 "tauri-driver to listen on $port" driver_listens
  set +e
  DRIVER_URL=http://127.0.0.1:$port "$(desktop_python)" "$DESKTOP_DIR/webdriver_client.py"
  code=$?
  set -e
  exit "$code"
fi

# ---- outer part ---------------------------------------------------------------------
repo=$(cd "$DESKTOP_DIR/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
app=$(realpath -e "${1:-$target/debug/switchboard-desktop}" 2>/dev/null) || fail "no desktop binary (build it: see the header)"
cli=$(realpath -e "${2:-$target/debug/switchboard}" 2>/dev/null) || fail "no switchboard binary (cargo build -p switchboard)"
artifacts=${3:-$repo/tests/artifacts}
mkdir -p "$artifacts"
artifacts=$(realpath "$artifacts")
desktop_require xvfb-run xauth dbus-run-session WebKitWebDriver python3 curl setsid import xdotool
desktop_python >/dev/null
if ! command -v tauri-driver >/dev/null; then
  note "installing tauri-driver (cargo install tauri-driver --version ^2 --locked)"
  cargo install tauri-driver --version '^2' --locked >&2 || fail "could not install tauri-driver"
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

port=$(desktop_free_port)
native_port=$(desktop_free_port)
[[ $port != "$native_port" ]] || native_port=$(desktop_free_port)

desktop_scratch
mkdir -p "$DESKTOP_TMP"/{node,profiles}
rm -f "$artifacts"/desktop-webdriver*.png
t=$DESKTOP_TMP
if ! SWITCHBOARD_DATA_DIR=$t/node SWITCHBOARD_CONFIG_DIR=$t/profiles \
  APP=$app DATA_DIR=$t/node SWITCHBOARD_BIN=$cli ARTIFACTS=$artifacts BUS_JOURNAL=$t/bus.jsonl \
  desktop_run bash "${BASH_SOURCE[0]}" --inner "$port" "$native_port"; then
  [[ ! -f $t/bus.jsonl ]] || cp "$t/bus.jsonl" "$artifacts/desktop-webdriver-bus.jsonl"
  note "failed; logs in $artifacts"
  exit 1
fi
note "PASS (screenshots $artifacts/desktop-webdriver*.png)"
