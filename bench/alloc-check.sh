#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Heap calls of the Sessions core on the in-order path: the same flows fed
# as N and about 2N packets (responses made larger, no reordering, no
# retransmission, TCP only) must cost about the same number of allocations.
#   bench/alloc-check.sh [BUILD-DIR]   (default: build-bench)
# Prints one "alloc-check ..." line per capture, then the verdict line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(dirname "$here")"
build="${1:-$top/build-bench}"
work="$here/work"
mkdir -p "$work"
[ -f "$build/libsessions_core.a" ] || {
  cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
}
gcc -O2 -std=c11 -o "$work/gencap" "$here/gencap.c"
gcc -O2 -std=c11 -I"$top/reassembly/include" -I"$top/reassembly/tests" -o "$work/alloc-driver" \
  "$here/alloc-driver.c" "$build/libsessions_core.a" \
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
flows=${ALLOC_FLOWS:-300}
declare -A P A
for scale in 1 2.4; do
  f="$work/alloc-inorder-$scale.pcap"
  "$work/gencap" --in-order --no-udp --scale "$scale" "$f" 0 0 "$flows" >/dev/null
  out="$("$work/alloc-driver" "$f")"
  get() { awk -v k="$1" '$1 == k {print $2}' <<<"$out"; }
  P[$scale]=$(get packets); A[$scale]=$(get allocs)
  echo "alloc-check scale=$scale flows=$(get flows) packets=$(get packets)" \
       "messages=$(get messages) malloc=$(get malloc) calloc=$(get calloc)" \
       "realloc=$(get realloc) free=$(get free) allocs=$(get allocs)" \
       "allocs_per_packet=$(awk -v a="$(get allocs)" -v p="$(get packets)" 'BEGIN{printf "%.4f", a/p}')"
done
awk -v p1="${P[1]}" -v p2="${P[2.4]}" -v a1="${A[1]}" -v a2="${A[2.4]}" 'BEGIN{
  m = (a2 - a1) / (p2 - p1)
  printf "alloc-check packets x%.2f allocs x%.3f marginal_allocs_per_added_packet=%.4f verdict=%s\n",
         p2 / p1, a2 / a1, m, (m < 0.05 ? "met" : "missed")
}'
