#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes one hostile capture (classic pcap, Ethernet) for bench/hostile.sh.

  hostile.py CLASS OUT.pcap N

CLASS is one of the names in CLASSES; N scales it (fragments, connections,
segments or MiB, as each generator says).  Every capture ends with one
normal HTTP exchange on a fresh connection (GET /trailing), which must
still be reassembled.  Checksums are left zero: neither tshark (by default)
nor Sessions checks them.
"""
import struct
import sys

ETH = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10


def ip4(n):
    return bytes([10, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])


A, B = ip4(1), bytes([192, 0, 2, 80])


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000):
    return ETH + struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                             frag, 64, proto, 0, src, dst) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", win=65535):
    return ipv4(src, dst, 6, struct.pack(
        "!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
        5 << 4, flags, win, 0, 0) + payload)


def udp_header(sport, dport, length):
    return struct.pack("!HHHH", sport, dport, length, 0)


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.usec = 0

    def put(self, frame):
        self.usec += 10
        self.f.write(struct.pack("<IIII", 1700000000 + self.usec // 1000000,
                                 self.usec % 1000000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def trailing(w):
    """The normal request every capture ends with."""
    c, s, cp = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20]), 50000
    req = b"GET /trailing HTTP/1.1\r\nHost: example\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    w.put(tcp(c, s, cp, 80, 100, 0, SYN))
    w.put(tcp(s, c, 80, cp, 900, 101, SYN | ACK))
    w.put(tcp(c, s, cp, 80, 101, 901, ACK))
    w.put(tcp(c, s, cp, 80, 101, 901, PSH | ACK, req))
    w.put(tcp(s, c, 80, cp, 901, 101 + len(req), PSH | ACK, resp))
    w.put(tcp(c, s, cp, 80, 101 + len(req), 901 + len(resp), ACK | 0x01))
    w.put(tcp(s, c, 80, cp, 901 + len(resp), 102 + len(req), ACK | 0x01))


def frag_flood(w, n):
    """n first fragments (MF set) of n datagrams that never complete."""
    payload = udp_header(4000, 9000, 1008) + b"F" * 200
    for i in range(n):
        w.put(ipv4(ip4(i % 65000 + 1), B, 17, payload, ident=i & 0xFFFF,
                   frag=0x2000))


def teardrop(w, n):
    """n datagrams whose second fragment overlaps into the first and ends
    before it (the classic teardrop)."""
    for i in range(n):
        src = ip4(i % 65000 + 1)
        w.put(ipv4(src, B, 17, udp_header(4000, 9000, 64) + b"T" * 56,
                   ident=i & 0xFFFF, frag=0x2000))
        w.put(ipv4(src, B, 17, b"t" * 16, ident=i & 0xFFFF, frag=3))


def overlap_storm(w, n):
    """n datagrams of 16 fragments each, every one overlapping the others
    with different bytes, the last completing it."""
    for i in range(n):
        src, ident = ip4(i % 65000 + 1), i & 0xFFFF
        for k in range(15):
            w.put(ipv4(src, B, 17, bytes([65 + k]) * 64, ident=ident,
                       frag=0x2000 | (k % 4)))
        w.put(ipv4(src, B, 17, b"Z" * 32, ident=ident, frag=8))


def syn_flood(w, n):
    for i in range(n):
        w.put(tcp(ip4(i % 65000 + 1), B, 1024 + i % 60000, 80, i * 7919, 0, SYN))


def seq_jumps(w, n):
    """One connection whose client segments jump by 2^31 back and forth."""
    c, cp = ip4(5), 40000
    w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
    w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    for i in range(n):
        w.put(tcp(c, B, cp, 80, 1001 + (i & 1) * 0x80000000 + i * 10, 5001,
                  PSH | ACK, b"x" * 10))


def reversed_bytes(w, n):
    """One connection carrying n 1-byte segments in reverse order."""
    c, cp = ip4(6), 40001
    w.put(tcp(c, B, cp, 7000, 1000, 0, SYN))
    w.put(tcp(B, c, 7000, cp, 5000, 1001, SYN | ACK))
    w.put(tcp(c, B, cp, 7000, 1001, 5001, ACK))
    for i in reversed(range(n)):
        w.put(tcp(c, B, cp, 7000, 1001 + i, 5001, ACK, bytes([97 + i % 26])))


def concurrent_ooo(w, n):
    """n connections, each with a handshake and one segment beyond a hole,
    all open at once."""
    for i in range(n):
        c, cp = ip4(i // 50000 + 100), 1024 + i % 50000
        w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
        w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    for i in range(n):
        c, cp = ip4(i // 50000 + 100), 1024 + i % 50000
        w.put(tcp(c, B, cp, 80, 1101, 5001, PSH | ACK, b"o" * 100))


def ack_storm(w, n):
    """One connection with a little data, then n ACKs from the receiver,
    each further beyond anything sent."""
    c, cp = ip4(7), 40002
    w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
    w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    w.put(tcp(c, B, cp, 80, 1001, 5001, PSH | ACK, b"GET / HTTP/1.1\r\n"))
    for i in range(n):
        w.put(tcp(B, c, 80, cp, 5001, 1017 + (i + 1) * 1000, ACK))


def far_data(w, n):
    """One connection whose client segments each land 64 KiB + 1 beyond
    the last (a hole just too long to zero-fill), each acknowledged by the
    server: every hole is given up after its grace and skipped."""
    c, cp = ip4(11), 40011
    w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
    w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    seq, data = 1001, b"GET /far HTTP/1.1\r\n\r\n"
    for i in range(n):
        w.put(tcp(c, B, cp, 80, seq & 0xFFFFFFFF, 5001, PSH | ACK, data))
        seq += len(data) + (64 << 10) + 1
        w.put(tcp(B, c, 80, cp, 5001, seq & 0xFFFFFFFF, ACK))


def zero_window(w, n):
    """A receiver advertising a zero window and a sender probing it with
    the same byte n times."""
    c, cp = ip4(8), 40003
    w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
    w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    w.put(tcp(c, B, cp, 80, 1001, 5001, PSH | ACK, b"GET /"))
    for _ in range(n):
        w.put(tcp(B, c, 80, cp, 5001, 1006, ACK, win=0))
        w.put(tcp(c, B, cp, 80, 1006, 5001, ACK, b"x"))


def rst_storm(w, n):
    """n RSTs with scattered sequence numbers at one open connection."""
    c, cp = ip4(9), 40004
    w.put(tcp(c, B, cp, 80, 1000, 0, SYN))
    w.put(tcp(B, c, 80, cp, 5000, 1001, SYN | ACK))
    w.put(tcp(c, B, cp, 80, 1001, 5001, ACK))
    for i in range(n):
        w.put(tcp(c, B, cp, 80, (1001 + i * 2654435761) & 0xFFFFFFFF, 5001, RST))


def one_way(w, mib):
    """One direction of mib MiB in 1448-byte segments, never acknowledged."""
    c, cp = ip4(10), 40005
    w.put(tcp(c, B, cp, 7000, 1000, 0, SYN))
    w.put(tcp(B, c, 7000, cp, 5000, 1001, SYN | ACK))
    w.put(tcp(c, B, cp, 7000, 1001, 5001, ACK))
    chunk = bytes(range(256)) * 6
    seg = chunk[:1448]
    seq = 1001
    for _ in range(mib * 1024 * 1024 // 1448):
        w.put(tcp(c, B, cp, 7000, seq, 5001, ACK, seg))
        seq += 1448


CLASSES = {
    "frag-flood": frag_flood,
    "teardrop": teardrop,
    "overlap-storm": overlap_storm,
    "syn-flood": syn_flood,
    "seq-jumps": seq_jumps,
    "reversed-1byte": reversed_bytes,
    "concurrent-ooo": concurrent_ooo,
    "ack-storm": ack_storm,
    "far-data": far_data,
    "zero-window": zero_window,
    "rst-storm": rst_storm,
    "one-way": one_way,
}


def main():
    name, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    w = Writer(out)
    CLASSES[name](w, n)
    trailing(w)
    w.close()


if __name__ == "__main__":
    main()
