#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Public captures (other projects' test suites, see SOURCES): for every TCP
# stream direction, Sessions' messages concatenated by offset (framers off)
# against Wireshark's Follow TCP Stream (raw, tcp.reassemble_out_of_order
# on); for every frame completing an IP datagram, sessions.ip.reassembled
# against ip/ipv6.reassembled.data.  A difference must be explained: by the
# hole rule (Sessions reports the bytes missing, Follow agrees up to the
# hole and has nothing beyond it) or by a line of known.txt whose reason
# README.md ("Public captures") gives.  Prints PASS/FAIL per capture and a
# summary; exits non-zero on any unexplained difference.
#   public/run.sh BUILD_DIR [CAPTURE_DIR]   (CAPTURE_DIR: another flat
#                                            folder of captures to survey)
# SESSIONS_JOBS (2) tshark runs at once; SESSIONS_PUBLIC_OUT keeps outputs.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: run.sh BUILD_DIR [CAPTURE_DIR]}" && pwd)"
src="$(cd "${2:-$here}" && pwd)"
jobs_max=${SESSIONS_JOBS:-2}
# stage.sh copies $here's captures: point it at the folder surveyed
# shellcheck source=../stage.sh
here_saved=$here; here=$src; . "$here_saved/../stage.sh"; here=$here_saved
out="${SESSIONS_PUBLIC_OUT:-$stage/out}"   # set to keep tshark's outputs
mkdir -p "$out"
noframers=(-o 'sessions.http_ports:' -o 'sessions.tls_ports:' -o 'sessions.dns_ports:'
           -o sessions.heuristics:FALSE)
frame_fields=(-e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e sessions.flow.id
              -e sessions.flow.dir -e frame.protocols -e frame.number
              -e ip.reassembled.data -e ipv6.reassembled.data -e sessions.ip.reassembled
              -e ip.reassembled_in -e ipv6.reassembled.in -e sessions.ip.reassembled_in
              -e sessions.ip.fragments)

one() { # CAPTURE: writes $out/CAPTURE.frames, .both and .replay
  local cap=$1 o="$out/$1" n s follow=()
  ts -r "$caps/$cap" -2 -T fields -E occurrence=a "${frame_fields[@]}" > "$o.frames" 2> "$o.err"
  n=$(cut -f1 "$o.frames" | tr ',' '\n' | sort -n | tail -1)
  for ((s = 0; s <= ${n:--1}; s++)); do follow+=(-z "follow,tcp,raw,$s"); done
  ts -r "$caps/$cap" -2 -o tcp.reassemble_out_of_order:TRUE "${noframers[@]}" \
    -T json -J "frame sessions" --no-duplicate-keys "${follow[@]}" > "$o.both" 2>> "$o.err"
  "$build/sessions-replay" --print events "$caps/$cap" > "$o.replay" 2>> "$o.err"
}

mapfile -t captures < <(cd "$caps" && ls -- *.pcap *.pcapng 2>/dev/null | sort)
[ "${#captures[@]}" -gt 0 ] || { echo "FAIL public: no capture in $src"; exit 1; }
for cap in "${captures[@]}"; do
  one "$cap" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
wait
python3 "$here/../diff/compare.py" corpus "$out" "$here/known.txt" "${captures[@]}"
