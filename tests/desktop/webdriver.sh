#!/usr/bin/env bash
# End-to-end test of the real desktop binary with WebDriver (tauri-driver + Debian's
# WebKitWebDriver) under Xvfb: the app starts, its embedded node answers, a destination
# created in the UI appears through the node's API, and a screenshot is saved.
#
#   SQLX_OFFLINE=true cargo build -p switchboard -p switchboard-desktop   # (ui/dist built first)
#   tests/desktop/webdriver.sh [path/to/switchboard-desktop] [path/to/switchboard] [artifacts-dir]
#
# Binaries default to $CARGO_TARGET_DIR/debug (or ./target/debug). Installs tauri-driver
# with `cargo install tauri-driver --version ^2 --locked` when it is missing.
# Needs: xvfb-run, xauth, dbus-run-session, WebKitWebDriver (webkit2gtk-driver), python3.
# Writes <artifacts>/desktop-webdriver.png (the window, through WebDriver),
# desktop-webdriver-root.png (the whole virtual display) and logs. Prints
# `N passed, M failed` last; exits non-zero on failure.
set -euo pipefail

fail() { echo "webdriver: FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
note() { echo "webdriver: $*" >&2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- inner part: runs inside xvfb-run + dbus-run-session, so DISPLAY is ours ----------
if [[ ${1:-} == --inner ]]; then
  port=$2 native_port=$3
  tauri-driver --port "$port" --native-port "$native_port" \
    >"$ARTIFACTS/tauri-driver.log" 2>&1 &
  driver=$!
  trap 'kill -TERM "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$driver" 2>/dev/null || { cat "$ARTIFACTS/tauri-driver.log" >&2; fail "tauri-driver exited"; }
    sleep 0.2
  done
  set +e
  DRIVER_URL=http://127.0.0.1:$port python3 "$here/webdriver_client.py"
  code=$?
  set -e
  exit "$code"
fi

# ---- outer part ---------------------------------------------------------------------
repo=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
app=$(realpath -e "${1:-$target/debug/switchboard-desktop}" 2>/dev/null) || fail "no desktop binary (build it: see the header)"
cli=$(realpath -e "${2:-$target/debug/switchboard}" 2>/dev/null) || fail "no switchboard binary (cargo build -p switchboard)"
artifacts=${3:-$repo/tests/artifacts}
mkdir -p "$artifacts"
artifacts=$(realpath "$artifacts")
for tool in xvfb-run xauth dbus-run-session WebKitWebDriver python3 curl setsid; do
  command -v "$tool" >/dev/null || fail "missing tool: $tool (see README for the system packages)"
done
if ! command -v tauri-driver >/dev/null; then
  note "installing tauri-driver (cargo install tauri-driver --version ^2 --locked)"
  cargo install tauri-driver --version '^2' --locked >&2 || fail "could not install tauri-driver"
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
native_port=$(free_port)
[[ $port != "$native_port" ]] || native_port=$(free_port)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-webdriver.XXXXXX")
runner=
cleanup() {
  # Only the process group this script started (xvfb-run, Xvfb, dbus, drivers, the app).
  if [[ -n $runner ]] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM -- "-$runner" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$runner" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp"/{home,config,data,cache,state,runtime,node,profiles}
chmod 700 "$tmp/runtime"
rm -f "$artifacts"/desktop-webdriver*.png

# setsid: the run gets its own process group, which cleanup can end as a whole.
set +e
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data \
  XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state XDG_RUNTIME_DIR=$tmp/runtime \
  SWITCHBOARD_DATA_DIR=$tmp/node SWITCHBOARD_CONFIG_DIR=$tmp/profiles \
  NO_AT_BRIDGE=1 \
  APP=$app DATA_DIR=$tmp/node SWITCHBOARD_BIN=$cli ARTIFACTS=$artifacts \
  setsid xvfb-run -a -s "-screen 0 1280x860x24 -nolisten tcp" \
  dbus-run-session -- bash "${BASH_SOURCE[0]}" --inner "$port" "$native_port" &
runner=$!
wait "$runner"
code=$?
set -e
runner=
((code == 0)) || { note "failed (status $code); logs in $artifacts"; exit 1; }
note "PASS (screenshot $artifacts/desktop-webdriver.png)"
