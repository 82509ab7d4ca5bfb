#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential test: Sessions against Wireshark's own reassembly and against
# Scapy 2.5.0, on the captures of test-captures/. One line per check (PASS,
# FAIL, skip; `note` lines explain known differences, see README.md,
# "Differences"); exits non-zero if any check failed.
#   1. ip-agreement     sessions.ip.reassembled == ip/ipv6.reassembled.data,
#                       same frames, on captures without overlaps
#   2. tcp-follow       each TCP stream direction == tshark -z follow,tcp,raw
#                       (real captures without impairment; framers off; the
#                       ACK-before-data copies against their unimpaired
#                       recording's)
#   3. http-boundaries  frames completing HTTP requests/responses ==
#                       Wireshark's with tcp.reassemble_out_of_order
#   4. scapy-http/-ip   HTTP messages with a Content-Length (in order, and
#                       with two segments swapped) and in-order IPv4
#                       fragments == Scapy's TCPSession / IPSession
#   5. export-objects   --export-objects sessions files == the messages
#   6. handoff          handoff gives Wireshark's HTTP a response it misses
#   7. flow-2pass       -Y 'sessions.flow.id == 1' rows equal with/without -2
#   differential.sh BUILD_DIR
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: differential.sh BUILD_DIR}" && pwd)"
py=${PYTHON:-python3}
scapy_py=${SCAPY_PYTHON:-/usr/bin/python3}
cmp_py="$here/diff/compare.py"
# Wireshark's own results differ per release (README.md, "Per release").
ws_release=$(tshark --version | sed -n '1s/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
# shellcheck source=stage.sh
. "$here/stage.sh"
out="$stage/out"
failures=0
checks=0
pass() { echo "PASS $*"; checks=$((checks + 1)); }
fail() { echo "FAIL $*"; checks=$((checks + 1)); failures=$((failures + 1)); }
# runs compare.py, counting its PASS/FAIL lines
compare() {
  local res
  res=$("$py" "$cmp_py" "$@")
  local rc=$?
  [ -n "$res" ] && echo "$res"
  checks=$((checks + $(grep -c '^\(PASS\|FAIL\) ' <<<"$res")))
  failures=$((failures + $(grep -c '^FAIL ' <<<"$res")))
  [ "$rc" -eq 0 ] || grep -q '^FAIL ' <<<"$res" ||
    fail "compare.py $1 $2 exited $rc"
}
# tshark -2 JSON of the Sessions layer (with frame numbers)
sessions_json() { # CAP OUT [options]
  local cap="$1" dst="$2"; shift 2
  ts -r "$caps/$cap" -2 "$@" -T json -J "frame sessions" --no-duplicate-keys \
    > "$dst" 2> "$dst.err" || { fail "tshark on $cap: $(head -2 "$dst.err")"; return 1; }
}
names() { # captures of test-captures/ matching the globs, by name
  local g f
  for g in "$@"; do
    for f in "$caps"/$g; do [ -e "$f" ] && basename "$f"; done
  done | sort -u
}

# 1. IP defragmentation agrees with Wireshark's, on every fragment capture.
# Where fragments overlap, Wireshark's result is the BSD policy's on these
# layouts, so those captures run with -o sessions.ip_policy:bsd.
for cap in $(names 'ip-frag-*.pcap' 'ip6-frag-*.pcap' 'real-udp-frag-*.pcap'); do
  pol=(); name="${cap%.*}"
  case "$cap" in *overlap*) pol=(-o sessions.ip_policy:bsd); name="$name (ip_policy bsd)" ;; esac
  ts -r "$caps/$cap" -2 "${pol[@]}" -o ip.defragment:TRUE -o ipv6.defragment:TRUE -T fields \
    -E occurrence=a -e frame.number -e ip.reassembled.data -e ipv6.reassembled.data \
    -e sessions.ip.reassembled -e ip.reassembled_in -e ipv6.reassembled.in \
    -e sessions.ip.reassembled_in -e sessions.ip.fragments > "$out/$cap.ip" 2> "$out/$cap.ip.err" ||
    { fail "ip-agreement $cap: tshark: $(head -2 "$out/$cap.ip.err")"; continue; }
  compare ip "$name" "$out/$cap.ip"
done

# 2. TCP streams per direction equal Follow TCP Stream (raw), framers off
noframers=(-o 'sessions.http_ports:' -o 'sessions.tls_ports:' -o 'sessions.dns_ports:'
           -o sessions.heuristics:FALSE)
