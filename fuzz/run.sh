#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer target and runs it for SECONDS (default 300), seeded
# with the first 200 frames of every capture in test-captures/.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
"$top/tools/deps.sh" clang libclang-rt-14-dev
work="${FUZZ_WORK:-/tmp/sessions-fuzz}"
mkdir -p "$work/corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$top/reassembly/include" \
  -I"$top/reassembly/src" "$top/fuzz/fuzz_session.c" "$top"/reassembly/src/*.c \
  -o "$work/fuzz_session"
/usr/bin/python3 "$top/fuzz/seed.py" "$top/test-captures" "$work/corpus"
cd "$work"
./fuzz_session -max_total_time="${1:-300}" -max_len=65536 -print_final_stats=1 corpus
