#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the first 200 frames of each capture as a fuzz input:
4 config bytes, then per frame a link selector, a 16-bit length, the bytes."""
import glob
import os
import struct
import sys

from scapy.utils import RawPcapReader

# Link type -> its place in fuzz_session.c's `links`.
LINKS = [1, 101, 113, 276, 0, 108, 228, 229, 9, 50, 104, 105, 117, 127, 163, 192,
         204, 205, 239]
SELECTOR = {lt: i for i, lt in enumerate(LINKS)}

src, dst = sys.argv[1], sys.argv[2]
for path in sorted(glob.glob(os.path.join(src, "*.pcap"))):
    reader = RawPcapReader(path)
    if reader.linktype not in SELECTOR:
        continue
    out = bytearray(b"\x02\x00\x00\x08")
    for i, (pkt, _) in enumerate(reader):
        if i == 200:
            break
        out += bytes([SELECTOR[reader.linktype]]) + struct.pack(">H", len(pkt)) + pkt
    with open(os.path.join(dst, os.path.basename(path)), "wb") as f:
        f.write(out)
