#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package round trip, as a user meets it: `cpack -G DEB` in a
# build tree, install the .deb with apt, run tshark unprivileged with no
# WIRESHARK_PLUGIN_DIR on a capture and see Sessions' fields, remove the
# package, see them gone and the global plugin folder as it was.
#   tools/deb-check.sh [BUILD_DIR]      (root; CI runs it on every release)
# A sessions.so already in the global folder (./setup.sh as root) is moved
# aside while the package is installed and put back afterwards.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$top/build}" && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "deb-check.sh installs a package: run it as root" >&2; exit 1; }
if dpkg-query -W -f='${Status}' wireshark-sessions 2>/dev/null | grep -q "install ok installed"; then
  echo "wireshark-sessions is installed already; remove it first" >&2; exit 1
fi
global="$(pkg-config --variable=plugindir wireshark)/epan"
work=$(mktemp -d)
aside=""
restore() {
  dpkg -r wireshark-sessions >/dev/null 2>&1 || true
  if [ -n "$aside" ]; then mv "$aside" "$global/sessions.so"; fi
  rm -rf "$work"
}
trap restore EXIT
if [ -e "$global/sessions.so" ]; then
  aside="$work/sessions.so.aside"
  mv "$global/sessions.so" "$aside"
fi

(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; echo "FAIL: cpack -G DEB" >&2; exit 1; }
deb=$(ls "$build"/wireshark-sessions_*_"$(dpkg --print-architecture)".deb)
echo "built $(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
lib=$(dpkg-deb -f "$deb" Depends)
dpkg-query -S "$(readlink -f "$(pkg-config --variable=libdir wireshark)/libwireshark.so")" |
  grep -q "^$lib:" || { echo "FAIL: Depends '$lib' is not the package of the linked libwireshark" >&2; exit 1; }
dpkg-deb -c "$deb" | grep -q "${global#/}/sessions.so$" ||
  { echo "FAIL: the package does not put sessions.so in $global" >&2; exit 1; }

cp "$top/test-captures/http-one-connection.pcap" "$work/"
chmod -R a+rX "$work"
# tshark as nobody, no WIRESHARK_PLUGIN_DIR: only installed plugins load.
fields() {
  (cd "$work" && setpriv --reuid=65534 --regid=65534 --clear-groups \
     env -u WIRESHARK_PLUGIN_DIR HOME="$work" tshark -r "$work/http-one-connection.pcap" \
     -2 -Y sessions.msg -T fields -e frame.number -e sessions.msg.proto 2>&1)
}
failures=0
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; echo "FAIL: apt-get install $deb" >&2; exit 1; }
installed=$(fields)
if grep -q $'^[0-9]*\thttp' <<<"$installed"; then
  echo "PASS installed: tshark shows $(grep -c $'\thttp' <<<"$installed") frames with HTTP messages"
else
  echo "FAIL installed: no Sessions fields: $(head -3 <<<"$installed")"; failures=$((failures + 1))
fi
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq wireshark-sessions >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; echo "FAIL: apt-get remove wireshark-sessions" >&2; exit 1; }
removed=$(fields || true)
if [ ! -e "$global/sessions.so" ] && grep -q "sessions.msg" <<<"$removed" &&
   ! grep -q $'^[0-9]*\thttp' <<<"$removed"; then
  echo "PASS removed: $global/sessions.so gone, tshark: $(head -1 <<<"$removed")"
else
  echo "FAIL removed: Sessions still loads: $(head -3 <<<"$removed")"; failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
