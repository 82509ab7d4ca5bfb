#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check the capture corpus: every capture opens in tshark, is under 1 MB,
# has a line in descriptions.txt, and every line names an existing file.
#
#   test-captures/gen/check.sh

set -u
DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$DIR" || exit 1
rc=0
for f in *.pcap *.pcapng; do
    [ -e "$f" ] || continue
    if ! err=$(tshark -r "$f" 2>&1 >/dev/null | grep -v 'Running as user'); then :; fi
    if [ -n "$err" ]; then echo "FAIL $f: tshark: $err"; rc=1; fi
    size=$(stat -c %s "$f")
    if [ "$size" -ge 1048576 ]; then echo "FAIL $f: $size bytes (>= 1 MB)"; rc=1; fi
    grep -q "^$f " descriptions.txt || { echo "FAIL $f: no line in descriptions.txt"; rc=1; }
done
while read -r name _; do
    [ -e "$name" ] || { echo "FAIL descriptions.txt names missing $name"; rc=1; }
done < descriptions.txt
total=$(cat ./*.pcap ./*.pcapng | wc -c)
echo "captures: $(ls ./*.pcap ./*.pcapng | wc -l), total $total bytes"
[ "$rc" -eq 0 ] && echo OK
exit $rc
