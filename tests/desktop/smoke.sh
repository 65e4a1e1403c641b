#!/usr/bin/env bash
# Desktop smoke test: launches the built shell under Xvfb, waits for its embedded node to
# answer GET /healthz, screenshots the display; then launches it twice more on the same
# dirs and session (single instance: each second launch must exit promptly with status 0,
# the first keeps running, and its window takes the focus back / is shown again), and shuts
# the app down gracefully with SIGTERM.
#
#   tests/desktop/smoke.sh path/to/switchboard-desktop [artifacts-dir]
#
# Needs: xvfb-run, dbus-run-session, xdotool, import + convert (ImageMagick), curl.
# Writes <artifacts>/desktop-smoke.png and desktop-smoke*.log. Exit 0 only when all passed.
set -euo pipefail
DESKTOP_TEST=smoke
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

READY_TIMEOUT=${SMOKE_READY_TIMEOUT:-60}   # seconds until the node must answer
RENDER_WAIT=${SMOKE_RENDER_WAIT:-4}        # seconds for the page to paint and poll once
EXIT_TIMEOUT=${SMOKE_EXIT_TIMEOUT:-15}     # seconds for a graceful exit after SIGTERM
SECOND_TIMEOUT=${SMOKE_SECOND_TIMEOUT:-10} # seconds for a second launch to hand over and exit

# ---- inner part: runs inside the private desktop session ------------------------------
if [[ ${1:-} == --inner ]]; then
  bin=$2 shot=$3 log=$4 data=$SWITCHBOARD_DATA_DIR
  "$bin" >"$log" 2>&1 &
  app=$!
  stop_app() {
    kill -0 "$app" 2>/dev/null || return 0
    kill -TERM "$app" 2>/dev/null || true
    for _ in $(seq $((EXIT_TIMEOUT * 10))); do
      kill -0 "$app" 2>/dev/null || return 0
      sleep 0.1
    done
    note "app did not exit within ${EXIT_TIMEOUT}s of SIGTERM; killing it"
    kill -KILL "$app" 2>/dev/null || true
    return 1
  }
  trap 'stop_app || true' EXIT

  base=
  deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    kill -0 "$app" 2>/dev/null || { tail -n 30 "$log" >&2; fail "the app exited before its node was ready (log above)"; }
    if [[ -z $base && -s $data/node.json ]]; then
      base=$(sed -n 's/.*"baseUrl"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$data/node.json")
    fi
    if [[ -n $base ]] && curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1; then
      break
    fi
    ((SECONDS < deadline)) || {
      tail -n 30 "$log" >&2
      [[ -n $base ]] || fail "no baseUrl in $data/node.json after ${READY_TIMEOUT}s"
      fail "$base/healthz did not answer 2xx within ${READY_TIMEOUT}s"
    }
    sleep 0.5
  done
  case $base in
    http://127.0.0.1:*) ;;
    *) fail "the embedded node must listen on loopback, got $base" ;;
  esac
  note "node ready at $base"

  sleep "$RENDER_WAIT"
  import -window root "$shot" || fail "import could not capture the display"
  # A window that never painted leaves the root a single flat colour.
  spread=$(convert "$shot" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || fail "screenshot looks blank (std dev $spread): $shot"
  note "screenshot: $shot"

  # ---- single instance --------------------------------------------------------------
  # Without a window manager the X server itself says what is mapped and focused.
  win=$(xdotool search --all --pid "$app" --name '^Switchboard$' | head -n 1)
  [[ -n $win ]] || fail "no window named Switchboard belongs to the app"
  root=$(xdotool search --maxdepth 0 '' | head -n 1)
  focused() { [[ $(xdotool getwindowfocus) == "$1" ]]; }
  shown() { xdotool search --onlyvisible --all --pid "$app" --name '^Switchboard$' | grep -qx "$win"; }
  hidden() { ! shown; }
  second_launch() { # $1: what the log is called
    local second code started=$SECONDS t0=${EPOCHREALTIME/./}
    "$bin" >"${log%.log}-$1.log" 2>&1 &
    second=$!
    while kill -0 "$second" 2>/dev/null; do
      ((SECONDS - started < SECOND_TIMEOUT)) || {
        kill -KILL "$second" 2>/dev/null || true
        fail "a second launch ($1) was still running after ${SECOND_TIMEOUT}s"
      }
      sleep 0.1
    done
    set +e; wait "$second"; code=$?; set -e
    ((code == 0)) || { tail -n 20 "${log%.log}-$1.log" >&2; fail "a second launch ($1) exited with status $code"; }
    kill -0 "$app" 2>/dev/null || fail "the first instance died when a second one was launched ($1)"
    # The first keeps its node; the second started none (it would announce its own).
    [[ $(sed -n 's/.*"baseUrl"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$data/node.json") == "$base" ]] \
      || fail "node.json changed after a second launch ($1)"
    curl -fsS --max-time 2 "$base/healthz" >/dev/null || fail "the first node stopped answering ($1)"
    note "second launch ($1) handed over and exited 0 after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
  }

  xdotool windowfocus "$root"
  desktop_wait 5 "the focus to leave the window" focused "$root"
  second_launch focus
  desktop_wait 10 "the first instance's window to take the focus back" focused "$win"
  note "the first instance's window has the focus again"

  xdotool windowunmap "$win"
  desktop_wait 5 "the window to be unmapped" hidden
  second_launch hidden
  desktop_wait 10 "the first instance's window to be shown again" shown
  # Not asserted here: the focus of a window that was just mapped again. Without a window
  # manager GTK focuses with XSetInputFocus, which fails while the map is still pending (a
  # window manager gets _NET_ACTIVE_WINDOW instead and focuses once it is mapped).
  note "the first instance's window is shown again"

  trap - EXIT
  stop_app || fail "the app needed SIGKILL to exit"
  set +e; wait "$app"; code=$?; set -e
  ((code == 0)) || { tail -n 30 "$log" >&2; fail "the app exited with status $code after SIGTERM"; }
  [[ ! -e $data/node.json ]] || fail "the app left a stale $data/node.json behind"
  exit 0
fi

# ---- outer part ---------------------------------------------------------------------
[[ $# -ge 1 ]] || fail "usage: $0 path/to/switchboard-desktop [artifacts-dir]"
bin=$(realpath -e "$1" 2>/dev/null) || fail "no such binary: $1"
[[ -x $bin ]] || fail "not executable: $bin"
repo=$(cd "$DESKTOP_DIR/../.." && pwd)
artifacts=${2:-$repo/tests/artifacts}
mkdir -p "$artifacts"
artifacts=$(realpath "$artifacts")
desktop_require xvfb-run xauth dbus-run-session xdotool import convert curl setsid

desktop_scratch
mkdir -p "$DESKTOP_TMP/node"
shot=$artifacts/desktop-smoke.png
log=$artifacts/desktop-smoke.log
rm -f "$shot" "$log" "${log%.log}"-*.log

SWITCHBOARD_DATA_DIR=$DESKTOP_TMP/node desktop_run bash "${BASH_SOURCE[0]}" --inner "$bin" "$shot" "$log" \
  || fail "desktop smoke test failed; app log: $log"
note "PASS (screenshot $shot)"
