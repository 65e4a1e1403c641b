# Shared by the desktop tests (smoke.sh, webdriver.sh): a throw-away desktop session for
# the real binary — a temporary HOME and XDG dirs, a virtual display (Xvfb) and a private
# D-Bus session bus — that is ended as a whole when the test ends, plus small helpers.
#
#   DESKTOP_TEST=name; source tests/desktop/lib.sh
#   desktop_scratch                       # $DESKTOP_TMP: home, config, data, … (removed at exit)
#   desktop_run cmd args…                 # runs cmd in the session; returns its status
#
# Inside the session: DISPLAY, DBUS_SESSION_BUS_ADDRESS, HOME and XDG_* point at the
# private ones; NO_AT_BRIDGE=1 keeps the accessibility bus from starting.
# shellcheck shell=bash

: "${DESKTOP_TEST:=desktop}"
DESKTOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DESKTOP_SCREEN=${DESKTOP_SCREEN:-1280x860x24}

fail() { echo "$DESKTOP_TEST: FAIL: $*" >&2; exit 1; }
note() { echo "$DESKTOP_TEST: $*" >&2; }

# desktop_require tool…: fails naming the first tool that is not installed.
desktop_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup test installs it)"
  done
}

# Prints a Python 3 that has PyGObject (Debian: python3-gi), for the D-Bus fakes and
# checks; a python3 first on PATH (pyenv, a venv) may lack the system's modules.
desktop_python() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null && "$py" -c 'import gi' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  fail "no python3 with PyGObject (apt-get install python3-gi)"
}

# desktop_free_port: a free TCP port on loopback.
desktop_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Makes $DESKTOP_TMP with the session's home and XDG dirs; removed (and the session ended)
# when the script exits.
desktop_scratch() {
  DESKTOP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-$DESKTOP_TEST.XXXXXX")
  mkdir -p "$DESKTOP_TMP"/{home,config,data,cache,state,runtime}
  chmod 700 "$DESKTOP_TMP/runtime"
  DESKTOP_RUNNER=
  trap desktop_cleanup EXIT
  trap 'exit 130' INT TERM
}

desktop_cleanup() {
  # Only the process group desktop_run started (xvfb-run, Xvfb, dbus, what ran inside).
  if [[ -n ${DESKTOP_RUNNER:-} ]] && kill -0 "$DESKTOP_RUNNER" 2>/dev/null; then
    kill -TERM -- "-$DESKTOP_RUNNER" 2>/dev/null || true
    local _
    for _ in $(seq 20); do
      kill -0 -- "-$DESKTOP_RUNNER" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$DESKTOP_RUNNER" 2>/dev/null || true
  fi
  [[ -z ${DESKTOP_TMP:-} ]] || rm -rf "$DESKTOP_TMP"
}

# desktop_run cmd args…: runs the command under Xvfb and a private session bus, with
# HOME/XDG dirs in $DESKTOP_TMP; returns its exit status.
desktop_run() {
  local code t=$DESKTOP_TMP
  # setsid: the run gets its own process group, which desktop_cleanup can end as a whole.
  HOME=$t/home XDG_CONFIG_HOME=$t/config XDG_DATA_HOME=$t/data XDG_CACHE_HOME=$t/cache \
    XDG_STATE_HOME=$t/state XDG_RUNTIME_DIR=$t/runtime NO_AT_BRIDGE=1 \
    setsid xvfb-run -a -s "-screen 0 $DESKTOP_SCREEN -nolisten tcp" \
    dbus-run-session -- "$@" &
  DESKTOP_RUNNER=$!
  set +e
  wait "$DESKTOP_RUNNER"
  code=$?
  set -e
  DESKTOP_RUNNER=
  return "$code"
}

# desktop_fake_bus JOURNAL: inside the session, serves a StatusNotifierWatcher (so the
# tray registers where it can be read) and a notification server that journals every
# Notify call (fake_desktop_bus.py); returns once both names are owned. Sets FAKE_BUS_PID.
desktop_fake_bus() {
  local journal=$1 py
  py=$(desktop_python)
  "$py" "$DESKTOP_DIR/fake_desktop_bus.py" "$journal" &
  FAKE_BUS_PID=$!
  desktop_wait 10 "the fake desktop services to start" grep -q '"ready"' "$journal"
}

# desktop_wait SECONDS WHAT cmd args…: polls cmd until it succeeds; fails after SECONDS.
desktop_wait() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "timed out after ${limit}s waiting for $what"
    sleep 0.1
  done
}
