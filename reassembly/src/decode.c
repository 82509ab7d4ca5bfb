/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.c - link, IP and transport decoding of one frame, without copying.
 *
 * Decoding runs in three steps, each handing the next a pointer into the
 * caller's frame: the link layer yields where the IP packet starts and which
 * IP version it announces; the IP layer reads its fixed header and its
 * options or extension headers; the transport layer reads TCP or UDP.
 *
 * Every length below the link layer is carried as a span: the bytes as the
 * length fields describe them (`wire`) against the bytes actually present
 * (`cap`, never more than `wire`).  Lengths reported to the caller come from
 * `wire`, reads are bounded by `cap`; a header that does not fit in `wire`
 * is a bad length, one that fits in `wire` but not in `cap` is truncated.
 * When an IP length field is unusable (IPv4 total length below its header,
 * IPv6 jumbogram) the captured bytes stand in for it, so a frame cut by the
 * capture and a frame with lying length fields are both decoded as far as
 * the bytes allow.
 *
 * A fragment never has its transport decoded: the transport header belongs
 * to the reassembled datagram, which sess__decode_transport() reads.  The
 * per-packet path clears sess__pkt once and allocates nothing.
 *
 * Tunnels are looked into, as Wireshark and Zeek do: IPv4 and IPv6 in IP,
 * GRE (with IP, Ethernet, ERSPAN or PPTP's PPP inside), and VXLAN, GENEVE,
 * GTP-U and L2TP by their UDP ports.  When a tunnel holds an IP packet, that
 * packet is the one described, up to four tunnels deep; the outer one is
 * kept when the inside is anything else.
 */
#include "decode.h"

#include <string.h>

/* Values some systems write instead of LINKTYPE_RAW (their DLT_RAW). */
enum { LINK_RAW_DLT12 = 12, LINK_RAW_DLT14 = 14 };

/* Address families in loopback, pflog and NFLOG headers (NFLOG carries
 * Linux's). */
enum {
    AF_INET_ANY = 2,       /* AF_INET is 2 on every system */
    LINUX_AF_INET6 = 10,
    NETBSD_AF_INET6 = 24,  /* and OpenBSD's */
    FREEBSD_AF_INET6 = 28,
    DARWIN_AF_INET6 = 30,
};

/* Link-layer header sizes, and where their ethertype sits. */
enum {
    ETH_HDR = 14, ETH_TYPE_AT = 12,
    SLL_HDR = 16, SLL_TYPE_AT = 14,
    SLL2_HDR = 20, SLL2_TYPE_AT = 0,
    LOOPBACK_HDR = 4,            /* NULL and LOOP: the address family */
    C_HDLC_HDR = 4, C_HDLC_TYPE_AT = 2,
    DIR_PREFIX = 1,              /* the *_WITH_DIR link types' direction byte */
    AVS_HDR = 8,
    PFLOG_MIN_HDR = 4,
};

enum {
    IEEE80211_HDR = 24,      /* frame control to sequence control */
    IEEE80211_TYPE_DATA = 2,
    IEEE80211_FC1_DS_BOTH = 0x03,   /* ToDS and FromDS: a fourth address */
    IEEE80211_FC1_PROTECTED = 0x40, /* encrypted body */
    IEEE80211_FC1_ORDER = 0x80,     /* QoS data: an HT control field */
    IEEE80211_QOS_AMSDU = 0x80,     /* QoS control: the body is an A-MSDU */
    LLC_SNAP_HDR = 8,        /* AA AA 03, OUI, ethertype */
    IEEE8023_MAX_LENGTH = 1500, /* a type field up to this is a length */
    PPPOE_HDR = 6,           /* version/type, code, session id, length */
    VLAN_ID_MASK = 0x0fff,   /* of the tag control information */
    PPI_HDR = 8,
    RADIOTAP_HDR = 8,
    NFLOG_HDR = 4,
    NFULA_PAYLOAD = 9,
};

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_8021Q = 0x8100,
    ETHERTYPE_8021AD = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_MPLS = 0x8847,
    ETHERTYPE_MPLS_MULTICAST = 0x8848,
    ETHERTYPE_PPPOE_SESSION = 0x8864,
    PPP_IPV4 = 0x0021,
    PPP_IPV6 = 0x0057,
    PPP_MPLS = 0x0281,
    PPP_MPLS_MULTICAST = 0x0283,
    ETHERTYPE_TEB = 0x6558,       /* transparent Ethernet bridging */
    ETHERTYPE_ERSPAN_2 = 0x88be,  /* types I (no sequence number) and II */
    ETHERTYPE_ERSPAN_3 = 0x22eb,
    ETHERTYPE_PPP = 0x880b,       /* PPTP's enhanced GRE */
};

/* Tunnels seen into: IP in IP, GRE and these UDP ports (by destination;
 * L2TP by either port, its peers both using it). */
enum { UDP_VXLAN = 4789, UDP_GENEVE = 6081, UDP_GTP_U = 2152, UDP_L2TP = 1701 };

enum {
    L2TP_CONTROL = 0x8000,
    L2TP_LENGTH = 0x4000,
    L2TP_SEQUENCE = 0x0800,
    L2TP_OFFSET = 0x0200,
    L2TP_VERSION = 0x000f,
};
enum { MAX_TUNNEL_DEPTH = 4 };

