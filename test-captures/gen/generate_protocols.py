#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the captures of the framers no quick Debian server covers:
Kerberos over TCP, DCE/RPC, NetBIOS session service with SMB1/SMB2, LDAP.

Run with Debian's python3 (python3-scapy 2.5.0):

    /usr/bin/python3 test-captures/gen/generate_protocols.py

The TCP connections are generate.py's (fixed addresses, ISNs, timestamps),
and so deterministic; the messages are built with Scapy's Kerberos, SMB2,
NetBIOS and LDAP layers, and DCE/RPC PDUs by their C706 layout.  Each
capture gets a line in test-captures/descriptions.txt.
"""

import os
import struct
import sys
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate  # noqa: E402
from generate import Conn, save, chunks, split_at, C4, S4, C4B, S4B  # noqa: E402
import capfile  # noqa: E402

from scapy.asn1.asn1 import ASN1_GENERALIZED_TIME, ASN1_INTEGER  # noqa: E402
from scapy.layers.kerberos import (  # noqa: E402
    Kerberos, KRB_AS_REQ, KRB_AS_REP, KRB_TGS_REQ, KRB_TGS_REP, KRB_ERROR,
    KRB_KDC_REQ_BODY, KRB_Ticket,
)
from scapy.layers.netbios import NBTSession  # noqa: E402
from scapy.layers.smb2 import (  # noqa: E402
    SMB2_Header, SMB2_Negotiate_Protocol_Request, SMB2_Negotiate_Protocol_Response,
    SMB2_Session_Setup_Request, SMB2_Session_Setup_Response,
    SMB2_Tree_Connect_Request, SMB2_Tree_Connect_Response,
    SMB2_Create_Request, SMB2_Create_Response, SMB2_Read_Request,
    SMB2_Read_Response, SMB2_Close_Request, SMB2_Close_Response,
)
from scapy.layers.ldap import (  # noqa: E402
    LDAP, LDAP_BindRequest, LDAP_BindResponse, LDAP_SearchRequest,
    LDAP_SearchResponseEntry, LDAP_SearchResponseEntryAttribute,
    LDAP_SearchResponseEntryAttributeValue, LDAP_SearchResponseResultCode,
    LDAP_UnbindRequest,
)

TIME = "20231114221320Z"


# --------------------------------------------------------------------------
# Kerberos over TCP: a 4-byte length before each message

def krb_tcp(root):
    b = bytes(Kerberos(root=root))
    return struct.pack("!I", len(b)) + b


def krb_body():
    return KRB_KDC_REQ_BODY(till=ASN1_GENERALIZED_TIME(TIME),
                            rtime=ASN1_GENERALIZED_TIME(TIME), nonce=ASN1_INTEGER(0x1234))


def gen_krb():
    as_req = krb_tcp(KRB_AS_REQ(reqBody=krb_body()))
    error = krb_tcp(KRB_ERROR(ctime=ASN1_GENERALIZED_TIME(TIME),
                              stime=ASN1_GENERALIZED_TIME(TIME),
                              errorCode=ASN1_INTEGER(25)))
    as_rep = krb_tcp(KRB_AS_REP(ticket=KRB_Ticket()))
    tgs_req = krb_tcp(KRB_TGS_REQ(msgType=ASN1_INTEGER(12), reqBody=krb_body()))
    tgs_rep = krb_tcp(KRB_TGS_REP(msgType=ASN1_INTEGER(13), ticket=KRB_Ticket()))
    cn = Conn(sport=46000, dport=88)
    out = cn.handshake()
    out.append(cn.c(as_req))
    out.append(cn.s(error))
    # the second AS-REQ split inside its length prefix, the AS-REP after
    # its tag
    for part in split_at(as_req, 2):
        out.append(cn.c(part))
    for part in split_at(as_rep, 5):
        out.append(cn.s(part))
    out += cn.close()
    cn2 = Conn(cli=C4B, srv=S4, sport=46001, dport=88, cisn=7000, sisn=9000)
    out += cn2.handshake()
    out.append(cn2.c(tgs_req))
    out.append(cn2.s(tgs_rep))
    out += cn2.close(client_first=False)
    save("krb-tcp.pcap", out,
         "Kerberos over TCP port 88 (Scapy's Kerberos layer): AS-REQ answered by "
         "KRB-ERROR (preauthentication required), a second AS-REQ split inside its "
         "4-byte length and an AS-REP split after its tag; a second connection with "
         "TGS-REQ/TGS-REP")


# --------------------------------------------------------------------------
# DCE/RPC connection-oriented PDUs (C706 12.6), little-endian NDR

EPM = uuid.UUID("e1af8308-5d1f-11c9-91a4-08002b14a0fa").bytes_le
NDR = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860").bytes_le
SAMR = uuid.UUID("12345778-1234-abcd-ef00-0123456789ac").bytes_le


def dce_pdu(ptype, body, call_id, flags=0x03):
    n = 16 + len(body)
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\x00\x00\x00",
                       n, 0, call_id) + body


def dce_bind(call_id, iface, version, ptype=11):
    ctx = struct.pack("<HBB", 0, 1, 0) + iface + struct.pack("<I", version) + \
        NDR + struct.pack("<I", 2)
    return dce_pdu(ptype, struct.pack("<HHIB3x", 4280, 4280, 0, 1) + ctx, call_id)


def dce_bind_ack(call_id, port):
    sec = port + b"\x00"
    body = struct.pack("<HHIH", 4280, 4280, 0x5a5a, len(sec)) + sec
    body += b"\x00" * ((-(16 + len(body))) % 4)
    body += struct.pack("<B3xHH", 1, 0, 0) + NDR + struct.pack("<I", 2)
    return dce_pdu(12, body, call_id)


def dce_request(call_id, opnum, stub, flags=0x03):
    return dce_pdu(0, struct.pack("<IHH", len(stub), 0, opnum) + stub, call_id, flags)


def dce_response(call_id, stub, flags=0x03):
    return dce_pdu(2, struct.pack("<IHBB", len(stub), 0, 0, 0) + stub, call_id, flags)


def gen_dcerpc():
    # Endpoint mapper on port 135: bind, ept_map (opnum 3), the response
    # split in two segments.
    cn = Conn(sport=47000, dport=135)
    out = cn.handshake()
    out.append(cn.c(dce_bind(1, EPM, 3)))
    out.append(cn.s(dce_bind_ack(1, b"135")))
    out.append(cn.c(dce_request(2, 3, bytes(range(64)) + bytes(32))))
    resp = dce_response(2, b"\x00" * 20 + b"tower" * 30)
    for part in split_at(resp, 30):
        out.append(cn.s(part))
    out += cn.close()
    # A dynamic port no table names: the bind is recognised by the
    # heuristic; a request in two fragments and an alter_context share a
    # segment, a 3000-byte response spans segments.
    cn2 = Conn(cli=C4B, srv=S4B, sport=47001, dport=49664, cisn=3000, sisn=6000)
    out += cn2.handshake()
    out.append(cn2.c(dce_bind(1, SAMR, 1)))
    out.append(cn2.s(dce_bind_ack(1, b"49664")))
    first = dce_request(2, 64, b"A" * 100, flags=0x01)
    last = dce_request(2, 64, b"B" * 60, flags=0x02)
    out.append(cn2.c(first + last + dce_bind(3, SAMR, 1, ptype=14)))
    big = dce_response(2, bytes(i & 0xff for i in range(3000)))
    for part in chunks(big, 1460):
        out.append(cn2.s(part))
    out.append(cn2.s(dce_pdu(15, dce_bind_ack(3, b"")[16:], 3)))
    out += cn2.close()
    save("dcerpc-epm-and-heuristic.pcap", out,
         "DCE/RPC over TCP: an endpoint-mapper connection on port 135 (bind, bind_ack, "
         "ept_map request opnum 3, response split in two segments), and a connection "
         "to dynamic port 49664 found by the bind heuristic (a request in two "
         "fragments and an alter_context in one segment, a 3000-byte response over "
         "three segments, alter_context_resp)")


# --------------------------------------------------------------------------
# NetBIOS session service: SMB1 negotiate on 139, an SMB2 session on 445

def smb2(cmd_layer, mid, flags=0, **kw):
    return bytes(NBTSession() / SMB2_Header(MID=mid, Flags=flags, **kw) / cmd_layer)


def gen_nbss():
    cn = Conn(sport=48000, dport=139)
    out = cn.handshake()
    called = b"\x20" + b"CKFDENECFDEFFCFGEFFCCACACACACACA" + b"\x00"
    out.append(cn.c(b"\x81\x00" + struct.pack("!H", 2 * len(called)) + called * 2))
    out.append(cn.s(b"\x82\x00\x00\x00"))
    dialects = b"\x02NT LM 0.12\x00\x02SMB 2.002\x00\x02SMB 2.???\x00"
    smb1 = b"\xffSMB\x72" + b"\x00" * 4 + b"\x18" + b"\x01\x28" + b"\x00" * 12 + \
        b"\xff\xfe\x00\x00\x00\x00\x00\x00" + b"\x00" + struct.pack("<H", len(dialects)) + dialects
    out.append(cn.c(b"\x00\x00" + struct.pack("!H", len(smb1)) + smb1))
    out.append(cn.s(smb2(SMB2_Negotiate_Protocol_Response(DialectRevision=0x2ff), 0,
                         flags=1)))
    out.append(cn.c(b"\x85\x00\x00\x00"))
    out += cn.close()

    cn2 = Conn(cli=C4B, srv=S4B, sport=48001, dport=445, cisn=11000, sisn=22000)
    out += cn2.handshake()
    out.append(cn2.c(smb2(SMB2_Negotiate_Protocol_Request(Dialects=[0x202, 0x210, 0x300]), 0)))
    out.append(cn2.s(smb2(SMB2_Negotiate_Protocol_Response(DialectRevision=0x300), 0, flags=1)))
    out.append(cn2.c(smb2(SMB2_Session_Setup_Request(), 1)))
    out.append(cn2.s(smb2(SMB2_Session_Setup_Response(), 1, flags=1)))
    # tree connect and create pipelined in one segment
    out.append(cn2.c(smb2(SMB2_Tree_Connect_Request(), 2) + smb2(SMB2_Create_Request(), 3)))
    out.append(cn2.s(smb2(SMB2_Tree_Connect_Response(), 2, flags=1)))
    out.append(cn2.s(smb2(SMB2_Create_Response(), 3, flags=1)))
    out.append(cn2.c(smb2(SMB2_Read_Request(Length=5000), 4)))
    data = bytes((i * 7) & 0xff for i in range(5000))
    read = smb2(SMB2_Read_Response(Buffer=[("Data", data)]), 4, flags=1)
    for part in chunks(read, 1460):
        out.append(cn2.s(part))
    out.append(cn2.c(smb2(SMB2_Close_Request(), 5)))
    out.append(cn2.s(smb2(SMB2_Close_Response(), 5, flags=1)))
    out += cn2.close()
    save("nbss-smb.pcap", out,
         "NetBIOS session service (Scapy's NBTSession and SMB2 layers): on port 139 a "
         "session request, positive response, an SMB1 multi-protocol NEGOTIATE answered "
         "by SMB2, a keepalive; on port 445 an SMB2 session (NEGOTIATE, SESSION_SETUP, "
         "TREE_CONNECT and CREATE in one segment, READ of 5000 bytes over four segments, "
         "CLOSE)")


# --------------------------------------------------------------------------
# LDAP

def ldap(mid, op):
    return bytes(LDAP(messageID=ASN1_INTEGER(mid), protocolOp=op))


def ldap_entry(mid, dn, attrs):
    return ldap(mid, LDAP_SearchResponseEntry(
        objectName=dn,
        attributes=[LDAP_SearchResponseEntryAttribute(
            type=name, values=[LDAP_SearchResponseEntryAttributeValue(value=v)
                               for v in values]) for name, values in attrs]))


def gen_ldap():
    cn = Conn(sport=49000, dport=389)
    out = cn.handshake()
    out.append(cn.c(ldap(1, LDAP_BindRequest(bind_name=b"cn=admin,dc=example,dc=org"))))
    out.append(cn.s(ldap(1, LDAP_BindResponse())))
    out.append(cn.c(ldap(2, LDAP_SearchRequest(baseObject=b"dc=example,dc=org", scope=2))))
    e1 = ldap_entry(2, b"dc=example,dc=org", [(b"objectClass", [b"top", b"dcObject"])])
    e2 = ldap_entry(2, b"cn=alice,dc=example,dc=org",
                    [(b"cn", [b"alice"]), (b"description", [b"a" * 3000])])
    e3 = ldap_entry(2, b"cn=bob,dc=example,dc=org", [(b"cn", [b"bob"])])
    done = ldap(2, LDAP_SearchResponseResultCode())
    # the first entry alone; the long one over three segments, the last of
    # which also holds the third entry and searchResDone
    out.append(cn.s(e1))
    stream = e2 + e3 + done
    for part in split_at(stream, 1400, 2800):
        out.append(cn.s(part))
    out.append(cn.c(ldap(3, LDAP_UnbindRequest())))
    out += cn.close()
    save("ldap-389.pcap", out,
         "LDAP on port 389 (Scapy's LDAP layer): simple bind, a subtree search answered "
         "by three entries (one of 3 KB over three segments, with a 2-byte BER length) "
         "and searchResDone sharing a segment with the last entry, unbind")


def main():
    for g in (gen_krb, gen_dcerpc, gen_nbss, gen_ldap):
        g()
    capfile.set_descriptions(generate.DESCS)


if __name__ == "__main__":
    main()
