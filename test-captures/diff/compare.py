#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Comparisons of the differential test (differential.sh): Sessions against
Wireshark's own reassembly and against Scapy.  Standard library only.

Each command prints one line per check, `PASS ...` or `FAIL ...` (and `note`
lines for known differences), and exits 1 if any check failed.

  compare.py ip NAME FIELDS_TSV
  compare.py follow NAME SESSIONS_JSON FRAMES_TSV FOLLOW_TXT
  compare.py http NAME SESSIONS_JSON WIRESHARK_TSV
  compare.py export NAME SESSIONS_JSON DIR
  compare.py scapy-http NAME SCAPY_OUT REPLAY_EVENTS
  compare.py scapy-ip NAME SCAPY_OUT REPLAY_EVENTS
  compare.py scapy-note NAME SCAPY_OUT REPLAY_EVENTS    (a note, never fails)
  compare.py handoff NAME PLAIN_TSV HANDOFF_TSV FRAME CODE
  compare.py corpus OUT_DIR KNOWN CAPTURE...          (public captures)

SESSIONS_JSON is `tshark -2 -T json -J "frame sessions" --no-duplicate-keys`.
"""
import ipaddress
import json
import os
import re
import sys

failed = False


def result(ok, name, detail):
    global failed
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail))
    if not ok:
        failed = True


def note(name, detail):
    print("note %s: %s" % (name, detail))


def listify(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def hexbytes(s):
    return bytes.fromhex(s.replace(":", "")) if s else b""


def short(frames, n=12):
    frames = sorted(frames)
    text = ",".join(str(f) for f in frames[:n])
    return text + (",..." if len(frames) > n else "")


# --- our side, from tshark's JSON -------------------------------------------

def load_frames(path):
    """Yields (frame number, sessions layer dict or None)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for i, pkt in enumerate(doc, 1):
        layers = pkt["_source"]["layers"]
        num = int(layers.get("frame", {}).get("frame.number", i))
        sess = layers.get("sessions")
        yield num, sess if isinstance(sess, dict) else None


def frames_with(path, field):
    """Yields (frame number, sessions layer, flow id) of the frames whose
    sessions layer has `field`."""
    for num, sess in load_frames(path):
        if sess and field in sess:
            flow = sess.get("sessions.flow_tree", {})
            if isinstance(flow, list):
                flow = flow[0]
            yield num, sess, int(flow.get("sessions.flow.id", -1))


def load_messages(path):
    """Every sessions.msg as a dict, in frame order."""
    msgs = []
    for num, sess, fid in frames_with(path, "sessions.msg"):
        for data, tree in zip(listify(sess["sessions.msg"]),
                              listify(sess.get("sessions.msg_tree"))):
            msgs.append({
                "frame": num,
                "flow": fid,
                "dir": int(tree["sessions.msg.dir"]),
                "proto": tree["sessions.msg.proto"],
                "offset": int(tree["sessions.msg.offset"]),
                "length": int(tree["sessions.msg.length"]),
                "missing": int(tree.get("sessions.msg.missing", 0)),
                "info": tree.get("sessions.msg.info", ""),
                "data": hexbytes(data),
            })
    return msgs


def load_holes(path):
    """(flow, dir) -> [(offset, length)] of the bytes Sessions gave up, from
    the `missing` lines of `sessions-replay --print events` (the core alone
    numbers flows as the plugin does; run.sh checks they agree)."""
    holes = {}
    if not os.path.exists(path):
        return holes
    for kv in kv_lines(path, "missing"):
        holes.setdefault((int(kv["flow"]), int(kv["dir"])), []).append(
            (int(kv["offset"]), int(kv["len"])))
    return holes


def hidden_flows(path):
    """Flows of the frames whose messages the plugin did not all show (past
    its first 64 items a frame counts the rest in sessions.not_shown, and
    tshark's JSON leaves hidden items out)."""
    flows = set()
    for _, sess, fid in frames_with(path, "sessions.not_shown"):
        flows.add(fid)
    return flows


def replay_messages(path, flows):
    """The messages of `flows` as the core alone cut them (`msg` lines of
    `sessions-replay --print events`), in the form load_messages() gives;
    concatenated by offset they are the same bytes whatever the framer."""
    msgs = []
    for kv in kv_lines(path, "msg"):
        if int(kv["flow"]) in flows:
            data = hexbytes(kv.get("data", ""))
            msgs.append({"frame": int(kv["frame"]), "flow": int(kv["flow"]),
                         "dir": int(kv["dir"]), "proto": kv["proto"],
                         "offset": int(kv["offset"]), "length": int(kv["len"]),
                         "missing": int(kv["missing"]), "info": "", "data": data})
    return msgs