enum {
    GRE_CHECKSUM = 0x8000,
    GRE_ROUTING = 0x4000,
    GRE_KEY = 0x2000,
    GRE_SEQ = 0x1000,
    GRE_ACK = 0x0080,   /* version 1 */
    GRE_VERSION = 0x0007,
};

enum {
    PROTO_HOPOPTS = 0,
    PROTO_IPIP = 4,
    PROTO_TCP = 6,
    PROTO_UDP = 17,
    PROTO_IPV6_IN_IP = 41,
    PROTO_ROUTING = 43,
    PROTO_FRAGMENT = 44,
    PROTO_GRE = 47,
    PROTO_AH = 51,
    PROTO_DSTOPTS = 60,
};

enum { IPV4_HDR = 20, IPV6_HDR = 40, FRAG6_HDR = 8, TCP_HDR = 20, UDP_HDR = 8 };

typedef struct span {
    const uint8_t *d;
    size_t wire; /* length per the length fields */
    size_t cap;  /* bytes present, <= wire */
} span;

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}

static int fail(sess__pkt *p, unsigned anomaly, int rc)
{
    p->anomalies |= anomaly;
    return rc;
}

static span tail(span s, size_t off)
{
    return (span){s.d + off, s.wire - off, s.cap - off};
}

/* Whether `need` bytes from the start of `s` can be read; when they cannot,
 * `bad` is the anomaly for lengths that do not even announce them. */
static int room(sess__pkt *p, span s, size_t need, unsigned bad)
{
    if (need > s.wire)
        return fail(p, bad, SESS_EBADLEN);
    if (need > s.cap)
        return fail(p, SESS__DEC_TRUNCATED, SESS_ETRUNCATED);
    return SESS_OK;
}

/* ---- link layer ---------------------------------------------------------- */

/* Where the link layer puts the IP packet: its offset, where the link
 * layer's own length fields end it (PPPoE, 802.3; otherwise the captured
 * length, so trailing padding is left to the IP length), the IP version it
 * announces (0 when the version nibble alone decides) and the VLAN tags it
 * walked. */
typedef struct link_at {
    size_t off, end;
    unsigned version;
    unsigned vlans;     /* tags seen, which may be more than the two kept */
    uint16_t vlan[2];   /* their VLAN IDs, outer tag first */
} link_at;

static unsigned ethertype_version(uint16_t type)
{
    return type == ETHERTYPE_IPV4 ? 4 : type == ETHERTYPE_IPV6 ? 6 : 0;
}

static unsigned ppp_version(uint16_t protocol)
{
    return protocol == PPP_IPV4 ? 4 : protocol == PPP_IPV6 ? 6 : 0;
}

/* LLC with a SNAP header carrying an ethertype: RFC 1042 (OUI 0) or
 * 802.1H bridge tunnel (OUI 00-00-F8). */
static bool llc_snap_ethertype(const uint8_t *llc)
{
    return llc[0] == 0xaa && llc[1] == 0xaa && llc[2] == 0x03 && !llc[3] &&
           !llc[4] && (!llc[5] || llc[5] == 0xf8);
}

/* An MPLS label stack at l->off, 4 bytes a label up to the bottom-of-stack
 * bit; what follows carries no type, so the version nibble decides. */
static int mpls_ip(const uint8_t *f, size_t cap, link_at *l)
{
    bool bottom;
    do {
        if (cap < l->off + 4)
            return SESS_ETRUNCATED;
        bottom = f[l->off + 2] & 1;
        l->off += 4;
    } while (!bottom);
    l->version = 0;
    return SESS_OK;
}

/* PPP at l->off: the HDLC address and control bytes (FF 03) when present,
 * then the protocol, one byte when compressed (RFC 1661: odd low byte);
 * IPv4, IPv6 or an MPLS label stack (RFC 3032) behind it. */
static int ppp_ip(const uint8_t *f, size_t cap, link_at *l)
{
    if (cap < l->off + 2)
        return SESS_ETRUNCATED;
    if (f[l->off] == 0xff && f[l->off + 1] == 0x03)
        l->off += 2;
    if (cap < l->off + 1)
        return SESS_ETRUNCATED;
    uint16_t protocol = f[l->off];
    if (protocol & 1) {
        l->off += 1;
    } else {
        if (cap < l->off + 2)
            return SESS_ETRUNCATED;
        protocol = be16(f + l->off);
        l->off += 2;
    }
    if (protocol == PPP_MPLS || protocol == PPP_MPLS_MULTICAST)
        return mpls_ip(f, cap, l);
    l->version = ppp_version(protocol);
    return l->version ? SESS_OK : SESS_ENOTIP;
}

/* A PPPoE session header (RFC 2516) at l->off, then PPP.  Its length counts
 * the PPP bytes, so the Ethernet padding behind them is no part of the
 * packet; a length of 0 says nothing and is ignored. */
static int pppoe_ip(const uint8_t *f, size_t cap, link_at *l)
{
    if (cap < l->off + PPPOE_HDR)
        return SESS_ETRUNCATED;
    size_t len = be16(f + l->off + 4);
    l->off += PPPOE_HDR;
    if (len && l->off + len < l->end)
        l->end = l->off + len;
    return ppp_ip(f, cap, l);
}

