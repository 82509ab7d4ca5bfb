#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns `tshark -2 -T json -J sessions` output into golden text, and checks
the core alone against the plugin.

  golden.py render JSON_FILE            golden text on stdout
  golden.py messages JSON_FILE          one line per message, from tshark
  golden.py replay-messages REPLAY_OUT  the same lines, from sessions-replay

Golden text: one line per frame that carries Sessions fields, the fields in
the order the tree shows them; message and datagram bytes as escaped text so
a diff shows what changed.  Messages of one frame stay apart because -T json
keeps repeated subtrees as lists.
"""
import json
import sys


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
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("msg "):
                continue
            kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            print("frame=%s dir=%s proto=%s offset=%s len=%s data=%s" % (
                kv["frame"], kv["dir"], kv["proto"], kv["offset"], kv["len"],
                kv["data"]))


if __name__ == "__main__":
    {"render": render, "messages": messages,
     "replay-messages": replay_messages}[sys.argv[1]](sys.argv[2])
