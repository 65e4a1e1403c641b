#!/usr/bin/env bash
# Desktop smoke test: launches the built shell under Xvfb, waits for its embedded node
# to answer GET /healthz, screenshots the display, then shuts the app down gracefully.
#
#   tests/desktop/smoke.sh path/to/switchboard-desktop [artifacts-dir]
#
# Needs: xvfb-run, dbus-run-session, import + convert (ImageMagick), curl.
# Writes <artifacts>/desktop-smoke.png and desktop-smoke.log. Exit 0 only when all passed.
set -euo pipefail

READY_TIMEOUT=${SMOKE_READY_TIMEOUT:-60}   # seconds until the node must answer
RENDER_WAIT=${SMOKE_RENDER_WAIT:-4}        # seconds for the page to paint and poll once
EXIT_TIMEOUT=${SMOKE_EXIT_TIMEOUT:-15}     # seconds for a graceful exit after SIGTERM

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
note() { echo "smoke: $*" >&2; }

# ---- inner part: runs inside xvfb-run + dbus-run-session, so DISPLAY is ours ----------
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
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
artifacts=${2:-$repo/tests/artifacts}
mkdir -p "$artifacts"
artifacts=$(realpath "$artifacts")
for tool in xvfb-run xauth dbus-run-session import convert curl setsid; do
  command -v "$tool" >/dev/null || fail "missing tool: $tool (see README for the system packages)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-smoke.XXXXXX")
runner=
cleanup() {
  # Only the process group this script started (xvfb-run, Xvfb, dbus, the app).
  if [[ -n $runner ]] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM -- "-$runner" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$runner" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp"/{home,config,data,cache,state,runtime,node}
chmod 700 "$tmp/runtime"
shot=$artifacts/desktop-smoke.png
log=$artifacts/desktop-smoke.log
rm -f "$shot" "$log"

# setsid: the run gets its own process group, which cleanup can end as a whole.
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data \
  XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state XDG_RUNTIME_DIR=$tmp/runtime \
  SWITCHBOARD_DATA_DIR=$tmp/node NO_AT_BRIDGE=1 \
  setsid xvfb-run -a -s "-screen 0 1280x860x24 -nolisten tcp" \
  dbus-run-session -- bash "${BASH_SOURCE[0]}" --inner "$bin" "$shot" "$log" &
runner=$!

set +e
wait "$runner"
code=$?
set -e
runner=
((code == 0)) || fail "desktop smoke test failed (status $code); app log: $log"
note "PASS (screenshot $shot)"
