#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin fuzzed inside the distribution's tshark, as Wireshark's own
# fuzz-test does for its dissectors:
#   - builds the plugin with ASan and UBSan (its own build folder);
#   - mutates every capture of test-captures/ and fuzz/repro/ with
#     `editcap -E`, a few mutants concatenated per tshark run;
#   - runs each batch single pass with field extraction and with
#     `-2 -V -x`, under a preference set that rotates through every overlap
#     policy, tiny caps, the session kinds, the port ranges and the generic
#     framers of the sessions_framers table;
#   - a run fails on a crash, a hang (TIMEOUT seconds), a sanitizer report
#     or "Dissector bug"; each mutant of a failing batch is rerun alone, and
#     its failure is Wireshark's if it also fails with
#     `--disable-protocol sessions`, Sessions' otherwise.
# The plugin is loaded unprivileged from a staging folder (root ignores
# WIRESHARK_PLUGIN_DIR), the sanitizer runtime is preloaded into tshark only,
# and WIRESHARK_EXTCAP_DIR is empty (extcaps would hang under the preload).
#
#   fuzz/tshark-mutants.sh [--mutants N] [--seconds S] [--batch K]
#                          [--probability P] [--seed X] [--out DIR]
#                          [--build DIR] [--timeout T]
# Stops after N mutants (default 200) or once S seconds have passed (no
# limit by default).  Sessions-attributed failures are kept in DIR/failures
# (mutant, command line, stderr).  Exits 1 if Sessions failed on anything.
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
mutants=200 seconds=0 batch=10 probability=0.02 seed=1 timeout_s=120
out=/tmp/sessions-mutants build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mutants) mutants="$2" ;;
    --seconds) seconds="$2" ;;
    --batch) batch="$2" ;;
    --probability) probability="$2" ;;
    --seed) seed="$2" ;;
    --out) out="$2" ;;
    --build) build="$2" ;;
    --timeout) timeout_s="$2" ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$build" ] || build="$out/build-asan"
start=$(date +%s)

