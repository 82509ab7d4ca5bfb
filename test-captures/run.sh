#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every capture in test-captures/ through tshark with exactly the
# build tree's plugin, and checks:
#   1. tshark lists the protocol and every contract field;
#   2. `tshark -2` output (as golden text) equals golden/<case>.txt;
#   3. single-pass per-packet sessions.flow.* and sessions.tcp.* equal the
#      two-pass ones, and so do the message and datagram bytes single pass
#      shows (it keeps them only while their frame is dissected);
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
ts -G protocols | grep -q $'^Session Reassembly\tSessions\tsessions\(\t\|$\)' ||
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
messages=(-e sessions.msg -e sessions.ip.reassembled)

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
  ts -r "$stage/caps/$cap" "$@" -T fields "${per_packet[@]}" "${messages[@]}" \
    > "$out.one" 2>/dev/null
  ts -r "$stage/caps/$cap" -2 "$@" -T fields "${per_packet[@]}" "${messages[@]}" \
    > "$out.two" 2>/dev/null
  # Per-packet fields are equal; a message single pass shows is shown by
  # the second pass on the same frame with the same bytes (the second pass
  # also shows what the end-of-file flush cut, after them on the flow's
  # last frame).
  awk -F'\t' -v np="$(( ${#per_packet[@]} / 2 ))" '
    function head(line,   f, i, h) { split(line, f, "\t"); h = f[1]
      for (i = 2; i <= np; i++) h = h "\t" f[i]; return h }
    function prefix(a, b) { return a == b || index(b, a ",") == 1 }
    NR == FNR { two[FNR] = $0; next }
    { t = two[FNR]; split(t, tf, "\t")
      if (head(t) != head($0) || ($(np + 1) != "" &&
          !(prefix($(np + 1), tf[np + 1]) && $(np + 2) == tf[np + 2]))) {
        printf "frame %s\n  two-pass:    %s\n  single-pass: %s\n", $1, t, $0; bad++ } }
    END { exit bad > 0 }' "$out.two" "$out.one" > "$out.passdiff" ||
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

# 5. the display cap bounds what is held at once: tshark -2 keeps every
# message for the second pass, so past 1 MiB it keeps metadata only, while a
# single pass holds one frame's messages at a time and shows every message's
# bytes; tree-less, it copies none and reports nothing as not kept.
if cc -O2 -std=c11 -o "$stage/gencap" "$here/../bench/gencap.c" 2> "$stage/gencap.err"; then
  big="$stage/caps/generated-3mb.pcap"
  "$stage/gencap" "$big" 3000 3000000 40 > /dev/null && chmod a+r "$big"
  capped=(-o sessions.display_cap:1)
  # FILTER [tshark options]: total message bytes shown, frames noting
  # bytes not kept
  kept_counts() {
    local filter=$1; shift
    ts -r "$big" "$@" "${capped[@]}" -Y "$filter" -T fields \
       -e sessions.msg.length -e sessions.expert.msg.not_kept 2>/dev/null |
      awk -F'\t' '{ n = split($1, l, ","); for (i = 1; i <= n; i++) bytes += l[i]
                     if ($2 != "") nk++ } END { print bytes + 0, nk + 0 }'; }
  read -r b1 nk1 < <(kept_counts sessions.msg)
  [ "$b1" -gt 2000000 ] && [ "$nk1" -eq 0 ] ||
    fail "display cap, single pass: $b1 message bytes, $nk1 frames not kept (want > 2 MB, 0)"
  # The same when frame 3 is the last one displayed before frame 5, which
  # is when Sessions asks tshark which earlier frames it still knows.
  read -r b3 nk3 < <(kept_counts 'frame.number == 3 || (frame.number > 5 && sessions.msg)')
  [ "$b3" -gt 2000000 ] && [ "$nk3" -eq 0 ] ||
    fail "display cap, single pass, frame 3 displayed: $b3 message bytes, $nk3 frames not kept"
  read -r b2 nk2 < <(kept_counts sessions.msg -2)
  [ "$nk2" -gt 0 ] ||
    fail "display cap, two passes: no frame reports bytes not kept past 1 MiB of $b2"
  expert_not_kept() { ts -r "$big" "$@" "${capped[@]}" -q -z expert,note 2>/dev/null |
                      grep -c 'Bytes not kept' || true; }
  [ "$(expert_not_kept)" -eq 0 ] ||
    fail "display cap, tree-less single pass: messages reported as not kept"
  [ "$(expert_not_kept -2)" -gt 0 ] ||
    fail "display cap, tree-less two passes: no message reported as not kept"
else
  fail "cannot build bench/gencap.c: $(head -3 "$stage/gencap.err")"
fi

# 6. tshark -2 -R renumbers the frames its read filter keeps: each kept
# frame shows the messages it shows with -Y, and nothing recorded on a
# dropped frame moves onto the frame that took its number.
for side in "tcp.srcport == 80" "tcp.dstport == 80"; do
  msgs() { ts -r "$stage/caps/real-http-v4.pcap" -2 "$@" -T fields \
             -e sessions.msg.dir -e sessions.msg.info 2>/dev/null | grep -v '^\s*$'; }
  msgs -R "$side" > "$stage/out/read-filter.R"
  msgs -Y "$side" > "$stage/out/read-filter.Y"
  [ -s "$stage/out/read-filter.Y" ] && cmp -s "$stage/out/read-filter.R" "$stage/out/read-filter.Y" ||
    { fail "-2 -R '$side' shows other messages than -Y"
      diff "$stage/out/read-filter.Y" "$stage/out/read-filter.R" | head -6; }
done

echo "$ncases capture cases, $failures failures"
[ "$failures" -eq 0 ]
