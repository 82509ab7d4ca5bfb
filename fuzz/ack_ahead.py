#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the issue-17 reproducer: on one TCP connection the responder
acknowledges far beyond the data it was sent, so the hole up to the ACK is
given up and delivered as zeros; a normal request follows and must still be
reassembled.

  ack_ahead.py OUT.pcap PORT [AHEAD_BYTES]

Framed as HTTP (port 80) with a small sessions.max_message, or by a 2-byte
length framer from the sessions_framers table, the zeros once became
millions of messages on one frame.
"""
import struct
import sys

CLIENT, SERVER = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    out, port = sys.argv[1], int(sys.argv[2])
    ahead = int(sys.argv[3]) if len(sys.argv) > 3 else 8 << 20
    syn, ack, psh = 0x02, 0x10, 0x18
    c_isn, s_isn, sport = 1000, 50000, 41000
    first = b"GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
    last = b"GET /last HTTP/1.1\r\nHost: a\r\n\r\n"
    if port != 80:  # the length framer's messages: 2-byte big-endian length
        first = struct.pack("!H", len(first)) + first
        last = struct.pack("!H", len(last)) + last
    c, s = c_isn + 1, s_isn + 1
    pkts = [
        frame(CLIENT, SERVER, sport, port, c_isn, 0, syn),
        frame(SERVER, CLIENT, port, sport, s_isn, c, syn | ack),
        frame(CLIENT, SERVER, sport, port, c, s, ack),
        frame(CLIENT, SERVER, sport, port, c, s, psh, first),
    ]
    c += len(first)
    # The responder claims to have received `ahead` bytes never seen.
    pkts.append(frame(SERVER, CLIENT, port, sport, s, c + ahead, ack))
    c += ahead
    pkts.append(frame(CLIENT, SERVER, sport, port, c, s, psh, last))
    c += len(last)
    pkts.append(frame(SERVER, CLIENT, port, sport, s, c, ack))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)))
            f.write(p)


if __name__ == "__main__":
    main()