/* Reads the ethertype at `type_at`, the payload starting at l->off.  A VLAN
 * tag in its place puts a 2-byte TCI and the next ethertype at the start of
 * the payload, which moves by 4; tags may stack without limit.  PPPoE
 * sessions and MPLS label stacks are walked to the IP packet they carry.
 * On Ethernet (`ieee8023`) a type of 1500 or less is an 802.3 length, of
 * the LLC header and data before any padding; only LLC/SNAP goes on. */
static int ethertype_ip(const uint8_t *f, size_t cap, size_t type_at,
                        bool ieee8023, link_at *l)
{
    for (;;) {
        if (cap < type_at + 2 || cap < l->off)
            return SESS_ETRUNCATED;
        uint16_t type = be16(f + type_at);
        if (ieee8023 && type <= IEEE8023_MAX_LENGTH) {
            if (type < LLC_SNAP_HDR)
                return SESS_ENOTIP;
            if (l->off + type < l->end)
                l->end = l->off + type;
            if (cap < l->off + LLC_SNAP_HDR)
                return SESS_ETRUNCATED;
            if (!llc_snap_ethertype(f + l->off))
                return SESS_ENOTIP;
            type_at = l->off + LLC_SNAP_HDR - 2;
            l->off += LLC_SNAP_HDR;
            ieee8023 = false;
            continue;
        }
        if (type == ETHERTYPE_PPPOE_SESSION)
            return pppoe_ip(f, cap, l);
        if (type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MULTICAST)
            return mpls_ip(f, cap, l);
        if (type != ETHERTYPE_8021Q && type != ETHERTYPE_8021AD &&
            type != ETHERTYPE_QINQ_OLD) {
            l->version = ethertype_version(type);
            return l->version ? SESS_OK : SESS_ENOTIP;
        }
        if (cap < l->off + 2)
            return SESS_ETRUNCATED;
        if (l->vlans < 2)
            l->vlan[l->vlans] = be16(f + l->off) & VLAN_ID_MASK;
        l->vlans++;
        type_at = l->off + 2;
        l->off += 4;
    }
}

/* An 802.11 frame at l->off.  Only data frames with a body in clear carry
 * an IP packet, behind LLC/SNAP and its ethertype.  Control and management
 * frames, null data, protected bodies and A-MSDU aggregates (several
 * packets in one frame) hold none to read. */
static int ieee80211_ip(const uint8_t *f, size_t cap, link_at *l)
{
    size_t at = l->off;
    if (cap < at + 2)
        return SESS_ETRUNCATED;
    uint8_t fc0 = f[at], fc1 = f[at + 1];
    unsigned type = fc0 >> 2 & 3, subtype = fc0 >> 4;
    bool qos = subtype & 8, null_data = subtype & 4;
    if ((fc0 & 3) != 0 || type != IEEE80211_TYPE_DATA || null_data ||
        (fc1 & IEEE80211_FC1_PROTECTED))
        return SESS_ENOTIP;
    size_t hdr = IEEE80211_HDR;
    if ((fc1 & IEEE80211_FC1_DS_BOTH) == IEEE80211_FC1_DS_BOTH)
        hdr += 6;
    if (qos) {
        if (cap < at + hdr + 2)
            return SESS_ETRUNCATED;
        if (f[at + hdr] & IEEE80211_QOS_AMSDU)
            return SESS_ENOTIP;
        hdr += 2;
        if (fc1 & IEEE80211_FC1_ORDER)
            hdr += 4;
    }
    at += hdr;
    if (cap < at + LLC_SNAP_HDR)
        return SESS_ETRUNCATED;
    if (!llc_snap_ethertype(f + at))
        return SESS_ENOTIP;
    l->off = at + LLC_SNAP_HDR;
    return ethertype_ip(f, cap, at + LLC_SNAP_HDR - 2, false, l);
}

/* NFLOG: a 4-byte header whose first byte is the address family, then
 * type-length-value attributes, the payload (the IP packet) among them.
 * Attribute headers are in the logging host's byte order; types are small
 * numbers, so a type read with its high byte set is read the other way. */
static int nflog_ip(const uint8_t *f, size_t cap, link_at *l)
{
    if (cap < NFLOG_HDR)
        return SESS_ETRUNCATED;
    if (f[0] == AF_INET_ANY)
        l->version = 4;
    else if (f[0] == LINUX_AF_INET6)
        l->version = 6;
    else
        return SESS_ENOTIP;
    size_t at = NFLOG_HDR;
    for (;;) {
        if (cap < at + 4)
            return SESS_ETRUNCATED;
        unsigned type = le16(f + at + 2) & 0x7fff; /* without the nested flag */
        bool swapped = type > 0xff;
        if (swapped)
            type = be16(f + at + 2) & 0x7fff;
        if (type == NFULA_PAYLOAD) {
            l->off = at + 4; /* its length may count bytes the capture cut */
            return SESS_OK;
        }
        size_t len = swapped ? be16(f + at) : le16(f + at);
        if (len < 4)
            return SESS_ENOTIP; /* a broken attribute list */
        at += (len + 3) & ~(size_t)3;
    }
}

/* AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD),
 * 30 (Darwin).  Linux's 10 never appears in these link types. */
