#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the Scapy-built edge-case captures of test-captures/.

Run with Debian's python3 (python3-scapy 2.5.0):

    /usr/bin/python3 test-captures/gen/generate.py [--only PREFIX]

Everything is deterministic: fixed addresses (documentation ranges), fixed
ISNs, fixed IP ids, fixed timestamps (1700000000.000000 + 1 ms per frame)
and a fixed random seed, so re-running gives byte-identical files.
Each capture gets a line in test-captures/descriptions.txt.
"""

import os
import random
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logging  # noqa: E402
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import (  # noqa: E402
    Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, UDP, ICMP, Raw,
    IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, PadN,
    CookedLinux, CookedLinuxV2, DNS, DNSQR, DNSRR,
    RadioTap, Dot11, Dot11FCS, Dot11QoS, Dot11Beacon, Dot11Elt, LLC, SNAP,
)

import capfile  # noqa: E402
from capfile import (  # noqa: E402
    write_pcap, write_pcapng, LINKTYPE_ETHERNET, LINKTYPE_RAW,
    LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_PPP,
    LINKTYPE_C_HDLC, LINKTYPE_PFLOG, LINKTYPE_IEEE802_11_RADIOTAP, LINKTYPE_PPI,
    LINKTYPE_NFLOG, LINKTYPE_PPP_WITH_DIR, LINKTYPE_IEEE802_11_AVS,
    LINKTYPE_IEEE802_11,
)

SEED = 20231114
CAPDIR = capfile.CAPDIR

C4, S4 = "192.0.2.10", "198.51.100.20"
C4B, S4B = "192.0.2.11", "198.51.100.21"
C6, S6 = "2001:db8::10", "2001:db8:1::20"

DESCS = {}
ONLY = None


# --------------------------------------------------------------------------
# link layers

def mac_for(ip):
    """A stable locally administered MAC per IP address."""
    h = sum(ip.encode()) & 0xFF
    last = ip.replace(":", ".").split(".")[-1] or "0"
    try:
        lo = int(last, 16 if ":" in ip else 10) & 0xFF
    except ValueError:
        lo = 0
    return "02:00:5e:%02x:00:%02x" % (h, lo)


def l3_src_dst(pkt):
    if IP in pkt:
        return pkt[IP].src, pkt[IP].dst
    return pkt[IPv6].src, pkt[IPv6].dst


def eth(pkt):
    src, dst = l3_src_dst(pkt)
    return bytes(Ether(src=mac_for(src), dst=mac_for(dst)) / pkt)


def raw(pkt):
    return bytes(pkt)


def save(name, frames, desc, linktype=LINKTYPE_ETHERNET, link=eth, **kw):
    """frames: scapy L3 packets (wrapped with `link`) or ready bytes/tuples."""
    if ONLY and not name.startswith(ONLY):
        return
    out = []
    for fr in frames:
        if isinstance(fr, (bytes, bytearray, tuple)):
            out.append(fr)
        else:
            out.append(link(fr))
    path = os.path.join(CAPDIR, name)
    write_pcap(path, linktype, out, **kw)
    DESCS[name] = desc
    print("%-40s %6d frames %8d bytes" % (name, len(out), os.path.getsize(path)))


# --------------------------------------------------------------------------
# TCP connection builder

M32 = 0xFFFFFFFF


class Conn:
    """Builds the packets of one TCP connection in logical order.

    c()/s() send from client/server; sequence numbers advance automatically
    and the ack field acknowledges everything the peer has sent so far,
    unless seq=/ack= are given.  Packets are returned (and appended to
    self.pkts); callers reorder, drop or duplicate them afterwards.
    """

    def __init__(self, cli=C4, srv=S4, sport=40000, dport=80,
                 cisn=1000, sisn=5000, v6=False, mss=1460):
        self.cli, self.srv, self.sport, self.dport = cli, srv, sport, dport
        self.v6 = v6 or ":" in cli
        self.nxt = {True: cisn & M32, False: sisn & M32}   # True = client
        self.isn = {True: cisn & M32, False: sisn & M32}
        self.ipid = {True: 0x1000 + (sport & 0xFF) * 16, False: 0x8000 + (sport & 0xFF) * 16}
        self.mss = mss
        self.pkts = []

    def _ip(self, frm_client):
        src, dst = (self.cli, self.srv) if frm_client else (self.srv, self.cli)
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=64)
        self.ipid[frm_client] = (self.ipid[frm_client] + 1) & 0xFFFF
        return IP(src=src, dst=dst, ttl=64, id=self.ipid[frm_client], flags="DF")

    def send(self, frm_client, data=b"", flags="PA", seq=None, ack=None,
             advance=None, window=64240, options=None):
        if isinstance(data, str):
            data = data.encode()
        if seq is None:
            seq = self.nxt[frm_client]
            if advance is None:
                advance = True
        seq &= M32
        if ack is None:
            ack = self.nxt[not frm_client] if "A" in flags else 0
        if advance:
            n = len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
            self.nxt[frm_client] = (seq + n) & M32
        sp, dp = (self.sport, self.dport) if frm_client else (self.dport, self.sport)
        if options is None:
            options = [("MSS", self.mss)] if "S" in flags else []
        if not data and flags == "PA":
            flags = "A"
        t = TCP(sport=sp, dport=dp, seq=seq, ack=ack & M32, flags=flags,
                window=window, options=options)
        p = self._ip(frm_client) / t
        if data:
            p = p / Raw(data)
        self.pkts.append(p)
        return p

    def c(self, data=b"", flags="PA", **kw):
        return self.send(True, data, flags, **kw)

    def s(self, data=b"", flags="PA", **kw):
        return self.send(False, data, flags, **kw)

    def handshake(self, syn_data=b""):
        a = self.c(syn_data, "S", ack=0)
        b = self.s(b"", "SA")
        c = self.c(b"", "A")
        return [a, b, c]

    def close(self, client_first=True):
        """FIN, FIN-ACK, ACK."""
        if client_first:
            return [self.c(b"", "FA"), self.s(b"", "FA"), self.c(b"", "A")]
        return [self.s(b"", "FA"), self.c(b"", "FA"), self.s(b"", "A")]

    def ack(self, frm_client=False):
        return self.send(frm_client, b"", "A")


def chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def split_at(data, *cuts):
    out, prev = [], 0
    for c in cuts:
        out.append(data[prev:c])
        prev = c
    out.append(data[prev:])
    return out


def text_block(tag, n):
    """n bytes of readable, position-identifying text."""
    s = b""
    i = 0
    while len(s) < n:
        s += b"%s-%05d|" % (tag.encode(), i)
        i += 1
    return s[:n]


# --------------------------------------------------------------------------
# IP fragments

def udp_payload4(src, dst, sport, dport, data):
    return bytes(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data))[20:]


def udp_payload6(src, dst, sport, dport, data):
    return bytes(IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data))[40:]


def frag4(src, dst, proto, ipid, payload, pieces, ttl=64):
    """pieces: list of (offset_bytes, length, more_fragments) or
    (offset_bytes, bytes_content, more_fragments)."""
    out = []
    for off, ln, mf in pieces:
        body = ln if isinstance(ln, bytes) else payload[off:off + ln]
        assert off % 8 == 0
        out.append(IP(src=src, dst=dst, id=ipid, proto=proto, ttl=ttl,
                      flags="MF" if mf else 0, frag=off // 8) / Raw(body))
    return out


def even_pieces(total, size):
    return [(o, min(size, total - o), o + size < total) for o in range(0, total, size)]


def frag6(src, dst, nh, ident, payload, pieces, pre=None):
    """IPv6 fragments; `pre` builds the unfragmentable extension headers
    and must end in a header whose nh is 44 (Fragment)."""
    out = []
    for off, ln, mf in pieces:
        body = ln if isinstance(ln, bytes) else payload[off:off + ln]
        base = IPv6(src=src, dst=dst, hlim=64, nh=44 if pre is None else 0)
        if pre is not None:
            base = base / pre()
        out.append(base / IPv6ExtHdrFragment(nh=nh, offset=off // 8, m=1 if mf else 0,
                                             id=ident) / Raw(body))
    return out


def gen_ip():
    data = text_block("frag-inorder", 3000)
    pl = udp_payload4(C4, S4, 33000, 9000, data)
    fr = frag4(C4, S4, 17, 0x0101, pl, even_pieces(len(pl), 1480))
    save("ip-frag-inorder.pcap", fr,
         "IPv4 UDP datagram (3000 B payload to port 9000) in 3 fragments, in order")

    data = text_block("frag-reversed", 3000)
    pl = udp_payload4(C4, S4, 33001, 9000, data)
    fr = frag4(C4, S4, 17, 0x0102, pl, even_pieces(len(pl), 1480))
    save("ip-frag-reversed.pcap", fr[::-1],
         "IPv4 UDP datagram in 3 fragments sent last-first (reverse order)")

    data = text_block("frag-shuffled", 1200)
    pl = udp_payload4(C4, S4, 33002, 9000, data)
    fr = frag4(C4, S4, 17, 0x0103, pl, even_pieces(len(pl), 304))
    assert len(fr) == 4
    save("ip-frag-shuffled.pcap", [fr[2], fr[0], fr[3], fr[1]],
         "IPv4 UDP datagram in 4 fragments, shuffled order 3,1,4,2")

    data = text_block("frag-dup", 1200)
    pl = udp_payload4(C4, S4, 33003, 9000, data)
    fr = frag4(C4, S4, 17, 0x0104, pl, even_pieces(len(pl), 304))
    save("ip-frag-duplicates.pcap", [fr[0], fr[1], fr[1], fr[2], fr[0], fr[3], fr[3]],
         "IPv4 UDP datagram in 4 fragments with identical duplicates (1,2,2,3,1,4,4); "
         "the datagram completes at the 6th frame and the last frame is a late duplicate")

    # The Novak "Target-Based Fragmentation Reassembly" layout (the
    # Sturges/Novak test): 17 fragments of a 192-byte payload, each
    # filled with its own letter; the first 9 do not overlap, the next 7
    # overlap them, the 17th ('Q', last) overlaps 'I'.  Protocol 253
    # (experimentation) so no header is parsed from the fill bytes.
    # Reassembled 8-byte units per policy:
    #   first   AAAJBBCCCLDLMEEFFFGGHHIQ
    #   last    AJJJJBKKKLLLMMMFNFGOPHQQ
    #   bsd     AAAJJBCCCLLLMMMFFFGGHHIQ
    #   linux   AAAJJBKKKLLLMMMFFFGGPHQQ
    #   windows AAAJBBCCCLLLMEEFFFGGHHIQ
    #   solaris AAAJBBCCCLLLMMMFFFGGHHIQ
    layout = [(0, 24, "A"), (32, 16, "B"), (48, 24, "C"), (80, 8, "D"), (104, 16, "E"),
              (120, 24, "F"), (144, 16, "G"), (160, 16, "H"), (176, 8, "I"),
              (8, 32, "J"), (48, 24, "K"), (72, 24, "L"), (96, 24, "M"), (128, 8, "N"),
              (152, 8, "O"), (160, 8, "P"), (176, 16, "Q")]
    pieces = [(off, ch.encode() * ln, ch != "Q") for off, ln, ch in layout]
    fr = frag4(C4, S4, 253, 0x0105, None, pieces)
    save("ip-frag-overlap-novak.pcap", fr,
         "IPv4 (proto 253) Novak/Sturges overlap layout: 17 fragments filled A-Q, 192 B; "
         "8-byte units per policy: first=AAAJBBCCCLDLMEEFFFGGHHIQ "
         "last=AJJJJBKKKLLLMMMFNFGOPHQQ bsd=AAAJJBCCCLLLMMMFFFGGHHIQ "
         "linux=AAAJJBKKKLLLMMMFFFGGPHQQ windows=AAAJBBCCCLLLMEEFFFGGHHIQ "
         "solaris=AAAJBBCCCLLLMMMFFFGGHHIQ")

    # A train that never completes, plus one that completes, in between.
    pl_a = udp_payload4(C4, S4, 33010, 9000, text_block("never-a", 1000))
    fa = frag4(C4, S4, 17, 0x0110, pl_a, even_pieces(len(pl_a), 344))
    pl_b = udp_payload4(C4, S4, 33011, 9000, text_block("never-b", 1000))
    fb = frag4(C4, S4, 17, 0x0111, pl_b, even_pieces(len(pl_b), 344))
    pl_ok = udp_payload4(C4, S4, 33012, 9000, text_block("complete", 600))
    fok = frag4(C4, S4, 17, 0x0112, pl_ok, even_pieces(len(pl_ok), 304))
    save("ip-frag-incomplete.pcap", [fa[0], fb[0], fok[0], fa[2], fok[1], fb[1]],
         "IPv4 fragment trains that never complete: id 0x0110 misses its middle "
         "fragment, id 0x0111 misses its last; id 0x0112 in between completes")

    # Malformed: offset + length beyond 65535.
    pl = udp_payload4(C4, S4, 33020, 9000, text_block("oversize", 200))
    fr = frag4(C4, S4, 17, 0x0120, pl, [(0, 64, True)])
    fr.append(IP(src=C4, dst=S4, id=0x0120, proto=17, frag=8189, flags=0) / Raw(b"Z" * 40))
    pl2 = udp_payload4(C4, S4, 33021, 9000, text_block("after-oversize", 200))
    fr += frag4(C4, S4, 17, 0x0121, pl2, even_pieces(len(pl2), 104))
    save("ip-frag-malformed-oversize.pcap", fr,
         "IPv4 fragment with offset 65512 + 40 B (ends past 65535) for id 0x0120; "
         "a good fragmented datagram id 0x0121 follows")

    # Malformed: a non-last fragment whose length is not a multiple of 8.
    pl = udp_payload4(C4, S4, 33030, 9000, text_block("unaligned", 100))
    fr = [IP(src=C4, dst=S4, id=0x0130, proto=17, flags="MF", frag=0) / Raw(pl[:30]),
          IP(src=C4, dst=S4, id=0x0130, proto=17, flags=0, frag=4) / Raw(pl[32:])]
    pl2 = udp_payload4(C4, S4, 33031, 9000, text_block("after-unaligned", 200))
    fr += frag4(C4, S4, 17, 0x0131, pl2, even_pieces(len(pl2), 104))
    save("ip-frag-malformed-unaligned.pcap", fr,
         "IPv4 non-last fragment (MF set) of 30 B, not a multiple of 8 (id 0x0130); "
         "a good fragmented datagram id 0x0131 follows")

    # Malformed: conflicting ends.
    fr = [IP(src=C4, dst=S4, id=0x0140, proto=253, flags="MF", frag=0) / Raw(b"a" * 16),
          IP(src=C4, dst=S4, id=0x0140, proto=253, flags=0, frag=2) / Raw(b"b" * 16),
          IP(src=C4, dst=S4, id=0x0140, proto=253, flags=0, frag=2) / Raw(b"c" * 32),
          IP(src=C4, dst=S4, id=0x0141, proto=253, flags=0, frag=2) / Raw(b"d" * 16),
          IP(src=C4, dst=S4, id=0x0141, proto=253, flags="MF", frag=5) / Raw(b"e" * 16),
          IP(src=C4, dst=S4, id=0x0141, proto=253, flags="MF", frag=0) / Raw(b"f" * 16)]
    pl2 = udp_payload4(C4, S4, 33041, 9000, text_block("after-ends", 200))
    fr += frag4(C4, S4, 17, 0x0142, pl2, even_pieces(len(pl2), 104))
    save("ip-frag-malformed-ends.pcap", fr,
         "IPv4 conflicting ends (proto 253): id 0x0140 has two last fragments ending at "
         "32 and 48; id 0x0141 has last fragment ending at 32 then a fragment at 40-56; "
         "a good datagram id 0x0142 follows")

    # IPv6 fragments behind Hop-by-Hop and Destination Options headers.
    def pre():
        return (IPv6ExtHdrHopByHop(nh=60, options=[PadN(optdata=b"\0\0\0\0")]) /
                IPv6ExtHdrDestOpt(nh=44, options=[PadN(optdata=b"\0\0\0\0")]))
    pl = udp_payload6(C6, S6, 33050, 9000, text_block("v6-exthdrs", 3000))
    fr = frag6(C6, S6, 17, 0x00010150, pl, even_pieces(len(pl), 1232), pre=pre)
    save("ip6-frag-exthdrs.pcap", fr,
         "IPv6 UDP datagram (3000 B) in 3 fragments, each behind Hop-by-Hop and "
         "Destination Options headers (unfragmentable part)")

    pl = udp_payload6(C6, S6, 33051, 9000, text_block("v6-ooo", 2400))
    fr = frag6(C6, S6, 17, 0x00010151, pl, even_pieces(len(pl), 616))
    assert len(fr) == 4
    save("ip6-frag-outoforder.pcap", [fr[3], fr[1], fr[0], fr[2]],
         "IPv6 UDP datagram (2400 B) in 4 fragments, order 4,2,1,3")

    pl = udp_payload6(C6, S6, 33052, 9000, text_block("v6-udp", 4000))
    fr = frag6(C6, S6, 17, 0x00010152, pl, even_pieces(len(pl), 1448))
    save("ip6-frag-udp.pcap", fr,
         "IPv6 UDP datagram (4000 B to port 9000) in 3 fragments, in order")

    # IPv6 overlap (forbidden by RFC 5722: the whole datagram is dropped).
    pl = udp_payload6(C6, S6, 33053, 9000, text_block("v6-overlap", 200))
    fr = frag6(C6, S6, 17, 0x00010153, pl, [(0, 104, True), (96, 112, False)])
    pl2 = udp_payload6(C6, S6, 33054, 9000, text_block("v6-good", 200))
    fr += frag6(C6, S6, 17, 0x00010154, pl2, even_pieces(len(pl2), 104))
    save("ip6-frag-overlap.pcap", fr,
         "IPv6 overlapping fragments (bytes 96-104 twice, RFC 5722 says drop) id 0x10153; "
         "a good fragmented datagram id 0x10154 follows")

    # TCP segments carried in IPv4 fragments.
    cn = Conn(C4, S4, 40100, 7001, cisn=100000, sisn=200000)
    pk = cn.handshake()
    seg = cn.c(text_block("tcp-in-frag-1", 1200) + b"\r\n")
    seg2 = cn.c(text_block("tcp-in-frag-2", 900) + b"\r\n")
    ack = cn.ack()
    reply = cn.s(b"got it\r\n")
    fin = cn.close()
    out = list(pk)
    for s_, ident, order in ((seg, 0x0201, [0, 1, 2]), (seg2, 0x0202, [1, 0])):
        b = bytes(s_)
        tcpb = b[20:]
        pieces = even_pieces(len(tcpb), 512)
        frs = frag4(s_[IP].src, s_[IP].dst, 6, ident, tcpb, pieces)
        out += [frs[i] for i in order]
    out += [ack, reply] + fin
    save("ip-frag-tcp.pcap", out,
         "TCP connection (port 7001, lines) whose two client data segments are carried "
         "in IPv4 fragments (3 in order; 2 reversed)")


# --------------------------------------------------------------------------
# TCP edge cases

def gen_tcp():
    P = 7001  # line-based payloads keep the data readable in Follow Stream

    cn = Conn(sport=41000, dport=P)
    out = cn.handshake()
    for i in range(4):
        out.append(cn.c(b"client line %d in order\r\n" % i))
        out.append(cn.s(b"server line %d in order\r\n" % i))
    out += cn.close()
    save("tcp-inorder.pcap", out,
         "TCP port 7001: handshake, 4 client and 4 server segments in order, FIN close")

    cn = Conn(sport=41001, dport=P)
    out = cn.handshake()
    segs = [cn.c(b"segment %d of the client stream\r\n" % i) for i in range(6)]
    ack = cn.ack()
    resp = cn.s(b"all six received\r\n")
    cls = cn.close()
    out += [segs[0], segs[2], segs[1], segs[5], segs[3], segs[4], ack, resp] + cls
    save("tcp-reordered.pcap", out,
         "TCP port 7001: 6 client segments captured as 1,3,2,6,4,5")

    cn = Conn(sport=41002, dport=P)
    out = cn.handshake()
    a = cn.c(b"first segment\r\n")
    b = cn.c(b"second segment, retransmitted identically\r\n")
    c = cn.c(b"third segment\r\n")
    ack = cn.ack()
    out += [a, b, b, c, b, ack] + cn.close()
    save("tcp-retrans-identical.pcap", out,
         "TCP port 7001: the 2nd client segment is retransmitted twice with identical bytes")

    cn = Conn(sport=41003, dport=P)
    out = cn.handshake()
    a = cn.c(b"first segment\r\n")
    orig = b"ORIGINAL bytes 0123456789\r\n"
    b = cn.c(orig)
    c = cn.c(b"third segment\r\n")
    ack = cn.ack()
    conflict = b.copy()
    conflict[Raw].load = b"CHANGED! bytes 9876543210\r\n"
    assert len(conflict[Raw].load) == len(orig)
    out += [a, b, conflict, c, ack] + cn.close()
    save("tcp-retrans-conflict.pcap", out,
         "TCP port 7001: 2nd client segment retransmitted with different bytes "
         "(ORIGINAL... vs CHANGED!...): overlap conflict, first copy arrived first")

    cn = Conn(sport=41004, dport=P)
    out = cn.handshake()
    base = cn.nxt[True]
    data = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ\r\n"
    p1 = cn.c(data[:20], seq=base, advance=False)
    p2 = cn.c(data[10:35], seq=base + 10, advance=False)   # overlaps 10..19
    p3 = cn.c(b"xxxxx" + data[40:], seq=base + 35, advance=False)
    cn.nxt[True] = (base + len(data)) & M32
    # p3 covers 35..47: 'xxxxx' at 35..39 differs from the original 'zABCD'.
    p4 = cn.c(data[30:45], seq=base + 30, advance=False)   # overlaps 30..44
    ack = cn.ack()
    out += [p1, p2, p3, p4, ack] + cn.close()
    save("tcp-overlap-partial.pcap", out,
         "TCP port 7001: partially overlapping client segments [0,20) [10,35) [35,48) [30,45) of a 48 B stream; "
         "bytes 35-39 differ between [35,48) ('xxxxx') and [30,45) ('zABCD')")

    cn = Conn(sport=41005, dport=P)
    out = cn.handshake()
    a = cn.c(b"before the gap\r\n")
    acked = cn.nxt[True]
    cn.c(b"this segment is never captured\r\n")   # lost
    c = cn.c(b"after the gap\r\n")
    dupack = cn.s(b"", "A", ack=acked)
    fin = cn.c(b"", "FA")
    finack = cn.s(b"", "FA", ack=acked)
    out += [a, c, dupack, fin, finack]
    save("tcp-gap-fin.pcap", out,
         "TCP port 7001: a 32-byte client segment is missing and never retransmitted; "
         "the server only ACKs up to the gap; FIN follows (gap given up at end)")

    cn = Conn(sport=41006, dport=P)
    out = cn.handshake()
    a = cn.c(b"before the hole\r\n")
    cn.c(b"the capture missed this segment\r\n")  # received, not captured
    c = cn.c(b"after the hole\r\n")
    ack = cn.ack()   # ACKs past the hole
    resp = cn.s(b"server saw everything\r\n")
    out += [a, c, ack, resp] + cn.close()
    save("tcp-gap-acked.pcap", out,
         "TCP port 7001: a 33-byte client segment missing from the capture, but the "
         "server ACKs past the hole (capture loss, not network loss)")

    cn = Conn(sport=41007, dport=P)
    out = cn.handshake()
    a = cn.c(b"first\r\n")
    b = cn.c(b"last data segment, overtaken by FIN\r\n")
    fin = cn.c(b"", "FA")
    finack = cn.s(b"", "FA")
    last = cn.c(b"", "A")
    out += [a, fin, b, finack, last]
    save("tcp-fin-overtakes.pcap", out,
         "TCP port 7001: the client FIN arrives before the last data segment it follows")

    cn = Conn(sport=41008, dport=P)
    out = cn.handshake()
    a = cn.c(b"data before FIN\r\n")
    fin = cn.c(b"", "FA")
    finack = cn.s(b"", "FA")
    ack = cn.c(b"", "A")
    late_retx = a.copy()
    late_new = cn.c(b"late data after FIN\r\n", seq=cn.nxt[True], advance=False)
    out += [a, fin, finack, ack, late_retx, late_new]
    save("tcp-data-after-fin.pcap", out,
         "TCP port 7001: after the FIN exchange the client retransmits old data and then "
         "sends new bytes beyond its FIN sequence number (must not be appended)")

    cn = Conn(sport=41009, dport=P, cisn=2 ** 32 - 11, sisn=2 ** 32 - 3)
    out = cn.handshake()
    out.append(cn.c(b"0123456789<-wrap->ABCDEFGHIJ\r\n"))
    out.append(cn.s(b"server bytes also wrap 2^32\r\n"))
    out.append(cn.c(b"after the wrap\r\n"))
    out.append(cn.ack())
    out += cn.close()
    save("tcp-seq-wrap.pcap", out,
         "TCP port 7001: client ISN 2^32-11 so its first segment crosses 2^32 after "
         "10 bytes; server ISN 2^32-3 wraps within its first data segment")

    cn = Conn(sport=41010, dport=P, cisn=0, sisn=0)
    out = cn.handshake()
    out.append(cn.c(b"ISN zero client\r\n"))
    out.append(cn.s(b"ISN zero server\r\n"))
    out += cn.close()
    save("tcp-isn-zero.pcap", out, "TCP port 7001: both ISNs are 0")

    # Simultaneous open: both SYNs cross, then each end acknowledges the other
    cn = Conn(sport=41020, dport=P, cisn=41020000, sisn=82040000)
    out = [cn.c(b"", "S", ack=0), cn.s(b"", "S", ack=0),
           cn.c(b"", "SA", seq=41020000, advance=False),
           cn.s(b"", "SA", seq=82040000, advance=False)]
    out.append(cn.c(b"from the first end\r\n"))
    out.append(cn.s(b"from the second end\r\n"))
    out += cn.close()
    save("tcp-simultaneous-open.pcap", out,
         "TCP port 7001 simultaneous open: both ends send a SYN before either answers, "
         "then each sends a SYN-ACK; one connection")

    cn = Conn(sport=41011, dport=P)
    out = cn.handshake(syn_data=b"data in the SYN\r\n")
    out.append(cn.c(b"data after the handshake\r\n"))
    out.append(cn.s(b"reply\r\n"))
    out += cn.close()
    save("tcp-syn-data.pcap", out,
         "TCP port 7001: the SYN carries 17 bytes of data (TFO style); the SYN-ACK "
         "acknowledges them")

    cn = Conn(sport=41012, dport=P, cisn=1000, sisn=5000)
    out = cn.handshake()
    out.append(cn.c(b"first connection\r\n"))
    out.append(cn.s(b"first reply\r\n"))
    out += cn.close()
    cn2 = Conn(sport=41012, dport=P, cisn=9000000, sisn=3000000)
    out += cn2.handshake()
    out.append(cn2.c(b"second connection, same 4-tuple\r\n"))
    out.append(cn2.s(b"second reply\r\n"))
    out += cn2.close()
    save("tcp-port-reuse.pcap", out,
         "TCP port 7001: same 4-tuple used twice; the second SYN (ISN 9000000) follows "
         "the FIN close of the first connection (ISN 1000)")

    cn = Conn(sport=41013, dport=P, cisn=77777, sisn=88888)
    cn.handshake()
    cn.pkts = []
    out = [cn.c(b"ddle of a line\r\n"), cn.s(b"server line A\r\n"),
           cn.c(b"client line 2\r\n"), cn.s(b"server line B\r\n"),
           cn.ack(True)] + cn.close()
    save("tcp-midstream.pcap", out,
         "TCP port 7001: connection picked up midstream (no handshake): starts with the "
         "tail of a line, then whole lines, then FIN close")

    cn = Conn(sport=41014, dport=P)
    out = cn.handshake()
    a = cn.c(b"before hole\r\n")
    acked = cn.nxt[True]
    cn.c(b"lost segment\r\n")
    c = cn.c(b"after hole\r\n")
    dup = cn.s(b"", "A", ack=acked)
    rst = cn.s(b"", "RA", ack=acked)
    out += [a, c, dup, rst]
    save("tcp-rst-hole.pcap", out,
         "TCP port 7001: client stream has a 14-byte hole (never captured) and the "
         "server resets the connection")

    cn = Conn(sport=41015, dport=P)
    out = cn.handshake()
    data = text_block("one-byte", 1998) + b"\r\n"
    segs = [cn.c(data[i:i + 1]) for i in range(2000)]
    ack = cn.ack()
    out += segs[::-1] + [ack] + cn.close()
    save("tcp-reverse-2000.pcap", out,
         "TCP port 7001: 2000 one-byte client segments captured in reverse order, then "
         "one cumulative ACK", link=raw, linktype=LINKTYPE_RAW)


# --------------------------------------------------------------------------
# HTTP

def http_resp(status, headers, body=b""):
    h = "HTTP/1.1 %s\r\n" % status
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    return h.encode() + b"\r\n" + body


def http_req(line, headers, body=b""):
    h = line + "\r\n"
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    return h.encode() + b"\r\n" + body


def gen_http():
    host = ("Host", "www.example.com")
    cn = Conn(sport=42000, dport=80)
    out = cn.handshake()

    # 1. pipelined GET + POST in one segment.
    post_body = b"name=sessions&value=reassembly"
    reqs = (http_req("GET /chunked HTTP/1.1", [host, ("Accept", "*/*")]) +
            http_req("POST /form HTTP/1.1", [host, ("Content-Type",
                     "application/x-www-form-urlencoded"),
                     ("Content-Length", str(len(post_body)))], post_body))
    out.append(cn.c(reqs))

    # 2. chunked response with chunk extensions and trailers, 4 segments,
    #    second and third captured swapped, the first retransmitted.
    chunked = http_resp("200 OK", [("Content-Type", "text/plain"),
                                   ("Transfer-Encoding", "chunked"),
                                   ("Trailer", "X-Checksum")])
    chunked += b"1a;ext=one\r\nabcdefghijklmnopqrstuvwxyz\r\n"
    chunked += b"10;name=\"quoted;value\";flag\r\n0123456789ABCDEF\r\n"
    chunked += b"5\r\nhello\r\n"
    chunked += b"0;last=yes\r\nX-Checksum: 0xC0FFEE\r\nX-Other: trailer two\r\n\r\n"
    parts = split_at(chunked, 60, 150, 190)
    sp = [cn.s(p) for p in parts]
    out += [sp[0], sp[2], sp[1], sp[0], sp[3]]

    # 3. response to the POST: Content-Length body.
    pr_body = b'{"status":"stored","id":42}\n'
    out.append(cn.s(http_resp("201 Created", [("Content-Type", "application/json"),
                                              ("Content-Length", str(len(pr_body)))],
                              pr_body)))
    out.append(cn.ack(True))

    # 4. conditional GET -> 304 (no body despite Content-Length).
    out.append(cn.c(http_req("GET /cached.css HTTP/1.1",
                             [host, ("If-None-Match", '"v1"')])))
    out.append(cn.s(http_resp("304 Not Modified", [("ETag", '"v1"'),
                                                    ("Content-Length", "1234")])))

    # 5. HEAD -> 200 with Content-Length and no body; a GET follows at once.
    out.append(cn.c(http_req("HEAD /big.bin HTTP/1.1", [host])))
    out.append(cn.s(http_resp("200 OK", [("Content-Type", "application/octet-stream"),
                                          ("Content-Length", "50000")])))

    # 6. DELETE -> 204 No Content.
    out.append(cn.c(http_req("DELETE /form/42 HTTP/1.1", [host])))
    out.append(cn.s(http_resp("204 No Content", [("Date", "Tue, 14 Nov 2023 22:13:20 GMT")])))

    # 7. GET -> 200 with a 3000 B Content-Length body in 3 segments; the
    #    last two are reordered and the middle one retransmitted.
    body = text_block("http-body", 3000)
    resp = http_resp("200 OK", [("Content-Type", "text/plain"),
                                ("Content-Length", str(len(body)))], body)
    out.append(cn.c(http_req("GET /body.txt HTTP/1.1", [host])))
    sp = [cn.s(p) for p in chunks(resp, 1200)]
    out += [sp[0], sp[2], sp[1]]
    out.append(cn.ack(True))
    out.append(sp[1])
    out += cn.close()
    save("http-one-connection.pcap", out,
         "HTTP/1.1 on port 80, one connection: pipelined GET+POST (Content-Length body) in "
         "one segment; chunked 200 with chunk extensions and trailers (segments reordered "
         "and retransmitted); 201; 304; HEAD answered by 200 with Content-Length and no "
         "body; DELETE answered by 204; 3000 B body with reordered and retransmitted "
         "segments")

    # HTTP on a non-standard port.
    cn = Conn(sport=42001, dport=5555)
    out = cn.handshake()
    body = b"<html><body>non-standard port</body></html>\n"
    out.append(cn.c(http_req("GET /index.html HTTP/1.1", [("Host", "192.0.2.10:5555")])))
    out.append(cn.s(http_resp("200 OK", [("Content-Type", "text/html"),
                                          ("Content-Length", str(len(body)))], body)))
    body2 = text_block("port5555", 2000)
    resp2 = http_resp("200 OK", [("Content-Length", str(len(body2)))], body2)
    out.append(cn.c(http_req("GET /two HTTP/1.1", [("Host", "192.0.2.10:5555")])))
    out += [cn.s(p) for p in chunks(resp2, 1000)]
    out.append(cn.ack(True))
    out += cn.close()
    save("http-port5555.pcap", out,
         "HTTP/1.1 on non-standard TCP port 5555 (heuristic detection): two "
         "request/response pairs, the second response in 3 segments")

    # 101 Switching Protocols followed by raw bytes.
    cn = Conn(sport=42002, dport=80)
    out = cn.handshake()
    out.append(cn.c(http_req("GET /chat HTTP/1.1", [host, ("Upgrade", "websocket"),
                             ("Connection", "Upgrade"),
                             ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                             ("Sec-WebSocket-Version", "13")])))
    out.append(cn.s(http_resp("101 Switching Protocols", [
        ("Upgrade", "websocket"), ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")]) +
        b"\x81\x05hello"))
    out.append(cn.c(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"))
    out.append(cn.s(b"HTTP/1.1 200 OK\r\nthis is not HTTP any more\r\n\r\n"))
    out.append(cn.c(bytes(range(256))))
    out.append(cn.ack())
    out += cn.close()
    save("http-upgrade-101.pcap", out,
         "HTTP port 80: GET with Upgrade: websocket answered by 101, then raw bytes both "
         "ways (including text that looks like an HTTP response) that must not be parsed "
         "as HTTP")

    # Malformed heads.
    cn = Conn(sport=42003, dport=80)
    out = cn.handshake()
    out.append(cn.c(http_req("GET /ok HTTP/1.1", [host])))
    out.append(cn.s(http_resp("200 OK", [("Content-Length", "2")], b"ok")))
    out.append(cn.c(b"BREW /pot HTCPCP/1.0\r\nno colon in this header line\r\n"
                    b"Content-Length: zz\r\nHost: www.example.com\r\n\r\n"))
    out.append(cn.s(b"HTTP/1.1 4OO Bad\x00Request\r\nContent-Length: -5\r\n"
                    b"Content-Length: 7\r\n\r\n"))
    out.append(cn.c(b"GET /\x01\x02\x03 HTTP/9.9\r\n" + b"X-Long: " + b"A" * 600))
    out.append(cn.ack())
    out += cn.close()
    save("http-malformed-head.pcap", out,
         "HTTP port 80: a good GET/200, then a request with a bad method/version, a header "
         "without colon and Content-Length zz; a response with status 4OO, NUL and two "
         "conflicting Content-Lengths (-5, 7); a head that never ends (no CRLFCRLF before FIN)")


# --------------------------------------------------------------------------
# TLS (synthetic records)

def tls_record(ctype, payload, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(payload)) + payload


def handshake_msg(htype, body):
    return struct.pack("!B", htype) + len(body).to_bytes(3, "big") + body


def client_hello(rng, sni="www.example.com"):
    sni_b = sni.encode()
    sni_ext = struct.pack("!HBH", len(sni_b) + 3, 0, len(sni_b)) + sni_b
    exts = struct.pack("!HH", 0, len(sni_ext)) + sni_ext
    body = (struct.pack("!H", 0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            b"\x00" + struct.pack("!H", 4) + struct.pack("!HH", 0xC02F, 0x009C) +
            b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    return handshake_msg(1, body)


def server_hello(rng):
    body = (struct.pack("!H", 0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            b"\x00" + struct.pack("!H", 0xC02F) + b"\x00" + struct.pack("!H", 0))
    return handshake_msg(2, body)


def rnd(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def tls_conn(port, sport, rng):
    cn = Conn(sport=sport, dport=port)
    out = cn.handshake()
    out.append(cn.c(tls_record(22, client_hello(rng), version=0x0301)))
    # several records in one segment: ServerHello, ServerHelloDone, CCS,
    # encrypted Finished
    seg = (tls_record(22, server_hello(rng)) + tls_record(22, handshake_msg(14, b"")) +
           tls_record(20, b"\x01") + tls_record(22, rnd(rng, 40)))
    out.append(cn.s(seg))
    seg = (tls_record(20, b"\x01") + tls_record(22, rnd(rng, 40)) +
           tls_record(23, rnd(rng, 100)) + tls_record(23, rnd(rng, 37)))
    out.append(cn.c(seg))
    # a 4000 B application-data record split across 4 segments; the last
    # segment also carries the first 3 bytes of the next record's header.
    big = tls_record(23, rnd(rng, 4000))
    nxt = tls_record(23, rnd(rng, 200))
    stream = big + nxt
    out += [cn.s(p) for p in split_at(stream, 1000, 2000, 3000, len(big) + 3)]
    out.append(cn.ack(True))
    out.append(cn.c(tls_record(21, rnd(rng, 26))))
    out += cn.close()
    return out


def gen_tls():
    rng = random.Random(SEED)
    save("tls-records-443.pcap", tls_conn(443, 43000, rng),
         "Synthetic TLS 1.2 on port 443: ClientHello; 4 records in one server segment; "
         "4 records in one client segment; a 4005 B record split over 4 segments whose "
         "last also holds 3 bytes of the next record header; encrypted alert; FIN")
    rng = random.Random(SEED + 1)
    save("tls-port4433.pcap", tls_conn(4433, 43001, rng),
         "Synthetic TLS 1.2 on non-standard port 4433 (heuristic), same layout as "
         "tls-records-443.pcap")


# --------------------------------------------------------------------------
# DNS over TCP

def tcpdns(msg):
    b = bytes(msg)
    return struct.pack("!H", len(b)) + b


def gen_dns():
    cn = Conn(sport=44000, dport=53)
    out = cn.handshake()
    q1 = DNS(id=0x1111, rd=1, qd=DNSQR(qname="www.example.com", qtype="A"))
    q2 = DNS(id=0x2222, rd=1, qd=DNSQR(qname="example.com", qtype="TXT"))
    out.append(cn.c(tcpdns(q1) + tcpdns(q2)))
    r1 = DNS(id=0x1111, qr=1, aa=1, rd=1, ra=1,
             qd=DNSQR(qname="www.example.com", qtype="A"),
             an=DNSRR(rrname="www.example.com", type="A", ttl=300, rdata="192.0.2.80"))
    txt = [("v=sessions-test record %02d " % i + "x" * 60).encode() for i in range(8)]
    an = None
    for t in txt:
        rr = DNSRR(rrname="example.com", type="TXT", ttl=300, rdata=[t])
        an = rr if an is None else an / rr
    r2 = DNS(id=0x2222, qr=1, aa=1, rd=1, ra=1,
             qd=DNSQR(qname="example.com", qtype="TXT"), an=an)
    b1, b2 = tcpdns(r1), tcpdns(r2)
    # r1 in its own segment; r2 split: 1st byte of its length prefix alone,
    # then the rest of the prefix plus 200 bytes, then the remainder.
    out.append(cn.s(b1))
    out.append(cn.s(b2[:1]))
    out.append(cn.s(b2[1:202]))
    out.append(cn.s(b2[202:]))
    out.append(cn.ack(True))
    q3 = DNS(id=0x3333, rd=1, qd=DNSQR(qname="ipv6.example.com", qtype="AAAA"))
    out.append(cn.c(tcpdns(q3)))
    r3 = DNS(id=0x3333, qr=1, aa=1, rd=1, ra=1,
             qd=DNSQR(qname="ipv6.example.com", qtype="AAAA"),
             an=DNSRR(rrname="ipv6.example.com", type="AAAA", ttl=300, rdata="2001:db8::80"))
    out.append(cn.s(tcpdns(r3)))
    out += cn.close()
    save("dns-tcp.pcap", out,
         "DNS over TCP port 53: two length-prefixed queries in one segment; the 2nd "
         "response (%d B) split in 3 segments, the first holding only 1 byte of the length "
         "prefix; a third query/response" % len(b2))


# --------------------------------------------------------------------------
# custom protocols

def lp_msg(body):
    return b"\xC0\xDE" + struct.pack("!H", len(body)) + body


def gen_custom():
    cn = Conn(sport=45000, dport=7000)
    out = cn.handshake()
    m = [lp_msg(b"hello"), lp_msg(b""), lp_msg(b"third message body"),
         lp_msg(text_block("big-message", 1500)), lp_msg(b"after big"),
         lp_msg(b"split header"), lp_msg(b"tail")]
    stream = b"".join(m)
    # segment 1: three whole messages; then the big message split across
    # segments; a header split inside its length field.
    e3 = len(m[0]) + len(m[1]) + len(m[2])
    e4 = e3 + len(m[3])
    e5 = e4 + len(m[4])
    cuts = [e3, e3 + 700, e4 - 10, e5 + 3]
    out += [cn.c(p) for p in split_at(stream, *cuts)]
    out.append(cn.ack())
    out.append(cn.s(lp_msg(b"ack 1") + lp_msg(b"ack 2") + lp_msg(b"ack 3")[:5]))
    out.append(cn.s(lp_msg(b"ack 3")[5:]))
    out += cn.close()
    save("custom-lenprefix.pcap", out,
         "Length-prefixed protocol on TCP port 7000 (magic C0DE, 2-byte BE body length at "
         "offset 2; message = 4 + value): 3 messages (one empty) in one segment, a 1504 B "
         "message split over 3 segments, a header split inside its length field; "
         "server: 2.x messages per segment")

    cn = Conn(sport=45001, dport=7001)
    out = cn.handshake()
    lines = (b"line one\r\nline two\r\n\r\nline four after an empty line\r\n"
             b"a line split across segments\r\nsplit between CR and LF\r\nlast\r\n")
    i1 = lines.index(b"across") + 3
    i2 = lines.index(b"LF\r") + 3   # just after CR
    out += [cn.c(p) for p in split_at(lines, 45, i1, i2)]
    out.append(cn.ack())
    out.append(cn.s(b"ok 1\r\nok 2\r\nok"))
    out.append(cn.s(b" 3\r\n"))
    out += cn.close()
    save("custom-delimiter.pcap", out,
         "Line protocol on TCP port 7001 with \\r\\n-terminated lines: several lines per "
         "segment, an empty line, a line split across segments, a split between CR and LF")


# --------------------------------------------------------------------------
# link types

def small_conn(sport, dport=7001, cli=C4, srv=S4, tag=b"link"):
    cn = Conn(cli, srv, sport, dport, cisn=sport * 1000, sisn=sport * 2000)
    out = cn.handshake()
    out.append(cn.c(b"hello over " + tag + b"\r\n"))
    out.append(cn.s(b"reply over " + tag + b"\r\n"))
    out.append(cn.c(b"second line over " + tag + b"\r\n"))
    out.append(cn.ack())
    out += cn.close()
    return out


def gen_link():
    def vlan(p):
        src, dst = l3_src_dst(p)
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst)) / Dot1Q(vlan=100, prio=3) / p)
    pk = small_conn(46000, tag=b"802.1Q vlan 100")
    save("link-vlan.pcap", pk, "Ethernet 802.1Q VLAN 100, TCP port 7001 connection with data",
         link=vlan)

    def pppoe(p):
        src, dst = l3_src_dst(p)
        ppp = 0x0057 if IPv6 in p else 0x0021
        body = bytes(p)
        # PPPoE session header: ver/type 0x11, code 0, session 0x1234, length
        hdr = struct.pack(">BBHHH", 0x11, 0, 0x1234, len(body) + 2, ppp)
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst), type=0x8864)) + hdr + body
    pk = small_conn(46020, tag=b"PPPoE") + \
        small_conn(46021, cli=C6, srv=S6, tag=b"PPPoE v6")
    save("link-pppoe.pcap", pk,
         "Ethernet PPPoE session (0x8864, PPP IPv4 0x0021 / IPv6 0x0057), TCP port 7001 "
         "connections over IPv4 and IPv6", link=pppoe)

    def mpls(p):
        src, dst = l3_src_dst(p)
        labels = struct.pack(">II", (100 << 12) | 64, (200 << 12) | (1 << 8) | 64)
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst), type=0x8847)) + labels + \
            bytes(p)
    pk = small_conn(46022, tag=b"MPLS") + \
        small_conn(46023, cli=C6, srv=S6, tag=b"MPLS v6")
    save("link-mpls.pcap", pk,
         "Ethernet MPLS (0x8847, two labels, bottom of stack on the second), TCP port 7001 "
         "connections over IPv4 and IPv6", link=mpls)

    def qinq(p):
        src, dst = l3_src_dst(p)
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst)) / Dot1AD(vlan=200) /
                     Dot1Q(vlan=100) / p)
    pk = small_conn(46001, tag=b"QinQ 200/100") + \
        small_conn(46011, cli=C6, srv=S6, tag=b"QinQ v6")
    save("link-qinq.pcap", pk,
         "Ethernet QinQ (802.1ad S-tag 200 + 802.1Q C-tag 100), TCP port 7001 connections "
         "with data over IPv4 and IPv6", link=qinq)

    def sll(p):
        src, _ = l3_src_dst(p)
        out_dir = src in (C4, C6)
        hdr = CookedLinux(pkttype=4 if out_dir else 0, lladdrtype=1, lladdrlen=6,
                          src=bytes.fromhex(mac_for(src).replace(":", "")) + b"\0\0",
                          proto=0x86DD if IPv6 in p else 0x0800)
        b = bytes(hdr)
        assert len(b) == 16
        return b + bytes(p)
    pk = small_conn(46002, tag=b"Linux cooked v1") + \
        small_conn(46012, cli=C6, srv=S6, tag=b"Linux cooked v1, IPv6")
    save("link-sll.pcap", pk,
         "Linux cooked capture v1 (DLT 113), TCP port 7001 connections over IPv4 and IPv6",
         link=sll, linktype=LINKTYPE_LINUX_SLL)

    def sll2(p):
        src, _ = l3_src_dst(p)
        out_dir = src in (C4, C6)
        hdr = CookedLinuxV2(proto=0x86DD if IPv6 in p else 0x0800, ifindex=3,
                            lladdrtype=1, pkttype=4 if out_dir else 0, lladdrlen=6,
                            src=bytes.fromhex(mac_for(src).replace(":", "")) + b"\0\0")
        b = bytes(hdr)
        assert len(b) == 20, len(b)
        return b + bytes(p)
    pk = small_conn(46003, tag=b"Linux cooked v2") + \
        small_conn(46013, cli=C6, srv=S6, tag=b"Linux cooked v2, IPv6")
    save("link-sll2.pcap", pk,
         "Linux cooked capture v2 (DLT 276), TCP port 7001 connections over IPv4 and IPv6",
         link=sll2, linktype=LINKTYPE_LINUX_SLL2)

    pk = small_conn(46004, tag=b"raw IP") + small_conn(46014, cli=C6, srv=S6, tag=b"raw IPv6")
    save("link-rawip.pcap", pk,
         "Raw IP (DLT 101, no link header), TCP port 7001 connections over IPv4 and IPv6",
         link=raw, linktype=LINKTYPE_RAW)

    def null(p):
        af = 24 if IPv6 in p else 2   # AF_INET6 as on NetBSD/OpenBSD; AF_INET
        return struct.pack("<I", af) + bytes(p)
    pk = small_conn(46005, tag=b"BSD loopback") + \
        small_conn(46015, cli=C6, srv=S6, tag=b"BSD loopback v6")
    save("link-null.pcap", pk,
         "BSD null/loopback (DLT 0, 4-byte host-order AF: 2 and 24), TCP port 7001 "
         "connections over IPv4 and IPv6", link=null, linktype=LINKTYPE_NULL)

    # pcapng, two interfaces of different link types, interleaved.
    a = small_conn(46006, tag=b"pcapng interface 0 ethernet")
    b = small_conn(46007, cli=C4B, srv=S4B, tag=b"pcapng interface 1 cooked v1")
    frames = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            frames.append((0, eth(a[i]), None))
        if i < len(b):
            frames.append((1, sll(b[i]), None))
    name = "link-pcapng-2if.pcapng"
    if not ONLY or name.startswith(ONLY):
        write_pcapng(os.path.join(CAPDIR, name),
                     [{"linktype": LINKTYPE_ETHERNET, "name": "eth0"},
                      {"linktype": LINKTYPE_LINUX_SLL, "name": "any"}],
                     frames, shb_comment="sessions test capture: two interfaces")
        DESCS[name] = ("pcapng with two interfaces: if 0 Ethernet (TCP 192.0.2.10:46006 ->"
                       " 198.51.100.20:7001) and if 1 Linux cooked v1 (TCP 192.0.2.11:46007 ->"
                       " 198.51.100.21:7001), frames interleaved")
        print("%-40s %6d frames" % (name, len(frames)))

    # pcapng, nanosecond resolution, with packet comments.
    c = small_conn(46008, tag=b"pcapng nanoseconds")
    frames = [(0, eth(p), frame_ns(i), "frame %d" % (i + 1) if i == 0 else None)
              for i, p in enumerate(c)]
    name = "link-pcapng-nsec.pcapng"
    if not ONLY or name.startswith(ONLY):
        write_pcapng(os.path.join(CAPDIR, name),
                     [{"linktype": LINKTYPE_ETHERNET, "name": "eth0", "tsresol_exp": 9}],
                     frames)
        DESCS[name] = ("pcapng, one Ethernet interface with nanosecond timestamps "
                       "(if_tsresol 9) and a packet comment, TCP port 7001 connection")
        print("%-40s %6d frames" % (name, len(frames)))

    # Ethernet padding: frames shorter than 60 bytes padded with nonzero bytes.
    cn = Conn(sport=46009, dport=7001)
    pk = cn.handshake()
    pk += [cn.c(b"x"), cn.s(b"y"), cn.c(b"ab"), cn.ack(), cn.c(b"\r\n")]
    pk += cn.close()

    def padded(p):
        b = eth(p)
        if len(b) < 60:
            b += bytes((0xA5 ^ i) & 0xFF or 0x5A for i in range(60 - len(b)))
        return b
    save("link-eth-padding.pcap", pk,
         "Ethernet frames padded to 60 bytes with nonzero trailer bytes after short "
         "IPv4/TCP packets (1-2 byte payloads); the IP total length must win",
         link=padded)


def gen_link_serial_and_wireless():
    """Link types beyond Ethernet: 802.11 (radiotap, PPI), PPP, Cisco HDLC,
    pflog and NFLOG, each with a TCP connection over IPv4 and one over IPv6,
    and frames that carry no IP mixed in."""
    AP = "02:00:5e:00:00:fe"

    def v4_and_v6(sport, tag, between=()):
        return small_conn(sport, tag=tag) + list(between) + \
            small_conn(sport + 1, cli=C6, srv=S6, tag=tag + b", IPv6")

    def ethertype(p):
        return 0x86DD if IPv6 in p else 0x0800

    def wlan(p, fcs=False):
        # Client -> AP is ToDS, AP -> client FromDS; QoS data, LLC/SNAP.
        src, dst = l3_src_dst(p)
        up = src in (C4, C6)
        cls = Dot11FCS if fcs else Dot11
        hdr = cls(type=2, subtype=8, FCfield="to-DS" if up else "from-DS",
                  addr1=AP if up else mac_for(dst), addr2=mac_for(src) if up else AP,
                  addr3=mac_for(dst) if up else mac_for(src), SC=0x0100)
        return hdr / Dot11QoS(TID=5) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / \
            SNAP(OUI=0, code=ethertype(p)) / p

    def radiotap(fcs):
        return RadioTap(present="Flags+Rate+Channel+dBm_AntSignal",
                        Flags="FCS" if fcs else 0, Rate=108, ChannelFrequency=2437,
                        ChannelFlags=0x00A0, dBm_AntSignal=-42)

    no_ip = [
        # beacon, ACK, QoS null data, a protected data frame
        bytes(radiotap(False) / Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff",
                                      addr2=AP, addr3=AP) /
              Dot11Beacon(timestamp=1, beacon_interval=100, cap=0x0411) /
              Dot11Elt(ID=0, info=b"sessions")),
        bytes(radiotap(False) / Dot11(type=1, subtype=13, addr1=AP)),
        bytes(radiotap(False) / Dot11(type=2, subtype=12, FCfield="to-DS", addr1=AP,
                                      addr2=mac_for(C4), addr3=AP) / Dot11QoS(TID=0)),
        bytes(radiotap(False) / Dot11(type=2, subtype=8, FCfield="to-DS+protected",
                                      addr1=AP, addr2=mac_for(C4), addr3=AP) /
              Dot11QoS(TID=0) / Raw(bytes(range(40)))),
    ]
    a = small_conn(46030, tag=b"802.11 radiotap")
    b = small_conn(46031, cli=C6, srv=S6, tag=b"802.11 radiotap with FCS, IPv6")
    frames = [bytes(radiotap(False) / wlan(p)) for p in a]
    frames = frames[:2] + no_ip[:2] + frames[2:] + no_ip[2:]
    frames += [bytes(radiotap(True) / wlan(p, fcs=True)) for p in b]
    save("link-radiotap.pcap", frames,
         "802.11 with radiotap (DLT 127): QoS data frames with LLC/SNAP, TCP port 7001 "
         "connections over IPv4 and over IPv6 (the IPv6 frames with an FCS), among a "
         "beacon, an ACK, a QoS null frame and a protected data frame that carry no IP",
         linktype=LINKTYPE_IEEE802_11_RADIOTAP)

    def ppi(p):
        # PPI header naming link type 105 (802.11), no fields
        return struct.pack("<BBHI", 0, 0, 8, 105) + bytes(wlan(p))
    pk = v4_and_v6(46032, b"802.11 PPI")
    save("link-ppi.pcap", pk,
         "802.11 with PPI headers (DLT 192 naming DLT 105): QoS data frames with LLC/SNAP, "
         "TCP port 7001 connections over IPv4 and IPv6", link=ppi, linktype=LINKTYPE_PPI)

    pk = v4_and_v6(46046, b"802.11")
    save("link-wlan.pcap", pk,
         "802.11 without a radio header (DLT 105): QoS data frames with LLC/SNAP, TCP port "
         "7001 connections over IPv4 and IPv6", link=lambda p: bytes(wlan(p)),
         linktype=LINKTYPE_IEEE802_11)

    def avs(p):
        # AVS capture header v1, 64 bytes: version, length, then radio fields
        hdr = struct.pack(">IIQQIIIIIiiIII", 0x80211001, 64, 1000, 2000, 1, 6, 54, 4, 0,
                          -42, -95, 1, 0, 0)
        assert len(hdr) == 64
        return hdr + bytes(wlan(p))
    pk = v4_and_v6(46044, b"802.11 AVS")
    save("link-avs.pcap", pk,
         "802.11 with AVS capture headers (DLT 163): QoS data frames with LLC/SNAP, TCP port "
         "7001 connections over IPv4 and IPv6", link=avs, linktype=LINKTYPE_IEEE802_11_AVS)

    def ppp(p):
        return b"\xff\x03" + struct.pack(">H", 0x0057 if IPv6 in p else 0x0021) + bytes(p)
    lcp_echo = b"\xff\x03\xc0\x21" + bytes.fromhex("09010008") + b"\x12\x34\x56\x78"
    pk = v4_and_v6(46034, b"PPP", [lcp_echo])
    save("link-ppp.pcap", pk,
         "PPP (DLT 9, FF 03 + protocol 0x0021 / 0x0057), TCP port 7001 connections over "
         "IPv4 and IPv6, with an LCP echo request between them", link=ppp,
         linktype=LINKTYPE_PPP)

    def ppp_dir(p):
        # direction byte: 1 sent (client), 0 received
        src, _ = l3_src_dst(p)
        return bytes([1 if src in (C4, C6) else 0]) + ppp(p)
    pk = v4_and_v6(46042, b"PPP with direction")
    save("link-ppp-dir.pcap", pk,
         "PPP with a direction byte (DLT 204, which Wireshark reads into a pseudo-header), "
         "TCP port 7001 connections over IPv4 and IPv6", link=ppp_dir,
         linktype=LINKTYPE_PPP_WITH_DIR)

    def chdlc(p):
        return b"\x0f\x00" + struct.pack(">H", ethertype(p)) + bytes(p)
    slarp = b"\x8f\x00\x80\x35" + bytes(18)
    pk = v4_and_v6(46036, b"Cisco HDLC", [slarp])
    save("link-chdlc.pcap", pk,
         "Cisco HDLC (DLT 104, ethertype after address and control), TCP port 7001 "
         "connections over IPv4 and IPv6, with a SLARP keepalive between them",
         link=chdlc, linktype=LINKTYPE_C_HDLC)

    def pflog(p):
        # OpenBSD struct pfloghdr: 100 bytes, AF_INET 2 / AF_INET6 24
        src, _ = l3_src_dst(p)
        hdr = struct.pack("<BBBB16s16sIIIiIiBBBB16s16sHH", 100, 24 if IPv6 in p else 2,
                          0, 0, b"em0", b"", 3, 0xFFFFFFFF, 0, 0, 0, 0,
                          1 if src in (C4, C6) else 2, 0, 0, 0, b"", b"", 0, 0)
        assert len(hdr) == 100
        return hdr + bytes(p)
    pk = v4_and_v6(46038, b"pflog")
    save("link-pflog.pcap", pk,
         "OpenBSD pflog (DLT 117, 100-byte header, AF 2 / 24), TCP port 7001 connections "
         "over IPv4 and IPv6", link=pflog, linktype=LINKTYPE_PFLOG)

    def tlv(t, value):
        # NFLOG attribute: length and type in the logging host's order (LE)
        body = struct.pack("<HH", 4 + len(value), t) + value
        return body + bytes(-len(body) % 4)

    def nflog(p):
        v6 = IPv6 in p
        return bytes([10 if v6 else 2, 0]) + struct.pack(">H", 1) + \
            tlv(1, struct.pack(">HBB", ethertype(p), 3, 0)) + \
            tlv(10, b"sessions\0") + tlv(9, bytes(p))
    pk = v4_and_v6(46040, b"NFLOG")
    save("link-nflog.pcap", pk,
         "Linux NFLOG (DLT 239: packet header, prefix and payload attributes in "
         "little-endian), TCP port 7001 connections over IPv4 and IPv6", link=nflog,
         linktype=LINKTYPE_NFLOG)


def gen_link_ppp_llc():
    """PPP as real access networks send it and 802.3 framing: the PPP
    protocol field compressed to one byte (RFC 1661) in PPPoE, PPTP and L2TP,
    PPP carrying MPLS, and 802.3 frames with LLC/SNAP (RFC 1042).  Every
    frame ends in trailer bytes that only the link layer's length (PPPoE's,
    802.3's) excludes; some IPv4 packets have a total length of 0, as
    segmentation offload writes it, so that only that length ends them."""
    T1, T2 = "203.0.113.1", "203.0.113.2"
    trailer = bytes.fromhex("a55a0ff0c33c")

    def tso(p, i):
        """Every other data segment of an IPv4 packet with total length 0."""
        b = bytearray(bytes(p))
        if IP in p and TCP in p and len(p[TCP].payload) and i % 2:
            b[2:4] = b"\0\0"
        return bytes(b)

    def ppp_protocol(p, compressed):
        v = 0x57 if IPv6 in p else 0x21
        return bytes([v]) if compressed else struct.pack(">H", v)

    def mpls(label):
        return struct.pack(">I", (label << 12) | (1 << 8) | 64)

    def pppoe(p, i, body_head):
        src, dst = l3_src_dst(p)
        body = body_head + tso(p, i)
        hdr = struct.pack(">BBHH", 0x11, 0, 0x1234, len(body))
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst), type=0x8864)) + hdr + \
            body + trailer

    a = small_conn(46070, tag=b"PPPoE, 1-byte PPP protocol")
    b = small_conn(46071, cli=C6, srv=S6, tag=b"PPPoE, 1-byte PPP protocol, IPv6")
    c = small_conn(46072, tag=b"PPPoE carrying MPLS")
    frames = [pppoe(p, i, ppp_protocol(p, True)) for i, p in enumerate(a + b)]
    frames += [pppoe(p, i, b"\x02\x81" + mpls(300)) for i, p in enumerate(c)]
    save("link-pppoe-compressed.pcap", frames,
         "Ethernet PPPoE sessions: PPP protocol compressed to one byte (0x21 / 0x57), IPv4 "
         "and IPv6, and PPP carrying MPLS (0x0281, one label), TCP port 7001 connections; "
         "6 trailer bytes after every PPPoE payload and IPv4 total length 0 on every other "
         "data segment, so only PPPoE's length ends the packet")

    def ppp(p, i):
        if i % 3 == 0:
            return b"\xff\x03\x02\x81" + mpls(400) + bytes(p)
        return b"\xff\x03" + ppp_protocol(p, i % 3 == 1) + bytes(p)
    pk = small_conn(46073, tag=b"PPP, MPLS") + \
        small_conn(46074, cli=C6, srv=S6, tag=b"PPP, MPLS, IPv6")
    save("link-ppp-mpls.pcap", [ppp(p, i) for i, p in enumerate(pk)],
         "PPP (DLT 9): every third frame carrying MPLS (0x0281, one label), the others IPv4 / "
         "IPv6 with the PPP protocol field alternately compressed to one byte, TCP port "
         "7001 connections over IPv4 and IPv6", linktype=LINKTYPE_PPP)

    def llc(p, i, tagged=False):
        src, dst = l3_src_dst(p)
        body = b"\xaa\xaa\x03\x00\x00\x00" + \
            struct.pack(">H", 0x86DD if IPv6 in p else 0x0800) + tso(p, i)
        macs = bytes.fromhex(mac_for(dst).replace(":", "") + mac_for(src).replace(":", ""))
        tag = struct.pack(">HH", 0x8100, 300) if tagged else b""
        return macs + tag + struct.pack(">H", len(body)) + body + trailer
    a = small_conn(46075, tag=b"802.3 LLC/SNAP")
    b = small_conn(46076, cli=C6, srv=S6, tag=b"802.3 LLC/SNAP, IPv6")
    c = small_conn(46077, cli=C4B, srv=S4B, tag=b"802.1Q 802.3 LLC/SNAP")
    frames = [llc(p, i) for i, p in enumerate(a + b)]
    frames += [llc(p, i, tagged=True) for i, p in enumerate(c)]
    save("link-llc-snap.pcap", frames,
         "Ethernet 802.3 frames (a length, not a type) with LLC/SNAP (RFC 1042) carrying "
         "IPv4 and IPv6, one connection behind an 802.1Q tag, TCP port 7001; 6 trailer "
         "bytes after every frame's counted length and IPv4 total length 0 on every other "
         "data segment, so only the 802.3 length ends the packet")

    def pptp(p, i):
        body = ppp_protocol(p, True) + bytes(p)    # no address and control
        gre = struct.pack(">HHHHI", 0x3001, 0x880B, len(body), 0x4000, i)
        src, _ = l3_src_dst(p)
        a_, b_ = (T1, T2) if src in (C4, C6) else (T2, T1)
        return eth(IP(src=a_, dst=b_, proto=47, id=0x400 + i, ttl=255) / Raw(gre + body))

    def l2tp(p, i):
        ppp_ = ppp_protocol(p, True) + bytes(p)
        body = struct.pack(">HHHH", 0x4002, 8 + len(ppp_), 4, 11) + ppp_
        src, _ = l3_src_dst(p)
        a_, b_ = (T1, T2) if src in (C4, C6) else (T2, T1)
        return eth(IP(src=a_, dst=b_, id=0x480 + i) / UDP(sport=1701, dport=1701) /
                   Raw(body))
    a = small_conn(46078, tag=b"PPTP, 1-byte PPP protocol")
    b = small_conn(46079, cli=C6, srv=S6, tag=b"L2TP, 1-byte PPP protocol, IPv6")
    frames = [pptp(p, i) for i, p in enumerate(a)] + [l2tp(p, i) for i, p in enumerate(b)]
    save("tunnel-ppp-compressed.pcap", frames,
         "TCP port 7001 connections in PPP without address and control and with the "
         "protocol compressed to one byte: PPTP (GRE version 1, IPv4 inside) and L2TPv2 "
         "(UDP 1701, IPv6 inside)")


def gen_ack_hint():
    """ACKs are hints: one captured before the data it covers loses
    nothing; 1,024 ACKs up to 16 MiB beyond anything sent create nothing."""
    cn = Conn(sport=46090, dport=7001, cisn=46090000, sisn=92180000)
    pk = cn.handshake()
    pk.append(cn.c(b"first line\r\n"))
    base = cn.nxt[True]
    for i in range(1024):   # each 16 MiB beyond the one before, never sent
        pk.append(cn.s(b"", "A", ack=base + (i + 1) * ((16 << 20) - 1)))
    pk.append(cn.c(b"second line, after 1024 ACKs far ahead\r\n"))
    pk.append(cn.s(b"reply\r\n"))
    pk += cn.close()
    save("tcp-ack-storm.pcap", pk,
         "TCP port 7001: after the client's first line the server sends 1,024 pure ACKs "
         "up to 16 MiB beyond anything the client sent, then the connection goes on; "
         "nothing may be invented (no zero-fill), and the cost stays O(1) per ACK")

    cn = Conn(sport=46091, dport=7001, cisn=46091000, sisn=92182000)
    pk = cn.handshake()
    a = cn.c(b"one\r\n")
    b = cn.c(b"two\r\n")
    c = cn.c(b"three\r\n")
    ack = cn.s(b"", "A")       # covers a, b and c
    reply = cn.s(b"got three lines\r\n")
    pk += [a, c, ack, b, reply] + cn.close()
    save("tcp-ack-before-data.pcap", pk,
         "TCP port 7001: the server's ACK covering three client segments is captured "
         "before the middle one (a, c, ACK, b): nothing is given up, nothing is late")

    cn = Conn(sport=46092, dport=7001, cisn=46092000, sisn=92184000)
    pk = cn.handshake()
    pk.append(cn.c(b"upload header\r\n"))
    pk.append(cn.s(b"", "A", ack=cn.nxt[True] + 5000))   # the rest was not captured
    pk.append(cn.s(b"upload received\r\n"))
    save("tcp-ack-unseen.pcap", pk,
         "TCP port 7001: the server acknowledges 5,000 client bytes the capture never "
         "holds, and the capture ends: they are counted once as missing "
         "(sessions.expert.tcp.unseen), never delivered as zeros")


def timed(pkts, times_s):
    """Ethernet frames with explicit capture times (seconds after START)."""
    return [(eth(p), None, capfile.START_US + int(round(t * 1e6)))
            for p, t in zip(pkts, times_s)]


def gen_handshake():
    """Connection tracking: the handshake that was answered anchors the
    stream; FIN or RST that cannot be checked anchors nothing; keep-alives
    are not data; an acknowledged hole's grace ends by capture time while
    other flows send, and real loss is still reported after it."""
    pk = []
    # The client retries with a new ISN; the retry is answered.
    cn = Conn(sport=46100, dport=7001, cisn=46100000, sisn=92200000)
    pk.append(cn.c(b"", "S", ack=0))
    cn.nxt[True] = cn.isn[True] = 46177777
    pk += cn.handshake()
    pk += [cn.c(b"request after a SYN retry\r\n"), cn.s(b"reply\r\n")] + cn.close()
    # The client retries with a new ISN, but the first SYN is the one
    # answered (the SYN-ACK names it): the client goes on with that ISN.
    cn = Conn(sport=46101, dport=7001, cisn=46101000, sisn=92202000)
    first = cn.c(b"", "S", ack=0)
    retry = cn.c(b"", "S", seq=46188888, ack=0, advance=False)
    pk += [first, retry, cn.s(b"", "SA"), cn.c(b"", "A")]
    pk += [cn.c(b"request of the first handshake\r\n"), cn.s(b"reply\r\n")] + cn.close()
    # A SYN flood's pattern: every SYN answered, the client completes only
    # the third handshake.
    cn = Conn(sport=46102, dport=7001, cisn=46102000, sisn=92204000)
    for i in range(3):
        cn.nxt[True] = cn.isn[True] = 46102000 + i * 3333333
        cn.nxt[False] = cn.isn[False] = 92204000 + i * 4444444
        pk += [cn.c(b"", "S", ack=0), cn.s(b"", "SA")]
    pk += [cn.c(b"", "A"), cn.c(b"request after the third SYN\r\n"),
           cn.s(b"reply\r\n")] + cn.close()
    save("tcp-syn-retry-new-isn.pcap", pk,
         "TCP port 7001: SYNs retried with new ISNs on one 4-tuple: the retry answered "
         "(46100), the first SYN answered after the retry was sent (46101), three SYNs "
         "each answered and the third completed (46102); each request and reply belongs "
         "to the flow of the handshake that was answered, based on its ISN")

    pk = []
    bogus = [("F", 0), ("R", 0), ("FA", 12345), ("RA", 31337)]
    for i, (flags, ack) in enumerate(bogus):
        cn = Conn(sport=46110 + i, dport=7001, cisn=46110000 + i * 1000,
                  sisn=92220000 + i * 1000)
        syn = cn.c(b"", "S", ack=0)
        injected = cn.s(b"", flags, seq=0x5EEDBEEF + i, ack=ack, advance=False)
        pk += [syn, injected, cn.s(b"", "SA"), cn.c(b"", "A"),
               cn.c(b"request %d\r\n" % i), cn.s(b"the real response\r\n")] + cn.close()
    save("tcp-bogus-fin-rst-before-synack.pcap", pk,
         "TCP port 7001: between the client's SYN and the server's SYN-ACK a FIN, an RST, "
         "a FIN-ACK and an RST-ACK with bogus sequence and acknowledgement numbers from "
         "the server's side (an evasion test's injected segments); they anchor and end "
         "nothing: each real response is delivered, nothing is late")

    pk = []
    # Picked up midstream: the client's first segment is a keep-alive one
    # below the server's acknowledgement, with a garbage byte.
    cn = Conn(sport=46120, dport=7001, cisn=46120000, sisn=92240000)
    pk.append(cn.s(b"server line\r\n"))
    pk.append(cn.c(b"\x00", "A", seq=cn.nxt[True] - 1, advance=False))
    pk.append(cn.s(b"", "A"))
    pk.append(cn.c(b"client line\r\n"))
    # And in an established connection: probes one below the next byte,
    # with a garbage byte and empty.
    pk.append(cn.c(b"\xff", "A", seq=cn.nxt[True] - 1, advance=False))
    pk.append(cn.c(b"", "A", seq=cn.nxt[True] - 1, advance=False))
    pk.append(cn.s(b"", "A"))
    pk.append(cn.c(b"after the probes\r\n"))
    pk += cn.close()
    save("tcp-keepalive.pcap", pk,
         "TCP port 7001: picked up midstream, the client's first segment is a keep-alive "
         "(one garbage byte, one below the server's acknowledgement), later two more "
         "probes (one byte, empty) one below the next byte: none is data (no stream byte "
         "0, no conflict, nothing missing)")

    # Connection A loses a segment the server acknowledges at 5 ms, then
    # sends nothing until 3 s while connection B talks: the grace (1 s) ends
    # by capture time at B's first packet past 1.005 s.
    a = Conn(sport=46130, dport=7001, cisn=46130000, sisn=92260000)
    b = Conn(sport=46131, dport=7001, cisn=46131000, sisn=92262000)
    pa = a.handshake() + [a.c(b"first line\r\n")]
    a.c(b"lost line\r\n")   # never captured
    pa += [a.c(b"third line\r\n"), a.s(b"", "A")]
    ta = [0.001 * i for i in range(len(pa))]
    pb = b.handshake()
    for i in range(6):
        pb.append(b.c(b"other flow line %d\r\n" % i))
        pb.append(b.s(b"", "A"))
    pb += b.close()
    tb = [0.2 + 0.15 * i for i in range(len(pb))]
    tail = a.close()
    frames = sorted(zip(timed(pa, ta) + timed(pb, tb) + timed(tail, [3.0, 3.001, 3.002]),
                        range(10 ** 6)), key=lambda x: (x[0][2], x[1]))
    save("tcp-grace-by-time.pcap", [f for f, _ in frames],
         "TCP port 7001: connection 46130 loses a client line the server acknowledges "
         "at 5 ms and then sends nothing until its close at 3 s, while connection "
         "46131 talks from 0.2 s: the hole's grace (1 s) ends by capture time on the "
         "other flow's first packet past it, reported on 46130's last frame then")

    cn = Conn(sport=46140, dport=7001, cisn=46140000, sisn=92280000)
    pk = cn.handshake() + [cn.c(b"before the loss\r\n")]
    lost = cn.c(b"never captured\r\n")
    pk.append(cn.c(b"after the loss\r\n"))
    pk.append(cn.s(b"", "A"))   # acknowledges the lost line
    for i in range(70):
        pk.append(cn.s(b"server line %02d\r\n" % i))
        pk.append(cn.c(b"", "A"))
    pk += [lost] + cn.close()   # retransmitted only after the grace: late
    save("tcp-loss-after-grace.pcap", pk,
         "TCP port 7001: a client line is lost and acknowledged; 140 packets follow "
         "before it is retransmitted: the hole is given up after the grace (64 packets "
         "of the flow) and reported missing, and the retransmission is late")


def gen_holes():
    """Zero-fill what is small, skip what is large: a response body misses a
    1,000-byte segment (zero-filled), an upload misses 3 MiB (skipped, the
    framer finds the next request after it)."""
    host = ("Host", "www.example.com")
    cn = Conn(sport=46100, dport=80, cisn=46100000, sisn=92200000)
    pk = cn.handshake()
    pk.append(cn.c(http_req("GET /small-hole HTTP/1.1", [host])))
    body = b"".join(b"response line %04d\r\n" % i for i in range(150))
    resp = http_resp("200 OK", [("Content-Length", str(len(body)))], body)
    parts = split_at(resp, 1000, 2000)
    pk.append(cn.s(parts[0]))
    cn.s(parts[1])   # the capture missed it: 1,000 bytes
    pk.append(cn.s(parts[2]))
    upload = 4 << 20
    head = http_req("POST /upload HTTP/1.1", [host, ("Content-Length", str(upload))])
    pk.append(cn.c(head + b"u" * 1000))
    pk.append(cn.c(b"u" * 1000))
    hole = upload - 3000
    cn.nxt[True] = (cn.nxt[True] + hole) & M32   # 3 MiB and more never captured
    pk.append(cn.c(b"v" * 1000))
    pk.append(cn.s(http_resp("100 Continue", [])))
    pk.append(cn.c(http_req("GET /after-the-hole HTTP/1.1", [host])))
    pk.append(cn.s(http_resp("201 Created", [("Content-Length", "0")])))
    pk.append(cn.s(http_resp("200 OK", [("Content-Length", "5")], b"after")))
    pk += cn.close()
    save("tcp-hole-multi-mb.pcap", pk,
         "HTTP port 80: the response to GET /small-hole misses its middle 1,000 bytes "
         "(zero-filled); a POST /upload of 4 MiB misses 4,191,304 bytes after its first "
         "2,000 (longer than sessions.tcp_hole_fill_max: skipped, never materialised; the "
         "POST ends partial, the body's last 1,000 bytes go out as http bytes after a gap, "
         "then GET /after-the-hole is framed as a request again); every hole is ACKed")


# --------------------------------------------------------------------------
# tunnels

def gen_tunnel():
    """TCP connections inside tunnels: Sessions' flows are the inner hosts'."""
    T1, T2 = "203.0.113.1", "203.0.113.2"          # tunnel endpoints
    T61, T62 = "2001:db8:ffff::1", "2001:db8:ffff::2"

    def ends(p, v6=False):
        src, _ = l3_src_dst(p)
        up = src in (C4, C6, C4B)
        if v6:
            return (T61, T62) if up else (T62, T61)
        return (T1, T2) if up else (T2, T1)

    def over4(proto, body, p, ipid=0x100):
        a, b = ends(p)
        return eth(IP(src=a, dst=b, proto=proto, id=ipid, ttl=255) / Raw(body))

    def gre(flags, ptype, *fields):
        return struct.pack(">HH", flags, ptype) + b"".join(struct.pack(">I", f) for f in fields)

    def eth_frame(p):
        return eth(p)

    def ethertype(p):
        return 0x86DD if IPv6 in p else 0x0800

    # GRE and IP in IP
    a = small_conn(46050, tag=b"GRE")
    b = small_conn(46051, cli=C6, srv=S6, tag=b"GRE with key and sequence, IPv6")
    c = small_conn(46052, tag=b"IP in IP")
    d = small_conn(46053, cli=C6, srv=S6, tag=b"IPv6 in IPv4")
    frames = [over4(47, gre(0, 0x0800) + bytes(p), p) for p in a]
    frames += [over4(47, gre(0x3000, 0x86DD, 0x1234, i) + bytes(p), p)
               for i, p in enumerate(b)]
    keepalive = over4(47, gre(0, 0x0000), a[0])
    frames += [keepalive]
    frames += [over4(4, bytes(p), p) for p in c]
    frames += [over4(41, bytes(p), p) for p in d]
    save("tunnel-gre-ipip.pcap", frames,
         "TCP port 7001 connections between the inner hosts, tunnelled between 203.0.113.1 "
         "and 203.0.113.2: IPv4 in GRE, IPv6 in GRE with key and sequence number, IPv4 in "
         "IPv4, IPv6 in IPv4; and a GRE packet holding no IP (its outer flow stands)")

    # VXLAN, GENEVE, GTP-U
    def udp_tunnel(p, dport, header, inner):
        a_, b_ = ends(p)
        return eth(IP(src=a_, dst=b_, id=0x200) / UDP(sport=49152, dport=dport) /
                   Raw(header + inner))
    a = small_conn(46054, tag=b"VXLAN")
    b = small_conn(46055, cli=C6, srv=S6, tag=b"GENEVE, IPv6")
    c = small_conn(46056, tag=b"GTP-U")
    vxlan = struct.pack(">II", 0x08000000, 5000 << 8)
    frames = [udp_tunnel(p, 4789, vxlan, eth_frame(p)) for p in a]
    geneve = struct.pack(">BBHI", 2, 0, 0x6558, 77 << 8) + struct.pack(">HBBI", 0x0102, 3, 1,
                                                                      0xDEADBEEF)
    frames += [udp_tunnel(p, 6081, geneve, eth_frame(p)) for p in b]
    for i, p in enumerate(c):
        inner = bytes(p)
        # each end names its own tunnel endpoint: one TEID per direction
        teid = 0x1000 if ends(p)[0] == T1 else 0x2000
        if i % 2:   # every other packet with a PDU session container extension
            ext = b"\x00\x00\x00\x85" + b"\x01\x00\x05\x00"
            hdr = struct.pack(">BBHI", 0x34, 0xFF, len(ext) + len(inner), teid) + ext
        else:
            hdr = struct.pack(">BBHI", 0x30, 0xFF, len(inner), teid)
        frames.append(udp_tunnel(p, 2152, hdr, inner))
    echo = udp_tunnel(c[0], 2152, struct.pack(">BBHIHBB", 0x32, 0x01, 4, 0, 1, 0, 0), b"")
    frames.append(echo)
    save("tunnel-udp.pcap", frames,
         "TCP port 7001 connections inside UDP tunnels: VXLAN (Ethernet, IPv4), GENEVE with "
         "an option (Ethernet, IPv6), GTP-U (IPv4, TEID 0x1000 up and 0x2000 down, every "
         "other packet with an extension header); and a GTP echo request holding no IP")

    # L2TP: PPP sessions inside UDP 1701
    def l2tp(p, ns):
        a_, b_ = ends(p)
        ppp = b"\xff\x03" + struct.pack(">H", 0x0057 if IPv6 in p else 0x0021) + bytes(p)
        body = struct.pack(">HHHH", 0x4002, 8 + len(ppp), 4, 11) + ppp
        return eth(IP(src=a_, dst=b_, id=0x280 + ns) / UDP(sport=1701, dport=1701) /
                   Raw(body))
    a = small_conn(46060, tag=b"L2TP")
    b = small_conn(46061, cli=C6, srv=S6, tag=b"L2TP, IPv6")
    hello = eth(IP(src=T1, dst=T2, id=0x27F) / UDP(sport=1701, dport=1701) /
                Raw(struct.pack(">HHHHHH", 0xC802, 20, 4, 0, 1, 1) +
                    struct.pack(">HHHH", 0x8000 | 8, 0, 0, 6)))   # Message Type: Hello
    frames = [hello] + [l2tp(p, i) for i, p in enumerate(a + b)]
    save("tunnel-l2tp.pcap", frames,
         "TCP port 7001 connections in PPP sessions over L2TPv2 (UDP 1701, IPv4 and IPv6 "
         "inside), after an L2TP Hello control message that holds no IP")

    # ERSPAN: mirrored Ethernet frames
    a = small_conn(46057, tag=b"ERSPAN type II")
    b = small_conn(46058, cli=C6, srv=S6, tag=b"ERSPAN type III, IPv6")
    frames = []
    for i, p in enumerate(a):
        frames.append(over4(47, gre(0x1000, 0x88BE, i) +
                            struct.pack(">II", 0x10010064, 0) + eth_frame(p), p))
    for i, p in enumerate(b):
        frames.append(over4(47, gre(0x1000, 0x22EB, i) +
                            struct.pack(">III", 0x20000064, 1000 + i, 0) + eth_frame(p),
                            p))
    save("tunnel-erspan.pcap", frames,
         "TCP port 7001 connections mirrored with ERSPAN over GRE: type II (IPv4) and "
         "type III (IPv6)")

    # Fragments around and inside a GRE tunnel
    cn = Conn(cli=C4, srv=S4, sport=46059, dport=7001, cisn=46059000, sisn=92118000)
    pk = cn.handshake()
    big = text_block("tunnelled", 1400)
    seg1 = cn.c(big + b"\r\n")
    seg2 = cn.c(b"x" * 40 + b"\r\n")
    reply = cn.s(b"reply through the tunnel\r\n")
    fin = cn.close()
    frames = [over4(47, gre(0, 0x0800) + bytes(p), p, ipid=0x300 + i)
              for i, p in enumerate(pk)]
    # seg1: the outer packet (GRE + 1462-byte inner packet) cut at a 576 MTU
    outer_body = gre(0, 0x0800) + bytes(seg1)
    for f in frag4(T1, T2, 47, 0x0310, outer_body, even_pieces(len(outer_body), 552)):
        frames.append(eth(f))
    # seg2: the inner packet fragmented before it entered the tunnel; its first
    # fragment's tunnel packet fragmented again
    inner_tcp = bytes(seg2)[20:]
    in1, in2 = frag4(C4, S4, 6, 0x0320, inner_tcp, [(0, 32, True), (32, len(inner_tcp) - 32, False)])
    o_body = gre(0, 0x0800) + bytes(in1)
    outer_frags = frag4(T1, T2, 47, 0x0321, o_body, [(0, 32, True), (32, len(o_body) - 32, False)])
    frames += [eth(f) for f in outer_frags]
    frames.append(over4(47, gre(0, 0x0800) + bytes(in2), seg2, ipid=0x0322))
    frames += [over4(47, gre(0, 0x0800) + bytes(p), p, ipid=0x330 + i)
               for i, p in enumerate([reply] + fin)]
    save("tunnel-fragmented.pcap", frames,
         "TCP port 7001 connection in IPv4 GRE: a 1402-byte segment whose tunnel packet is "
         "fragmented (576 MTU), and a segment fragmented before the tunnel whose first "
         "fragment's tunnel packet is fragmented again")


def frame_ns(i):
    return (capfile.START_US + i * capfile.STEP_US) * 1000 + 123


# --------------------------------------------------------------------------
# truncated and garbage frames among good traffic

def gen_broken():
    rng = random.Random(SEED + 7)
    good = Conn(sport=47000, dport=80)
    g = good.handshake()
    body = text_block("survives", 1800)
    g.append(good.c(http_req("GET /survives HTTP/1.1", [("Host", "www.example.com")])))
    resp = http_resp("200 OK", [("Content-Length", str(len(body)))], body)
    g += [good.s(p) for p in chunks(resp, 1000)]
    g.append(good.ack(True))
    g += good.close()

    cut = Conn(sport=47001, dport=7001)
    k = cut.handshake()
    k.append(cut.c(b"line before the cut segment\r\n"))
    k.append(cut.c(text_block("cut-by-snaplen", 400) + b"\r\n"))
    k.append(cut.c(b"line after the cut segment\r\n"))
    k.append(cut.ack())
    k += cut.close()
    trunc_idx = 4  # the 400-byte segment

    frames = []
    bad = []
    # bogus IP total length (larger than the frame)
    p = IP(src=C4, dst=S4, id=0x3001, len=1400) / UDP(sport=1, dport=9000) / Raw(b"short")
    bad.append(eth(p))
    # IP header length below 5 words
    b = bytearray(eth(IP(src=C4, dst=S4, id=0x3002) / TCP(sport=47002, dport=80, flags="A") / Raw(b"x")))
    b[14] = 0x43
    bad.append(bytes(b))
    # IP total length smaller than the header
    b = bytearray(eth(IP(src=C4, dst=S4, id=0x3003) / TCP(sport=47003, dport=80, flags="A")))
    b[16:18] = struct.pack("!H", 12)
    bad.append(bytes(b))
    # TCP data offset 15 words (beyond the segment) and data offset 2
    b = bytearray(eth(IP(src=C4, dst=S4, id=0x3004) / TCP(sport=47004, dport=80, flags="PA") / Raw(b"zz")))
    b[14 + 20 + 12] = 0xF0
    bad.append(bytes(b))
    b = bytearray(eth(IP(src=C4, dst=S4, id=0x3005) / TCP(sport=47005, dport=80, flags="PA") / Raw(b"zz")))
    b[14 + 20 + 12] = 0x20
    bad.append(bytes(b))
    # IPv4 ethertype with random garbage; IPv6 ethertype with a short header
    bad.append(bytes(Ether(src=mac_for(C4), dst=mac_for(S4), type=0x0800)) + rnd(rng, 30))
    bad.append(bytes(Ether(src=mac_for(C6), dst=mac_for(S6), type=0x86DD)) + rnd(rng, 20))
    # IPv6 with payload length larger than the frame
    p = IPv6(src=C6, dst=S6, plen=3000) / UDP(sport=2, dport=9000) / Raw(b"short")
    bad.append(eth(p))
    # a frame of only an Ethernet header, and a 5-byte runt
    bad.append(bytes(Ether(src=mac_for(C4), dst=mac_for(S4), type=0x0800)))
    bad.append(b"\x02\x00\x5e\x00\x00")
    # a header-only snaplen cut of a good-looking TCP segment of another flow
    p = eth(IP(src=C4, dst=S4, id=0x3006) / TCP(sport=47006, dport=80, flags="PA", seq=1,
                                                ack=1) / Raw(b"G" * 500))
    bad.append((p[:54], len(p)))

    gi = ki = bi = 0
    while gi < len(g) or ki < len(k) or bi < len(bad):
        if gi < len(g):
            frames.append(eth(g[gi]))
            gi += 1
        if ki < len(k):
            f = eth(k[ki])
            if ki == trunc_idx:
                frames.append((f[:96], len(f)))
            else:
                frames.append(f)
            ki += 1
        if bi < len(bad):
            frames.append(bad[bi])
            bi += 1
    save("broken-truncated-garbage.pcap", frames,
         "Good HTTP connection (port 47000->80, 1800 B body) and a line connection "
         "(47001->7001) whose 400 B data segment is cut by snaplen to 96 B, interleaved "
         "with bogus frames: IP/IPv6 lengths beyond the frame, IHL 3, IP total length 12, "
         "TCP data offset 15 and 2, garbage after IPv4/IPv6 ethertypes, runts, a "
         "header-only cut segment")


# --------------------------------------------------------------------------
# flow identity: where a packet was found

def gen_flowkey():
    """The same addresses, ports and sequence numbers in two VLANs and in two
    VXLAN VNIs: two tenants, two flows (unless sessions.flow_key_encap is off)."""
    def tenant_conn(tenant):
        cn = Conn(C4, S4, 40080, 80, cisn=777000, sisn=888000)
        out = cn.handshake()
        body = b"page of " + tenant + b"\n"
        out.append(cn.c(b"GET /" + tenant + b" HTTP/1.1\r\nHost: shop.example\r\n\r\n"))
        out.append(cn.s(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) +
                        body))
        out.append(cn.ack())
        return out + cn.close()

    def interleaved(wrap):
        a, b = tenant_conn(b"tenant-a"), tenant_conn(b"tenant-b")
        return [wrap(p, i) for pa, pb in zip(a, b) for p, i in ((pa, 0), (pb, 1))]

    def vlan(p, i):
        src, dst = l3_src_dst(p)
        return bytes(Ether(src=mac_for(src), dst=mac_for(dst)) / Dot1Q(vlan=10 + 10 * i) / p)
    save("flowkey-vlans.pcap", interleaved(vlan),
         "HTTP GET and response on TCP 192.0.2.10:40080 -> 198.51.100.20:80 twice, packet "
         "by packet, with the same sequence numbers: tenant-a in VLAN 10, tenant-b in "
         "VLAN 20 (two flows; one with sessions.flow_key_encap off)")

    def vxlan(p, i):
        src, _ = l3_src_dst(p)
        a, b = ("203.0.113.1", "203.0.113.2") if src == C4 else ("203.0.113.2", "203.0.113.1")
        hdr = struct.pack(">II", 0x08000000, (100 + 100 * i) << 8)
        return eth(IP(src=a, dst=b, id=0x300) / UDP(sport=49152, dport=4789) /
                   Raw(hdr + eth(p)))
    save("flowkey-vxlan-vnis.pcap", interleaved(vxlan),
         "HTTP GET and response on TCP 192.0.2.10:40080 -> 198.51.100.20:80 twice, packet "
         "by packet, with the same sequence numbers, both in VXLAN between 203.0.113.1 and "
         "203.0.113.2: tenant-a in VNI 100, tenant-b in VNI 200 (two flows)")


def main():
    global ONLY
    if len(sys.argv) > 2 and sys.argv[1] == "--only":
        ONLY = sys.argv[2]
    for g in (gen_ip, gen_tcp, gen_http, gen_tls, gen_dns, gen_custom, gen_link,
              gen_link_serial_and_wireless, gen_link_ppp_llc, gen_ack_hint, gen_handshake,
              gen_holes, gen_tunnel, gen_flowkey,
              gen_broken):
        g()
    capfile.set_descriptions(DESCS)


if __name__ == "__main__":
    main()