def streams(msgs):
    """(flow, dir) -> (bytes in offset order, skipped holes as zeros; list
    of problems; offset of the first message with missing bytes or the
    first skipped hole, or None)."""
    per = {}
    for m in msgs:
        per.setdefault((m["flow"], m["dir"]), []).append(m)
    out = {}
    for key, ms in per.items():
        ms.sort(key=lambda m: m["offset"])
        data, problems, pos = bytearray(), [], ms[0]["offset"]
        hole = next((m["offset"] for m in ms if m["missing"]), None)
        if pos:
            problems.append("first message at offset %d" % pos)
        for m in ms:
            if m["offset"] > pos and m is not ms[0]:
                # A hole too long to zero-fill was skipped: padded as if it
                # had been, so offsets stay positions in the bytes.
                problems.append("%d bytes skipped at offset %d" % (m["offset"] - pos, pos))
                hole = pos if hole is None else min(hole, pos)
                data += bytes(m["offset"] - pos)
                pos = m["offset"]
            if m["offset"] != pos:
                problems.append("message at offset %d, expected %d" % (m["offset"], pos))
            if len(m["data"]) != m["length"]:
                problems.append("message at offset %d has %d of %d bytes" % (
                    m["offset"], len(m["data"]), m["length"]))
            if m["missing"]:
                problems.append("%d missing bytes at offset %d" % (m["missing"], m["offset"]))
            data += m["data"]
            pos = m["offset"] + m["length"]
        out[key] = (bytes(data), problems, hole)
    return out


def norm_endpoint(text):
    """'10.0.0.1:80', '[fd77::1]:80' -> (ip_address, port); None for an
    endpoint Follow could not name (it prints ':0' when the stream's
    addresses are not IP ones), so that direction is paired with nothing
    and any byte in it is reported as a difference."""
    m = re.fullmatch(r"\[?([^\]]+?)\]?:(\d+)", text.strip())
    try:
        return ipaddress.ip_address(m.group(1)), int(m.group(2))
    except (AttributeError, ValueError):
        return None


# --- 1. IP defragmentation vs ip.reassembled.data / ipv6.reassembled.data ---

def parse_ip_rows(rows):
    """Rows of frame, ip.reassembled.data, ipv6.reassembled.data,
    sessions.ip.reassembled, ip.reassembled_in, ipv6.reassembled.in,
    sessions.ip.reassembled_in, sessions.ip.fragments -> (Wireshark's
    datagrams by completing frame, Sessions', Wireshark's reassembled-in by
    frame, Sessions', frames that contributed to a Sessions datagram)."""
    ws, ours, ws_in, our_in, used = {}, {}, {}, {}, set()
    for cols in rows:
        cols = list(cols) + [""] * (8 - len(cols))
        used.update(int(x) for x in cols[7].split(",") if x)
        frame = int(cols[0])
        w = [c for c in (cols[1], cols[2]) if c]
        if w:
            ws[frame] = hexbytes(",".join(w))
        if cols[3]:
            ours[frame] = hexbytes(cols[3])
        w_in = cols[4] or cols[5]
        if w_in:
            ws_in[frame] = int(w_in.split(",")[0])
        if cols[6]:
            our_in[frame] = int(cols[6].split(",")[0])
    return ws, ours, ws_in, our_in, used


