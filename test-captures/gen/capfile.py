# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic pcap / pcapng writers and the descriptions.txt helper.

The writers take raw frame bytes and integer timestamps (microseconds or
nanoseconds) so that re-running a generator gives byte-identical files.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CAPDIR = os.path.dirname(HERE)
DESCRIPTIONS = os.path.join(CAPDIR, "descriptions.txt")

# Link-layer header types (https://www.tcpdump.org/linktypes.html)
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_PPP = 9
LINKTYPE_RAW = 101
LINKTYPE_C_HDLC = 104
LINKTYPE_LINUX_SLL = 113
LINKTYPE_PFLOG = 117
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_IEEE802_11 = 105
LINKTYPE_IEEE802_11_AVS = 163
LINKTYPE_PPI = 192
LINKTYPE_PPP_WITH_DIR = 204
LINKTYPE_NFLOG = 239
LINKTYPE_LINUX_SLL2 = 276

START_US = 1700000000 * 1000000
STEP_US = 1000


def frame_time_us(index, start_us=START_US, step_us=STEP_US):
    return start_us + index * step_us


def write_pcap(path, linktype, frames, snaplen=262144):
    """frames: iterable of bytes or (bytes, orig_len) or (bytes, orig_len, ts_us).

    Frames without a timestamp get START + index * 1 ms.
    """
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for i, fr in enumerate(frames):
        if isinstance(fr, (bytes, bytearray)):
            data, orig, ts = bytes(fr), len(fr), None
        else:
            data = bytes(fr[0])
            orig = fr[1] if len(fr) > 1 and fr[1] is not None else len(data)
            ts = fr[2] if len(fr) > 2 else None
        if ts is None:
            ts = frame_time_us(i)
        out.append(struct.pack("<IIII", ts // 1000000, ts % 1000000,
                               len(data), orig))
        out.append(data)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def _pad4(b):
    return b + b"\0" * ((-len(b)) % 4)


def _block(btype, body):
    body = _pad4(body)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def _opt(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _opt_end():
    return struct.pack("<HH", 0, 0)


def write_pcapng(path, interfaces, frames, shb_comment=None):
    """interfaces: list of dicts {linktype, name, tsresol_exp (6 or 9), snaplen}.

    frames: list of (interface_id, bytes, ts) where ts is an integer in the
    interface's resolution (10**-tsresol_exp s); ts None means
    START + index * 1 ms.  An optional 4th element is a per-packet comment.
    """
    out = []
    shb_opts = b""
    if shb_comment:
        shb_opts += _opt(1, shb_comment.encode())
    shb_opts += _opt(4, b"sessions test-captures/gen")  # shb_userappl
    shb_opts += _opt_end()
    out.append(_block(0x0A0D0D0A,
                      struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts))
    for itf in interfaces:
        opts = _opt(2, itf["name"].encode())  # if_name
        exp = itf.get("tsresol_exp", 6)
        if exp != 6:
            opts += _opt(9, bytes([exp]))  # if_tsresol
        opts += _opt_end()
        out.append(_block(1, struct.pack("<HHI", itf["linktype"], 0,
                                         itf.get("snaplen", 262144)) + opts))
    for i, fr in enumerate(frames):
        ifid, data, ts = fr[0], bytes(fr[1]), fr[2]
        exp = interfaces[ifid].get("tsresol_exp", 6)
        if ts is None:
            ts = frame_time_us(i) * 10 ** (exp - 6)
        body = struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF,
                           len(data), len(data)) + _pad4(data)
        if len(fr) > 3 and fr[3]:
            body += _opt(1, fr[3].encode()) + _opt_end()
        out.append(_block(6, body))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def set_descriptions(entries):
    """Insert or replace '<filename> <description>' lines in descriptions.txt."""
    lines = {}
    if os.path.exists(DESCRIPTIONS):
        with open(DESCRIPTIONS) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                name, _, desc = line.partition(" ")
                lines[name] = desc
    for name, desc in entries.items():
        lines[name] = " ".join(desc.split())
    with open(DESCRIPTIONS, "w") as f:
        for name in sorted(lines):
            f.write("%s %s\n" % (name, lines[name]))


if __name__ == "__main__":
    # Command-line use (from record-real.sh): capfile.py FILE DESCRIPTION...
    import sys
    if len(sys.argv) < 3:
        sys.exit("usage: capfile.py FILE DESCRIPTION")
    set_descriptions({os.path.basename(sys.argv[1]): " ".join(sys.argv[2:])})
