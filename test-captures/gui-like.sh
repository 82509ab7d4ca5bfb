#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The GUI's way of dissecting, which tshark has no mode for: load the file
# once (first pass), then dissect frames on demand, in any order.  sharkd
# (the GUI's engine without the GUI) loads each capture, then asks for every
# frame from the last to the first; Sessions' fields on each frame must equal
# `tshark -2`'s.  (tshark -2, single pass and single pass with a filter that
# displays a later frame are checked by run.sh, steps 2, 3 and 5.)
#   gui-like.sh BUILD_DIR
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: gui-like.sh BUILD_DIR}" && pwd)"
# shellcheck source=stage.sh
. "$here/stage.sh"
fields=(sessions.flow.id sessions.flow.dir sessions.flow.pkts sessions.flow.bytes
        sessions.flow.total_pkts sessions.flow.total_bytes sessions.flow.duration
        sessions.tcp.offset sessions.tcp.len sessions.msg sessions.msg.length
        sessions.msg.frames sessions.ip.reassembled sessions.ip.reassembled_in)
failures=0
for cap in http-one-connection.pcap real-http-v4.pcap ip-frag-tcp.pcap tcp-reordered.pcap; do
  out="$stage/out/${cap%.*}"
  n=$(ts -r "$caps/$cap" -T fields -e frame.number 2>/dev/null | tail -1)
  { echo "{\"jsonrpc\":\"2.0\",\"id\":1000000000,\"method\":\"load\",\"params\":{\"file\":\"$caps/$cap\"}}"
    for ((f = n; f >= 1; f--)); do
      echo "{\"jsonrpc\":\"2.0\",\"id\":$f,\"method\":\"frame\",\"params\":{\"frame\":$f,\"proto\":true}}"
    done; } > "$out.rpc"
  (cd "$stage" && "${as_user[@]}" env HOME="$stage/home" XDG_CONFIG_HOME="$stage/home/.config" \
     WIRESHARK_PLUGIN_DIR="$stage/plugins" sharkd - < "$out.rpc" > "$out.sharkd" 2> "$out.sharkd-err")
  ts -r "$caps/$cap" -2 -T fields -E occurrence=a -e frame.number \
     "${fields[@]/#/-e}" > "$out.two" 2>/dev/null
  if python3 - "$out.sharkd" "$out.two" "${fields[@]}" > "$out.diff" <<'EOF'
import json, sys
sharkd, two, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
def norm(v):  # sharkd quotes strings and writes bytes with colons
    return v.strip('"').replace(':', '')
got = {}
for line in open(sharkd):
    if not line.startswith('{'):
        continue
    r = json.loads(line)
    if not isinstance(r.get('result'), dict) or 'tree' not in r['result']:
        continue
    vals = {f: [] for f in fields}
    def walk(nodes):
        for x in nodes:
            name, _, value = x.get('f', '').partition(' == ')
            if name in vals:
                vals[name].append(norm(value))
            walk(x.get('n', []))
    walk(r['result']['tree'])
    got[r['id']] = vals
want = {}
for line in open(two):
    cols = line.rstrip('\n').split('\t')
    want[int(cols[0])] = {f: [norm(v) for v in c.split(',')] if c else []
                          for f, c in zip(fields, cols[1:])}
bad = 0
for frame in sorted(want):
    if got.get(frame) != want[frame]:
        bad += 1
        if bad <= 5:
            print(f"frame {frame}:\n  tshark -2: {want[frame]}\n  sharkd:    {got.get(frame)}")
if len(want) < 2:
    print("tshark -2 printed no frames"); bad += 1
sys.exit(1 if bad else 0)
EOF
  then
    echo "PASS gui-like ${cap%.*}: $n frames, last to first, equal tshark -2"
  else
    echo "FAIL gui-like ${cap%.*}: sharkd differs from tshark -2"; head -20 "$out.diff"
    head -3 "$out.sharkd-err"
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ]