def cmd_ip(name, tsv):
    """TSV columns: frame, ip.reassembled.data, ipv6.reassembled.data,
    sessions.ip.reassembled, ip.reassembled_in, ipv6.reassembled.in,
    sessions.ip.reassembled_in, sessions.ip.fragments."""
    ws, ours, ws_in, our_in, used = parse_ip_rows(
        line.rstrip("\n").split("\t") for line in open(tsv, encoding="utf-8"))
    problems = []
    if not ws:
        problems.append("Wireshark reassembled nothing")
    if set(ws) != set(ours):
        problems.append("completing frames differ: Wireshark %s, Sessions %s" % (
            short(ws), short(ours)))
    for frame in sorted(set(ws) & set(ours)):
        if ws[frame] != ours[frame]:
            problems.append("frame %d: %d vs %d bytes, first difference at %d" % (
                frame, len(ws[frame]), len(ours[frame]), next(
                    (i for i, (a, b) in enumerate(zip(ws[frame], ours[frame])) if a != b),
                    min(len(ws[frame]), len(ours[frame])))))
    # reassembled_in: Wireshark leaves it off the completing frame and sets
    # it on duplicate fragments too; Sessions sets it on the completing frame
    # and on the fragments that contributed.
    only_ws = []
    for frame, r in sorted(our_in.items()):
        if frame in ws_in and ws_in[frame] != r:
            problems.append("frame %d reassembled in %d, Wireshark says %d" % (
                frame, r, ws_in[frame]))
        elif frame not in ws_in and frame != r:
            problems.append("frame %d reassembled in %d, Wireshark: none" % (frame, r))
    for frame in sorted(set(ws_in) - set(our_in)):
        if frame in used:
            problems.append("frame %d contributed to a datagram but has no "
                            "sessions.ip.reassembled_in" % frame)
        only_ws.append(frame)
    result(not problems, "ip-agreement " + name,
           "; ".join(problems) if problems else
           "%d datagram(s) byte-equal on frames %s (%s bytes)" % (
               len(ws), short(ws), ",".join(str(len(ws[f])) for f in sorted(ws))))
    if only_ws and not problems:
        note("ip-agreement " + name,
             "Wireshark also gives frame(s) %s a reassembled-in frame; they "
             "contributed no byte to Sessions' datagram (duplicate, overlapped "
             "or beyond the end), so Sessions does not" % short(only_ws))


# --- 2. TCP streams vs follow,tcp,raw ---------------------------------------

def parse_follow(path):
    """stream index -> {'nodes': [ep0, ep1], 'data': [bytes0, bytes1]}."""
    out, cur = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r"Filter: tcp\.stream eq (\d+)$", line)
        if m:
            cur = out.setdefault(int(m.group(1)),
                                 {"nodes": [None, None], "data": [bytearray(), bytearray()]})
            continue
        if cur is None:
            continue
        m = re.match(r"Node ([01]): (.*)$", line)
        if m:
            cur["nodes"][int(m.group(1))] = norm_endpoint(m.group(2))
            continue
        if line.startswith("====") or line.startswith("Follow:"):
            continue
        node = 1 if line.startswith("\t") else 0
        text = line.strip()
        if re.fullmatch(r"[0-9a-fA-F]+", text):
            cur["data"][node] += bytes.fromhex(text)
    return out


def innermost_source(ip_src, ipv6_src, protocols):
    """The source address of the IP header closest to TCP: a tunnelled
    frame lists every IP header's, outermost first."""
    layers = [p for p in protocols.split(":") if p in ("ip", "ipv6")]
    inner_v6 = layers[-1] == "ipv6" if layers else not ip_src
    values = (ipv6_src if inner_v6 else ip_src).split(",")
    return ipaddress.ip_address(values[-1])


def last_int(text):
    """The last of a field's comma-separated occurrences (the innermost
    header's), or None."""
    values = [v for v in text.split(",") if v]
    try:
        return int(values[-1]) if values else None
    except ValueError:
        return None


