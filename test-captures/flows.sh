#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The flow table, with exactly the build tree's plugin:
#   1. `-z sessions,flows` (single pass) equals golden/flows/<case>.txt for
#      the lines of flows.txt, and `tshark -2` prints the same table;
#   2. on every capture, `-z sessions,flows,tsv` lists every flow the packets
#      name, and each row's counts are its packets in each direction and the
#      flow's sessions.flow.total_* fields (tshark -2);
#   3. with a filter, the flows with a packet that passes it are listed.
#   flows.sh BUILD_DIR          SESSIONS_REGEN=1 flows.sh BUILD_DIR rewrites goldens
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
# shellcheck source=stage.sh
. "$here/stage.sh"

# 1. goldens
mkdir -p "$here/golden/flows"
ncases=0
while read -r name cap opts; do
  case "$name" in ''|'#'*) continue ;; esac
  out="$stage/out/$name"
  # shellcheck disable=SC2086 # options are words
  ts -r "$caps/$cap" -q $opts > "$out.one" 2> "$out.err" ||
    { fail "$name: tshark failed: $(head -3 "$out.err")"; continue; }
  # shellcheck disable=SC2086
  ts -r "$caps/$cap" -2 -q $opts > "$out.two" 2>/dev/null
  check_golden "$here/golden/flows/$name.txt" "$out.one"
  cmp -s "$out.one" "$out.two" || fail "$name: tshark -2 prints another table"
  ncases=$((ncases + 1))
done < "$here/flows.txt"

# 2. counts against the per-packet fields, every capture
fields=(-e frame.number -e sessions.flow.id -e sessions.flow.dir
        -e sessions.flow.total_pkts -e sessions.flow.total_bytes
        -e sessions.flow.duration -e sessions.flow.state -e sessions.flow.history
        -e sessions.flow.missing)
while read -r cap _; do
  [ -n "$cap" ] || continue
  out="$stage/out/${cap%.*}"
  ts -r "$caps/$cap" -q -z sessions,flows,tsv > "$out.tsv" 2>/dev/null
  ts -r "$caps/$cap" -2 -T fields "${fields[@]}" > "$out.fields" 2>/dev/null
  python3 "$here/golden.py" flows "$out.tsv" "$out.fields" > "$out.check" 2>&1 ||
    { fail "$cap: flow table disagrees with the packets:"; head -5 "$out.check"; }
  ncases=$((ncases + 1))
done < "$here/descriptions.txt"

# 3. a filter: in real-http-v4, flow 0 is frames 1-137 and flow 1 from 138 on.
listed() { ts -r "$caps/real-http-v4.pcap" -q -z "sessions,flows,tsv,$1" 2>/dev/null |
           awk -F'\t' 'NR > 1 { printf "%s ", $1 }'; }
for want in 'frame.number >= 138:1 ' 'frame.number < 100:0 ' 'tcp.flags.fin == 1:0 1 ' \
            'sessions.flow.id == 1:1 ' 'frame.number > 1000:'; do
  filter=${want%%:*}
  got=$(listed "$filter")
  [ "$got" = "${want#*:}" ] || fail "filter $filter lists flows '$got', want '${want#*:}'"
done

echo "$ncases flow table cases, $failures failures"
[ "$failures" -eq 0 ]
