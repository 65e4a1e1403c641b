#!/usr/bin/env bash
# Package test: unpacks the .deb that scripts/package made (dpkg -x, no install), checks
# what it carries (the desktop app, the headless node and CLI with the console embedded, the
# systemd unit, the example settings, completions, the man page, maintainer scripts), starts
# the unpacked node with the packaged settings and sees it answer, then launches the unpacked
# desktop app under Xvfb through the smoke test (its embedded node must answer).
#
#   tests/desktop/package.sh path/to/switchboard_<version>_<arch>.deb [artifacts-dir]
set -euo pipefail
DESKTOP_TEST=package
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || fail "usage: $0 path/to/switchboard.deb [artifacts-dir]"
deb=$(realpath -e "$1" 2>/dev/null) || fail "no such package: $1"
artifacts=${2:-$DESKTOP_DIR/../artifacts}
desktop_require dpkg-deb curl python3
desktop_scratch
root=$DESKTOP_TMP/root
dpkg-deb -x "$deb" "$root"
note "unpacked $(basename "$deb") into a temp dir"

# ---- what the package says and carries -----------------------------------------------
[[ $(dpkg-deb -f "$deb" Package) == switchboard ]] || fail "package name is not switchboard"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 adduser; do
  [[ $depends == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
control=$DESKTOP_TMP/control
dpkg-deb -e "$deb" "$control"
for script in postinst postrm; do
  [[ -x $control/$script ]] || fail "no executable $script maintainer script"
  sh -n "$control/$script" || fail "$script is not valid sh"
done
for file in usr/bin/switchboard-desktop usr/bin/switchboard \
  usr/lib/systemd/system/switchboard.service usr/share/switchboard/node.example.toml \
  usr/share/man/man1/switchboard.1.gz usr/share/bash-completion/completions/switchboard \
  usr/share/zsh/vendor-completions/_switchboard usr/share/fish/vendor_completions.d/switchboard.fish \
  usr/share/applications/Switchboard.desktop; do
  [[ -s $root/$file ]] || fail "the package lacks /$file"
done
grep -qx 'ExecStart=/usr/bin/switchboard serve' "$root/usr/lib/systemd/system/switchboard.service" \
  || fail "the unit does not start the packaged node"
grep -q '^Exec=switchboard-desktop' "$root/usr/share/applications/Switchboard.desktop" \
  || fail "the desktop entry does not start the packaged app"
zcat "$root/usr/share/man/man1/switchboard.1.gz" | grep -q '^\.TH switchboard 1' || fail "the man page has no .TH switchboard 1"
bash -n "$root/usr/share/bash-completion/completions/switchboard" || fail "the bash completion is not valid bash"
grep -q 'complete -F _switchboard' "$root/usr/share/bash-completion/completions/switchboard" \
  || fail "the bash completion does not complete switchboard"
note "control fields, maintainer scripts and files are all there"

# ---- the headless node, as the unit would start it ---------------------------------------
node=$root/usr/bin/switchboard
version=$(dpkg-deb -f "$deb" Version)
[[ $("$node" --version) == "switchboard $version" ]] || fail "switchboard --version is not $version"
port=$(desktop_free_port)
mkdir -p "$DESKTOP_TMP/node-data"
SWITCHBOARD_SECRET_STORE=file "$node" serve --config "$root/usr/share/switchboard/node.example.toml" \
  --data-dir "$DESKTOP_TMP/node-data" --listen "127.0.0.1:$port" >"$DESKTOP_TMP/serve.log" 2>&1 &
serve=$!
stop_serve() { kill -TERM "$serve" 2>/dev/null || true; wait "$serve" 2>/dev/null || true; }
desktop_wait 30 "the packaged node to answer /healthz" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"
curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="root"' \
  || { stop_serve; fail "the packaged node does not serve the console at /"; }
stop_serve
note "the packaged node answers with the packaged settings and serves the console"

# ---- the desktop app, from where it was unpacked -----------------------------------------
"$DESKTOP_DIR/smoke.sh" "$root/usr/bin/switchboard-desktop" "$artifacts/package" || fail "the unpacked app failed the smoke test"
note "PASS"