def follow_directions(json_path, frames_tsv, follow_path, replay_path=None):
    """Pairs every direction of every TCP stream Wireshark numbered with
    Sessions' flow directions.  FRAMES_TSV starts with the columns
    tcp.stream, ip.src, ipv6.src, tcp.srcport, sessions.flow.id,
    sessions.flow.dir, frame.protocols.  Returns (number of streams, one
    dict per direction: stream, node, endpoint, keys (Sessions' (flow, dir)
    in the order first seen), got, want, issues, hole)."""
    ours = streams(load_messages(json_path))
    holes = load_holes(replay_path) if replay_path else {}
    if replay_path:
        hidden = hidden_flows(json_path)
        ours.update(streams(replay_messages(replay_path, hidden)))
    follow = parse_follow(follow_path)
    mapping = {}   # (stream, endpoint) -> [(flow, dir), ...]
    nstreams = 0
    for line in open(frames_tsv, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        cols += [""] * (7 - len(cols))
        stream, flow = last_int(cols[0]), last_int(cols[4])
        if stream is None or flow is None or not cols[3]:
            continue
        nstreams = max(nstreams, stream + 1)
        try:
            ep = (innermost_source(cols[1], cols[2], cols[6]), last_int(cols[3]))
        except ValueError:
            continue
        keys = mapping.setdefault((stream, ep), [])
        key = (flow, last_int(cols[5]))
        if key not in keys:
            keys.append(key)
    out = []
    for stream in range(nstreams):
        f = follow.get(stream)
        for node in (0, 1):
            ep = f["nodes"][node] if f else None
            keys = mapping.get((stream, ep), [])
            got, issues, hole, gaps = bytearray(), [], None, []
            for key in keys:
                data, problems, h = ours.get(key, (b"", [], None))
                gaps += [(len(got) + o, n) for o, n in sorted(holes.get(key, []))]
                if h is not None and hole is None:
                    hole = len(got) + h
                issues += ["flow %d dir %d: %s" % (key[0], key[1], i) for i in problems]
                got += data
            if gaps:
                hole = gaps[0][0]
            out.append({"stream": stream, "node": node, "endpoint": ep, "keys": keys,
                        "got": bytes(got), "want": bytes(f["data"][node]) if f else None,
                        "issues": issues, "hole": hole, "gaps": gaps})
    return nstreams, out


def merged(gaps):
    """Given-up ranges with touching ones joined: a hole given up in pieces
    (as ACKs moved on) is one hole to Follow TCP Stream."""
    out = []
    for off, n in sorted(gaps):
        if out and out[-1][0] + out[-1][1] == off:
            out[-1] = (out[-1][0], out[-1][1] + n)
        else:
            out.append((off, n))
    return out


def marked(data, gaps, text=True):
    """Sessions' bytes with each given-up range replaced by the text Follow
    TCP Stream puts in its place (or cut out, `text` false)."""
    out, pos = bytearray(), 0
    for off, n in merged(gaps):
        if off < pos or off + n > len(data):
            continue
        out += data[pos:off] + (b"[%d bytes missing in capture file]\x00" % n if text else b"")
        pos = off + n
    return bytes(out + data[pos:])


def hole_explains(d):
    """The hole rule: the capture lacks bytes; Sessions reports them missing
    (zero-filled); Follow TCP Stream agrees on every byte around them, and
    either stops at or after a hole or marks it with text."""
    want = d["want"] or b""
    if not d["gaps"] or d["hole"] is None:
        return False
    if len(want) <= d["hole"] and d["got"].startswith(want):
        return True   # Follow stops at the hole
    for text in (marked(d["got"], d["gaps"]), marked(d["got"], d["gaps"], False)):
        if want == text or (len(want) >= d["hole"] and text.startswith(want)):
            return True   # marked or skipped, and possibly stopped later
    return False


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def cmd_follow(name, json_path, frames_tsv, follow_path):
    """FRAMES_TSV columns: tcp.stream, ip.src, ipv6.src, tcp.srcport,
    sessions.flow.id, sessions.flow.dir, frame.protocols."""
    nstreams, dirs = follow_directions(json_path, frames_tsv, follow_path)
    if nstreams == 0:
        result(False, "tcp-follow " + name, "no TCP stream found")
        return
    for stream in range(nstreams):
        pair = [d for d in dirs if d["stream"] == stream]
        if pair[0]["want"] is None:
            result(False, "tcp-follow %s stream %d" % (name, stream), "no follow output")
            continue
        problems, sizes = [], []
        for d in pair:
            if not d["keys"]:
                if d["want"]:
                    problems.append("node %d (%s) not mapped to a Sessions flow" % (
                        d["node"], d["endpoint"]))
                continue
            label = ",".join("flow %d dir %d" % k for k in d["keys"])
            problems += d["issues"]
            if d["got"] != d["want"]:
                problems.append("%s: %d bytes, follow has %d, first difference at %d" % (
                    label, len(d["got"]), len(d["want"]),
                    first_difference(d["got"], d["want"])))
            sizes.append("%s %d B" % (label, len(d["want"])))
        result(not problems, "tcp-follow %s stream %d" % (name, stream),
               "; ".join(problems) if problems else "equal: " + ", ".join(sizes))


# --- 3. HTTP message boundaries ---------------------------------------------

METHOD = re.compile(r"^[A-Z][A-Z-]* ")
STATUS = re.compile(r"^\d{3}( |$)")


def http_counts(ws_tsv):
    """(requests, responses) by frame of a TSV with columns frame,
    http.request.method, http.response.code (-E occurrence=a)."""
    ws = {}
    for line in open(ws_tsv, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        cols += [""] * (3 - len(cols))
        frame = int(cols[0])
        reqs = len([x for x in cols[1].split(",") if x])
        resps = len([x for x in cols[2].split(",") if x])
        if reqs or resps:
            ws[frame] = (reqs, resps)
    return ws


def cmd_http(name, json_path, ws_tsv, ws_default_tsv=None, ws_missed=""):
    """WS_TSV: Wireshark with -o tcp.reassemble_out_of_order:TRUE;
    WS_DEFAULT_TSV: with its default prefs.  From 4.4 on, Wireshark's
    out-of-order reassembly misses responses its default one finds (README,
    "Per release"): a frame where only the default one agrees with Sessions
    is a note, not a failure.  WS_MISSED: frames this Wireshark release is
    known to miss in both modes (a note while it still misses them)."""
    ws = http_counts(ws_tsv)
    ws_default = http_counts(ws_default_tsv) if ws_default_tsv else {}
    missed = {int(f) for f in ws_missed.split(",") if f}
    msgs = [m for m in load_messages(json_path) if m["proto"] == "http"]
    ours, other = {}, []
    for m in msgs:
        r, s = ours.get(m["frame"], (0, 0))
        if METHOD.match(m["info"]):
            ours[m["frame"]] = (r + 1, s)
        elif STATUS.match(m["info"]):
            ours[m["frame"]] = (r, s + 1)
        else:
            other.append(m["frame"])
    # Known difference: Wireshark cannot reassemble across bytes missing from
    # the capture; Sessions delivers the message with the hole zero-filled
    # (sessions.msg.missing), and Wireshark's HTTP stays stuck on that
    # direction. Messages of a direction from its first message with missing
    # bytes on are Sessions-only by design.
    holes = {}
    for m in sorted(msgs, key=lambda m: m["offset"]):
        if m["missing"] and (m["flow"], m["dir"]) not in holes:
            holes[(m["flow"], m["dir"])] = m["offset"]
    excused = {}
    for m in msgs:
        start = holes.get((m["flow"], m["dir"]))
        if start is not None and m["offset"] >= start:
            excused.setdefault(m["frame"], []).append(m)
    problems, known, ooo_missed = [], [], []
    for frame in sorted(set(ws) | set(ours)):
        w, o = ws.get(frame, (0, 0)), ours.get(frame, (0, 0))
        if w == o:
            continue
        if w == (0, 0) and frame in excused:
            known.append(frame)
            continue
        if w == (0, 0) and ws_default.get(frame) == o:
            ooo_missed.append(frame)
            continue
        if w == (0, 0) and frame in missed and frame not in ws_default:
            continue
        problems.append("frame %d: Wireshark %d request(s) %d response(s), "
                        "Sessions %d/%d" % (frame, w[0], w[1], o[0], o[1]))
    if not ws or not ours:
        problems.append("no HTTP message: Wireshark %d, Sessions %d" % (len(ws), len(ours)))
    if other:
        problems.append("http messages neither request nor response on frames %s"
                        % short(other))
    nw = sum(a + b for a, b in ws.values())
    no = sum(a + b for a, b in ours.values())
    result(not problems, "http-boundaries " + name,
           "; ".join(problems) if problems else
           "%d message(s) on %d frame(s) agree%s" % (
               nw, len(ws), (", plus %d Sessions-only" % (no - nw)) if known else ""))
    if known and not problems:
        note("http-boundaries " + name,
             "only Sessions completes HTTP on frame(s) %s: the direction lost "
             "bytes in the capture (given up, zero-filled); Wireshark never "
             "completes a PDU across the hole" % short(known))
    found = sorted(f for f in missed if f in ws or f in ws_default)
    if found:
        problems.append("frame(s) %s: known as missed by this Wireshark, but found"
                        % short(found))
    if missed and not problems:
        note("http-boundaries " + name,
             "this Wireshark release misses frame(s) %s in both modes; Sessions "
             "cuts them" % short(sorted(missed)))
    if ooo_missed and not problems:
        note("http-boundaries " + name,
             "Wireshark's out-of-order reassembly misses frame(s) %s, which its "
             "default reassembly finds as Sessions does" % short(ooo_missed))


# --- 5. export objects ------------------------------------------------------

def cmd_export(name, json_path, directory):
    msgs = load_messages(json_path)
    want = {"flow%d-%d-%d.%s" % (m["flow"], m["dir"], m["offset"], m["proto"]): m["data"]
            for m in msgs}
    files = sorted(os.listdir(directory))
    problems = []
    if len(want) != len(msgs):
        problems.append("two messages share a file name")
    if set(files) != set(want):
        problems.append("files %s not in JSON; messages %s not exported" % (
            sorted(set(files) - set(want))[:5], sorted(set(want) - set(files))[:5]))
    for fn in sorted(set(files) & set(want)):
        with open(os.path.join(directory, fn), "rb") as f:
            if f.read() != want[fn]:
                problems.append("%s differs from its message" % fn)
    if not msgs:
        problems.append("no message")
    result(not problems, "export-objects " + name,
           "; ".join(problems) if problems else
           "%d files = %d messages, byte-equal" % (len(files), len(msgs)))


# --- 4. Scapy ---------------------------------------------------------------

def kv_lines(path, tag):
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if parts and parts[0] == tag:
            yield dict(p.split("=", 1) for p in parts[1:] if "=" in p)


def replay_flows(path):
    """flow id -> (endpoint of dir 0, endpoint of dir 1) from `flow` lines."""
    flows = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"flow (\d+) (TCP|UDP) (\S+) > (\S+) ", line)
        if m:
            flows[int(m.group(1))] = (norm_endpoint(m.group(3)), norm_endpoint(m.group(4)))
    return flows


def has_content_length(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    return any(line.split(b":", 1)[0].strip().lower() == b"content-length"
               for line in head.split(b"\r\n")[1:])


def cmd_scapy_http(name, scapy_out, replay, cut="whole"):
    """CUT `heads`: this Scapy (2.6) ends an HTTP message with a
    Content-Length at its blank line, so each of its messages must be the
    head of Sessions' message, up to and with the blank line."""
    flows = replay_flows(replay)
    where = {}
    for fid, (a, b) in flows.items():
        where[(a, b)] = (fid, 0)
        where[(b, a)] = (fid, 1)
    ours = {}
    for kv in kv_lines(replay, "msg"):
        if kv["proto"] == "http":
            ours.setdefault((int(kv["flow"]), int(kv["dir"])), []).append(
                (int(kv["offset"]), bytes.fromhex(kv["data"])))
    for v in ours.values():
        v.sort()
    scapy = {}
    for kv in kv_lines(scapy_out, "msg"):
        src = (ipaddress.ip_address(kv["src"]), int(kv["sport"]))
        dst = (ipaddress.ip_address(kv["dst"]), int(kv["dport"]))
        key = where.get((src, dst))
        if kv["cl"] == "1":
            scapy.setdefault(key, []).append(bytes.fromhex(kv["data"]))
    problems = [line.strip() for line in open(scapy_out, encoding="utf-8")
                if line.startswith("error")]
    compared = 0
    if not scapy:
        problems.append("Scapy gave no HTTP message with a Content-Length")
    for key in sorted(set(scapy) | {k for k, v in ours.items()
                                    if any(has_content_length(d) for _, d in v)},
                      key=str):
        if key is None:
            problems.append("Scapy message on a connection Sessions does not know")
            continue
        want = scapy.get(key, [])
        got = [d for _, d in ours.get(key, []) if has_content_length(d)]
        if len(want) != len(got):
            problems.append("flow %d dir %d: Scapy %d Content-Length messages, "
                            "Sessions %d" % (key[0], key[1], len(want), len(got)))
        for i, (w, g) in enumerate(zip(want, got)):
            compared += 1
            if cut == "heads":
                g = g[:g.find(b"\r\n\r\n") + 4]
            if w != g:
                problems.append("flow %d dir %d message %d: Scapy %d bytes, "
                                "Sessions %d, differ" % (key[0], key[1], i, len(w), len(g)))
    result(not problems, "scapy-http " + name,
           "; ".join(problems) if problems else
           "%d Content-Length message(s) byte-equal%s" % (
               compared, " up to the end of their headers (where this Scapy cuts)"
               if cut == "heads" else ""))


def cmd_scapy_ip(name, scapy_out, replay):
    errors = [line.strip() for line in open(scapy_out, encoding="utf-8")
              if line.startswith("error")]
    want = [bytes.fromhex(kv["data"]) for kv in kv_lines(scapy_out, "datagram")]
    got = [bytes.fromhex(kv["data"]) for kv in kv_lines(replay, "datagram")]
    problems = errors[:]
    if not got:
        problems.append("Sessions reassembled nothing")
    if len(want) != len(got):
        problems.append("Scapy %d datagram(s), Sessions %d" % (len(want), len(got)))
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            problems.append("datagram %d: Scapy %d bytes, Sessions %d, differ" % (
                i, len(w), len(g)))
    result(not problems, "scapy-ip " + name,
           "; ".join(problems) if problems else
           "%d datagram(s) byte-equal (%s bytes)" % (
               len(got), ",".join(str(len(g)) for g in got)))


def cmd_scapy_note(name, scapy_out, replay):
    """Not a check: how Scapy's HTTP messages relate to ours."""
    ours = [bytes.fromhex(kv["data"]) for kv in kv_lines(replay, "msg")
            if kv["proto"] == "http"]
    ms = [(kv["kind"], bytes.fromhex(kv["data"])) for kv in kv_lines(scapy_out, "msg")]
    errors = [line.strip() for line in open(scapy_out, encoding="utf-8")
              if line.startswith("error")]
    note("scapy-http " + name,
         "Sessions %d message(s); Scapy %d, %d byte-equal to one of ours, %d "
         "not starting with a request or status line%s" % (
             len(ours), len(ms), sum(d in set(ours) for _, d in ms),
             sum(k == "other" for k, _ in ms),
             "; " + errors[0] if errors else ""))


# --- 8. public captures ----------------------------------------------------

def load_known(path):
    """(capture, what) -> reason, from lines `capture tcp STREAM:NODE reason`,
    `capture tcp * reason` or `capture ip FRAME reason` (# comments)."""
    known = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 4:
            known[(parts[0], parts[1] + " " + parts[2])] = parts[3]
    return known


def split_json_follow(path):
    """tshark -T json with -z follow taps writes the JSON array, then the
    taps' text: split them into PATH.json and PATH.follow."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    cut = text.find("\n]\n")
    cut = len(text) if cut < 0 else cut + 3
    with open(path + ".json", "w", encoding="utf-8") as f:
        f.write(text[:cut] if text[:cut].strip() else "[]")
    with open(path + ".follow", "w", encoding="utf-8") as f:
        f.write(text[cut:])


def cmd_corpus(out_dir, known_path, *captures):
    """Every TCP direction and IP datagram of each capture: OUT_DIR holds
    CAPTURE.frames (tshark -T fields: the 7 columns follow_directions()
    reads, then frame.number and the 7 of parse_ip_rows()) and CAPTURE.both
    (tshark -2 -T json -J "frame sessions" with a follow,tcp,raw tap per
    stream) and CAPTURE.replay (sessions-replay --print events: where
    bytes were given up).  Differences are explained by KNOWN or by the hole rule;
    anything else fails, and so does a KNOWN line that explains nothing."""
    known = load_known(known_path)
    used_known = set()
    tally = {"captures": 0, "directions": 0, "bytes": 0, "equal": 0,
             "datagrams": 0, "datagrams_equal": 0}
    reasons = {}

    def explain(cap, what, rule_ok):
        reason = known.get((cap, what)) or known.get((cap, what.split()[0] + " *"))
        if reason:
            used_known.add((cap, what) if (cap, what) in known
                           else (cap, what.split()[0] + " *"))
        elif rule_ok:
            reason = "hole"
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
        return reason

    for cap in captures:
        base = os.path.join(out_dir, cap)
        tally["captures"] += 1
        unexplained, explained, equal = [], [], 0
        try:
            split_json_follow(base + ".both")
            _, dirs = follow_directions(base + ".both.json", base + ".frames",
                                        base + ".both.follow", base + ".replay")
        except (OSError, ValueError, KeyError) as e:
            result(False, "public " + cap, "cannot compare: %s: %s" % (type(e).__name__, e))
            continue
        for d in dirs:
            want = d["want"] or b""
            if not want and not d["got"]:
                continue
            tally["directions"] += 1
            tally["bytes"] += len(want)
            if d["got"] == want and not d["issues"]:
                equal += 1
                continue
            at = first_difference(d["got"], want)
            # Sessions lost bytes the capture lacks too: Follow agrees up
            # to the hole and has nothing beyond it.
            hole_rule = hole_explains(d)
            what = "tcp %d:%d" % (d["stream"], d["node"])
            detail = "%s (%s): Sessions %d B, Follow %d B, first difference at %d%s" % (
                what, ",".join("flow %d dir %d" % k for k in d["keys"]) or "no flow",
                len(d["got"]), len(want), at,
                "; " + "; ".join(d["issues"][:2]) if d["issues"] else "")
            reason = explain(cap, what, hole_rule)
            (explained if reason else unexplained).append(
                detail + (" [%s]" % reason if reason else ""))
        tally["equal"] += equal
        rows = []
        for line in open(base + ".frames", encoding="utf-8"):
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 7 and cols[7]:
                rows.append(cols[7:])
        ws, ours, _, _, _ = parse_ip_rows(rows)
        for frame in sorted(set(ws) | set(ours)):
            tally["datagrams"] += 1
            if ws.get(frame) == ours.get(frame):
                tally["datagrams_equal"] += 1
                continue
            what = "ip %d" % frame
            detail = "%s: Wireshark %s, Sessions %s" % (
                what, "%d B" % len(ws[frame]) if frame in ws else "none",
                "%d B" % len(ours[frame]) if frame in ours else "none")
            reason = explain(cap, what, False)
            (explained if reason else unexplained).append(
                detail + (" [%s]" % reason if reason else ""))
        if unexplained:
            result(False, "public " + cap, "; ".join(unexplained[:4]) +
                   (" (+%d more)" % (len(unexplained) - 4) if len(unexplained) > 4 else ""))
        else:
            result(True, "public " + cap, "%d direction(s) equal%s" % (
                equal, ", %d explained: %s" % (len(explained), "; ".join(explained[:3]))
                if explained else ""))
    for key in sorted(set(known) - used_known):
        if key[0] in captures:
            result(False, "public " + key[0], "known difference %s (%s) no longer "
                   "occurs: remove it from %s" % (key[1], known[key],
                                                  os.path.basename(known_path)))
    t = tally
    print("summary: %d captures, %d TCP stream directions (%d bytes in Follow), %d "
          "byte-identical (%.1f%%); %d IP datagrams, %d identical; differences "
          "explained: %s" % (
              t["captures"], t["directions"], t["bytes"], t["equal"],
              100.0 * t["equal"] / max(1, t["directions"]), t["datagrams"],
              t["datagrams_equal"],
              ", ".join("%s %d" % kv for kv in sorted(reasons.items())) or "none"))


# --- 6. hand-off ------------------------------------------------------------

def codes(tsv):
    out = {}
    for line in open(tsv, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 2 and cols[1]:
            out[int(cols[0])] = [int(c) for c in cols[1].split(",")]
    return out


def cmd_handoff(name, plain_tsv, handoff_tsv, frame, code):
    frame, code = int(frame), int(code)
    plain, hand = codes(plain_tsv), codes(handoff_tsv)
    problems = []
    if code in plain.get(frame, []):
        problems.append("Wireshark alone already has %d on frame %d" % (code, frame))
    if code not in hand.get(frame, []):
        problems.append("no http.response.code %d on frame %d with handoff" % (code, frame))
    lost = sorted(f for f in plain if not set(plain[f]) <= set(hand.get(f, [])))
    if lost:
        problems.append("handoff loses Wireshark's responses on frames %s" % short(lost))
    gained = sorted(f for f in hand if f not in plain)
    result(not problems, "handoff " + name,
           "; ".join(problems) if problems else
           "http.response.code %d on frame %d only with handoff; Wireshark alone "
           "has responses on frames %s, with handoff %s" % (
               code, frame, short(plain), short(hand)))
    if gained and not problems:
        note("handoff " + name, "responses only with handoff on frames %s" % short(gained))


if __name__ == "__main__":
    cmds = {"ip": cmd_ip, "follow": cmd_follow, "http": cmd_http,
            "export": cmd_export, "scapy-http": cmd_scapy_http,
            "scapy-ip": cmd_scapy_ip, "scapy-note": cmd_scapy_note, "handoff": cmd_handoff,
            "corpus": cmd_corpus}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except Exception as e:  # a broken input is a failed check, not a crash
        result(False, "%s %s" % (sys.argv[1], sys.argv[2]),
               "cannot compare: %s: %s" % (type(e).__name__, e))
    sys.exit(1 if failed else 0)
