# Shared by the scripts in this folder: paths and the build cache.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
# Build outside the clone so a fresh clone (as CI has) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchboard/target}"
# Queries are checked against .sqlx/ (see scripts/sqlx-prepare), not a live database.
export SQLX_OFFLINE=true
step() { printf '\n==> %s\n' "$*"; }

# Builds the console (ui/dist) from the lock file; fails, saying why, when no index.html came
# out, so a release never embeds a console-less node.
build_console() {
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
  if [ ! -f "$ROOT/ui/dist/index.html" ]; then
    echo "ui/dist/index.html is missing after the UI build; not building a console-less node" >&2
    return 1
  fi
}
