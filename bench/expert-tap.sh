#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Times `tshark -2 -q -z expert,sessions` on incomplete-fragment floods of
# growing size (bench/hostile.py frag-flood): with one fixed summary per
# expert kind the tap's time grows with the frames, not with their square.
#   bench/expert-tap.sh [BUILD_DIR] [SIZES...]     (sizes: 25000 50000 100000)
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$top/build}" && pwd)"
shift || true
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(25000 50000 100000)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/home"
cp -R "$build/plugins" "$stage/"   # plugins/<major.minor>/epan/sessions.so
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for n in "${sizes[@]}"; do
  python3 "$top/bench/hostile.py" frag-flood "$stage/flood.pcap" "$n"
  chmod -R a+rwX "$stage"
  for args in "-2 -q -z expert,sessions" "-2 -q -z expert,sessions --disable-protocol sessions" "-2 -T fields -e frame.number"; do
    # shellcheck disable=SC2086
    "${as_user[@]}" env HOME="$stage/home" WIRESHARK_PLUGIN_DIR="$stage/plugins" \
      WIRESHARK_EXTCAP_DIR= /usr/bin/time -f "%e s %M KB" -o "$stage/time" \
      tshark -n -r "$stage/flood.pcap" $args > "$stage/out" 2>&1
    printf '%7d frames  %-55s %s\n' "$n" "$args" "$(cat "$stage/time")"
  done
done
