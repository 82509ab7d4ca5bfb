# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the recording scripts: two network-namespace test hosts and a
# capture helper.  Hosts: sess-a 10.77.0.1/24 fd77::1/64 (client), sess-b
# 10.77.0.2/24 fd77::2/64 (servers, capture point), joined by a veth pair
# with MTU 1500 and all offloads off so the capture shows wire-size segments
# with valid checksums.  The caller sets OUT (where captures go) and may add
# pids of background servers to PIDS (start_bg) and sets GEN, the scripts'
# folder; everything is torn down on exit.

PY=/usr/bin/python3
HELP="$GEN/real_helpers.py"
NA=sess-a
NB=sess-b
A4=10.77.0.1 B4=10.77.0.2 A6=fd77::1 B6=fd77::2
WORK="$(mktemp -d /tmp/sessions-record.XXXXXX)"
PIDS=()

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    apt-get install -y "$2" >/dev/null
}
need ethtool ethtool
need tcpdump tcpdump

cleanup() {
    set +e
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    ip netns del $NA 2>/dev/null
    ip netns del $NB 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Plain words, not functions: "$INB cmd &" must give the command's own pid
# (ip netns exec execs the command).
INA="ip netns exec $NA"
INB="ip netns exec $NB"

# ---- the two hosts ---------------------------------------------------------
ip netns del $NA 2>/dev/null || true
ip netns del $NB 2>/dev/null || true
ip netns add $NA
ip netns add $NB
ip link add sess-va netns $NA type veth peer name sess-vb netns $NB
for ns in $NA $NB; do ip netns exec $ns ip link set lo up; done
$INA ip link set sess-va mtu 1500 up
$INB ip link set sess-vb mtu 1500 up
$INA ip addr add $A4/24 dev sess-va
$INB ip addr add $B4/24 dev sess-vb
$INA ip -6 addr add $A6/64 dev sess-va nodad
$INB ip -6 addr add $B6/64 dev sess-vb nodad
$INA ethtool -K sess-va tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
$INB ethtool -K sess-vb tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
sleep 1   # nodad: the v6 addresses are usable at once

start_bg() { "$@" & PIDS+=($!); }

# capture NAME FILTER COMMAND...: record COMMAND's traffic on sess-vb.
capture() {
    local name=$1 filter=$2
    shift 2
    $INB tcpdump -i sess-vb -s 0 -U -Z root -w "$OUT/$name" "$filter" 2>/dev/null &
    local tp=$!
    sleep 1
    "$@"
    sleep 1
    kill -INT $tp
    wait $tp || true
    echo "$name: $(tshark -r "$OUT/$name" 2>/dev/null | wc -l) frames, $(stat -c %s "$OUT/$name") bytes"
}

