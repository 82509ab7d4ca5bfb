#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sessions, first command: install what is missing, build, install the
# plugin where Wireshark loads it for this user, and show it working.
set -euo pipefail
cd "$(dirname "$0")"

tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

# Wireshark loads plugins from plugins/<major.minor>/epan, its release.
plugindir="$(pkg-config --variable=plugindir wireshark)"
release="$(basename "$plugindir")"
plugin="build/plugins/$release/epan/sessions.so"
global="$plugindir/epan"
if [ "$(id -u)" -eq 0 ]; then
  # Root ignores personal plugin folders: install globally, replacing any
  # older copy.
  install -D -m 0644 "$plugin" "$global/sessions.so"
  echo "Installed $global/sessions.so"
else
  personal="$HOME/.local/lib/wireshark/plugins/$release/epan"
  install -D -m 0644 "$plugin" "$personal/sessions.so"
  echo "Installed $personal/sessions.so"
  if [ -e "$global/sessions.so" ] && ! cmp -s "$plugin" "$global/sessions.so"; then
    echo "WARNING: an older global copy $global/sessions.so shadows the one just" >&2
    echo "installed (a global plugin wins over a personal one). Fix with:" >&2
    echo "  sudo rm $global/sessions.so     # or: sudo ./setup.sh" >&2
  fi
fi

capture=test-captures/http-one-connection.pcap
echo
echo "== Flows and reassembled messages in $capture =="
tshark -r "$capture" -2 -Y sessions.msg -T fields -E header=y -E occurrence=a \
  -e frame.number -e sessions.flow -e sessions.msg.proto \
  -e sessions.msg.length -e sessions.msg.info
echo
echo "== Flow summaries =="
tshark -r "$capture" -2 -Y 'sessions.flow.pkts == sessions.flow.total_pkts' \
  -T fields -E header=y -e sessions.flow.id -e sessions.flow \
  -e sessions.flow.total_pkts -e sessions.flow.total_bytes \
  -e sessions.flow.state -e sessions.flow.history
