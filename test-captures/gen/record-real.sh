#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record real traffic between two network-namespace test hosts and write
# test-captures/real-*.pcap.  Needs root, iproute2, tcpdump, curl,
# openssl, dig (bind9-dnsutils) and ethtool (installed with apt-get if
# missing).  The recordings are committed; this script regenerates them
# (timestamps, ports and ISNs differ from run to run).
#
#   sudo test-captures/gen/record-real.sh [OUTDIR]
#
# Hosts: sess-a 10.77.0.1/24 fd77::1/64 (client), sess-b 10.77.0.2/24
# fd77::2/64 (servers, capture point), joined by a veth pair with MTU
# 1500 and all offloads off so the capture shows wire-size segments with
# valid checksums.

set -euo pipefail

GEN="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$(dirname "$GEN")}"
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
need curl curl
need openssl openssl
need dig bind9-dnsutils

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

# ---- servers in sess-b ---------------------------------------------------------
$PY "$HELP" make-files "$WORK/www"
start_bg() { "$@" & PIDS+=($!); }
start_bg $INB $PY "$HELP" http-server $B4 80 "$WORK/www"
start_bg $INB $PY "$HELP" http-server $B6 80 "$WORK/www"
start_bg $INB $PY "$HELP" dns-server $B4 53
start_bg $INB $PY "$HELP" dns-server $B6 53
start_bg $INB $PY "$HELP" udp-sink $B4 9999
start_bg $INB $PY "$HELP" udp-sink $B6 9999
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=sessions-test -days 2 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
sleep 1

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

http_traffic() {
    local host=$1 addr=$2
    $INA curl -g -s --max-time 30 --http1.1 -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
        "http://$host/small.txt" "http://$host/medium.bin" "http://$host/large.bin" \
        "http://$host/tiny.txt"
    sleep 0.3
    $INA $PY "$HELP" http-pipeline "$addr" 80 >/dev/null
}

tls_traffic() {
    local acc=$1 conn=$2
    $INB openssl s_server -accept "$acc" -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
        -naccept 1 -rev -quiet >/dev/null 2>&1 &
    local sp=$!
    sleep 1
    { printf 'first line over TLS\nsecond line over TLS\n'
      head -c 6000 /dev/zero | tr '\0' 'L'; printf '\n'
      printf 'last line\n'; sleep 1; } |
        timeout 30 $INA openssl s_client -connect "$conn" -quiet -no_ign_eof >/dev/null 2>&1 || true
    wait $sp 2>/dev/null || true
}

dns_traffic() {
    local addr=$1
    $INA dig +tcp +keepopen +tries=1 +time=2 @"$addr" a.example.com b.example.com AAAA >/dev/null
    $INA dig +tcp +tries=1 +time=2 @"$addr" c.example.com >/dev/null
    $INA $PY "$HELP" dns-client "$addr" 53
}

udp_traffic() {
    $INA $PY "$HELP" udp-send "$1" 9999 4000 9000 1200
}

capture real-http-v4.pcap "tcp port 80" http_traffic $B4 $B4
capture real-http-v6.pcap "tcp port 80" http_traffic "[$B6]" $B6
capture real-tls-v4.pcap "tcp port 443" tls_traffic $B4:443 $B4:443
capture real-tls-v6.pcap "tcp port 443" tls_traffic "[$B6]:443" "[$B6]:443"
capture real-dns-tcp-v4.pcap "tcp port 53" dns_traffic $B4
capture real-dns-tcp-v6.pcap "tcp port 53" dns_traffic $B6
capture real-udp-frag-v4.pcap "ip and (udp port 9999 or (ip[6:2] & 0x1fff != 0))" udp_traffic $B4
capture real-udp-frag-v6.pcap "ip6 and (udp port 9999 or ip6[6] == 44)" udp_traffic $B6

# The kernel must have fragmented the large datagrams.
for f in real-udp-frag-v4.pcap real-udp-frag-v6.pcap; do
    n=$(tshark -r "$OUT/$f" -Y 'ip.flags.mf==1 or ipv6.fraghdr' 2>/dev/null | wc -l)
    echo "$f: $n fragment frames"
    [ "$n" -gt 0 ] || { echo "no fragments in $f" >&2; exit 1; }
done

d() { $PY "$GEN/capfile.py" "$@"; }
d real-http-v4.pcap "Real IPv4 HTTP/1.1 (netns, veth MTU 1500, offloads off): curl keep-alive" \
    "connection fetching 4 files (4 KB, 30 KB, 100 KB, 600 B) and a python client writing 4" \
    "pipelined GETs in one segment (the last one for a missing file: 404, connection closed)"
d real-http-v6.pcap "Real IPv6 HTTP/1.1, same traffic as real-http-v4.pcap"
d real-tls-v4.pcap "Real IPv4 TLS (openssl s_server -rev / s_client, port 443): a few lines" \
    "and a 6000-byte line echoed reversed"
d real-tls-v6.pcap "Real IPv6 TLS, same traffic as real-tls-v4.pcap"
d real-dns-tcp-v4.pcap "Real IPv4 DNS over TCP port 53: dig +tcp +keepopen (2 queries on one" \
    "connection), dig +tcp, and a client writing two queries in one segment then a third"
d real-dns-tcp-v6.pcap "Real IPv6 DNS over TCP, same traffic as real-dns-tcp-v4.pcap"
d real-udp-frag-v4.pcap "Real IPv4 UDP datagrams of 4000, 9000 and 1200 bytes to port 9999," \
    "the first two fragmented by the kernel (MTU 1500)"
d real-udp-frag-v6.pcap "Real IPv6 UDP datagrams of 4000, 9000 and 1200 bytes to port 9999," \
    "the first two fragmented by the kernel (MTU 1500)"
# Impaired copies (deterministic given the recordings).
$PY "$GEN/impair.py" "$OUT/real-http-v4.pcap" "$OUT/real-http-impaired.pcap" --seed 3141 \
    --description "real-http-v4.pcap impaired by gen/impair.py (seed 3141, ~3% reordered, ~1% dropped, ~2% duplicated):"
$PY "$GEN/impair.py" "$OUT/real-tls-v4.pcap" "$OUT/real-tls-impaired.pcap" --seed 2718 \
    --description "real-tls-v4.pcap impaired by gen/impair.py (seed 2718):"
# ACK before the data it covers (adjacent and 2-3 frames apart, both
# directions): Follow TCP Stream of the unimpaired recording is the oracle
for k in http tls; do
    for v in v4 v6; do
        $PY "$GEN/impair.py" "$OUT/real-$k-$v.pcap" "$OUT/real-$k-ackfirst-$v.pcap" --seed 1618 \
            --reorder 0 --drop 0 --dup 0 --ack-first 0.08 \
            --description "real-$k-$v.pcap impaired by gen/impair.py (seed 1618, ACKs before data only):"
    done
done
echo done