for cap in $(names 'real-*.pcap' 'real-*.pcapng' 'link-*.pcap' 'tunnel-*.pcap'); do
  case "$cap" in *impaired*) continue ;; esac
  ts -r "$caps/$cap" -2 -Y tcp -T fields -e tcp.stream -e ip.src -e ipv6.src \
    -e tcp.srcport -e sessions.flow.id -e sessions.flow.dir -e frame.protocols \
    > "$out/$cap.frames" 2>/dev/null
  n=$(cut -f1 "$out/$cap.frames" | sort -n | tail -1)
  if [ -z "$n" ]; then echo "skip tcp-follow ${cap%.*}: no TCP"; continue; fi
  follow=()
  for ((s = 0; s <= n; s++)); do follow+=(-z "follow,tcp,raw,$s"); done
  ts -r "$caps/$cap" -q "${follow[@]}" > "$out/$cap.follow" 2>/dev/null ||
    { fail "tcp-follow $cap: tshark -z follow failed"; continue; }
  sessions_json "$cap" "$out/$cap.raw.json" "${noframers[@]}" || continue
  compare follow "${cap%.*}" "$out/$cap.raw.json" "$out/$cap.frames" "$out/$cap.follow"
done

# 2b. The peer's ACK captured before the data it covers loses nothing: each
# direction of real-*-ackfirst-* equals Follow TCP Stream of the unimpaired
# recording (Wireshark's own Follow of the impaired copy equals it too)
for cap in $(names 'real-*-ackfirst-*.pcap'); do
  orig=${cap/-ackfirst-/-}
  ts -r "$caps/$cap" -2 -Y tcp -T fields -e tcp.stream -e ip.src -e ipv6.src \
    -e tcp.srcport -e sessions.flow.id -e sessions.flow.dir -e frame.protocols \
    > "$out/$cap.frames" 2>/dev/null
  n=$(cut -f1 "$out/$cap.frames" | sort -n | tail -1)
  follow=()
  for ((s = 0; s <= ${n:--1}; s++)); do follow+=(-z "follow,tcp,raw,$s"); done
  ts -r "$caps/$orig" -q "${follow[@]}" > "$out/$orig.oracle" 2>/dev/null ||
    { fail "ack-first $cap: tshark -z follow on $orig failed"; continue; }
  sessions_json "$cap" "$out/$cap.raw.json" "${noframers[@]}" || continue
  compare follow "${cap%.*} vs ${orig%.*}" "$out/$cap.raw.json" "$out/$cap.frames" \
    "$out/$orig.oracle"
done

