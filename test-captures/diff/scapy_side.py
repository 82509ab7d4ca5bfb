#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Scapy's side of the differential test (Scapy 2.5.0, Debian's python3).

  scapy_side.py http PCAP            HTTP messages of TCPSession, one a line:
      msg src=ADDR sport=N dst=ADDR dport=N kind=req|resp|other cl=0|1 data=HEX
  scapy_side.py ip PCAP              datagrams IPSession rebuilt from IPv4
      fragments, one a line:  datagram id=N src=ADDR dst=ADDR len=N data=HEX
      (the IP payload, after the IPv4 header); `error ...` if Scapy raised
  scapy_side.py reorder IN OUT       writes IN with two data segments of one
      HTTP response swapped (the 2nd and 3rd of the first response that has
      at least 4 data segments, so the first and the last stay in place);
      prints `swapped FRAME FRAME` (1-based frame numbers in IN)
  scapy_side.py retransmit IN OUT    writes IN with a copy of the 2nd data
      segment of the first HTTP response that has 3 inserted after the
      response is complete (the frame after its last segment); prints
      `copy of frame N as frame M`
  scapy_side.py wrap IN OUT          writes IN with the sequence numbers of
      the first SYN-ACK sender shifted (and the peer's ACKs with them) so that
      they wrap past 2^32 6000 bytes into its stream; prints `isn N`

The HTTP bytes are the buffer Scapy's HTTP.tcp_reassemble decided was a whole
message (what TCPSession hands on), not a rebuild from parsed fields.
"""
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import (IP, TCP, IPSession, TCPSession, load_layer,  # noqa: E402
                       rdpcap, sniff, wrpcap)

load_layer("http")
from scapy.layers.http import HTTP, HTTPRequest, HTTPResponse  # noqa: E402


def has_content_length(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    return any(line.split(b":", 1)[0].strip().lower() == b"content-length"
               for line in head.split(b"\r\n")[1:])


def l3(p):
    for name in ("IP", "IPv6"):
        if name in p:
            return p[name]
    return None


def http(path):
    last = [None]
    orig = HTTP.tcp_reassemble.__func__

    def recording(cls, data, metadata, session):
        result = orig(cls, data, metadata, session)
        if result is not None:
            last[0] = bytes(data)
        return result

    HTTP.tcp_reassemble = classmethod(recording)

    def prn(p):
        if HTTP not in p or last[0] is None:
            return
        data, last[0] = last[0], None
        kind = ("req" if HTTPRequest in p else
                "resp" if HTTPResponse in p else "other")
        ip = l3(p)
        print("msg src=%s sport=%d dst=%s dport=%d kind=%s cl=%d data=%s" % (
            ip.src, p[TCP].sport, ip.dst, p[TCP].dport, kind,
            has_content_length(data), data.hex()))

    try:
        sniff(offline=path, session=TCPSession, prn=prn, store=False)
    except Exception as e:  # Scapy's reassembly raises on some inputs
        print("error %s: %s" % (type(e).__name__, e))


def ip(path):
    frag_ids = set()
    for p in rdpcap(path):
        if IP in p and (p[IP].flags.MF or p[IP].frag):
            frag_ids.add((p[IP].src, p[IP].dst, p[IP].proto, p[IP].id))

    def prn(p):
        if IP not in p:
            return
        key = (p[IP].src, p[IP].dst, p[IP].proto, p[IP].id)
        if key not in frag_ids or p[IP].flags.MF or p[IP].frag:
            return
        whole = bytes(p[IP])
        payload = whole[p[IP].ihl * 4:p[IP].len]
        print("datagram id=%d src=%s dst=%s len=%d data=%s" % (
            p[IP].id, p[IP].src, p[IP].dst, len(payload), payload.hex()))

    try:
        sniff(offline=path, session=IPSession, prn=prn, store=False)
    except Exception as e:  # Scapy's defragmenter raises on some inputs
        print("error %s: %s" % (type(e).__name__, e))


def responses(pkts):
    """Lists of indexes of the data segments of each HTTP response, in
    capture order (a response runs to the next one in its direction)."""
    out, cur = [], {}
    for i, p in enumerate(pkts):
        if TCP not in p or not bytes(p[TCP].payload):
            continue
        ip_ = l3(p)
        key = (ip_.src, p[TCP].sport, ip_.dst, p[TCP].dport)
        if bytes(p[TCP].payload).startswith(b"HTTP/"):
            cur[key] = [i]
            out.append(cur[key])
        elif key in cur:
            cur[key].append(i)
    return out


def reorder(src, dst):
    pkts = list(rdpcap(src))
    chosen = next((r for r in responses(pkts) if len(r) >= 4), None)
    if chosen is None:
        sys.exit("no HTTP response with 4 data segments in %s" % src)
    a, b = chosen[1], chosen[2]
    pkts[a], pkts[b] = pkts[b], pkts[a]
    pkts[a].time, pkts[b].time = pkts[b].time, pkts[a].time  # keep time order
    wrpcap(dst, pkts)
    print("swapped %d %d" % (a + 1, b + 1))


def retransmit(src, dst):
    pkts = list(rdpcap(src))
    chosen = next((r for r in responses(pkts) if len(r) >= 3), None)
    if chosen is None:
        sys.exit("no HTTP response with 3 data segments in %s" % src)
    at = min(chosen[-1] + 2, len(pkts))
    copy = pkts[chosen[1]].copy()
    copy.time = pkts[at - 1].time
    pkts.insert(at, copy)
    wrpcap(dst, pkts)
    print("copy of frame %d as frame %d" % (chosen[1] + 1, at + 1))


def wrap(src, dst):
    pkts = list(rdpcap(src))
    synack = next((p for p in pkts if TCP in p and p[TCP].flags.S and p[TCP].flags.A),
                  None)
    if synack is None:
        sys.exit("no SYN-ACK in %s" % src)
    ip_ = l3(synack)
    server = (ip_.src, synack[TCP].sport)
    client = (ip_.dst, synack[TCP].dport)
    isn = 2**32 - 6000
    delta = (isn - synack[TCP].seq) % 2**32
    for p in pkts:
        if TCP not in p:
            continue
        ip_ = l3(p)
        ends = ((ip_.src, p[TCP].sport), (ip_.dst, p[TCP].dport))
        if ends == (server, client):
            p[TCP].seq = (p[TCP].seq + delta) % 2**32
        elif ends == (client, server) and p[TCP].flags.A:
            p[TCP].ack = (p[TCP].ack + delta) % 2**32
        else:
            continue
        del p[TCP].chksum
    wrpcap(dst, pkts)
    print("isn %d" % isn)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "http":
        http(sys.argv[2])
    elif cmd == "ip":
        ip(sys.argv[2])
    elif cmd == "retransmit":
        retransmit(sys.argv[2], sys.argv[3])
    elif cmd == "wrap":
        wrap(sys.argv[2], sys.argv[3])
    elif cmd == "reorder":
        reorder(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
