# SPDX-License-Identifier: GPL-2.0-or-later
"""Sessions' messages against Wireshark's own dissector of the same traffic.

    dissectors.py CAPTURE FRAMER SESSIONS_JSON WIRESHARK_JSON DIFFERENCES VERSION

SESSIONS_JSON is `tshark -2 -T json -e sessions.msg.proto -e sessions.msg.info`,
WIRESHARK_JSON `tshark -T json -e <the dissector's type fields>` of the same
capture.  Both sides are reduced to a count of messages per type (Sessions'
messages of FRAMER by their summary, Wireshark's by its type fields) and the
counts must be equal.  A difference recorded in DIFFERENCES for this
Wireshark VERSION (lines `VERSION-PREFIX CAPTURE FRAMER TYPE SESSIONS
WIRESHARK REASON...`, `*` for any version) is a `note`, not a failure, so a
release whose dissector counts otherwise can be recorded there.  Prints one
PASS or FAIL line, and a note per recorded difference.
"""
import json
import sys
from collections import Counter

KRB = {10: "AS-REQ", 11: "AS-REP", 12: "TGS-REQ", 13: "TGS-REP", 14: "AP-REQ",
       15: "AP-REP", 20: "KRB-SAFE", 21: "KRB-PRIV", 22: "KRB-CRED", 30: "KRB-ERROR"}
PGSQL = {
    "Startup message": "StartupMessage", "SSL request": "SSLRequest",
    "GSS encrypt request": "GSSENCRequest", "Cancel request": "CancelRequest",
    "Authentication request": "Authentication", "Password message": "PasswordMessage",
    "SASLInitialResponse message": "PasswordMessage",
    "SASLResponse message": "PasswordMessage", "GSSAPI or SSPI response": "PasswordMessage",
    "Parameter status": "ParameterStatus", "Backend key data": "BackendKeyData",
    "Ready for query": "ReadyForQuery", "Simple query": "Query",
    "Row description": "RowDescription", "Data row": "DataRow",
    "Command completion": "CommandComplete", "Error": "ErrorResponse",
    "Notice": "NoticeResponse", "Termination": "Terminate", "Parse": "Parse",
    "Bind": "Bind", "Execute": "Execute", "Describe": "Describe", "Sync": "Sync",
    "Parse completion": "ParseComplete", "Bind completion": "BindComplete",
    "Empty query": "EmptyQueryResponse", "No data": "NoData",
    "Parameter description": "ParameterDescription", "Close": "Close",
    "Close completion": "CloseComplete", "Flush": "Flush",
}
DCERPC = {0: "request", 2: "response", 3: "fault", 11: "bind", 12: "bind_ack",
          13: "bind_nak", 14: "alter_context", 15: "alter_context_resp",
          16: "auth3", 17: "shutdown", 18: "co_cancel", 19: "orphaned"}
NBSS = {0x81: "session request", 0x82: "positive session response",
        0x83: "negative session response", 0x84: "retarget session response",
        0x85: "keepalive"}
SMB2 = ["NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
        "CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
        "ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
        "OPLOCK_BREAK"]
SMB1 = {0x72: "NEGOTIATE", 0x73: "SESSION_SETUP_ANDX", 0x75: "TREE_CONNECT_ANDX"}
LDAP = {0: "bindRequest", 1: "bindResponse", 2: "unbindRequest", 3: "searchRequest",
        4: "searchResEntry", 5: "searchResDone", 6: "modifyRequest",
        7: "modifyResponse", 8: "addRequest", 9: "addResponse", 10: "delRequest",
        11: "delResponse", 12: "modDNRequest", 13: "modDNResponse",
        14: "compareRequest", 15: "compareResponse", 16: "abandonRequest",
        19: "searchResRef", 23: "extendedReq", 24: "extendedResp",
        25: "intermediateResponse"}
MQTT = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC",
        6: "PUBREL", 7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE",
        11: "UNSUBACK", 12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH"}