# 2c. The same 5-tuple in two VLANs or VNIs is two Sessions flows; Wireshark
# 4.0 has one tcp.stream, so each tenant's Follow TCP Stream is taken with
# only that tenant's packets in the second pass (-R), against its own flow
# (the frames naming it are picked with -Y: -R renumbers the frames)
for spec in 'flowkey-vlans.pcap:vlan.id == 10' 'flowkey-vlans.pcap:vlan.id == 20' \
            'flowkey-vxlan-vnis.pcap:vxlan.vni == 100' 'flowkey-vxlan-vnis.pcap:vxlan.vni == 200'; do
  cap=${spec%%:*} only=${spec#*:} tag="${spec#*== }"
  ts -r "$caps/$cap" -2 -Y "$only" -T fields -e tcp.stream -e ip.src -e ipv6.src \
    -e tcp.srcport -e sessions.flow.id -e sessions.flow.dir -e frame.protocols \
    > "$out/$cap.$tag.frames" 2>/dev/null
  ts -r "$caps/$cap" -2 -R "$only" -q -z follow,tcp,raw,0 > "$out/$cap.$tag.follow" 2>/dev/null ||
    { fail "tcp-follow $cap ($only): tshark -z follow failed"; continue; }
  sessions_json "$cap" "$out/$cap.$tag.raw.json" "${noframers[@]}" || continue
  compare follow "${cap%.*} ($only)" "$out/$cap.$tag.raw.json" "$out/$cap.$tag.frames" \
    "$out/$cap.$tag.follow"
done

# 3. HTTP message boundaries vs Wireshark with out-of-order reassembly
for cap in $(names 'real-http-*.pcap' 'http-one-connection.pcap'); do
  for ooo in TRUE FALSE; do
    ts -r "$caps/$cap" -o tcp.reassemble_out_of_order:$ooo -Y 'http.request || http.response' \
      -T fields -E occurrence=a -e frame.number -e http.request.method \
      -e http.response.code > "$out/$cap.http-$ooo" 2>/dev/null
  done
  sessions_json "$cap" "$out/$cap.json" || continue
  missed=""
  [ "$ws_release:$cap" = "4.4:http-one-connection.pcap" ] && missed=21
  compare http "${cap%.*}" "$out/$cap.json" "$out/$cap.http-TRUE" "$out/$cap.http-FALSE" "$missed"
done

# 4. Scapy, where Scapy is right
scapy_version=$("$scapy_py" -c 'import scapy; print(scapy.VERSION)' 2>/dev/null)
if [ -z "$scapy_version" ]; then
  fail "scapy: $scapy_py has no Scapy (set SCAPY_PYTHON)"
else
  echo "note scapy: Scapy $scapy_version"
  # Scapy 2.6 ends an HTTP message at the blank line after its headers
  # whatever its Content-Length (2.5 and 2.8 include the body): compared
  # with the head of Sessions' message there (README.md, "Per release").
  scapy_cut=whole
  case "$scapy_version" in 2.6.*) scapy_cut=heads ;; esac
  scapy_side="$here/diff/scapy_side.py"
  http_cap=real-http-v4.pcap
  "$scapy_py" "$scapy_side" reorder "$caps/$http_cap" "$out/http-swapped.pcap" \
    > "$out/swap.txt" 2>&1 || fail "scapy reorder: $(tail -1 "$out/swap.txt")"
  for f in "$caps/$http_cap" "$out/http-swapped.pcap"; do
    [ -f "$f" ] || continue
    name=$(basename "${f%.*}")
    [ "$name" = http-swapped ] &&
      name="${http_cap%.*} with frames $(cut -d' ' -f2- "$out/swap.txt" | tr ' ' ',') swapped"
    "$scapy_py" "$scapy_side" http "$f" > "$out/$(basename "$f").scapy" 2> "$out/scapy.err" ||
      { fail "scapy-http $name: $(tail -1 "$out/scapy.err")"; continue; }
    "$build/sessions-replay" --print events "$f" > "$out/$(basename "$f").replay"
    compare scapy-http "$name" "$out/$(basename "$f").scapy" "$out/$(basename "$f").replay" "$scapy_cut"
  done
  if [ -f "$out/http-swapped.pcap" ]; then
    ooo=$(ts -r "$out/http-swapped.pcap" -Y sessions.tcp.out_of_order -T fields \
          -e frame.number 2>/dev/null | tr '\n' ' ')
    if [ -n "$ooo" ]; then
      echo "note scapy-http swapped variant: out of order for Sessions on frame(s) $ooo"
    else
      fail "scapy-http swapped variant: Sessions saw no out-of-order segment"
    fi
  fi
  # Variants where Sessions must cut the same messages as on the original
  # (frame numbers aside) and Scapy goes wrong (shown as notes):
  #   retransmit  a segment retransmitted after its message was complete
  #   wrap        the server's sequence numbers wrap past 2^32 in a response
  "$build/sessions-replay" --print messages "$caps/$http_cap" |
    sed 's/ frame=[0-9]*//' > "$out/orig.msgs"
  for v in retransmit wrap; do
    if ! "$scapy_py" "$scapy_side" $v "$caps/$http_cap" "$out/$v.pcap" > "$out/$v.txt" 2>&1; then
      fail "scapy-variant $v: $(tail -1 "$out/$v.txt")"; continue
    fi
    "$build/sessions-replay" --print events "$out/$v.pcap" > "$out/$v.replay"
    grep '^msg ' "$out/$v.replay" | sed 's/ frame=[0-9]*//' > "$out/$v.msgs"
    if [ -s "$out/orig.msgs" ] && cmp -s "$out/orig.msgs" "$out/$v.msgs"; then
      pass "variant ${http_cap%.*} $v ($(cat "$out/$v.txt")):" \
        "Sessions cuts the same $(wc -l < "$out/$v.msgs") messages as on the original"
    else
      fail "variant ${http_cap%.*} $v ($(cat "$out/$v.txt")): Sessions' messages differ from the original"
    fi
    "$scapy_py" "$scapy_side" http "$out/$v.pcap" > "$out/$v.scapy" 2>/dev/null
    compare scapy-note "${http_cap%.*} $v" "$out/$v.scapy" "$out/$v.replay"
  done
  # Scapy's known TCP flaws on reordered, lost and retransmitted segments
  for cap in http-one-connection.pcap real-http-impaired.pcap; do
    "$scapy_py" "$scapy_side" http "$caps/$cap" > "$out/$cap.scapy" 2>/dev/null
    "$build/sessions-replay" --print events "$caps/$cap" > "$out/$cap.replay"
    compare scapy-note "${cap%.*}" "$out/$cap.scapy" "$out/$cap.replay"
  done
  for cap in ip-frag-inorder.pcap real-udp-frag-v4.pcap; do
    "$scapy_py" "$scapy_side" ip "$caps/$cap" > "$out/$cap.scapy" 2> "$out/scapy.err" ||
      { fail "scapy-ip $cap: $(tail -1 "$out/scapy.err")"; continue; }
    "$build/sessions-replay" --kind ip --print events "$caps/$cap" > "$out/$cap.replay"
    compare scapy-ip "${cap%.*}" "$out/$cap.scapy" "$out/$cap.replay"
  done
  # Scapy's known IP flaws (README.md, Differences): shown, not checked
  for cap in ip-frag-reversed.pcap ip-frag-shuffled.pcap ip-frag-duplicates.pcap; do
    "$scapy_py" "$scapy_side" ip "$caps/$cap" > "$out/$cap.scapy" 2>/dev/null
    ours=$("$build/sessions-replay" --kind ip --print events "$caps/$cap" | grep -c '^datagram')
    echo "note scapy-ip ${cap%.*}: Sessions $ours datagram(s), Scapy" \
      "$(grep -c '^datagram' "$out/$cap.scapy") $(grep -m1 '^error' "$out/$cap.scapy")"
  done
  cap=real-udp-frag-v6.pcap
  "$scapy_py" -c 'import sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import sniff, IPSession, IPv6ExtHdrFragment
