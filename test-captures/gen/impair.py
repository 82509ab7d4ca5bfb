#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an impaired copy of a recorded capture (deterministic, fixed seed).

    /usr/bin/python3 test-captures/gen/impair.py IN.pcap OUT.pcap [--seed N]
        [--reorder 0.03] [--drop 0.01] [--dup 0.02] [--ack-first 0]

Only TCP segments carrying data are touched (at least one of each kind
whose rate is not 0):
  reorder:   a data segment is swapped with a later data segment of the
             same direction 1-3 frames further on;
  drop:      a data segment is removed, chosen only where a later ACK from
             the receiver covers its end (the peer ACKs past the hole, as
             when the capture, not the network, lost the segment);
  duplicate: an identical copy is inserted one frame later;
  ack-first: the receiver's pure ACK that first covers a data segment's end
             is moved before that segment, as a multi-queue NIC, a mirror
             port or a capture of both ends records it: alternately just
             before it and 2-3 frames before it, in both directions in
             turn.  Nothing is lost; only the order is.
Frames keep the timestamps of the positions they land on, so time stays
monotonic.  Reads classic pcap (Ethernet, raw IP, Linux cooked v1).
"""

import argparse
import os
import random
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capfile  # noqa: E402


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        sys.exit("%s: not a classic pcap file" % path)
    nsec = magic in (0xA1B23C4D, 0x4D3CB2A1)
    snaplen, linktype = struct.unpack(e + "II", data[16:24])
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        ts = sec * 1000000 + (frac // 1000 if nsec else frac)
        frames.append((data[off + 16:off + 16 + incl], orig, ts))
        off += 16 + incl
    return linktype, snaplen, frames


def tcp_info(frame, linktype):
    """(flow key, direction key, seq, ack, payload length) or None."""
    if linktype == capfile.LINKTYPE_ETHERNET:
        et, off = struct.unpack("!H", frame[12:14])[0], 14
        while et in (0x8100, 0x88A8):
            et, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    elif linktype == capfile.LINKTYPE_LINUX_SLL:
        et, off = struct.unpack("!H", frame[14:16])[0], 16
    elif linktype == capfile.LINKTYPE_RAW:
        et, off = (0x0800 if frame[0] >> 4 == 4 else 0x86DD), 0
    else:
        return None
    if et == 0x0800:
        ihl = (frame[off] & 0x0F) * 4
        tot = struct.unpack("!H", frame[off + 2:off + 4])[0]
        if frame[off + 9] != 6 or struct.unpack("!H", frame[off + 6:off + 8])[0] & 0x3FFF:
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        t, end = off + ihl, off + tot
    elif et == 0x86DD:
        if frame[off + 6] != 6:
            return None
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        t, end = off + 40, off + 40 + plen
    else:
        return None
    sport, dport, seq, ack = struct.unpack("!HHII", frame[t:t + 12])
    doff = (frame[t + 12] >> 4) * 4
    flags = frame[t + 13]
    plen = end - t - doff
    a, b = (src, sport), (dst, dport)
    return {"flow": tuple(sorted([a, b])), "dir": (a, b), "seq": seq, "ack": ack,
            "len": plen, "ackflag": bool(flags & 0x10), "syn": bool(flags & 0x02)}


def seq_ge(a, b):
    return ((a - b) & 0xFFFFFFFF) < 0x80000000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3141)
    ap.add_argument("--reorder", type=float, default=0.03)
    ap.add_argument("--drop", type=float, default=0.01)
    ap.add_argument("--dup", type=float, default=0.02)
    ap.add_argument("--ack-first", type=float, default=0.0)
    ap.add_argument("--description", default=None)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    linktype, snaplen, frames = read_pcap(args.inp)
    info = [tcp_info(f[0], linktype) for f in frames]
    data_idx = [i for i, x in enumerate(info) if x and x["len"] > 0]
    n = len(data_idx)
    used = set()

    def free(*ix):
        return all(i not in used and i - 1 not in used and i + 1 not in used for i in ix)

    def count(rate):
        return max(1, int(round(rate * n))) if rate > 0 else 0

    # drops: the receiver later ACKs past the end of the segment
    drops = []
    cands = data_idx[:]
    rng.shuffle(cands)
    for i in cands:
        if len(drops) >= count(args.drop):
            break
        x = info[i]
        end = (x["seq"] + x["len"]) & 0xFFFFFFFF
        rev = (x["dir"][1], x["dir"][0])
        covered = any(info[j] and info[j]["dir"] == rev and info[j]["ackflag"] and
                      seq_ge(info[j]["ack"], end) for j in range(i + 1, len(frames)))
        if covered and free(i):
            drops.append(i)
            used.add(i)

    # reorders: swap with a later data segment of the same direction nearby
    swaps = []
    cands = data_idx[:]
    rng.shuffle(cands)
    for i in cands:
        if len(swaps) >= count(args.reorder):
            break
        if not free(i):
            continue
        for j in range(i + 1, min(i + 4, len(frames))):
            if info[j] and info[j]["len"] > 0 and info[j]["dir"] == info[i]["dir"] \
                    and free(j):
                swaps.append((i, j))
                used.update((i, j))
                break

    # duplicates: a copy one frame later
    dups = []
    cands = data_idx[:]
    rng.shuffle(cands)
    for i in cands:
        if len(dups) >= count(args.dup):
            break
        if free(i):
            dups.append(i)
            used.add(i)

    # ACKs first: the first pure ACK covering a segment's end moves before it
    moves = []   # (ack frame, data frame, frames between them once moved)
    by_dir = {}
    for i in data_idx:
        by_dir.setdefault(info[i]["dir"], []).append(i)
    queues = [by_dir[d] for d in sorted(by_dir)]
    for q in queues:
        rng.shuffle(q)
    turn = 0
    while len(moves) < count(args.ack_first) and any(queues):
        q = queues[turn % len(queues)]
        turn += 1
        if not q:
            continue
        i = q.pop()
        x = info[i]
        end = (x["seq"] + x["len"]) & 0xFFFFFFFF
        rev = (x["dir"][1], x["dir"][0])
        j = next((j for j in range(i + 1, len(frames)) if info[j] and
                  info[j]["dir"] == rev and info[j]["ackflag"] and
                  seq_ge(info[j]["ack"], end)), None)
        apart = 0 if len(moves) % 2 == 0 else rng.choice((2, 3))
        to = i - apart
        if j is None or info[j]["len"] or to < 1 or not free(i, j, *range(to, i)):
            turn -= 1   # the same direction again
            continue
        # the frames the ACK jumps over are its own connection's, after
        # its handshake
        if any(info[k] is None or info[k]["flow"] != x["flow"] or info[k]["syn"]
               for k in range(to, i)):
            turn -= 1
            continue
        moves.append((j, i, apart))
        used.update((i, j, *range(to, i)))

    order = list(range(len(frames)))
    for i, j in swaps:
        order[i], order[j] = order[j], order[i]
    for j, i, apart in moves:
        order.remove(j)
        order.insert(order.index(i) - apart, j)
    seq = []
    for pos, src in enumerate(order):
        if src in drops:
            continue
        seq.append(src)
        if src in dups:
            seq.append(src)
    # timestamps: the n-th output frame takes the n-th original timestamp
    # while there are enough, a duplicate repeats its predecessor's.
    out, last_ts = [], 0
    stamps = [f[2] for f in frames]
    k = 0
    prev = None
    for src in seq:
        if src == prev:
            ts = last_ts
        else:
            ts = stamps[min(k, len(stamps) - 1)]
            k += 1
        ts = max(ts, last_ts)
        out.append((frames[src][0], frames[src][1], ts))
        last_ts, prev = ts, src
    capfile.write_pcap(args.out, linktype, out, snaplen=snaplen)

    one = lambda v: ",".join(str(x + 1) for x in sorted(v))  # noqa: E731
    parts = []
    if args.drop > 0:
        parts.append("dropped (ACKed past) frames %s" % one(drops))
    if args.reorder > 0:
        parts.append("swapped %s" % ",".join("%d<->%d" % (i + 1, j + 1)
                                            for i, j in sorted(swaps)))
    if args.dup > 0:
        parts.append("duplicated %s" % one(dups))
    if args.ack_first > 0:
        parts.append("ACK moved before the data it covers %s" % ",".join(
            "%d->%s%d" % (j + 1, "%d before " % apart if apart else "just before ", i + 1)
            for j, i, apart in sorted(moves, key=lambda m: m[1])))
    summary = "%d data segments of %s: %s (input frame numbers)" % (
        n, os.path.basename(args.inp), "; ".join(parts))
    print("%s: %s" % (os.path.basename(args.out), summary))
    if args.description:
        capfile.set_descriptions({os.path.basename(args.out): args.description + " " + summary})


if __name__ == "__main__":
    main()