mkdir -p "$out"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DSESSIONS_SANITIZE=OFF \
  -DCMAKE_C_FLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  > "$out/cmake.log" 2>&1 &&
  cmake --build "$build" -j2 --target sessions >> "$out/cmake.log" 2>&1 ||
  { echo "ASan build failed, see $out/cmake.log"; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/home" "$stage/m" "$out/failures"
cp -R "$build/plugins" "$stage/"   # plugins/<major.minor>/epan/sessions.so
preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# tshark ARGS... with the sanitized plugin; stdout and stderr to $run.out/.err
run_tshark() {
  local run="$1"; shift
  timeout -k 5 "$timeout_s" "${as_user[@]}" env HOME="$stage/home" \
    XDG_CONFIG_HOME="$stage/home/.config" WIRESHARK_PLUGIN_DIR="$stage/plugins" \
    WIRESHARK_EXTCAP_DIR= LD_PRELOAD="$preload" \
    ASAN_OPTIONS=detect_leaks=0:exitcode=86 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87 \
    tshark "$@" > "$run.out" 2> "$run.err"
}

# Why a run failed, or nothing: crash, hang, sanitizer, dissector-bug.
verdict() {
  local rc="$1" run="$2"
  if grep -q -E "ERROR: AddressSanitizer|runtime error:" "$run.err"; then echo sanitizer
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo hang
  elif [ "$rc" -ge 128 ] || [ "$rc" -eq 86 ] || [ "$rc" -eq 87 ]; then echo crash
  elif grep -q "Dissector bug" "$run.out" "$run.err"; then echo dissector-bug
  elif [ "$rc" -ne 0 ]; then echo "exit-$rc"
  fi
}

# One line per preference set: -o arguments separated by spaces.
mapfile -t pref_sets <<'EOF'
sessions.tcp_policy:first sessions.ip_policy:first
sessions.tcp_policy:last sessions.ip_policy:last
sessions.tcp_policy:bsd sessions.ip_policy:bsd
sessions.tcp_policy:linux sessions.ip_policy:linux sessions.max_message:100
sessions.tcp_policy:old-linux sessions.ip_policy:windows
sessions.tcp_policy:solaris sessions.ip_policy:solaris sessions.max_message:1
sessions.tcp_policy:windows sessions.ip_policy:drop
sessions.tcp_policy:vista sessions.display_cap:0
sessions.max_message:100 sessions.display_cap:1 sessions.max_flows:2
sessions.tcp_dir_cap:0 sessions.tcp_memcap:1 sessions.ip_memcap:0 sessions.tcp_history:0
sessions.tcp_depth:10 sessions.tcp_timeout:0 sessions.ip_timeout:0 sessions.flow_timeout:0
sessions.session:default
sessions.session:ip sessions.max_flows:1
sessions.handoff:TRUE sessions.http_ports:1-65535 sessions.max_message:100
sessions.heuristics:FALSE sessions.dns_ports:1-65535
sessions.tls_ports:1-65535 sessions.max_message:1000
uat:sessions_framers:"80","length","0","2","big","0","" uat:sessions_framers:"7000","length","2","2","big","0","" sessions.max_message:100
uat:sessions_framers:"80","length","0","1","big","-1","" uat:sessions_framers:"443","length","3","4","little","-4",""
uat:sessions_framers:"80","delimiter","0","0","","0","\x0d\x0a" uat:sessions_framers:"7001","delimiter","0","0","","0","\x00"
uat:sessions_framers:"443","raw","0","0","","0","" uat:sessions_framers:"53","length","0","2","big","0","" sessions.max_message:1
EOF
prefs_args() { # set number -> -o arguments in $P
  local words
  read -r -a words <<< "${pref_sets[$(($1 % ${#pref_sets[@]}))]}"
  P=()
  for w in "${words[@]}"; do P+=(-o "$w"); done
}

caps=("$top"/test-captures/*.pcap "$top"/test-captures/*.pcapng "$top"/fuzz/repro/*.pcap)
ncaps=${#caps[@]}
modes=("-n -T fields -e frame.number -e sessions.flow -e sessions.msg -e sessions.ip.reassembled -e sessions.anomaly -e sessions.tcp.missing"
       "-n -2 -V -x")
made=0 runs=0 batches=0 fail_sessions=0 fail_tshark=0 sanitizer=0
declare -A kinds

record_failure() { # mutant-file mode-index set why
  local m="$1" mi="$2" set="$3" why="$4" keep
  keep="$out/failures/$(basename "$m" .pcapng)-$mi"
  cp "$m" "$keep.pcapng"
  { echo "why: $why"; echo "tshark -r $(basename "$keep").pcapng ${modes[$mi]} ${P[*]}"; } > "$keep.txt"
  cp "$stage/one.err" "$keep.stderr"
}

while [ "$made" -lt "$mutants" ]; do
  if [ "$seconds" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$seconds" ]; then break; fi
  files=()
  for _ in $(seq "$batch"); do
    [ "$made" -lt "$mutants" ] || break
    cap="${caps[$(( (seed * 7919 + made * 31) % ncaps ))]}"
    m="$stage/m/$(printf 's%s-m%06d' "$seed" "$made")-$(basename "${cap%.*}").pcapng"
    editcap -F pcapng -E "$probability" --seed $((seed * 1000003 + made)) "$cap" "$m" 2>/dev/null &&
      files+=("$m")
    made=$((made + 1))
  done
  [ "${#files[@]}" -gt 0 ] || continue
  merged="$stage/m/batch.pcapng"
  mergecap -a -w "$merged" "${files[@]}" 2>/dev/null || continue
  chmod -R a+rwX "$stage"
  prefs_args "$batches"
  for mi in "${!modes[@]}"; do
    read -r -a mode <<< "${modes[$mi]}"
    run_tshark "$stage/batch" -r "$merged" "${mode[@]}" "${P[@]}"
    rc=$?
    runs=$((runs + 1))
    [ -n "$(verdict "$rc" "$stage/batch")" ] || continue
    for m in "${files[@]}"; do  # which mutant, and whose failure
      run_tshark "$stage/one" -r "$m" "${mode[@]}" "${P[@]}"
      why=$(verdict $? "$stage/one")
      [ -n "$why" ] || continue
      run_tshark "$stage/without" -r "$m" "${mode[@]}" "${P[@]}" --disable-protocol sessions
      without=$(verdict $? "$stage/without")
      if [ -n "$without" ]; then
        fail_tshark=$((fail_tshark + 1))
        echo "Wireshark failure ($without, also without Sessions): $(basename "$m"), mode ${mi}"
      else
        fail_sessions=$((fail_sessions + 1))
        kinds[$why]=$(( ${kinds[$why]:-0} + 1 ))
        [ "$why" = sanitizer ] && sanitizer=$((sanitizer + 1))
        record_failure "$m" "$mi" "$batches" "$why"
        echo "Sessions failure ($why): $(basename "$m"), mode ${mi}, prefs ${P[*]}"
      fi
    done
  done
  rm -f "${files[@]}"
  batches=$((batches + 1))
done

echo "tshark-mutants: $made mutants (editcap -E $probability, seed $seed) in $batches batches," \
     "$runs tshark runs, $(( $(date +%s) - start )) s;" \
     "failures attributed to Sessions: $fail_sessions (sanitizer reports: $sanitizer)," \
     "to Wireshark itself: $fail_tshark"
for k in "${!kinds[@]}"; do echo "  $k: ${kinds[$k]}"; done
[ "$fail_sessions" -eq 0 ]
