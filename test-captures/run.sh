#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every capture in test-captures/ through tshark with exactly the
# build tree's plugin, and checks:
#   1. tshark lists the protocol and every contract field;
#   2. `tshark -2` output (as golden text) equals golden/<case>.txt;
#   3. single-pass per-packet sessions.flow.* and sessions.tcp.* equal the
#      two-pass ones;
#   4. the core alone (sessions-replay) cuts the same messages as the plugin.
# Cases: every capture of descriptions.txt with default prefs, plus the lines
# of cases.txt (`<case> <capture> [tshark options]`).
#   run.sh BUILD_DIR          SESSIONS_REGEN=1 run.sh BUILD_DIR rewrites goldens
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
# shellcheck source=stage.sh
. "$here/stage.sh"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. registration
ts -G protocols | grep -q $'^Session Reassembly\tSessions\tsessions$' ||
  fail "tshark -G protocols does not list Sessions"
ts -G fields > "$stage/fields"
for f in sessions.flow sessions.flow.id sessions.flow.dir sessions.flow.pkts \
         sessions.flow.bytes sessions.flow.total_pkts sessions.flow.total_bytes \
         sessions.flow.duration sessions.flow.state sessions.flow.history \
         sessions.ip.reassembled sessions.ip.reassembled.length sessions.ip.fragments \
         sessions.ip.fragment.count sessions.ip.overlap sessions.ip.overlap.conflict \
         sessions.ip.fragment sessions.ip.reassembled_in \
         sessions.tcp.offset sessions.tcp.len sessions.tcp.retransmission \
         sessions.tcp.out_of_order sessions.tcp.overlap sessions.tcp.overlap.conflict \
         sessions.tcp.late sessions.tcp.missing sessions.msg sessions.msg.proto \
         sessions.msg.dir sessions.msg.length sessions.msg.offset sessions.msg.frames \
         sessions.msg.missing sessions.msg.partial; do
  grep -q $'\t'"$f"$'\t' "$stage/fields" || fail "tshark -G fields lacks $f"
done

per_packet=(-e frame.number -e sessions.flow -e sessions.flow.id -e sessions.flow.dir
            -e sessions.flow.pkts -e sessions.flow.bytes -e sessions.tcp.offset
            -e sessions.tcp.len -e sessions.tcp.retransmission
            -e sessions.tcp.out_of_order -e sessions.tcp.overlap
            -e sessions.tcp.overlap.conflict -e sessions.tcp.late)

run_case() {
  local name="$1" cap="$2"; shift 2
  local out="$stage/out/$name"
  ts -r "$stage/caps/$cap" -2 "$@" -T json -J sessions --no-duplicate-keys \
    > "$out.json" 2> "$out.err" || { fail "$name: tshark failed: $(head -3 "$out.err")"; return; }
  python3 "$here/golden.py" render "$out.json" > "$out.txt"
  if [ "${SESSIONS_REGEN:-}" = 1 ]; then
    cp "$out.txt" "$here/golden/$name.txt"
  elif ! diff -u "$here/golden/$name.txt" "$out.txt" > "$out.diff" 2>&1; then
    fail "$name: differs from golden/$name.txt"; head -40 "$out.diff"
  fi
  ts -r "$stage/caps/$cap" "$@" -T fields "${per_packet[@]}" > "$out.one" 2>/dev/null
  ts -r "$stage/caps/$cap" -2 "$@" -T fields "${per_packet[@]}" > "$out.two" 2>/dev/null
  diff -u "$out.two" "$out.one" > "$out.passdiff" ||
    { fail "$name: single-pass fields differ from two-pass"; head -20 "$out.passdiff"; }
}

mkdir -p "$here/golden"
ncases=0
while read -r cap _; do
  [ -n "$cap" ] || continue
  run_case "${cap%.*}" "$cap"
  ncases=$((ncases + 1))
done < "$here/descriptions.txt"
if [ -f "$here/cases.txt" ]; then
  while read -r name cap opts; do
    case "$name" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086 # options are words
    run_case "$name" "$cap" $opts
    ncases=$((ncases + 1))
  done < "$here/cases.txt"
fi

# 4. the core alone agrees with the plugin on every message (default prefs)
if [ -x "$build/sessions-replay" ]; then
  while read -r cap _; do
    [ -n "$cap" ] || continue
    name="${cap%.*}"
    if ! "$build/sessions-replay" --print messages "$here/$cap" \
         > "$stage/out/$name.replay" 2> "$stage/out/$name.replay-err"; then
      echo "skip: core-alone check of $cap: $(head -1 "$stage/out/$name.replay-err")"
      continue
    fi
    python3 "$here/golden.py" replay-messages "$stage/out/$name.replay" > "$stage/out/$name.core"
    python3 "$here/golden.py" messages "$stage/out/$name.json" > "$stage/out/$name.plugin"
    diff -q "$stage/out/$name.core" "$stage/out/$name.plugin" >/dev/null ||
      fail "$name: core alone and plugin cut different messages"
  done < "$here/descriptions.txt"
fi

echo "$ncases capture cases, $failures failures"
[ "$failures" -eq 0 ]
