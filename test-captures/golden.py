#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns `tshark -2 -T json -J sessions` output into golden text, and checks
the core alone against the plugin.

  golden.py render JSON_FILE            golden text on stdout
  golden.py messages JSON_FILE          one line per message, from tshark
  golden.py replay-messages REPLAY_OUT  the same lines, from sessions-replay
  golden.py flows TSV FIELDS            checks -z sessions,flows,tsv against
                                        the per-packet fields (FIELDS: -T fields
                                        of FLOW_FIELDS, tshark -2)

Golden text: one line per frame that carries Sessions fields, the fields in
the order the tree shows them; message and datagram bytes as escaped text so
a diff shows what changed.  Messages of one frame stay apart because -T json
keeps repeated subtrees as lists.  The typed flow fields (sessions.flow.src,
.srcport, ...) are checked against the sessions.flow string on every frame
and left out of the text, which the string already covers.
"""
import json
import re
import sys

TYPED_FLOW_FIELDS = (
    "sessions.flow.src", "sessions.flow.dst", "sessions.flow.src6",
    "sessions.flow.dst6", "sessions.flow.addr", "sessions.flow.addr6",
    "sessions.flow.srcport", "sessions.flow.dstport", "sessions.flow.port",
    "sessions.flow.proto")


def typed_from_string(flow):
    """The typed fields a sessions.flow string implies."""
    m = re.match(r"(TCP|UDP) (\S+):(\d+) > (\S+):(\d+)$", flow)
    if m:
        kind, src, sport, dst, dport = m.groups()
        proto = "6" if kind == "TCP" else "17"
    else:
        m = re.match(r"IP (\S+) > (\S+) proto (\d+)$", flow)
        if not m:
            raise SystemExit("unexpected sessions.flow %r" % flow)
        src, dst, proto = m.groups()
        sport = dport = None
    src, dst = src.strip("[]"), dst.strip("[]")
    v6 = "6" if ":" in src else ""
    typed = {"sessions.flow.src" + v6: src, "sessions.flow.dst" + v6: dst,
             "sessions.flow.addr" + v6: [src, dst], "sessions.flow.proto": proto}
    if sport is not None:
        typed.update({"sessions.flow.srcport": sport, "sessions.flow.dstport": dport,
                      "sessions.flow.port": [sport, dport]})
    return typed


def check_typed_flow(num, sess):
    """Removes the typed flow fields after checking them."""
    tree = sess.get("sessions.flow_tree")
    if not isinstance(tree, dict):
        return
    typed = {k: tree.pop(k) for k in TYPED_FLOW_FIELDS if k in tree}
    want = typed_from_string(sess["sessions.flow"])
    if typed != want:
        raise SystemExit("frame %s: typed flow fields %r disagree with %r"
                         % (num, typed, sess["sessions.flow"]))


def as_text(hexcolon):
    raw = bytes.fromhex(hexcolon.replace(":", "")) if hexcolon else b""
    return repr(raw)[2:-1]


def flatten(node, out):
    """Depth-first, keeping list members apart."""
    for key, value in node.items():
        if key.endswith("_tree"):
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    part = []
                    flatten(sub, part)
                    out.append("%s[%d]{%s}" % (key[:-5], i, " ".join(part)))
            else:
                flatten(value, out)
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if key in ("sessions.msg", "sessions.ip.reassembled"):
                v = as_text(v)
            out.append("%s=%s" % (key, v))


def frames(doc):
    for pkt in doc:
        layers = pkt["_source"]["layers"]
        num = layers.get("frame", {}).get("frame.number")
        yield num, layers.get("sessions")


def render(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for i, (num, sess) in enumerate(frames(doc), 1):
        if not sess:
            continue
        out = []
        if isinstance(sess, dict):
            check_typed_flow(num or i, sess)
            flatten(sess, out)
        print("frame %s: %s" % (num or i, " ".join(out)))


def listify(v):
    return v if isinstance(v, list) else [v]


def messages(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for i, (num, sess) in enumerate(frames(doc), 1):
        if not sess or "sessions.msg" not in sess:
            continue
        datas = listify(sess["sessions.msg"])
        trees = listify(sess["sessions.msg_tree"])
        for data, tree in zip(datas, trees):
            print("frame=%s dir=%s proto=%s offset=%s len=%s data=%s" % (
                num or i, tree["sessions.msg.dir"], tree["sessions.msg.proto"],
                tree["sessions.msg.offset"], tree["sessions.msg.length"],
                data.replace(":", "")))


def replay_messages(path):
    """In frame order, as the plugin shows them: what the end of the
    capture flushes is emitted last but belongs to each flow's last frame."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("msg "):
                continue
            kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            out.append((int(kv["frame"]), "frame=%s dir=%s proto=%s offset=%s len=%s data=%s" % (
                kv["frame"], kv["dir"], kv["proto"], kv["offset"], kv["len"],
                kv["data"])))
    for _, text in sorted(out, key=lambda m: m[0]):
        print(text)


