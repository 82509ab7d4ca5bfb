#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sessions, second command: install what is missing, build, run every test
# (core unit tests with ASan/UBSan, and the captures through tshark with this
# build's plugin).
set -euo pipefail
cd "$(dirname "$0")"

tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