static int family_ip(uint32_t family, unsigned *version)
{
    if (family == AF_INET_ANY)
        *version = 4;
    else if (family == NETBSD_AF_INET6 || family == FREEBSD_AF_INET6 ||
             family == DARWIN_AF_INET6)
        *version = 6;
    else
        return SESS_ENOTIP;
    return SESS_OK;
}

static int link_ip(uint32_t linktype, const uint8_t *f, size_t cap,
                   link_at *l);

/* A radio header whose little-endian length is at byte 2 (radiotap, PPI)
 * or big-endian at byte 4 (AVS), before the 802.11 frame or, for PPI, the
 * link type it names. */
static int radio_ip(uint32_t linktype, const uint8_t *f, size_t cap,
                    link_at *l)
{
    size_t min = linktype == SESS_LINK_IEEE802_11_AVS ? AVS_HDR
                 : linktype == SESS_LINK_PPI          ? PPI_HDR
                                                      : RADIOTAP_HDR;
    if (cap < min)
        return SESS_ETRUNCATED;
    size_t len = linktype == SESS_LINK_IEEE802_11_AVS ? be32(f + 4)
                                                      : le16(f + 2);
    if (len < min)
        return SESS_ENOTIP; /* not a header of this kind */
    if (cap < len)
        return SESS_ETRUNCATED;
    if (linktype == SESS_LINK_PPI) {
        uint32_t inner = le32(f + 4);
        if (inner == SESS_LINK_PPI)
            return SESS_ENOTIP;
        int rc = link_ip(inner, f + len, cap - len, l);
        l->off += len;
        l->end += len;
        return rc;
    }
    l->off = len;
    return ieee80211_ip(f, cap, l);
}

/* The walk of link_ip(), by link type. */
static int link_walk(uint32_t linktype, const uint8_t *f, size_t cap,
                     link_at *l)
{
    switch (linktype) {
    case SESS_LINK_ETHERNET:
        l->off = ETH_HDR;
        return ethertype_ip(f, cap, ETH_TYPE_AT, true, l);
    case SESS_LINK_LINUX_SLL:
        l->off = SLL_HDR;
        return ethertype_ip(f, cap, SLL_TYPE_AT, false, l);
    case SESS_LINK_LINUX_SLL2:
        l->off = SLL2_HDR;
        return ethertype_ip(f, cap, SLL2_TYPE_AT, false, l);
    case SESS_LINK_NULL:
    case SESS_LINK_LOOP: {
        l->off = LOOPBACK_HDR;
        if (cap < LOOPBACK_HDR)
            return SESS_ETRUNCATED;
        /* NULL holds the writer's host order.  Families are small, so a
         * reading whose high half is set is the other byte order. */
        uint32_t family = le32(f);
        if (linktype == SESS_LINK_LOOP || family > 0xffff)
            family = be32(f);
        return family_ip(family, &l->version);
    }
    case SESS_LINK_RAW:
    case LINK_RAW_DLT12:
    case LINK_RAW_DLT14:
        return SESS_OK;
    case SESS_LINK_IPV4:
    case SESS_LINK_IPV6:
        l->version = linktype == SESS_LINK_IPV4 ? 4 : 6;
        return SESS_OK;
    case SESS_LINK_PPP:
    case SESS_LINK_PPP_HDLC:
        return ppp_ip(f, cap, l);
    case SESS_LINK_PPP_WITH_DIR:
        l->off = DIR_PREFIX;
        return ppp_ip(f, cap, l);
    case SESS_LINK_C_HDLC:
        l->off = C_HDLC_HDR;
        return ethertype_ip(f, cap, C_HDLC_TYPE_AT, false, l);
    case SESS_LINK_C_HDLC_WITH_DIR:
        l->off = DIR_PREFIX + C_HDLC_HDR;
        return ethertype_ip(f, cap, DIR_PREFIX + C_HDLC_TYPE_AT, false, l);
    case SESS_LINK_IEEE802_11:
        return ieee80211_ip(f, cap, l);
    case SESS_LINK_IEEE802_11_RADIOTAP:
    case SESS_LINK_IEEE802_11_AVS:
    case SESS_LINK_PPI:
        return radio_ip(linktype, f, cap, l);
    case SESS_LINK_PFLOG: {
        /* The header's own length at byte 0, padded to 4; the family at 1. */
        if (cap < 2)
            return SESS_ETRUNCATED;
        l->off = ((size_t)f[0] + 3) & ~(size_t)3;
        if (l->off < PFLOG_MIN_HDR)
            return SESS_ENOTIP;
        if (cap < l->off)
            return SESS_ETRUNCATED;
        return family_ip(f[1], &l->version);
    }
    case SESS_LINK_NFLOG:
        return nflog_ip(f, cap, l);
    default:
        return SESS_EUNSUPPORTED;
    }
}

/* Finds the IP packet in a frame of `cap` captured bytes. */
static int link_ip(uint32_t linktype, const uint8_t *f, size_t cap,
                   link_at *l)
{
    *l = (link_at){.end = cap};
    int rc = link_walk(linktype, f, cap, l);
    if (rc == SESS_OK && l->end < cap && l->end <= l->off)
        return SESS_ENOTIP; /* a link length that leaves no IP packet */
    return rc;
}

/* ---- transport ----------------------------------------------------------- */

