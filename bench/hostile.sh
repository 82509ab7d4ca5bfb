#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile captures against tshark alone and with Sessions (issue 17): for
# each class of bench/hostile.py, time and peak RSS single pass and with -2,
# and whether the normal request at its end is still reassembled.  Writes
# the table into bench/RESULTS.md (between the hostile markers) and to
# bench/work/hostile.md.
#
#   bench/hostile.sh [--scale X] [BUILD_DIR]
# --scale multiplies every size (default 1: the sizes of the table below,
# chosen so the whole run stays under ~15 minutes on a shared 2-core host).
# RUNS (2): runs per measurement, the fastest kept.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
scale=1
if [ "${1:-}" = "--scale" ]; then scale="$2"; shift 2; fi
build="$(cd "${1:-$top/build}" && pwd)"
work="$top/bench/work/hostile"
mkdir -p "$work"

# class, size, what the size counts
classes=(
  "frag-flood 100000 incomplete fragments"
  "teardrop 50000 datagrams (2 fragments)"
  "overlap-storm 10000 datagrams (16 overlapping fragments)"
  "syn-flood 200000 SYNs"
  "seq-jumps 100000 segments jumping 2^31"
  "reversed-1byte 100000 1-byte segments, reversed"
  "concurrent-ooo 100000 connections holding out-of-order data"
  "ack-storm 200000 ACKs beyond the data"
  "far-data 100000 segments each 64 KiB beyond the last, acknowledged"
  "zero-window 100000 probes"
  "rst-storm 200000 RSTs"
  "one-way 512 MiB one way, never acknowledged"
)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/home"
cp -R "$build/plugins" "$stage/"   # plugins/<major.minor>/epan/sessions.so
chmod -R a+rwX "$stage"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ts() {
  "${as_user[@]}" env HOME="$stage/home" XDG_CONFIG_HOME="$stage/home/.config" \
    WIRESHARK_PLUGIN_DIR="$stage/plugins" WIRESHARK_EXTCAP_DIR= "$@"
}
fields=(-n -T fields -e frame.number -e sessions.flow.id -e sessions.msg.length)

# "seconds MiB" of the fastest of $RUNS tshark runs (a shared host's load
# makes single runs noisy)
measure() {
  local best=""
  for _ in $(seq "${RUNS:-2}"); do
    ts /usr/bin/time -f "%e %M" -o "$stage/time" tshark "$@" > /dev/null 2> "$stage/err" ||
      { echo "tshark failed: $(head -c 300 "$stage/err")" >&2; }
    local run
    run=$(awk '{ printf "%s %.0f", $1, $2 / 1024 }' "$stage/time")
    if [ -z "$best" ] || awk -v a="${run% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then
      best=$run
    fi
  done
  echo "$best"
}

rows=()
for line in "${classes[@]}"; do
  read -r name size what <<< "$line"
  size=$(awk -v s="$size" -v x="$scale" 'BEGIN { printf "%d", s * x }')
  cap="$work/$name.pcap"
  python3 "$top/bench/hostile.py" "$name" "$cap" "$size"
  chmod a+r "$cap"
  pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ { print $NF }')
  read -r t1 m1 <<< "$(measure -r "$cap" "${fields[@]}" --disable-protocol sessions)"
  read -r s1 n1 <<< "$(measure -r "$cap" "${fields[@]}")"
  read -r t2 m2 <<< "$(measure -r "$cap" -2 "${fields[@]}" --disable-protocol sessions)"
  read -r s2 n2 <<< "$(measure -r "$cap" -2 "${fields[@]}")"
  got=$(ts tshark -r "$cap" -n -2 -Y 'sessions.msg contains "GET /trailing"' \
          -T fields -e frame.number 2>/dev/null | head -1)
  trailing=$([ -n "$got" ] && echo yes || echo NO)
  ratio1=$(awk -v a="$s1" -v b="$t1" 'BEGIN { printf "%.2f", a / b }')
  ratio2=$(awk -v a="$s2" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')
  row="| $name | $size $what | $pkts | $t1 s / $m1 MiB | $s1 s / $n1 MiB | ${ratio1}x | $t2 s / $m2 MiB | $s2 s / $n2 MiB | ${ratio2}x | $trailing |"
  echo "$row"
  rows+=("$row")
  rm -f "$cap"
done

report="$work/../hostile.md"
{
  echo "<!-- hostile:begin -->"
  echo "## Hostile captures (bench/hostile.sh)"
  echo
  echo "Commit $(git -C "$top" rev-parse --short HEAD), $(date -u +%Y-%m-%d), scale $scale;"
  echo "\`tshark -n -T fields -e frame.number -e sessions.flow.id -e sessions.msg.length\`,"
  echo "single pass and with \`-2\`, default preferences; time and peak RSS of the fastest"
  echo "of ${RUNS:-2} runs each on a shared host (load from other jobs makes single runs noisy)."
  echo "Trailing: a normal HTTP request after the hostile part is still reassembled."
  echo
  echo "| class | size | packets | alone | Sessions | ratio | alone -2 | Sessions -2 | ratio -2 | trailing |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo "<!-- hostile:end -->"
} > "$report"
results="$top/bench/RESULTS.md"
python3 - "$results" "$report" <<'EOF'
import re, sys
results, report = sys.argv[1], sys.argv[2]
text = open(results).read()
block = open(report).read().rstrip("\n")
pattern = re.compile(r"<!-- hostile:begin -->.*?<!-- hostile:end -->", re.S)
text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
open(results, "w").write(text)
EOF
echo "written: $report and the hostile section of bench/RESULTS.md"
