#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sessions' messages against Wireshark's own dissectors: for each line of
# dissectors.txt, the messages one framer cut in a capture, counted per
# type, equal the messages Wireshark's dissector of that protocol finds
# (diff/dissectors.py; differences a release is known to have are listed in
# dissector-differences.txt and printed as notes).  Exits non-zero if any
# check failed.
#   dissectors.sh BUILD_DIR
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: dissectors.sh BUILD_DIR}" && pwd)"
# shellcheck source=stage.sh
. "$here/stage.sh"
version=$(tshark --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*' | head -1)
failures=0
while read -r cap framer opts; do
  case "$cap" in ''|'#'*) continue ;; esac
  out="$stage/out/${cap%.*}.$framer"
  ts -r "$caps/$cap" -2 -T json -e sessions.msg.proto -e sessions.msg.info \
    > "$out.sessions" 2>/dev/null
  # shellcheck disable=SC2086,SC2046 # options and fields are words
  ts -r "$caps/$cap" $opts --disable-protocol sessions -T json \
    $(python3 "$here/diff/dissectors.py" fields "$framer") > "$out.wireshark" 2>/dev/null
  res=$(python3 "$here/diff/dissectors.py" "$cap" "$framer" "$out.sessions" \
        "$out.wireshark" "$here/dissector-differences.txt" "$version")
  echo "$res"
  grep -q '^FAIL ' <<<"$res" && failures=$((failures + 1))
done < "$here/dissectors.txt"
[ "$failures" -eq 0 ]