/* The payload runs from `hdr` to `end` per the length fields. */
static void set_payload(sess__pkt *p, span s, size_t hdr, size_t end)
{
    p->payload = s.d + hdr;
    p->payload_wire_len = end - hdr;
    p->payload_len = (end < s.cap ? end : s.cap) - hdr;
}

static int decode_tcp(sess__pkt *p, span s)
{
    int rc = room(p, s, TCP_HDR, SESS__DEC_BAD_L4_LEN);
    if (rc != SESS_OK)
        return rc;
    const uint8_t *h = s.d;
    p->sport = be16(h);
    p->dport = be16(h + 2);
    p->seq = be32(h + 4);
    p->ack = be32(h + 8);
    p->tcp_flags = h[13];
    p->window = be16(h + 14);
    size_t data_offset = (size_t)(h[12] >> 4) * 4;
    if (data_offset < TCP_HDR)
        return fail(p, SESS__DEC_BAD_L4_LEN, SESS_EBADLEN);
    rc = room(p, s, data_offset, SESS__DEC_BAD_L4_LEN);
    if (rc != SESS_OK)
        return rc;
    set_payload(p, s, data_offset, s.wire);
    p->l4_ok = true;
    return SESS_OK;
}

static int decode_udp(sess__pkt *p, span s)
{
    int rc = room(p, s, UDP_HDR, SESS__DEC_BAD_L4_LEN);
    if (rc != SESS_OK)
        return rc;
    p->sport = be16(s.d);
    p->dport = be16(s.d + 2);
    size_t len = be16(s.d + 4);
    /* Shorter than the IP payload is legal (trailer); anything else is a
     * lie, including the 0 of a jumbogram, and the IP payload stands in. */
    if (len < UDP_HDR || len > s.wire) {
        p->anomalies |= SESS__DEC_BAD_L4_LEN;
        len = s.wire;
    }
    set_payload(p, s, UDP_HDR, len);
    p->l4_ok = true;
    return SESS_OK;
}

/* ---- tunnels ------------------------------------------------------------- */

/* An Ethernet frame at `at` in s. */
static int ethernet_in(span s, size_t at, link_at *l)
{
    if (s.cap < at)
        return SESS_ETRUNCATED;
    int rc = link_ip(SESS_LINK_ETHERNET, s.d + at, s.cap - at, l);
    l->off += at;
    l->end += at;
    return rc;
}

/* An IP packet announced by an ethertype at `at` in s. */
static int ip_in(span s, size_t at, uint16_t type, link_at *l)
{
    l->version = ethertype_version(type);
    l->off = at;
    if (!l->version)
        return SESS_ENOTIP;
    return s.cap < at ? SESS_ETRUNCATED : SESS_OK;
}

/* GRE (RFC 2784 with RFC 2890's key and sequence number, version 0; PPTP's
 * version 1 carrying PPP): IP, Ethernet (bridging, NVGRE) or ERSPAN.  `id`
 * is the key (version 0; around Ethernet, NVGRE's VSID: the key without
 * its last byte) or PPTP's call id, 0 without one. */
static int gre_inner(span s, link_at *l, uint32_t *id)
{
    if (s.cap < 4)
        return SESS_ETRUNCATED;
    uint16_t flags = be16(s.d), type = be16(s.d + 2);
    if ((flags & GRE_VERSION) == 1) {
        if (type != ETHERTYPE_PPP || !(flags & GRE_SEQ))
            return SESS_ENOTIP; /* an acknowledgement carries no payload */
        if (s.cap < 8)
            return SESS_ETRUNCATED;
        *id = be16(s.d + 6);
        l->off = 8 + 4 + ((flags & GRE_ACK) ? 4 : 0);
        return ppp_ip(s.d, s.cap, l);
    }
    if ((flags & GRE_VERSION) != 0 || (flags & GRE_ROUTING))
        return SESS_ENOTIP;
    size_t at = 4;
    at += (flags & GRE_CHECKSUM) ? 4 : 0;
    if (flags & GRE_KEY) {
        if (s.cap < at + 4)
            return SESS_ETRUNCATED;
        *id = be32(s.d + at);
        at += 4;
    }
    at += (flags & GRE_SEQ) ? 4 : 0;
    switch (type) {
    case ETHERTYPE_TEB:
        /* NVGRE (RFC 7637): the key's last byte is a per-flow entropy
         * FlowID; the tenant is the 24-bit VSID before it */
        *id >>= 8;
        return ethernet_in(s, at, l);
    case ETHERTYPE_ERSPAN_2: /* type II has a sequence number and a header */
        return ethernet_in(s, at + ((flags & GRE_SEQ) ? 8 : 0), l);
    case ETHERTYPE_ERSPAN_3:
        if (s.cap < at + 12)
            return SESS_ETRUNCATED;
        /* the O flag (last bit of the header) adds a platform subheader */
        return ethernet_in(s, at + 12 + ((s.d[at + 11] & 1) ? 8 : 0), l);
    default:
        return ip_in(s, at, type, l);
    }
}

/* VXLAN, GENEVE, GTP-U and L2TP, by their UDP ports, each checked against
 * its header's fixed bits.  `id` is the VNI (VXLAN, GENEVE), the TEID
 * (GTP-U) or L2TP's tunnel and session ids. */
