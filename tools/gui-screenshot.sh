#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Starts the Wireshark GUI under Xvfb with this build's plugin on a capture,
# selects a packet, expands its Sessions subtree and saves a screenshot.
#   tools/gui-screenshot.sh [CAPTURE] [FRAME] [OUT.png]
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
capture="${1:-$top/test-captures/http-one-connection.pcap}"
frame="${2:-6}"
out="${3:-$PWD/sessions-gui.png}"
"$top/tools/deps.sh" wireshark-qt xvfb xauth imagemagick x11-utils xdotool

release=$(basename "$(pkg-config --variable=plugindir wireshark)")
plugin="$top/build/plugins/$release/epan/sessions.so"
[ -f "$plugin" ] || { echo "build first: ./setup.sh" >&2; exit 1; }
stage=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$stage"' EXIT
mkdir -p "$stage/plugins/$release/epan" "$stage/home/.config/wireshark"
cp "$plugin" "$stage/plugins/$release/epan/"
cp "$capture" "$stage/capture"
# A large main window, the packet list, details and bytes panes.
cat > "$stage/home/.config/wireshark/recent_common" <<'RECENT'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1400
gui.geometry_main_height: 1000
gui.geometry_main_maximized: TRUE
RECENT
chmod -R a+rwX "$stage"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

Xvfb :77 -screen 0 1400x1000x24 >/dev/null 2>&1 &
sleep 2
DISPLAY=:77 "${as_user[@]}" env HOME="$stage/home" \
  XDG_CONFIG_HOME="$stage/home/.config" WIRESHARK_PLUGIN_DIR="$stage/plugins" \
  wireshark -r "$stage/capture" -g "$frame" >/dev/null 2>&1 &
sleep 12
# Click the last line of the packet details (the Sessions subtree: a
# postdissector comes last) and expand everything under it.
export DISPLAY=:77
win=$(xdotool search --onlyvisible --name 'capture' | head -1 || true)
if [ -n "$win" ]; then
  xdotool windowsize "$win" 1400 1000 windowmove "$win" 0 0
  sleep 2
  xdotool mousemove 100 545 click 1 key End key shift+Right >/dev/null 2>&1 || true
  sleep 2
fi
import -window root "$out"
echo "screenshot: $out"