WS = {0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
H2 = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
      "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]
TLS = {20: "Change Cipher Spec", 21: "Alert", 22: "Handshake",
       23: "Application Data", 24: "Heartbeat"}


def num(v):
    return int(v, 0)


def truth(v):
    return v in ("1", "True", "true")


def first_word(info):
    return info.split(" ")[0].split(":")[0]


def pgsql_type(info):
    t = info.split(":")[0]
    return "Authentication" if t.startswith("Authentication") else t


# framer: (Sessions summary -> type, Wireshark fields -> types, fields)
FRAMERS = {
    "krb": (str, lambda f: [KRB[num(v)] for v in f.get("kerberos.msg_type", [])],
            ["kerberos.msg_type"]),
    "pgsql": (pgsql_type, lambda f: [PGSQL.get(v, v) for v in f.get("pgsql.type", [])],
              ["pgsql.type"]),
    "dcerpc": (first_word, lambda f: [DCERPC[num(v)] for v in f.get("dcerpc.pkt_type", [])],
               ["dcerpc.pkt_type"]),
    "nbss": (str, lambda f: [NBSS[num(v)] for v in f.get("nbss.type", []) if num(v)]
             + ["SMB2 %s%s" % (SMB2[num(c)], " response" if truth(r) else "")
                for c, r in zip(f.get("smb2.cmd", []), f.get("smb2.flags.response", []))]
             + ["SMB %s" % SMB1[num(c)] for c in f.get("smb.cmd", [])],
             ["nbss.type", "smb2.cmd", "smb2.flags.response", "smb.cmd"]),
    "ldap": (str, lambda f: [LDAP[num(v)] for v in f.get("ldap.protocolOp", [])],
             ["ldap.protocolOp"]),
    "mqtt": (first_word, lambda f: [MQTT[num(v)] for v in f.get("mqtt.msgtype", [])],
             ["mqtt.msgtype"]),
    "ws": (first_word, lambda f: [WS[num(v)] for v in f.get("websocket.opcode", [])],
           ["websocket.opcode"]),
    "h2": (first_word, lambda f: ["preface" for _ in f.get("http2.magic", [])]
           + [H2[num(v)] for v in f.get("http2.type", [])],
           ["http2.magic", "http2.type"]),
    # TLS 1.3 hides the type of encrypted records in opaque_type
    "tls": (str, lambda f: [TLS[num(v)] for v in f.get("tls.record.content_type", [])
                            + f.get("tls.record.opaque_type", [])],
            ["tls.record.content_type", "tls.record.opaque_type"]),
}


def layers(path):
    with open(path) as f:
        text = f.read()
    return [p["_source"]["layers"] for p in json.loads(text)] if text.strip() else []


def sessions_counts(path, framer):
    norm = FRAMERS[framer][0]
    counts = Counter()
    for frame in layers(path):
        for proto, info in zip(frame.get("sessions.msg.proto", []),
                               frame.get("sessions.msg.info", [])):
            if proto == framer:
                counts[norm(info)] += 1
    return counts


def wireshark_counts(path, framer):
    types = FRAMERS[framer][1]
    counts = Counter()
    for frame in layers(path):
        counts.update(types(frame))
    return counts


def recorded(path, version, capture, framer):
    """(type, sessions, wireshark) -> reason, for this version."""
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 7 or w[0].startswith("#"):
                continue
            if (w[0] == "*" or version.startswith(w[0])) and w[1:3] == [capture, framer]:
                out[(w[3].replace("_", " "), int(w[4]), int(w[5]))] = " ".join(w[6:])
    return out


def main():
    if sys.argv[1] == "fields":
        print(" ".join("-e " + f for f in FRAMERS[sys.argv[2]][2]))
        return
    capture, framer, s_path, w_path, diff_path, version = sys.argv[1:7]
    s, w = sessions_counts(s_path, framer), wireshark_counts(w_path, framer)
    known = recorded(diff_path, version, capture, framer)
    bad = []
    for t in sorted(set(s) | set(w)):
        if s[t] == w[t]:
            continue
        reason = known.get((t, s[t], w[t]))
        if reason:
            print("note %s %s: %s: Sessions %d, Wireshark %s %d: %s"
                  % (capture, framer, t, s[t], version, w[t], reason))
        else:
            bad.append("%s: Sessions %d, Wireshark %d" % (t, s[t], w[t]))
    total = sum(s.values())
    if bad:
        print("FAIL dissector %s %s (Wireshark %s): %s"
              % (capture, framer, version, "; ".join(bad)))
    elif total == 0:
        print("FAIL dissector %s %s: no message of this framer" % (capture, framer))
    else:
        print("PASS dissector %s %s: %d messages of %d types agree with Wireshark %s"
              % (capture, framer, total, len(s), version))


if __name__ == "__main__":
    main()