static int udp_tunnel_inner(uint16_t dport, span s, link_at *l, uint32_t *id)
{
    if (s.cap < 8)
        return SESS_ETRUNCATED;
    const uint8_t *h = s.d;
    switch (dport) {
    case UDP_VXLAN:
        if (!(h[0] & 0x08)) /* the VNI is valid */
            return SESS_ENOTIP;
        *id = be32(h + 4) >> 8;
        return ethernet_in(s, 8, l);
    case UDP_GENEVE: {
        if (h[0] >> 6) /* version 0 */
            return SESS_ENOTIP;
        *id = be32(h + 4) >> 8;
        size_t at = 8 + (size_t)(h[0] & 0x3f) * 4;
        uint16_t type = be16(h + 2);
        if (type == ETHERTYPE_TEB)
            return ethernet_in(s, at, l);
        return ip_in(s, at, type, l);
    }
    case UDP_GTP_U: {
        /* version 1, GTP (not GTP'), a G-PDU */
        if (h[0] >> 5 != 1 || !(h[0] & 0x10) || h[1] != 0xff)
            return SESS_ENOTIP;
        *id = be32(h + 4);
        size_t at = 8;
        if (h[0] & 0x07) { /* sequence number, N-PDU, extension headers */
            if (s.cap < 12)
                return SESS_ETRUNCATED;
            uint8_t next = h[11];
            at = 12;
            while (next) {
                if (s.cap < at + 1)
                    return SESS_ETRUNCATED;
                size_t len = (size_t)h[at] * 4;
                if (len == 0)
                    return SESS_ENOTIP;
                if (s.cap < at + len)
                    return SESS_ETRUNCATED;
                next = h[at + len - 1];
                at += len;
            }
        }
        l->off = at;
        l->version = 0;
        return SESS_OK;
    }
    case UDP_L2TP: {
        /* L2TPv2 data messages (RFC 2661): the optional length, tunnel and
         * session ids, optional sequence numbers and padding, then PPP */
        uint16_t flags = be16(h);
        if ((flags & L2TP_VERSION) != 2 || (flags & L2TP_CONTROL))
            return SESS_ENOTIP;
        size_t ids = 2 + ((flags & L2TP_LENGTH) ? 2 : 0);
        *id = be32(h + ids);
        size_t at = ids + 4 + ((flags & L2TP_SEQUENCE) ? 4 : 0);
        if (flags & L2TP_OFFSET) {
            if (s.cap < at + 2)
                return SESS_ETRUNCATED;
            at += 2 + be16(h + at);
        }
        l->off = at;
        return ppp_ip(s.d, s.cap, l);
    }
    default:
        return SESS_ENOTIP;
    }
}

/* A packet whose payload is a tunnel this decoder looks into is marked, for
 * open_tunnels() to decode what is inside. */
static void note_tunnel(sess__pkt *p, uint16_t kind, const uint8_t *data,
                        size_t captured, size_t wire)
{
    p->tunnel = kind;
    p->tunnel_data = data;
    p->tunnel_len = captured;
    p->tunnel_wire_len = wire;
}

static int decode_l4(sess__pkt *p, uint8_t proto, span s)
{
    p->proto = proto;
    if (proto == PROTO_TCP)
        return decode_tcp(p, s);
    if (proto == PROTO_UDP) {
        int rc = decode_udp(p, s);
        if (rc != SESS_OK)
            return rc;
        if (p->dport == UDP_VXLAN || p->dport == UDP_GENEVE ||
            p->dport == UDP_GTP_U)
            note_tunnel(p, p->dport, p->payload, p->payload_len,
                        p->payload_wire_len);
        else if (p->dport == UDP_L2TP || p->sport == UDP_L2TP)
            note_tunnel(p, UDP_L2TP, p->payload, p->payload_len,
                        p->payload_wire_len);
        return rc;
    }
    if (proto == PROTO_IPIP || proto == PROTO_IPV6_IN_IP || proto == PROTO_GRE)
        note_tunnel(p, proto, s.d, s.cap, s.wire);
    return SESS_OK;
}

/* ---- IP ------------------------------------------------------------------ */

static void set_addr(sess_addr *a, uint8_t family, const uint8_t *bytes)
{
    a->family = family;
    memcpy(a->bytes, bytes, family == 4 ? 4 : 16);
}

/* The IP packet as its length field describes it, against what was captured
 * (which may hold link-layer padding beyond it). */
static span ip_span(sess__pkt *p, const uint8_t *ip, size_t wire, size_t cap)
{
    if (wire > cap)
        p->anomalies |= SESS__DEC_SNAPPED;
    return (span){ip, wire, wire < cap ? wire : cap};
}

static void set_frag_data(sess__pkt *p, span s)
{
    p->frag_data = s.d;
    p->frag_len = s.wire;
    p->frag_captured = s.cap;
}