# -e options of the FIELDS file `golden.py flows` reads, in this order.
FLOW_FIELDS = ("frame.number", "sessions.flow.id", "sessions.flow.dir",
               "sessions.flow.total_pkts", "sessions.flow.total_bytes",
               "sessions.flow.duration", "sessions.flow.state",
               "sessions.flow.history", "sessions.flow.missing")


def flows(tsv_path, fields_path):
    """Every flow the packets name has one row, and the row's counts are the
    flow's packets in each direction and its sessions.flow.total_* fields."""
    with open(tsv_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t")
    rows = {}
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t")))
        rows[int(row["id"])] = row
    seen = {}
    with open(fields_path, encoding="utf-8") as f:
        for line in f:
            v = dict(zip(FLOW_FIELDS, line.rstrip("\n").split("\t")))
            if not v.get("sessions.flow.id"):
                continue
            flow = seen.setdefault(int(v["sessions.flow.id"]),
                                   {"pkts": [0, 0], "frames": [], "totals": set()})
            flow["pkts"][int(v["sessions.flow.dir"])] += 1
            flow["frames"].append(int(v["frame.number"]))
            flow["totals"].add(tuple(v[k] for k in FLOW_FIELDS[3:]))
    bad = []
    if sorted(rows) != sorted(seen):
        bad.append("flows listed %s, flows in the packets %s" % (sorted(rows), sorted(seen)))
    for fid in sorted(set(rows) & set(seen)):
        row, flow = rows[fid], seen[fid]
        if len(flow["totals"]) != 1:
            bad.append("flow %d: totals differ between its packets: %s" % (fid, flow["totals"]))
            continue
        pkts, nbytes, duration, state, history, missing = next(iter(flow["totals"]))
        want = {
            "first_frame": str(min(flow["frames"])),
            "orig_pkts": str(flow["pkts"][0]), "resp_pkts": str(flow["pkts"][1]),
            "orig_pkts+resp_pkts": pkts,
            "orig_bytes+resp_bytes": nbytes,
            "duration": "%.6f" % float(duration),
            "conn_state": state or "-", "history": history or "-",
            "missed_bytes": missing or "0",
        }
        got = dict(row)
        got["orig_pkts+resp_pkts"] = str(int(row["orig_pkts"]) + int(row["resp_pkts"]))
        got["orig_bytes+resp_bytes"] = str(int(row["orig_bytes"]) + int(row["resp_bytes"]))
        for key, value in want.items():
            if got[key] != value:
                bad.append("flow %d: %s is %s, the packets say %s" % (fid, key, got[key], value))
    if bad:
        raise SystemExit("\n".join(bad))


if __name__ == "__main__":
    {"render": render, "messages": messages,
     "replay-messages": replay_messages, "flows": flows}[sys.argv[1]](*sys.argv[2:])