n = [0]
sniff(offline=sys.argv[1], session=IPSession, store=False,
      prn=lambda p: n.__setitem__(0, n[0] + (IPv6ExtHdrFragment in p)))
print(n[0])' "$caps/$cap" > "$out/v6.scapy" 2>&1
  echo "note scapy-ip ${cap%.*}: Sessions" \
    "$("$build/sessions-replay" --kind ip --print events "$caps/$cap" | grep -c '^datagram')" \
    "datagram(s); Scapy's IPSession passes $(tail -1 "$out/v6.scapy") IPv6 fragment(s) through unjoined"
fi

# 5. --export-objects sessions writes exactly the messages
for cap in http-one-connection.pcap dns-tcp.pcap; do
  dir="$out/export-${cap%.*}"
  mkdir -p "$dir" && chmod a+rwx "$dir"
  ts -r "$caps/$cap" -2 -q --export-objects "sessions,$dir" > /dev/null 2>&1 ||
    { fail "export-objects $cap: tshark failed"; continue; }
  [ -f "$out/$cap.json" ] || sessions_json "$cap" "$out/$cap.json" || continue
  compare export "${cap%.*}" "$out/$cap.json" "$dir"
done

# 6. handoff: Wireshark's HTTP on our reassembly finds the responses its own
# reassembly misses with default prefs (segments out of order): in
# http-one-connection.pcap the chunked 200 (frame 9) and the 3000-byte 200
# (frame 21)
cap=http-one-connection.pcap
ts -r "$caps/$cap" -Y http.response -T fields -E occurrence=a -e frame.number \
  -e http.response.code > "$out/handoff-off" 2>/dev/null
ts -r "$caps/$cap" -o sessions.handoff:TRUE -Y http.response -T fields -E occurrence=a \
  -e frame.number -e http.response.code > "$out/handoff-on" 2>/dev/null
compare handoff "${cap%.*} frame 9" "$out/handoff-off" "$out/handoff-on" 9 200
# From 4.6 on, Wireshark's default reassembly finds frame 21 itself.
case "$ws_release" in
  4.0|4.2|4.4) compare handoff "${cap%.*} frame 21" "$out/handoff-off" "$out/handoff-on" 21 200 ;;
  *) echo "note handoff ${cap%.*} frame 21: Wireshark $ws_release finds it without handoff" ;;
esac

# 7. a flow's rows are the same in one and two passes
for cap in tcp-port-reuse.pcap link-sll.pcap real-http-v4.pcap; do
  for p in one two; do
    opt=(); [ $p = two ] && opt=(-2)
    ts -r "$caps/$cap" "${opt[@]}" -Y 'sessions.flow.id == 1' -T fields \
      -e sessions.flow -e sessions.flow.pkts > "$out/$cap.$p" 2>/dev/null
  done
  rows=$(wc -l < "$out/$cap.two")
  if [ "$rows" -eq 0 ]; then
    fail "flow-2pass ${cap%.*}: no row for flow 1"
  elif cmp -s "$out/$cap.one" "$out/$cap.two"; then
    pass "flow-2pass ${cap%.*}: $rows rows equal with and without -2"
  else
    fail "flow-2pass ${cap%.*}: rows differ: $(diff "$out/$cap.two" "$out/$cap.one" | head -3 | tr '\n' ' ')"
  fi
done

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
