#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays the captures that once made tshark fail with Sessions loaded (issue
# 17): the mutants in fuzz/repro/ (and ../shared/repro/mutants/ when it is
# there), each with the mode and preferences its .json names, and the
# ACK-far-ahead reproducer framed as HTTP with max_message 100 and by a
# 2-byte length framer.  Checks: tshark exits 0, no "Dissector bug", no frame
# shows more than 64 messages in full, and the fields of one frame stay
# within the per-frame bound.  Also checks that a display filter still finds
# a message that is not shown in full.  Times with and without Sessions are
# printed for the record, not asserted (bench/ is where speed is measured).
#   fuzz/repro-check.sh BUILD_DIR
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "$1" && pwd)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/home" "$stage/caps"
cp -R "$build/plugins" "$stage/"   # plugins/<major.minor>/epan/sessions.so
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ts() {
  "${as_user[@]}" env HOME="$stage/home" XDG_CONFIG_HOME="$stage/home/.config" \
    WIRESHARK_PLUGIN_DIR="$stage/plugins" WIRESHARK_EXTCAP_DIR= tshark "$@"
}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ITEMS_KEPT_MAX=50000

# name, capture, then tshark arguments
check() {
  local name="$1" cap="$2"; shift 2
  local out="$stage/$name.out" t0 t1 t2
  t0=$(date +%s.%N)
  ts -r "$cap" "$@" > "$out" 2> "$out.err"
  local rc=$?
  t1=$(date +%s.%N)
  ts -r "$cap" "$@" --disable-protocol sessions > /dev/null 2>&1
  t2=$(date +%s.%N)
  printf '%-16s %6.2f s, %6.2f s without Sessions\n' "$name" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  [ "$rc" -eq 0 ] || fail "$name: tshark exited $rc: $(head -c 300 "$out.err")"
  if grep -q "Dissector bug" "$out" "$out.err"; then
    fail "$name: $(grep -h -m1 "Dissector bug" "$out" "$out.err")"
  fi
  local shown
  shown=$(grep -o '^ *Message [0-9]*:' "$out" | tr -dc '0-9\n' | sort -n | tail -1)
  [ "${shown:-0}" -le 64 ] || fail "$name: a frame shows message $shown in full"
  local widest
  widest=$(awk -F, '{ if (NF > m) m = NF } END { print m + 0 }' "$out")
  [ "$widest" -le "$ITEMS_KEPT_MAX" ] || fail "$name: a frame has $widest values"
}

dirs=("$top/fuzz/repro")
[ -d "$top/../shared/repro/mutants" ] && dirs+=("$top/../shared/repro/mutants")
declare -A seen
for dir in "${dirs[@]}"; do
  for json in "$dir"/*.json; do
    name=$(basename "$json" .json)
    [ -z "${seen[$name]:-}" ] || continue
    seen[$name]=1
    cp "${json%.json}.pcap" "$stage/caps/"
    mapfile -t args < <(python3 - "$json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["mode"].split()[1:]:
    print(a)
for p in d["prefs"]:
    print("-o"); print(p)
EOF
)
    chmod -R a+rwX "$stage"
    check "$name" "$stage/caps/$name.pcap" -n "${args[@]}"
  done
done

python3 "$top/fuzz/ack_ahead.py" "$stage/caps/ack-ahead-80.pcap" 80
python3 "$top/fuzz/ack_ahead.py" "$stage/caps/ack-ahead-7000.pcap" 7000
chmod -R a+rwX "$stage"
len2='uat:sessions_framers:"7000","length","0","2","big","0",""'
for mode in "-2 -V -x" "-T fields -e sessions.msg"; do
  # shellcheck disable=SC2086
  check "ack-ahead-http" "$stage/caps/ack-ahead-80.pcap" -n $mode -o sessions.max_message:100
  # shellcheck disable=SC2086
  check "ack-ahead-len2" "$stage/caps/ack-ahead-7000.pcap" -n $mode -o "$len2"
done

# The responder's ACK gives nothing up by itself (it is beyond every byte
# seen); the trailing request makes the range a hole, given up at the end of
# the capture on the flow's last frame (7), where the request follows the
# zeros as its own message, still found by a filter although the zeros
# before it run to tens of thousands of messages.  A filter also finds a
# zero message far past the first 64 of the frame (offset 32 + 100 * 1000).
frame_of() { # CAPTURE FILTER PREFS...: the frames a filter displays
  local cap=$1 filter=$2; shift 2
  ts -r "$cap" -2 "$@" -Y "$filter" -T fields -e frame.number 2>&1 | tr '\n' ' '
}
got=$(frame_of "$stage/caps/ack-ahead-80.pcap" \
        'sessions.msg == "GET /last HTTP/1.1\r\nHost: a\r\n\r\n"' -o sessions.max_message:100)
[ "$got" = "7 " ] ||
  fail "ack-ahead-http: the trailing request is not a message of its own on frame 7: $(head -c 200 <<< "$got")"
got=$(frame_of "$stage/caps/ack-ahead-7000.pcap" \
        'sessions.msg == "\x00\x1fGET /last HTTP/1.1\r\nHost: a\r\n\r\n"' -o "$len2")
[ "$got" = "7 " ] ||
  fail "ack-ahead-len2: the trailing request is not a message of its own on frame 7: $(head -c 200 <<< "$got")"
found=$(ts -r "$stage/caps/ack-ahead-80.pcap" -2 -o sessions.max_message:100 \
          -Y 'sessions.msg.offset == 100032' -T fields -e frame.number 2>&1)
[ "$found" = 7 ] || fail "a filter does not find message 1001 of frame 7: $found"

[ "$failures" -eq 0 ] && echo "repro: all passed"
exit $((failures > 0))