static int decode_ipv4(const uint8_t *ip, size_t cap, sess__pkt *p)
{
    if (cap < IPV4_HDR)
        return fail(p, SESS__DEC_TRUNCATED, SESS_ETRUNCATED);
    size_t hdr = (size_t)(ip[0] & 0x0f) * 4;
    if (hdr < IPV4_HDR)
        return fail(p, SESS__DEC_BAD_IP_LEN, SESS_EBADLEN);
    if (cap < hdr)
        return fail(p, SESS__DEC_TRUNCATED, SESS_ETRUNCATED);
    size_t total = be16(ip + 2);
    if (total < hdr) { /* 0 from segmentation offload, or garbage */
        p->anomalies |= SESS__DEC_BAD_IP_LEN;
        total = cap;
    }
    span s = ip_span(p, ip, total, cap);

    p->ip_version = 4;
    p->ip = ip;
    p->ip_len = s.cap;
    p->ip_hdr_len = hdr;
    p->proto = ip[9];
    set_addr(&p->src, 4, ip + 12);
    set_addr(&p->dst, 4, ip + 16);

    uint16_t frag = be16(ip + 6);
    if (frag & 0x3fff) { /* MF or an offset */
        p->is_fragment = true;
        p->frag_id = be16(ip + 4);
        p->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
        p->frag_more = frag & 0x2000;
        p->frag_proto = p->proto;
        set_frag_data(p, tail(s, hdr));
        return SESS_OK;
    }
    decode_l4(p, p->proto, tail(s, hdr));
    return SESS_OK;
}

/* Steps over hop-by-hop, routing, destination options and AH headers from
 * `*off`, leaving `*next` on the first other header. */
static int walk_ext(sess__pkt *p, span s, size_t *off, uint8_t *next)
{
    while (*next == PROTO_HOPOPTS || *next == PROTO_ROUTING ||
           *next == PROTO_DSTOPTS || *next == PROTO_AH) {
        int rc = room(p, s, *off + 2, SESS__DEC_BAD_EXT);
        if (rc != SESS_OK)
            return rc;
        size_t units = s.d[*off + 1];
        size_t len = *next == PROTO_AH ? (units + 2) * 4 : (units + 1) * 8;
        rc = room(p, s, *off + len, SESS__DEC_BAD_EXT);
        if (rc != SESS_OK)
            return rc;
        *next = s.d[*off];
        *off += len;
    }
    return SESS_OK;
}

/* Reads the fragment header at `*off`; what follows it is fragment data. */
static int read_frag6(sess__pkt *p, span s, size_t *off, uint8_t *next)
{
    int rc = room(p, s, *off + FRAG6_HDR, SESS__DEC_BAD_EXT);
    if (rc != SESS_OK)
        return rc;
    const uint8_t *h = s.d + *off;
    p->is_fragment = true;
    p->frag_proto = *next = h[0];
    p->frag_offset = be16(h + 2) & 0xfff8;
    p->frag_more = h[3] & 1;
    p->frag_id = be32(h + 4);
    *off += FRAG6_HDR;
    set_frag_data(p, tail(s, *off));
    return SESS_OK;
}

static int decode_ipv6(const uint8_t *ip, size_t cap, sess__pkt *p)
{
    if (cap < IPV6_HDR)
        return fail(p, SESS__DEC_TRUNCATED, SESS_ETRUNCATED);
    uint8_t next = ip[6];
    size_t total = IPV6_HDR + (size_t)be16(ip + 4);
    /* Payload length 0 before a hop-by-hop header announces a jumbogram,
     * whose length hides in an option; the captured bytes stand in. */
    if (total == IPV6_HDR && next == PROTO_HOPOPTS) {
        p->anomalies |= SESS__DEC_BAD_IP_LEN;
        total = cap;
    }
    span s = ip_span(p, ip, total, cap);

    p->ip_version = 6;
    p->ip = ip;
    p->ip_len = s.cap;
    set_addr(&p->src, 6, ip + 8);
    set_addr(&p->dst, 6, ip + 24);

    size_t off = IPV6_HDR;
    int rc = walk_ext(p, s, &off, &next);
    if (rc == SESS_OK && next == PROTO_FRAGMENT)
        rc = read_frag6(p, s, &off, &next);
    p->ip_hdr_len = off;
    p->proto = next;
    if (rc == SESS_OK && !p->is_fragment)
        decode_l4(p, next, tail(s, off));
    return SESS_OK;
}

/* Inlined into each entry point: the per-packet one then runs without a
 * call, and tunnels (the third caller) are rare. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

/* `want` is the version the link layer announced, 0 for any. */
static HOT_INLINE int decode_ip(const uint8_t *ip, size_t cap, unsigned want,
                                sess__pkt *p)
{
    if (cap == 0)
        return fail(p, SESS__DEC_TRUNCATED, SESS_ETRUNCATED);
    unsigned version = ip[0] >> 4;
    if ((version != 4 && version != 6) || (want != 0 && version != want))
        return fail(p, SESS__DEC_UNSUPPORTED, SESS_ENOTIP);
    return version == 4 ? decode_ipv4(ip, cap, p) : decode_ipv6(ip, cap, p);
}

/* Where a tunnel holds an IP packet, that packet replaces the outer one:
 * flows, fragments and streams are those of the hosts at the tunnel's ends,
 * as Wireshark's conversations are.  Anything else inside leaves the outer
 * packet standing.  So does a tunnel too short for what it announces: cut
 * by the capture, it is marked truncated; otherwise an IP tunnel (GRE, IP
 * in IP) is marked as a bad length, and a UDP port that only looked like a
 * tunnel's passes unmarked.  The replacing packet keeps the outer one's
 * VLAN tags and records the tunnel it came out of (kind, identity, outer
 * endpoints).  Returns whether the packet was replaced. */
static bool decapsulate(sess__pkt *p)
{
    span s = {p->tunnel_data, p->tunnel_wire_len, p->tunnel_len};
    bool ip_tunnel = p->tunnel == PROTO_IPIP ||
                     p->tunnel == PROTO_IPV6_IN_IP || p->tunnel == PROTO_GRE;
    unsigned short_anomaly = s.cap < s.wire ? SESS__DEC_TRUNCATED
                             : ip_tunnel    ? SESS__DEC_BAD_IP_LEN
                                            : 0;
    link_at l = {.end = s.cap};
    uint32_t id = 0;
    sess_tunnel kind;
    int found;
    switch (p->tunnel) {
    case PROTO_IPIP:
    case PROTO_IPV6_IN_IP:
        found = SESS_OK;
        kind = SESS_TUNNEL_IPIP;
        l.version = p->tunnel == PROTO_IPIP ? 4 : 6;
        break;
    case PROTO_GRE:
        found = gre_inner(s, &l, &id);
        kind = s.cap < 4                               ? SESS_TUNNEL_GRE
               : (be16(s.d) & GRE_VERSION) == 1        ? SESS_TUNNEL_PPTP
               : be16(s.d + 2) == ETHERTYPE_ERSPAN_2 ||
                         be16(s.d + 2) == ETHERTYPE_ERSPAN_3
                   ? SESS_TUNNEL_ERSPAN
                   : SESS_TUNNEL_GRE;
        break;
    default:
        found = udp_tunnel_inner(p->tunnel, s, &l, &id);
        kind = p->tunnel == UDP_VXLAN    ? SESS_TUNNEL_VXLAN
               : p->tunnel == UDP_GENEVE ? SESS_TUNNEL_GENEVE
               : p->tunnel == UDP_GTP_U  ? SESS_TUNNEL_GTPU
                                         : SESS_TUNNEL_L2TP;
        break;
    }
    if (found == SESS_OK && l.end < l.off)
        found = SESS_ENOTIP; /* an inner link length ending before the IP */
    if (found == SESS_ENOTIP)
        return false;
    if (found != SESS_OK) {
        p->anomalies |= short_anomaly;
        return false;
    }
    sess__pkt inner = {0};
    int rc = decode_ip(s.d + l.off, l.end - l.off, l.version, &inner);
    if (rc == SESS_ENOTIP)
        return false;
    if (rc != SESS_OK) {
        if (inner.anomalies & SESS__DEC_TRUNCATED)
            inner.anomalies = (inner.anomalies & ~SESS__DEC_TRUNCATED) |
                              short_anomaly;
        p->anomalies |= inner.anomalies;
        return false;
    }
    inner.anomalies |= p->anomalies;
    inner.vlans = p->vlans;
    memcpy(inner.vlan, p->vlan, sizeof inner.vlan);
    inner.encap = kind;
    inner.encap_id = id;
    inner.encap_src = p->src;
    inner.encap_dst = p->dst;
    inner.encap_depth = p->encap_depth + 1;
    *p = inner;
    return true;
}

/* Opens the tunnels around the packet, one after the other. */
static void open_tunnels(sess__pkt *p)
{
    for (unsigned depth = 0; p->tunnel && depth < MAX_TUNNEL_DEPTH; depth++)
        if (!decapsulate(p))
            return;
}

/* ---- entry points -------------------------------------------------------- */

int sess__decode_frame(uint32_t linktype, const uint8_t *frame, size_t caplen,
                      sess__pkt *out)
{
    *out = (sess__pkt){0};
    link_at l;
    int rc = link_ip(linktype, frame, caplen, &l);
    if (rc == SESS_ETRUNCATED)
        return fail(out, SESS__DEC_TRUNCATED, rc);
    if (rc != SESS_OK)
        return fail(out, SESS__DEC_UNSUPPORTED, rc);
    out->vlans = l.vlans;
    memcpy(out->vlan, l.vlan, sizeof out->vlan);
    rc = decode_ip(frame + l.off, l.end - l.off, l.version, out);
    if (out->tunnel)
        open_tunnels(out);
    return rc;
}

int sess__decode_ip(const uint8_t *ip, size_t caplen, sess__pkt *out)
{
    *out = (sess__pkt){0};
    int rc = decode_ip(ip, caplen, 0, out);
    if (out->tunnel)
        open_tunnels(out);
    return rc;
}

int sess__decode_transport(sess__pkt *p, uint8_t next, const uint8_t *data,
                          size_t len)
{
    p->l4_ok = false;
    p->sport = p->dport = 0;
    p->seq = p->ack = 0;
    p->tcp_flags = 0;
    p->window = 0;
    p->payload = NULL;
    p->payload_len = p->payload_wire_len = 0;
    p->tunnel = 0;

    span s = {data, len, len};
    if (p->ip_version == 6) {
        size_t off = 0;
        int rc = walk_ext(p, s, &off, &next);
        if (rc != SESS_OK) {
            p->proto = next;
            return rc;
        }
        if (off > 0) /* an empty datagram may come with data NULL */
            s = tail(s, off);
    }
    int rc = decode_l4(p, next, s);
    if (p->tunnel)
        open_tunnels(p);
    return rc;
}
