/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decode.c - frame decoding, from the link layer to the payload.
 *
 * Frames are built by hand, layer by layer, into a byte buffer; the IP and
 * UDP length fields are filled in once the payload is appended, and the
 * cases that need lying length fields overwrite them afterwards.  Every
 * decode runs on an exact-size heap copy of the frame, so that AddressSanitizer
 * catches a single byte read past the captured length.
 */
#include "decode.h"
#include "testlib.h"

typedef struct buf {
    uint8_t b[4096];
    size_t len;
} buf;

static size_t put(buf *f, const void *src, size_t n)
{
    size_t at = f->len;
    memcpy(f->b + at, src, n);
    f->len += n;
    return at;
}

static void set16(buf *f, size_t at, uint16_t v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static size_t put16(buf *f, uint16_t v)
{
    size_t at = put(f, "\0\0", 2);
    set16(f, at, v);
    return at;
}

static void put32(buf *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}

static void fill(buf *f, uint8_t byte, size_t n)
{
    memset(f->b + f->len, byte, n);
    f->len += n;
}

/* ---- link headers -------------------------------------------------------- */

static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

static void eth_tagged(buf *f, const uint16_t *tpids, size_t ntags,
                       uint16_t type)
{
    put(f, macs, sizeof macs);
    for (size_t i = 0; i < ntags; i++) {
        put16(f, tpids[i]);
        put16(f, (uint16_t)(100 + i)); /* TCI: VLAN id */
    }
    put16(f, type);
}

static void eth(buf *f, uint16_t type)
{
    eth_tagged(f, NULL, 0, type);
}

static void sll(buf *f, uint16_t type)
{
    put16(f, 0);       /* packet type: to us */
    put16(f, 1);       /* ARPHRD_ETHER */
    put16(f, 6);       /* address length */
    put(f, macs, 8);   /* address, padded to 8 */
    put16(f, type);
}

static void sll2(buf *f, uint16_t type)
{
    put16(f, type);
    put16(f, 0);       /* reserved */
    put32(f, 3);       /* interface index */
    put16(f, 1);       /* ARPHRD_ETHER */
    put(f, "\0\6", 2); /* packet type, address length */
    put(f, macs, 8);
}

static void null_family(buf *f, uint32_t family, bool big_endian)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[big_endian ? 3 - i : i] = (uint8_t)(family >> (8 * i));
    put(f, b, 4);
}

static uint16_t ethertype_of(int version)
{
    return version == 4 ? 0x0800 : 0x86dd;
}

/* ---- IP and transport headers -------------------------------------------- */

static const uint8_t v4_src[4] = {10, 0, 0, 1}, v4_dst[4] = {10, 0, 0, 2};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* An IPv4 header with `opt` bytes of NOP options; total length is left for
 * fix_ipv4(). */
static size_t ipv4(buf *f, uint8_t proto, size_t opt, uint16_t frag)
{
    size_t at = f->len;
    uint8_t h[20] = {(uint8_t)(0x40 | (20 + opt) / 4), 0, 0, 0, 0x12, 0x34,
                     (uint8_t)(frag >> 8), (uint8_t)frag, 64, proto};
    memcpy(h + 12, v4_src, 4);
    memcpy(h + 16, v4_dst, 4);
    put(f, h, sizeof h);
    fill(f, 1, opt);
    return at;
}

static void fix_ipv4(buf *f, size_t ip)
{
    set16(f, ip + 2, (uint16_t)(f->len - ip));
}

static size_t ipv6(buf *f, uint8_t next)
{
    size_t at = f->len;
    uint8_t h[8] = {0x60, 0, 0, 0, 0, 0, next, 64};
    put(f, h, sizeof h);
    put(f, v6_src, 16);
    put(f, v6_dst, 16);
    return at;
}

static void fix_ipv6(buf *f, size_t ip)
{
    set16(f, ip + 4, (uint16_t)(f->len - ip - 40));
}

/* Hop-by-hop, routing or destination options: (units + 1) * 8 bytes. */
static void ext6(buf *f, uint8_t next, uint8_t units)
{
    uint8_t h[2] = {next, units};
    put(f, h, 2);
    fill(f, 0, (units + 1u) * 8 - 2);
}

static void frag6(buf *f, uint8_t next, uint16_t offset, bool more,
                  uint32_t id)
{
    uint8_t h[2] = {next, 0};
    put(f, h, 2);
    put16(f, (uint16_t)(offset | more));
    put32(f, id);
}

/* A TCP header with `opt` bytes of NOP options. */
static size_t tcp(buf *f, size_t opt)
{
    size_t at = f->len;
    put16(f, 40000);
    put16(f, 80);
    put32(f, 0x01020304);
    put32(f, 0xa0b0c0d0);
    uint8_t h[2] = {(uint8_t)((20 + opt) / 4 << 4), SESS__TH_PSH | SESS__TH_ACK};
    put(f, h, 2);
    put16(f, 8192);
    put32(f, 0); /* checksum, urgent pointer */
    fill(f, 1, opt);
    return at;
}

/* A UDP header; its length is left for fix_udp(). */
static size_t udp(buf *f)
{
    size_t at = f->len;
    put16(f, 5353);
    put16(f, 53);
    put32(f, 0);
    return at;
}

static void fix_udp(buf *f, size_t at)
{
    set16(f, at + 4, (uint16_t)(f->len - at));
}

static size_t payload(buf *f, size_t n)
{
    size_t at = f->len;
    for (size_t i = 0; i < n; i++)
        f->b[at + i] = (uint8_t)('a' + i % 26);
    f->len += n;
    return at;
}

/* IPv4 or IPv6, then TCP with 4 option bytes and `n` payload bytes. */
static size_t ip_tcp(buf *f, int version, size_t n)
{
    size_t ip = version == 4 ? ipv4(f, 6, 0, 0) : ipv6(f, 6);
    tcp(f, 4);
    payload(f, n);
    if (version == 4)
        fix_ipv4(f, ip);
    else
        fix_ipv6(f, ip);
    return ip;
}

/* ---- decoding on exact-size copies --------------------------------------- */

/* Moves a pointer into `from` to the same place in `to`. */
static void rebase(const uint8_t **ptr, const uint8_t *from, const uint8_t *to)
{
    if (*ptr)
        *ptr = to + (*ptr - from);
}

static int decode_prefix(uint32_t linktype, const buf *f, size_t len,
                         sess__pkt *p)
{
    uint8_t *copy = malloc(len ? len : 1);
    ASSERT(copy != NULL);
    memcpy(copy, f->b, len);
    int rc = sess__decode_frame(linktype, copy, len, p);
    rebase(&p->ip, copy, f->b);
    rebase(&p->payload, copy, f->b);
    rebase(&p->frag_data, copy, f->b);
    free(copy);
    return rc;
}

static int decode(uint32_t linktype, const buf *f, sess__pkt *p)
{
    return decode_prefix(linktype, f, f->len, p);
}

static size_t at(const buf *f, const uint8_t *ptr)
{
    return (size_t)(ptr - f->b);
}

static void assert_addrs(const sess__pkt *p, int version)
{
    ASSERT_EQ(p->src.family, version);
    ASSERT_EQ(p->dst.family, version);
    ASSERT_MEM_EQ(p->src.bytes, version == 4 ? v4_src : v6_src,
                  version == 4 ? 4 : 16);
    ASSERT_MEM_EQ(p->dst.bytes, version == 4 ? v4_dst : v6_dst,
                  version == 4 ? 4 : 16);
}

static void assert_tcp(const sess__pkt *p, const buf *f, size_t payload_at,
                       size_t n)
{
    ASSERT(p->l4_ok);
    ASSERT_EQ(p->proto, 6);
    ASSERT_EQ(p->sport, 40000);
    ASSERT_EQ(p->dport, 80);
    ASSERT_EQ(p->seq, 0x01020304);
    ASSERT_EQ(p->ack, 0xa0b0c0d0);
    ASSERT_EQ(p->tcp_flags, SESS__TH_PSH | SESS__TH_ACK);
    ASSERT_EQ(p->window, 8192);
    ASSERT_EQ(at(f, p->payload), payload_at);
    ASSERT_EQ(p->payload_len, n);
    ASSERT_EQ(p->payload_wire_len, n);
}

/* The frame's IPv4 or IPv6 TCP packet (ip_tcp(), 7 payload bytes), its
 * header at `ip` and payload at `pl`, decoded whole and nothing else. */
static void assert_whole_packet(const sess__pkt *p, const buf *f, int version,
                                size_t ip, size_t pl)
{
    ASSERT_EQ(p->anomalies, 0);
    ASSERT_EQ(p->ip_version, version);
    ASSERT_EQ(at(f, p->ip), ip);
    ASSERT_EQ(p->ip_len, f->len - ip);
    ASSERT_EQ(p->ip_hdr_len, version == 4 ? 20 : 40);
    ASSERT(!p->is_fragment);
    assert_addrs(p, version);
    assert_tcp(p, f, pl, 7);
}

/* ---- link layers --------------------------------------------------------- */

/* A frame to decode: a link header (`header`, then ip_tcp() with 7 payload
 * bytes) or, for tunnels, the whole frame (`build`, reporting where the
 * inner packet's header and payload are). */
typedef struct frame_case {
    const char *name;
    uint32_t linktype;
    void (*header)(buf *f, int version);
    unsigned versions; /* bit 4 and/or bit 6 */
    void (*build)(buf *f, int version, size_t *ip, size_t *pl);
} frame_case;

static void hdr_eth(buf *f, int v) { eth(f, ethertype_of(v)); }
static void hdr_vlan(buf *f, int v)
{
    eth_tagged(f, (const uint16_t[]){0x8100}, 1, ethertype_of(v));
}
static void hdr_qinq(buf *f, int v)
{
    eth_tagged(f, (const uint16_t[]){0x88a8, 0x8100}, 2, ethertype_of(v));
}
static void hdr_qinq_9100(buf *f, int v)
{
    eth_tagged(f, (const uint16_t[]){0x9100, 0x9100, 0x8100}, 3,
               ethertype_of(v));
}
static void hdr_sll(buf *f, int v) { sll(f, ethertype_of(v)); }
static void hdr_sll_vlan(buf *f, int v)
{
    sll(f, 0x8100);
    put16(f, 100);
    put16(f, ethertype_of(v));
}
static void hdr_sll2(buf *f, int v) { sll2(f, ethertype_of(v)); }
/* AF_INET6 as Darwin (30), NetBSD/OpenBSD (24) and FreeBSD (28) write it. */
static void hdr_null_le(buf *f, int v) { null_family(f, v == 4 ? 2 : 30, 0); }
static void hdr_null_be(buf *f, int v) { null_family(f, v == 4 ? 2 : 24, 1); }
static void hdr_null_fbsd(buf *f, int v) { null_family(f, v == 4 ? 2 : 28, 0); }
static void hdr_loop(buf *f, int v) { null_family(f, v == 4 ? 2 : 24, 1); }
static void hdr_none(buf *f, int v) { (void)f, (void)v; }
static void hdr_pppoe(buf *f, int v)
{
    eth_tagged(f, (const uint16_t[]){0x8100}, 1, 0x8864);
    put(f, "\x11\x00\x12\x34", 4); /* ver/type, code, session id */
    put16(f, 0);                      /* length: the IP length wins */
    put16(f, v == 4 ? 0x0021 : 0x0057);
}
static void pppoe_session(buf *f, uint16_t len)
{
    eth(f, 0x8864);
    put(f, "\x11\x00\x12\x34", 4);
    put16(f, len);
}
static void hdr_pppoe_compressed(buf *f, int v)
{
    pppoe_session(f, 0);
    put(f, v == 4 ? "\x21" : "\x57", 1); /* 1-byte protocol (RFC 1661) */
}
static void mpls_bottom(buf *f)
{
    put32(f, 300u << 12 | 1u << 8 | 64); /* label 300, bottom of stack */
}
static void hdr_pppoe_mpls(buf *f, int v)
{
    pppoe_session(f, 0);
    put16(f, 0x0281);
    mpls_bottom(f);
    (void)v;
}
static void hdr_ppp_mpls(buf *f, int v)
{
    put(f, "\xff\x03\x02\x81", 4); /* HDLC, PPP protocol MPLS unicast */
    mpls_bottom(f);
    (void)v;
}
/* 802.3: a length in the type field (here the largest, so the frame's
 * end stands), then LLC/SNAP (RFC 1042) and the ethertype. */
static void hdr_8023_snap(buf *f, int v)
{
    eth(f, 1500);
    put(f, "\xaa\xaa\x03\x00\x00\x00", 6);
    put16(f, ethertype_of(v));
}
static void hdr_vlan_8023_snap(buf *f, int v)
{
    eth_tagged(f, (const uint16_t[]){0x8100}, 1, 1500);
    put(f, "\xaa\xaa\x03\x00\x00\x00", 6);
    put16(f, ethertype_of(v));
}
static void hdr_mpls(buf *f, int v)
{
    eth(f, 0x8847);
    put32(f, 100u << 12 | 64);       /* label 100, not bottom */
    put32(f, 200u << 12 | 1u << 8 | 64); /* label 200, bottom of stack */
    (void)v;
}

static void put16le(buf *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(f, b, 2);
}

static void put16o(buf *f, uint16_t v, bool big_endian)
{
    if (big_endian)
        put16(f, v);
    else
        put16le(f, v);
}

static uint16_t ppp_of(int v) { return v == 4 ? 0x0021 : 0x0057; }
static void hdr_ppp(buf *f, int v)
{
    put(f, "\xff\x03", 2); /* HDLC address and control */
    put16(f, ppp_of(v));
}
static void hdr_ppp_compressed(buf *f, int v)
{
    put(f, v == 4 ? "\x21" : "\x57", 1); /* no FF 03, 1-byte protocol */
}
static void hdr_ppp_dir(buf *f, int v)
{
    put(f, "\x01", 1); /* direction: sent */
    hdr_ppp(f, v);
}
static void hdr_chdlc(buf *f, int v)
{
    put(f, "\x0f\x00", 2); /* unicast address, control */
    put16(f, ethertype_of(v));
}
static void hdr_chdlc_dir(buf *f, int v)
{
    put(f, "\x00", 1);
    hdr_chdlc(f, v);
}

/* An 802.11 data frame header: frame control, duration, addresses,
 * sequence control, then QoS control when `qos`. */
static void wlan(buf *f, uint8_t fc0, uint8_t fc1, bool qos)
{
    put(f, &fc0, 1);
    put(f, &fc1, 1);
    put16(f, 0x2c00);                    /* duration */
    put(f, macs, 12);
    put(f, macs, 6);                     /* address 3 */
    put16le(f, 0x0120);                  /* sequence control */
    if ((fc1 & 3) == 3)
        put(f, macs + 6, 6);             /* address 4 */
    if (qos)
        put16le(f, 0x0005);              /* TID 5, no A-MSDU */
    if (qos && (fc1 & 0x80))
        put32(f, 0);                     /* HT control */
}
static void snap(buf *f, uint8_t oui_last, int v)
{
    put(f, "\xaa\xaa\x03\x00\x00", 5);
    put(f, &oui_last, 1);
    put16(f, ethertype_of(v));
}
static void hdr_wlan_from_ds(buf *f, int v)
{
    wlan(f, 0x08, 0x02, false);          /* data, FromDS */
    snap(f, 0x00, v);
}
static void hdr_wlan_qos_wds(buf *f, int v)
{
    wlan(f, 0x88, 0x03, true);           /* QoS data, ToDS and FromDS */
    snap(f, 0x00, v);
}
static void hdr_wlan_qos_ht(buf *f, int v)
{
    wlan(f, 0x88, 0x81, true);           /* QoS data, ToDS, Order */
    snap(f, 0xf8, v);                    /* 802.1H bridge tunnel */
}
static void hdr_radiotap(buf *f, int v)
{
    put(f, "\x00\x00", 2);               /* version, pad */
    put16le(f, 18);                      /* length */
    put(f, "\x2e\x48\x00\x00", 4);      /* present: flags, rate, channel, ... */
    fill(f, 0x10, 10);
    hdr_wlan_from_ds(f, v);
}
static void hdr_ppi(buf *f, int v)
{
    put(f, "\x00\x00", 2);               /* version, flags */
    put16le(f, 8 + 24);                  /* length, with one field */
    put(f, "\x69\x00\x00\x00", 4);      /* link type 105 */
    put16le(f, 2);                       /* field: 802.11 common */
    put16le(f, 20);
    fill(f, 0, 20);
    hdr_wlan_qos_wds(f, v);
}
static void hdr_ppi_ethernet(buf *f, int v)
{
    put(f, "\x00\x00", 2);
    put16le(f, 8);
    put(f, "\x01\x00\x00\x00", 4);      /* link type 1 */
    hdr_vlan(f, v);
}
static void hdr_avs(buf *f, int v)
{
    put32(f, 0x80211001);                /* version */
    put32(f, 64);                        /* length */
    fill(f, 0, 56);
    hdr_wlan_from_ds(f, v);
}
static void hdr_pflog(buf *f, int v)
{
    put(f, "\x3d", 1);                   /* header length 61, padded to 64 */
    put(f, v == 4 ? "\x02" : "\x18", 1); /* AF_INET, OpenBSD AF_INET6 */
    fill(f, 0, 62);
}
/* NFLOG: header, a prefix attribute, then the payload attribute whose
 * length counts the IP packet, attribute headers in host order. */
static void nflog(buf *f, int v, bool big_endian)
{
    put(f, v == 4 ? "\x02" : "\x0a", 1); /* AF_INET, Linux AF_INET6 */
    put(f, "\x00\x00\x05", 3);          /* version, resource id 5 */
    put16o(f, 9, big_endian);            /* prefix: "drop" */
    put16o(f, 10, big_endian);
    put(f, "drop\0\0\0\0", 8);          /* padded to 4 */
    put16o(f, 4 + 60, big_endian);       /* payload: its length is a hint */
    put16o(f, 9, big_endian);
}
static void hdr_nflog_le(buf *f, int v) { nflog(f, v, false); }
static void hdr_nflog_be(buf *f, int v) { nflog(f, v, true); }

static const frame_case link_cases[] = {
    {"ethernet", 1, hdr_eth, 1u << 4 | 1u << 6, NULL},
    {"802.1Q", 1, hdr_vlan, 1u << 4 | 1u << 6, NULL},
    {"QinQ 802.1ad", 1, hdr_qinq, 1u << 4 | 1u << 6, NULL},
    {"QinQ 0x9100 triple", 1, hdr_qinq_9100, 1u << 4 | 1u << 6, NULL},
    {"linux sll", 113, hdr_sll, 1u << 4 | 1u << 6, NULL},
    {"linux sll + vlan", 113, hdr_sll_vlan, 1u << 4 | 1u << 6, NULL},
    {"linux sll2", 276, hdr_sll2, 1u << 4 | 1u << 6, NULL},
    {"null little-endian", 0, hdr_null_le, 1u << 4 | 1u << 6, NULL},
    {"null big-endian", 0, hdr_null_be, 1u << 4 | 1u << 6, NULL},
    {"null freebsd", 0, hdr_null_fbsd, 1u << 4 | 1u << 6, NULL},
    {"openbsd loop", 108, hdr_loop, 1u << 4 | 1u << 6, NULL},
    {"raw", 101, hdr_none, 1u << 4 | 1u << 6, NULL},
    {"raw dlt 12", 12, hdr_none, 1u << 4 | 1u << 6, NULL},
    {"raw dlt 14", 14, hdr_none, 1u << 4 | 1u << 6, NULL},
    {"802.1Q + PPPoE", 1, hdr_pppoe, 1u << 4 | 1u << 6, NULL},
    {"MPLS two labels", 1, hdr_mpls, 1u << 4 | 1u << 6, NULL},
    {"PPPoE compressed protocol", 1, hdr_pppoe_compressed, 1u << 4 | 1u << 6, NULL},
    {"PPPoE carrying MPLS", 1, hdr_pppoe_mpls, 1u << 4 | 1u << 6, NULL},
    {"ppp carrying MPLS", 9, hdr_ppp_mpls, 1u << 4 | 1u << 6, NULL},
    {"802.3 LLC/SNAP", 1, hdr_8023_snap, 1u << 4 | 1u << 6, NULL},
    {"802.1Q + 802.3 LLC/SNAP", 1, hdr_vlan_8023_snap, 1u << 4 | 1u << 6, NULL},
    {"ipv4", 228, hdr_none, 1u << 4, NULL},
    {"ipv6", 229, hdr_none, 1u << 6, NULL},
    {"ppp", 9, hdr_ppp, 1u << 4 | 1u << 6, NULL},
    {"ppp compressed protocol", 9, hdr_ppp_compressed, 1u << 4 | 1u << 6, NULL},
    {"ppp hdlc", 50, hdr_ppp, 1u << 4 | 1u << 6, NULL},
    {"ppp with direction", 204, hdr_ppp_dir, 1u << 4 | 1u << 6, NULL},
    {"cisco hdlc", 104, hdr_chdlc, 1u << 4 | 1u << 6, NULL},
    {"cisco hdlc with direction", 205, hdr_chdlc_dir, 1u << 4 | 1u << 6, NULL},
    {"802.11 data from DS", 105, hdr_wlan_from_ds, 1u << 4 | 1u << 6, NULL},
    {"802.11 QoS data, 4 addresses", 105, hdr_wlan_qos_wds, 1u << 4 | 1u << 6, NULL},
    {"802.11 QoS data + HT control, bridge tunnel", 105, hdr_wlan_qos_ht,
     1u << 4 | 1u << 6, NULL},
    {"radiotap", 127, hdr_radiotap, 1u << 4 | 1u << 6, NULL},
    {"ppi 802.11", 192, hdr_ppi, 1u << 4 | 1u << 6, NULL},
    {"ppi ethernet", 192, hdr_ppi_ethernet, 1u << 4 | 1u << 6, NULL},
    {"avs", 163, hdr_avs, 1u << 4 | 1u << 6, NULL},
    {"pflog", 117, hdr_pflog, 1u << 4 | 1u << 6, NULL},
    {"nflog little-endian host", 239, hdr_nflog_le, 1u << 4 | 1u << 6, NULL},
    {"nflog big-endian host", 239, hdr_nflog_be, 1u << 4 | 1u << 6, NULL},
};

static void build_case(const frame_case *c, int version, buf *f, size_t *ip,
                       size_t *pl)
{
    if (c->build) {
        c->build(f, version, ip, pl);
        return;
    }
    c->header(f, version);
    *ip = ip_tcp(f, version, 7);
    *pl = f->len - 7;
}

typedef void (*frame_check)(const frame_case *c, int version, const buf *f,
                            size_t ip, size_t pl);

/* Builds every case in each IP version it holds and checks it. */
static void each_case(const frame_case *cases, size_t n, frame_check check)
{
    for (size_t i = 0; i < n; i++) {
        for (int version = 4; version <= 6; version += 2) {
            if (!(cases[i].versions & 1u << version))
                continue;
            buf f = {0};
            size_t ip, pl;
            build_case(&cases[i], version, &f, &ip, &pl);
            check(&cases[i], version, &f, ip, pl);
        }
    }
}

/* The whole frame: exactly the IP packet and TCP segment built. */
static void decodes_whole(const frame_case *c, int version, const buf *f,
                          size_t ip, size_t pl)
{
    sess__pkt p;
    ASSERT_EQ(decode(c->linktype, f, &p), SESS_OK);
    assert_whole_packet(&p, f, version, ip, pl);
}

/* Cut at every length before the IP header: an error; after: a flagged
 * packet. */
static void link_cut_anywhere(const frame_case *c, int version, const buf *f,
                              size_t ip, size_t pl)
{
    for (size_t len = 0; len < f->len; len++) {
        sess__pkt p;
        int rc = decode_prefix(c->linktype, f, len, &p);
        if (len < ip + (version == 4 ? 20 : 40)) {
            ASSERT_EQ(rc, SESS_ETRUNCATED);
            ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED);
            ASSERT_EQ(p.ip_version, 0);
        } else {
            ASSERT_EQ(rc, SESS_OK);
            ASSERT(p.anomalies & SESS__DEC_SNAPPED);
            ASSERT_EQ(p.l4_ok, len >= pl);
            ASSERT_EQ(!!(p.anomalies & SESS__DEC_TRUNCATED), len < pl);
        }
    }
}

#define EACH(cases, check) each_case(cases, sizeof cases / sizeof cases[0], check)

TEST(link_types) { EACH(link_cases, decodes_whole); }

TEST(link_types_truncated) { EACH(link_cases, link_cut_anywhere); }

TEST(null_family_both_orders)
{
    static const struct {
        uint32_t family;
        int version;
    } families[] = {{2, 4}, {24, 6}, {28, 6}, {30, 6}};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        for (int big = 0; big <= 1; big++) {
            buf f = {0};
            null_family(&f, families[i].family, big);
            ip_tcp(&f, families[i].version, 0);
            sess__pkt p;
            ASSERT_EQ(decode(SESS_LINK_NULL, &f, &p), SESS_OK);
            ASSERT_EQ(p.ip_version, families[i].version);
            ASSERT(p.l4_ok);
        }
    }
}

/* Frames that hold no IP, or a link layer this decoder does not know. */
TEST(not_ip)
{
    static const uint8_t arp_body[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    static const struct {
        const char *name;
        uint32_t linktype;
        uint8_t link[32];
        size_t link_len;
        bool with_ip;
        int rc;
    } cases[] = {
        {"ethernet arp", 1, {[12] = 0x08, 0x06}, 14, false, SESS_ENOTIP},
        {"vlan arp", 1, {[12] = 0x81, 0, 0, 5, 0x08, 0x06}, 18, false,
         SESS_ENOTIP},
        {"ethernet 802.3 length", 1, {[12] = 0x00, 0x40}, 14, false,
         SESS_ENOTIP},
        {"sll arp", 113, {[14] = 0x08, 0x06}, 16, false, SESS_ENOTIP},
        {"sll2 arp", 276, {0x08, 0x06}, 20, false, SESS_ENOTIP},
        {"null unknown family", 0, {7, 0, 0, 0}, 4, true, SESS_ENOTIP},
        {"null linux AF_INET6", 0, {10, 0, 0, 0}, 4, true, SESS_ENOTIP},
        {"loop little-endian", 108, {2, 0, 0, 0}, 4, true, SESS_ENOTIP},
        {"ethertype v6, packet v4", 1, {[12] = 0x86, 0xdd}, 14, true,
         SESS_ENOTIP},
        {"linktype ipv6, packet v4", 229, {0}, 0, true, SESS_ENOTIP},
        {"unknown link type", 147, {0}, 0, true, SESS_EUNSUPPORTED},
        {"prism header", 119, {0}, 0, true, SESS_EUNSUPPORTED},
        {"ppp lcp", 9, {0xff, 0x03, 0xc0, 0x21}, 4, false, SESS_ENOTIP},
        {"cisco hdlc slarp", 104, {0x8f, 0x00, 0x80, 0x35}, 4, false,
         SESS_ENOTIP},
        {"802.11 beacon", 105, {0x80, 0x00}, 24, true, SESS_ENOTIP},
        {"802.11 ack", 105, {0xd4, 0x00}, 10, false, SESS_ENOTIP},
        {"802.11 null data", 105, {0x48, 0x01}, 24, false, SESS_ENOTIP},
        {"802.11 protected data", 105, {0x08, 0x42}, 24, true, SESS_ENOTIP},
        {"802.11 QoS data, A-MSDU", 105, {0x88, 0x02, [24] = 0x80}, 26, true,
         SESS_ENOTIP},
        {"802.11 data, LLC not SNAP (STP)", 105,
         {0x08, 0x02, [24] = 0x42, 0x42, 0x03}, 27, false, SESS_ENOTIP},
        {"radiotap length below its header", 127, {0, 0, 4, 0}, 4, true,
         SESS_ENOTIP},
        {"ppi inside ppi", 192, {0, 0, 8, 0, 192, 0, 0, 0}, 8, true,
         SESS_ENOTIP},
        {"pflog unknown family", 117, {4, 7, 0, 0}, 4, true, SESS_ENOTIP},
        {"nflog unknown family", 239, {7, 0, 0, 0}, 4, true, SESS_ENOTIP},
        {"nflog no payload attribute", 239, {2, 0, 0, 0, 0, 0, 0, 0}, 8,
         true, SESS_ENOTIP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        put(&f, cases[i].link, cases[i].link_len);
        if (cases[i].with_ip)
            ip_tcp(&f, 4, 3);
        else
            put(&f, arp_body, sizeof arp_body);
        sess__pkt p;
        ASSERT_EQ(decode(cases[i].linktype, &f, &p), cases[i].rc);
        ASSERT_EQ(p.anomalies, SESS__DEC_UNSUPPORTED);
        ASSERT_EQ(p.ip_version, 0);
    }
}

/* ---- tunnels ------------------------------------------------------------- */

/* Tunnel frames: Ethernet, the outer IP packet and its tunnel headers, then
 * an inner IPv4 or IPv6 TCP packet (behind an Ethernet header when the
 * tunnel carries Ethernet).  `ip`, `pl` receive the inner IP header's and
 * payload's offsets. */
static void inner_tcp(buf *f, int v, bool ethernet, size_t *ip, size_t *pl)
{
    if (ethernet)
        eth(f, ethertype_of(v));
    *ip = ip_tcp(f, v, 7);
    *pl = f->len - 7;
}

static void close_outer4(buf *f, size_t outer, size_t udp_at)
{
    if (udp_at)
        fix_udp(f, udp_at);
    fix_ipv4(f, outer);
}

/* A UDP header from port 33333 to `dport`, its length left for fix_udp();
 * returns its offset. */
static size_t outer_udp_header(buf *f, uint16_t dport)
{
    size_t at = f->len;
    put16(f, 33333);
    put16(f, dport);
    put32(f, 0);
    return at;
}

/* Ethernet + IPv4 + a UDP header to `dport`; returns the UDP offset. */
static size_t outer_udp4(buf *f, uint16_t dport, size_t *outer)
{
    eth(f, 0x0800);
    *outer = ipv4(f, 17, 0, 0);
    return outer_udp_header(f, dport);
}

static void tun_ipip(buf *f, int v, size_t *ip, size_t *pl)
{
    eth(f, 0x0800);
    size_t outer = ipv4(f, v == 4 ? 4 : 41, 0, 0);
    inner_tcp(f, v, false, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_in_ipv6(buf *f, int v, size_t *ip, size_t *pl)
{
    eth(f, 0x86dd);
    size_t outer = ipv6(f, v == 4 ? 4 : 41);
    inner_tcp(f, v, false, ip, pl);
    fix_ipv6(f, outer);
}
static void gre(buf *f, uint16_t flags, uint16_t type, size_t *outer)
{
    eth(f, 0x0800);
    *outer = ipv4(f, 47, 0, 0);
    put16(f, flags);
    put16(f, type);
}
static void tun_gre(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0, ethertype_of(v), &outer);
    inner_tcp(f, v, false, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_gre_csum_key_seq(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0xb000, ethertype_of(v), &outer);
    put32(f, 0);          /* checksum, reserved */
    put32(f, 0x0000abcd); /* key */
    put32(f, 7);          /* sequence number */
    inner_tcp(f, v, false, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_nvgre(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0x2000, 0x6558, &outer); /* key: virtual subnet id */
    put32(f, 0x00123400);
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_erspan1(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0, 0x88be, &outer);
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_erspan2(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0x1000, 0x88be, &outer);
    put32(f, 9);          /* sequence number */
    put32(f, 0x10010064); /* version 1, VLAN, session 100 */
    put32(f, 0);
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, 0);
}
static void erspan3(buf *f, int v, bool subheader, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0x1000, 0x22eb, &outer);
    put32(f, 9);
    put32(f, 0x20000064);             /* version 2 */
    put32(f, 0x11223344);             /* timestamp */
    put32(f, subheader ? 1 : 0);      /* SGT, flags; O: a subheader follows */
    if (subheader) {
        put32(f, 0x55555555);
        put32(f, 0x66666666);
    }
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, 0);
}
static void tun_erspan3(buf *f, int v, size_t *ip, size_t *pl)
{
    erspan3(f, v, false, ip, pl);
}
static void tun_erspan3_subheader(buf *f, int v, size_t *ip, size_t *pl)
{
    erspan3(f, v, true, ip, pl);
}
static void tun_pptp(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer;
    gre(f, 0x3081, 0x880b, &outer); /* key, sequence, ack; version 1 */
    size_t len_at = put16(f, 0);    /* payload length */
    put16(f, 0x4000);               /* call id */
    put32(f, 12);                   /* sequence number */
    put32(f, 11);                   /* acknowledgement */
    size_t ppp_at = f->len;
    put(f, "\xff\x03", 2);
    put16(f, v == 4 ? 0x0021 : 0x0057);
    inner_tcp(f, v, false, ip, pl);
    set16(f, len_at, (uint16_t)(f->len - ppp_at));
    close_outer4(f, outer, 0);
}
static void tun_vxlan(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 4789, &outer);
    put32(f, 0x08000000); /* I: VNI valid */
    put32(f, 0x00138800); /* VNI 5000 */
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, udp_at);
}
static void tun_vxlan_v6(buf *f, int v, size_t *ip, size_t *pl)
{
    eth(f, 0x86dd);
    size_t outer = ipv6(f, 17);
    size_t udp_at = outer_udp_header(f, 4789);
    put32(f, 0x08000000);
    put32(f, 0x00138800);
    inner_tcp(f, v, true, ip, pl);
    fix_udp(f, udp_at);
    fix_ipv6(f, outer);
}
static void tun_geneve(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 6081, &outer);
    put(f, "\x02\x00", 2); /* version 0, 2 words of options */
    put16(f, 0x6558);
    put32(f, 0x00138800);
    put32(f, 0x01020301); /* an option: class, type, length 1 */
    put32(f, 0xdeadbeef);
    inner_tcp(f, v, true, ip, pl);
    close_outer4(f, outer, udp_at);
}
static void tun_geneve_ip(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 6081, &outer);
    put(f, "\x00\x00", 2);
    put16(f, ethertype_of(v));
    put32(f, 0x00138800);
    inner_tcp(f, v, false, ip, pl);
    close_outer4(f, outer, udp_at);
}
static void tun_gtpu(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 2152, &outer);
    put(f, "\x30\xff", 2);         /* version 1, GTP, G-PDU */
    size_t len_at = put16(f, 0);
    put32(f, 0x11223344);          /* TEID */
    size_t after = f->len;
    inner_tcp(f, v, false, ip, pl);
    set16(f, len_at, (uint16_t)(f->len - after));
    close_outer4(f, outer, udp_at);
}
static void tun_gtpu_extension(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 2152, &outer);
    put(f, "\x34\xff", 2);         /* E: extension headers follow */
    size_t len_at = put16(f, 0);
    put32(f, 0x11223344);
    size_t after = f->len;
    put(f, "\x00\x00\x00\x85", 4); /* sequence, N-PDU, next: PDU session */
    put(f, "\x01\x00\x05\x00", 4); /* 4 bytes, QFI 5, no next */
    inner_tcp(f, v, false, ip, pl);
    set16(f, len_at, (uint16_t)(f->len - after));
    close_outer4(f, outer, udp_at);
}

static void tun_l2tp(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 1701, &outer);
    size_t l2tp = put16(f, 0x4002); /* length present, version 2 */
    size_t len_at = put16(f, 0);
    put16(f, 7);                    /* tunnel id */
    put16(f, 9);                    /* session id */
    put(f, "\xff\x03", 2);
    put16(f, v == 4 ? 0x0021 : 0x0057);
    inner_tcp(f, v, false, ip, pl);
    set16(f, len_at, (uint16_t)(f->len - l2tp));
    close_outer4(f, outer, udp_at);
}
static void tun_l2tp_sequence_offset(buf *f, int v, size_t *ip, size_t *pl)
{
    size_t outer, udp_at = outer_udp4(f, 1701, &outer);
    put16(f, 0x0a02);               /* sequence, offset, version 2 */
    put16(f, 7);
    put16(f, 9);
    put32(f, 0x00050003);           /* Ns, Nr */
    put16(f, 2);                    /* offset size, then the padding */
    put16(f, 0);
    put16(f, v == 4 ? 0x0021 : 0x0057); /* PPP without address and control */
    inner_tcp(f, v, false, ip, pl);
    close_outer4(f, outer, udp_at);
}

static const frame_case tunnel_cases[] = {
    {"IPv4 or IPv6 in IPv4", 1, NULL, 1u << 4 | 1u << 6, tun_ipip},
    {"IPv4 or IPv6 in IPv6", 1, NULL, 1u << 4 | 1u << 6, tun_in_ipv6},
    {"GRE", 1, NULL, 1u << 4 | 1u << 6, tun_gre},
    {"GRE checksum, key, sequence", 1, NULL, 1u << 4 | 1u << 6, tun_gre_csum_key_seq},
    {"NVGRE (Ethernet)", 1, NULL, 1u << 4 | 1u << 6, tun_nvgre},
    {"ERSPAN type I", 1, NULL, 1u << 4 | 1u << 6, tun_erspan1},
    {"ERSPAN type II", 1, NULL, 1u << 4 | 1u << 6, tun_erspan2},
    {"ERSPAN type III", 1, NULL, 1u << 4 | 1u << 6, tun_erspan3},
    {"ERSPAN type III + subheader", 1, NULL, 1u << 4 | 1u << 6, tun_erspan3_subheader},
    {"PPTP (GRE v1, PPP)", 1, NULL, 1u << 4 | 1u << 6, tun_pptp},
    {"VXLAN", 1, NULL, 1u << 4 | 1u << 6, tun_vxlan},
    {"VXLAN over IPv6", 1, NULL, 1u << 4 | 1u << 6, tun_vxlan_v6},
    {"GENEVE with an option", 1, NULL, 1u << 4 | 1u << 6, tun_geneve},
    {"GENEVE carrying IP", 1, NULL, 1u << 4 | 1u << 6, tun_geneve_ip},
    {"GTP-U", 1, NULL, 1u << 4 | 1u << 6, tun_gtpu},
    {"GTP-U extension header", 1, NULL, 1u << 4 | 1u << 6, tun_gtpu_extension},
    {"L2TP", 1, NULL, 1u << 4 | 1u << 6, tun_l2tp},
    {"L2TP sequence numbers, offset", 1, NULL, 1u << 4 | 1u << 6,
     tun_l2tp_sequence_offset},
};

/* Cut anywhere: the outer packet while the inner one's header is not all
 * there (snapped, and truncated when it was cut inside the tunnel), the
 * inner one from then on. */
static void tunnel_cut_anywhere(const frame_case *c, int version,
                                const buf *f, size_t ip, size_t pl)
{
    size_t inner_hdr = ip + (version == 4 ? 20 : 40);
    for (size_t len = 14; len < f->len; len++) {
        sess__pkt p;
        int rc = decode_prefix(c->linktype, f, len, &p);
        if (len < inner_hdr) {
            if (rc != SESS_OK) {
                ASSERT_EQ(rc, SESS_ETRUNCATED); /* the outer header */
                continue;
            }
            ASSERT(at(f, p.ip) < ip);
            ASSERT(p.anomalies & SESS__DEC_SNAPPED);
            ASSERT(p.anomalies & SESS__DEC_TRUNCATED);
        } else {
            ASSERT_EQ(rc, SESS_OK);
            ASSERT_EQ(at(f, p.ip), ip);
            ASSERT_EQ(p.ip_version, version);
            ASSERT_EQ(p.l4_ok, len >= pl);
        }
    }
}

/* The packet described is the inner one, whatever the tunnel. */
TEST(tunnels) { EACH(tunnel_cases, decodes_whole); }

TEST(tunnels_truncated) { EACH(tunnel_cases, tunnel_cut_anywhere); }

/* Inside, something that is not IP: the outer packet stands. */
TEST(tunnels_holding_no_ip)
{
    static const struct {
        const char *name;
        uint8_t proto;     /* 47 GRE, 17 UDP */
        uint16_t dport;    /* UDP */
        uint8_t hdr[16];
        size_t hdr_len;
    } cases[] = {
        {"GRE keepalive (no payload type)", 47, 0, {0, 0, 0, 0}, 4},
        {"GRE with routing present", 47, 0, {0x40, 0, 0x08, 0}, 4},
        {"GRE version 2", 47, 0, {0, 2, 0x08, 0}, 4},
        {"PPTP acknowledgement only", 47, 0,
         {0x20, 0x81, 0x88, 0x0b, 0, 0, 0x40, 0, 0, 0, 0, 5}, 12},
        {"PPTP carrying PPP LCP", 47, 0,
         {0x30, 0x01, 0x88, 0x0b, 0, 4, 0x40, 0, 0, 0, 0, 5, 0xff, 0x03, 0xc0,
          0x21},
         16},
        {"VXLAN without a valid VNI", 17, 4789, {0, 0, 0, 0, 0, 0, 0, 0}, 8},
        {"VXLAN holding ARP", 17, 4789,
         {0x08, 0, 0, 0, 0, 0, 0x13, 0}, 8},
        {"GENEVE version 1", 17, 6081, {0x40, 0, 0x65, 0x58, 0, 0, 0, 0}, 8},
        {"GENEVE unknown protocol", 17, 6081, {0, 0, 0x88, 0xb5, 0, 0, 0, 0}, 8},
        {"GTP-U echo request", 17, 2152, {0x32, 0x01, 0, 4, 0, 0, 0, 0}, 8},
        {"GTP' (not GTP)", 17, 2152, {0x20, 0xff, 0, 0, 0, 0, 0, 0}, 8},
        {"GTP-U empty extension header", 17, 2152,
         {0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0}, 13},
        {"L2TP control message", 17, 1701,
         {0xc8, 0x02, 0, 12, 0, 7, 0, 0, 0, 0, 0, 0}, 12},
        {"L2TP version 3", 17, 1701, {0, 3, 0, 0, 0, 0, 0, 9}, 8},
        {"L2TP carrying PPP LCP", 17, 1701,
         {0x00, 0x02, 0, 7, 0, 9, 0xff, 0x03, 0xc0, 0x21}, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        eth(&f, 0x0800);
        size_t outer = ipv4(&f, cases[i].proto, 0, 0), udp_at = 0;
        if (cases[i].proto == 17)
            udp_at = outer_udp_header(&f, cases[i].dport);
        put(&f, cases[i].hdr, cases[i].hdr_len);
        if (!strcmp(cases[i].name, "VXLAN holding ARP")) {
            eth(&f, 0x0806);
            fill(&f, 0, 28);
        } else {
            ip_tcp(&f, 4, 7); /* behind a header that does not lead to it */
        }
        close_outer4(&f, outer, udp_at);
        sess__pkt p;
        ASSERT_EQ(decode(SESS_LINK_ETHERNET, &f, &p), SESS_OK);
        ASSERT_EQ(at(&f, p.ip), outer);
        ASSERT_EQ(p.proto, cases[i].proto);
        ASSERT_EQ(p.anomalies, 0);
        if (cases[i].proto == 17)
            ASSERT_EQ(p.dport, cases[i].dport);
    }
}

/* Too short for the tunnel's header or the packet inside, though nothing
 * was cut by the capture: a bad length for GRE and IP in IP, whose protocol
 * numbers say what should be there; nothing for a UDP port that merely
 * looked like a tunnel's. */
TEST(tunnels_too_short)
{
    static const struct {
        const char *name;
        uint8_t proto;
        uint16_t dport;
        uint8_t body[16];
        size_t len;
        unsigned anomalies;
    } cases[] = {
        {"GRE, 2 bytes", 47, 0, {0, 0}, 2, SESS__DEC_BAD_IP_LEN},
        {"GRE announcing a key it lacks", 47, 0, {0x20, 0, 0x08, 0, 0}, 5,
         SESS__DEC_BAD_IP_LEN},
        {"IP in IP, half an IPv4 header", 4, 0, {0x45, 0, 0, 20, 0, 0, 0, 0},
         8, SESS__DEC_BAD_IP_LEN},
        {"UDP to the VXLAN port, 3 bytes", 17, 4789, {1, 2, 3}, 3, 0},
        {"UDP to the GTP-U port, 5 bytes", 17, 2152, {0x30, 0xff, 0, 0, 0}, 5,
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        size_t outer = ipv4(&f, cases[i].proto, 0, 0), udp_at = 0;
        if (cases[i].proto == 17)
            udp_at = outer_udp_header(&f, cases[i].dport);
        put(&f, cases[i].body, cases[i].len);
        close_outer4(&f, outer, udp_at);
        sess__pkt p;
        ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
        ASSERT_EQ(at(&f, p.ip), outer);
        ASSERT_EQ(p.proto, cases[i].proto);
        ASSERT_EQ(p.anomalies, cases[i].anomalies);
    }
}

/* Four tunnels are looked into; a fifth stays closed. */
TEST(tunnel_depth)
{
    for (int tunnels = 1; tunnels <= 5; tunnels++) {
        buf f = {0};
        size_t outer[5];
        for (int i = 0; i < tunnels; i++)
            outer[i] = ipv4(&f, 4, 0, 0);
        size_t ip = ip_tcp(&f, 4, 7);
        for (int i = tunnels - 1; i >= 0; i--)
            fix_ipv4(&f, outer[i]);
        sess__pkt p;
        ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
        if (tunnels <= 4) {
            ASSERT_EQ(at(&f, p.ip), ip);
            ASSERT(p.l4_ok);
        } else {
            ASSERT_EQ(at(&f, p.ip), outer[4]);
            ASSERT_EQ(p.proto, 4);
        }
    }
}

/* The packet out of a tunnel says which: its kind, its identity and the
 * outer packet's addresses; VLAN tags outside the tunnel stay. */
TEST(tunnel_identity)
{
    static const struct {
        const char *name; /* of tunnel_cases */
        sess_tunnel encap;
        uint32_t id;
    } cases[] = {
        {"IPv4 or IPv6 in IPv4", SESS_TUNNEL_IPIP, 0}, /* IPv6 inside */
        {"GRE", SESS_TUNNEL_GRE, 0},
        {"GRE checksum, key, sequence", SESS_TUNNEL_GRE, 0xabcd},
        {"NVGRE (Ethernet)", SESS_TUNNEL_GRE, 0x1234}, /* the VSID */
        {"PPTP (GRE v1, PPP)", SESS_TUNNEL_PPTP, 0x4000},
        {"ERSPAN type II", SESS_TUNNEL_ERSPAN, 0},
        {"ERSPAN type III", SESS_TUNNEL_ERSPAN, 0},
        {"VXLAN", SESS_TUNNEL_VXLAN, 5000},
        {"GENEVE with an option", SESS_TUNNEL_GENEVE, 5000},
        {"GTP-U", SESS_TUNNEL_GTPU, 0x11223344},
        {"L2TP", SESS_TUNNEL_L2TP, 7u << 16 | 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const frame_case *c = NULL;
        for (size_t k = 0; k < sizeof tunnel_cases / sizeof tunnel_cases[0]; k++)
            if (!strcmp(tunnel_cases[k].name, cases[i].name))
                c = &tunnel_cases[k];
        ASSERT(c != NULL);
        buf f = {0};
        size_t ip, pl;
        build_case(c, 6, &f, &ip, &pl);
        /* a VLAN tag before the outer IPv4 packet */
        memmove(f.b + 16, f.b + 12, f.len - 12);
        f.len += 4;
        set16(&f, 12, 0x8100);
        set16(&f, 14, 42);
        sess__pkt p;
        ASSERT_EQ(decode(1, &f, &p), SESS_OK);
        ASSERT_EQ(at(&f, p.ip), ip + 4);
        ASSERT_EQ(p.ip_version, 6);
        ASSERT_EQ(p.encap, cases[i].encap);
        ASSERT_EQ(p.encap_id, cases[i].id);
        ASSERT_EQ(p.encap_depth, 1);
        ASSERT_EQ(p.encap_src.family, 4);
        ASSERT_MEM_EQ(p.encap_src.bytes, v4_src, 4);
        ASSERT_MEM_EQ(p.encap_dst.bytes, v4_dst, 4);
        ASSERT_EQ(p.vlans, 1);
        ASSERT_EQ(p.vlan[0], 42);
    }
}

/* A reassembled datagram holding a tunnel: the inner packet, which may
 * itself be a fragment. */
TEST(tunnel_after_reassembly)
{
    buf f = {0};
    size_t outer = ipv4(&f, 47, 0, 0x2000); /* first fragment */
    put16(&f, 0);
    put16(&f, 0x0800);
    size_t ip = ip_tcp(&f, 4, 7);
    fix_ipv4(&f, outer);
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
    ASSERT(p.is_fragment);
    ASSERT_EQ(sess__decode_transport(&p, 47, p.frag_data, p.frag_len), SESS_OK);
    ASSERT(!p.is_fragment);
    ASSERT_EQ(at(&f, p.ip), ip);
    assert_tcp(&p, &f, f.len - 7, 7);

    buf g = {0};
    outer = ipv4(&g, 4, 0, 0x2000);
    size_t inner = ipv4(&g, 6, 0, 0x2000); /* the inner packet: a fragment */
    tcp(&g, 4);
    payload(&g, 8);
    fix_ipv4(&g, inner);
    fix_ipv4(&g, outer);
    ASSERT_EQ(decode(SESS_LINK_RAW, &g, &p), SESS_OK);
    ASSERT_EQ(sess__decode_transport(&p, 4, p.frag_data, p.frag_len), SESS_OK);
    ASSERT(p.is_fragment);
    ASSERT_EQ(at(&g, p.ip), inner);
    ASSERT_EQ(at(&g, p.frag_data), inner + 20);
    ASSERT_EQ(p.frag_len, 32);
}

TEST(raw_bad_version)
{
    buf f = {0};
    ip_tcp(&f, 4, 0);
    f.b[0] = 0x55;
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_ENOTIP);
    ASSERT_EQ(sess__decode_ip(f.b, f.len, &p), SESS_ENOTIP);
    ASSERT_EQ(sess__decode_ip(f.b, 0, &p), SESS_ETRUNCATED);
    ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED);
}

/* ---- IPv4 ---------------------------------------------------------------- */

TEST(ipv4_options)
{
    static const size_t opts[] = {4, 12, 40};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        buf f = {0};
        eth(&f, 0x0800);
        size_t ip = ipv4(&f, 6, opts[i], 0x4000 /* DF */);
        tcp(&f, 0);
        size_t pl = payload(&f, 5);
        fix_ipv4(&f, ip);
        sess__pkt p;
        ASSERT_EQ(decode(1, &f, &p), SESS_OK);
        ASSERT_EQ(p.anomalies, 0);
        ASSERT_EQ(p.ip_hdr_len, 20 + opts[i]);
        ASSERT(!p.is_fragment);
        assert_tcp(&p, &f, pl, 5);
    }
}

TEST(ipv4_udp_and_other)
{
    buf f = {0};
    size_t ip = ipv4(&f, 17, 0, 0);
    size_t u = udp(&f);
    size_t pl = payload(&f, 12);
    fix_udp(&f, u);
    fix_ipv4(&f, ip);
    sess__pkt p;
    ASSERT_EQ(sess__decode_ip(f.b, f.len, &p), SESS_OK);
    ASSERT(p.l4_ok);
    ASSERT_EQ(p.proto, 17);
    ASSERT_EQ(p.sport, 5353);
    ASSERT_EQ(p.dport, 53);
    ASSERT_EQ(at(&f, p.payload), pl);
    ASSERT_EQ(p.payload_len, 12);
    ASSERT_EQ(p.payload_wire_len, 12);

    buf g = {0};
    ip = ipv4(&g, 1 /* ICMP */, 0, 0);
    payload(&g, 8);
    fix_ipv4(&g, ip);
    ASSERT_EQ(decode(SESS_LINK_IPV4, &g, &p), SESS_OK);
    ASSERT_EQ(p.proto, 1);
    ASSERT(!p.l4_ok);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT(p.payload == NULL);
}

/* ---- IPv6 extension headers ---------------------------------------------- */

TEST(ipv6_extension_chain)
{
    buf f = {0};
    eth(&f, 0x86dd);
    size_t ip = ipv6(&f, 0);
    ext6(&f, 60, 0);  /* hop-by-hop, 8 bytes */
    ext6(&f, 43, 1);  /* destination options, 16 */
    ext6(&f, 6, 2);   /* routing, 24 */
    tcp(&f, 8);
    size_t pl = payload(&f, 9);
    fix_ipv6(&f, ip);
    sess__pkt p;
    ASSERT_EQ(decode(1, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT_EQ(p.ip_hdr_len, 40 + 8 + 16 + 24);
    ASSERT(!p.is_fragment);
    assert_addrs(&p, 6);
    assert_tcp(&p, &f, pl, 9);
}

TEST(ipv6_ah)
{
    buf f = {0};
    size_t ip = ipv6(&f, 0);
    ext6(&f, 51, 0);
    uint8_t ah[2] = {17, 4}; /* (4 + 2) * 4 = 24 bytes */
    put(&f, ah, 2);
    fill(&f, 0, 22);
    size_t u = udp(&f);
    size_t pl = payload(&f, 3);
    fix_udp(&f, u);
    fix_ipv6(&f, ip);
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_IPV6, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT_EQ(p.ip_hdr_len, 40 + 8 + 24);
    ASSERT(p.l4_ok);
    ASSERT_EQ(p.proto, 17);
    ASSERT_EQ(at(&f, p.payload), pl);
    ASSERT_EQ(p.payload_len, 3);
}

TEST(ipv6_no_next_header)
{
    buf f = {0};
    eth(&f, 0x86dd);
    size_t ip = ipv6(&f, 59);
    fill(&f, 0, 60 - f.len); /* Ethernet padding */
    sess__pkt p;
    ASSERT_EQ(decode(1, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT_EQ(p.ip_len, 40);
    ASSERT_EQ(at(&f, p.ip), ip);
    ASSERT_EQ(p.proto, 59);
    ASSERT(!p.l4_ok);
}

/* An extension header longer than the payload, or cut by the capture. */
TEST(ipv6_broken_chain)
{
    buf f = {0};
    size_t ip = ipv6(&f, 0);
    ext6(&f, 60, 0);
    ext6(&f, 6, 1);
    tcp(&f, 0);
    fix_ipv6(&f, ip);
    f.b[ip + 48 + 1] = 9; /* destination options claim 80 bytes */
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_BAD_EXT);
    ASSERT_EQ(p.proto, 60);
    ASSERT_EQ(p.ip_hdr_len, 48);
    ASSERT(!p.l4_ok);

    f.b[ip + 48 + 1] = 1;
    ASSERT_EQ(decode_prefix(SESS_LINK_RAW, &f, ip + 48 + 10, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED | SESS__DEC_SNAPPED);
    ASSERT_EQ(p.proto, 60);
    ASSERT(!p.l4_ok);

    /* The payload length ends inside the chain's next header. */
    set16(&f, ip + 4, 9);
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_BAD_EXT);
    ASSERT_EQ(p.ip_len, 49);
    ASSERT_EQ(p.proto, 60);
}

/* A full Ethernet/IPv6/hop-by-hop/TCP frame cut at every length. */
TEST(ipv6_tcp_every_prefix)
{
    buf f = {0};
    eth(&f, 0x86dd);
    size_t ip = ipv6(&f, 0);
    ext6(&f, 6, 0);
    tcp(&f, 12);
    size_t pl = payload(&f, 10);
    fix_ipv6(&f, ip);
    for (size_t len = 0; len <= f.len; len++) {
        sess__pkt p;
        int rc = decode_prefix(1, &f, len, &p);
        if (len < ip + 40) {
            ASSERT_EQ(rc, SESS_ETRUNCATED);
            ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED);
            continue;
        }
        ASSERT_EQ(rc, SESS_OK);
        ASSERT_EQ(p.ip_len, len - ip);
        if (len < pl) {
            ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED | SESS__DEC_SNAPPED);
            ASSERT(!p.l4_ok);
            ASSERT(p.payload == NULL);
            continue;
        }
        ASSERT_EQ(p.anomalies, len < f.len ? SESS__DEC_SNAPPED : 0);
        ASSERT(p.l4_ok);
        ASSERT_EQ(at(&f, p.payload), pl);
        ASSERT_EQ(p.payload_len, len - pl);
        ASSERT_EQ(p.payload_wire_len, 10);
    }
}

/* ---- fragments ----------------------------------------------------------- */

typedef struct frag_case {
    const char *name;
    int version;
    uint16_t offset; /* bytes */
    bool more;
    uint8_t inner;   /* v6: the fragment header's next header, 60 or 17 */
} frag_case;

static const frag_case frag_cases[] = {
    {"v4 first", 4, 0, true, 17},        {"v4 middle", 4, 1480, true, 17},
    {"v4 last", 4, 2960, false, 17},     {"v6 first", 6, 0, true, 60},
    {"v6 middle", 6, 1448, true, 60},    {"v6 last", 6, 2896, false, 60},
    {"v6 atomic", 6, 0, false, 60},      {"v6 first, udp", 6, 0, true, 17},
    {"v6 atomic, udp", 6, 0, false, 17},
};

/* v4: IPv4/UDP fragment; v6: IPv6/hop-by-hop/routing/fragment, then UDP in
 * the fragment data, after a destination options header when `inner` is 60. */
static size_t build_fragment(const frag_case *c, buf *f, size_t *data)
{
    eth(f, ethertype_of(c->version));
    size_t ip;
    if (c->version == 4) {
        ip = ipv4(f, 17, 0, (uint16_t)(c->offset / 8 | (c->more ? 0x2000 : 0)));
    } else {
        ip = ipv6(f, 0);
        ext6(f, 43, 0);
        ext6(f, 44, 0);
        frag6(f, c->inner, c->offset, c->more, 0xdeadbeef);
    }
    *data = f->len;
    if (c->inner == 60)
        ext6(f, 17, 0);
    size_t u = udp(f);
    payload(f, 24);
    fix_udp(f, u);
    if (c->version == 4)
        fix_ipv4(f, ip);
    else
        fix_ipv6(f, ip);
    fill(f, 0, f->len < 60 ? 60 - f->len : 0);
    return ip;
}

TEST(fragments)
{
    for (size_t i = 0; i < sizeof frag_cases / sizeof frag_cases[0]; i++) {
        const frag_case *c = &frag_cases[i];
        buf f = {0};
        size_t data;
        size_t ip = build_fragment(c, &f, &data);
        sess__pkt p;
        ASSERT_EQ(decode(1, &f, &p), SESS_OK);
        ASSERT_EQ(p.anomalies, 0);
        ASSERT(p.is_fragment);
        ASSERT_EQ(p.frag_offset, c->offset);
        ASSERT_EQ(p.frag_more, c->more);
        ASSERT_EQ(p.frag_id, c->version == 4 ? 0x1234 : 0xdeadbeef);
        ASSERT_EQ(p.frag_proto, c->inner);
        ASSERT_EQ(p.proto, p.frag_proto);
        ASSERT_EQ(p.ip_hdr_len, data - ip);
        ASSERT_EQ(at(&f, p.frag_data), data);
        ASSERT_EQ(p.frag_len, c->inner == 60 ? 8 + 8 + 24 : 8 + 24);
        ASSERT_EQ(p.frag_captured, p.frag_len);
        ASSERT(!p.l4_ok);
        ASSERT(p.payload == NULL);
    }
}

TEST(fragment_cut_by_capture)
{
    buf f = {0};
    size_t data;
    build_fragment(&frag_cases[4], &f, &data);
    sess__pkt p;
    ASSERT_EQ(decode_prefix(1, &f, data + 10, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_SNAPPED);
    ASSERT_EQ(p.frag_len, 40);
    ASSERT_EQ(p.frag_captured, 10);

    ASSERT_EQ(decode_prefix(1, &f, data - 3, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED | SESS__DEC_SNAPPED);
    ASSERT(!p.is_fragment);
    ASSERT_EQ(p.proto, 44);
}

TEST(ipv4_not_fragment)
{
    buf f = {0};
    size_t ip = ipv4(&f, 17, 0, 0x4000 /* DF only */);
    size_t u = udp(&f);
    payload(&f, 1);
    fix_udp(&f, u);
    fix_ipv4(&f, ip);
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
    ASSERT(!p.is_fragment);
    ASSERT(p.frag_data == NULL);
    ASSERT(p.l4_ok);
}

/* The session reassembles a v6 datagram whose fragmentable part starts with
 * destination options, then decodes its transport. */
TEST(transport_after_reassembly)
{
    buf f = {0};
    size_t data;
    build_fragment(&frag_cases[3], &f, &data);
    sess__pkt p;
    ASSERT_EQ(decode(1, &f, &p), SESS_OK);

    buf whole = {0};
    ext6(&whole, 6, 1);
    tcp(&whole, 4);
    size_t pl = payload(&whole, 3000);
    ASSERT_EQ(sess__decode_transport(&p, p.frag_proto, whole.b, whole.len),
              SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    assert_tcp(&p, &whole, pl, 3000);
    ASSERT(p.is_fragment); /* the IP layer is left as decoded */
    ASSERT_EQ(p.ip_hdr_len, data - 14);

    /* A header running past the data, then a protocol with no ports. */
    ASSERT_EQ(sess__decode_transport(&p, 60, whole.b, 12), SESS_EBADLEN);
    ASSERT_EQ(p.anomalies, SESS__DEC_BAD_EXT);
    ASSERT(!p.l4_ok);
    ASSERT_EQ(p.proto, 60);
    ASSERT_EQ(p.sport, 0);
    ASSERT_EQ(sess__decode_transport(&p, 6, NULL, 0), SESS_EBADLEN);
    ASSERT_EQ(sess__decode_transport(&p, 58, whole.b, whole.len), SESS_OK);
    ASSERT_EQ(p.proto, 58);
    ASSERT(!p.l4_ok);
    ASSERT(p.payload == NULL);
}

TEST(transport_after_reassembly_v4)
{
    buf f = {0};
    size_t data;
    build_fragment(&frag_cases[0], &f, &data);
    sess__pkt p;
    ASSERT_EQ(decode(1, &f, &p), SESS_OK);

    buf whole = {0};
    size_t u = udp(&whole);
    size_t pl = payload(&whole, 2000);
    fix_udp(&whole, u);
    /* v4 walks no extension headers: 60 would be a protocol of its own. */
    ASSERT_EQ(sess__decode_transport(&p, 17, whole.b, whole.len), SESS_OK);
    ASSERT(p.l4_ok);
    ASSERT_EQ(p.dport, 53);
    ASSERT_EQ(at(&whole, p.payload), pl);
    ASSERT_EQ(p.payload_len, 2000);

    ASSERT_EQ(sess__decode_transport(&p, 6, whole.b, 19), SESS_EBADLEN);
    ASSERT_EQ(p.anomalies, SESS__DEC_BAD_L4_LEN);
    ASSERT(!p.l4_ok);
}

/* ---- lengths ------------------------------------------------------------- */

TEST(ethernet_padding)
{
    buf f = {0};
    eth(&f, 0x0800);
    size_t ip = ipv4(&f, 6, 0, 0);
    size_t pl = tcp(&f, 0) + 20;
    fix_ipv4(&f, ip);
    fill(&f, 0xee, 60 - f.len);
    sess__pkt p;
    ASSERT_EQ(decode(1, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT_EQ(p.ip_len, 40);
    ASSERT_EQ(p.payload_len, 0);
    ASSERT_EQ(p.payload_wire_len, 0);
    ASSERT_EQ(at(&f, p.payload), pl);

    buf g = {0};
    eth(&g, 0x0800);
    ip = ipv4(&g, 17, 0, 0);
    size_t u = udp(&g);
    payload(&g, 2);
    fix_udp(&g, u);
    fix_ipv4(&g, ip);
    fill(&g, 0xee, 60 - g.len);
    ASSERT_EQ(decode(1, &g, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, 0);
    ASSERT_EQ(p.ip_len, 30);
    ASSERT_EQ(p.payload_len, 2);
}

/* PPPoE's length and 802.3's end the packet before the Ethernet padding,
 * which matters where the IP length cannot (an IPv4 total length of 0, as
 * segmentation offload writes it): the captured bytes then stand in, up to
 * the link layer's end, not the frame's. */
TEST(link_lengths_end_the_packet)
{
    for (int kind = 0; kind < 3; kind++) {
        buf f = {0};
        size_t len_at;
        if (kind == 0) {          /* PPPoE, 2-byte protocol */
            pppoe_session(&f, 0);
            len_at = f.len - 2;
            put16(&f, 0x0021);
        } else if (kind == 1) {   /* PPPoE, compressed protocol */
            pppoe_session(&f, 0);
            len_at = f.len - 2;
            put(&f, "\x21", 1);
        } else {                  /* 802.3 with LLC/SNAP */
            eth(&f, 0);
            len_at = f.len - 2;
            put(&f, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
        }
        size_t counted_from = len_at + 2; /* both count what follows */
        size_t ip = ipv4(&f, 6, 0, 0);
        size_t pl = tcp(&f, 0) + 20;
        payload(&f, 3);
        set16(&f, ip + 2, 0); /* total length unusable */
        set16(&f, len_at, (uint16_t)(f.len - counted_from));
        fill(&f, 0xee, 80 - f.len);
        sess__pkt p;
        ASSERT_EQ(decode(1, &f, &p), SESS_OK);
        ASSERT_EQ(p.anomalies, SESS__DEC_BAD_IP_LEN);
        ASSERT_EQ(p.ip_len, 43);
        ASSERT_EQ(at(&f, p.payload), pl);
        ASSERT_EQ(p.payload_len, 3);

        /* a length ending inside the link headers or right after them: no
         * IP packet */
        uint16_t last = kind == 0 ? 2 : kind == 1 ? 1 : 8;
        for (uint16_t len = kind < 2 ? 1 : 4; len <= last; len++) {
            set16(&f, len_at, len);
            ASSERT_EQ(decode(1, &f, &p), SESS_ENOTIP);
            ASSERT_EQ(p.ip_version, 0);
        }
    }
}

/* The VLAN IDs walked are kept, outer tag first, the first two of them. */
TEST(vlan_ids)
{
    static const struct {
        uint16_t tpids[3];
        size_t tags;
    } cases[] = {{{0}, 0}, {{0x8100}, 1}, {{0x88a8, 0x8100}, 2},
                 {{0x9100, 0x9100, 0x8100}, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        eth_tagged(&f, cases[i].tpids, cases[i].tags, 0x0800);
        f.b[14] |= 0xe0; /* priority bits are not the VLAN ID */
        ip_tcp(&f, 4, 7);
        sess__pkt p;
        ASSERT_EQ(decode(1, &f, &p), SESS_OK);
        ASSERT_EQ(p.vlans, cases[i].tags);
        for (size_t t = 0; t < 2; t++)
            ASSERT_EQ(p.vlan[t], t < cases[i].tags ? 100 + t : 0);
        ASSERT_EQ(p.encap, SESS_TUNNEL_NONE);
    }
}

typedef struct ip_len_case {
    const char *name;
    int version;
    size_t cut;          /* bytes dropped from the end of the capture */
    int total;           /* IPv4 total / IPv6 payload length; -1 keeps it */
    int ihl;             /* IPv4 header length in words; -1 keeps it */
    int rc;
    unsigned anomalies;
    size_t ip_len;       /* of the 20/40 + 20 + 4 + 30 byte packet */
    size_t payload_len, payload_wire_len;
    bool l4_ok;
} ip_len_case;

static const ip_len_case ip_len_cases[] = {
    {"v4 exact", 4, 0, -1, -1, SESS_OK, 0, 74, 30, 30, true},
    {"v4 total below header", 4, 0, 12, -1, SESS_OK, SESS__DEC_BAD_IP_LEN,
     74, 30, 30, true},
    {"v4 total 0 (offload)", 4, 0, 0, -1, SESS_OK, SESS__DEC_BAD_IP_LEN, 74,
     30, 30, true},
    {"v4 total beyond capture", 4, 0, 1000, -1, SESS_OK, SESS__DEC_SNAPPED,
     74, 30, 956, true},
    {"v4 payload cut", 4, 10, -1, -1, SESS_OK, SESS__DEC_SNAPPED, 64, 20,
     30, true},
    {"v4 total inside tcp", 4, 0, 30, -1, SESS_OK, SESS__DEC_BAD_L4_LEN, 30, 0,
     0, false},
    {"v4 total inside tcp options", 4, 0, 42, -1, SESS_OK,
     SESS__DEC_BAD_L4_LEN, 42, 0, 0, false},
    {"v4 ihl 4", 4, 0, -1, 4, SESS_EBADLEN, SESS__DEC_BAD_IP_LEN, 0, 0, 0,
     false},
    {"v4 ihl beyond capture", 4, 34, -1, 15, SESS_ETRUNCATED,
     SESS__DEC_TRUNCATED, 0, 0, 0, false},
    {"v6 exact", 6, 0, -1, -1, SESS_OK, 0, 94, 30, 30, true},
    {"v6 payload beyond capture", 6, 0, 200, -1, SESS_OK,
     SESS__DEC_SNAPPED, 94, 30, 176, true},
    {"v6 payload cut", 6, 29, -1, -1, SESS_OK, SESS__DEC_SNAPPED, 65, 1, 30,
     true},
    {"v6 payload shorter than tcp", 6, 0, 10, -1, SESS_OK,
     SESS__DEC_BAD_L4_LEN, 50, 0, 0, false},
};

TEST(ip_lengths)
{
    for (size_t i = 0; i < sizeof ip_len_cases / sizeof ip_len_cases[0]; i++) {
        const ip_len_case *c = &ip_len_cases[i];
        buf f = {0};
        ip_tcp(&f, c->version, 30);
        if (c->total >= 0)
            set16(&f, c->version == 4 ? 2 : 4, (uint16_t)c->total);
        if (c->ihl >= 0)
            f.b[0] = (uint8_t)(0x40 | c->ihl);
        sess__pkt p;
        ASSERT_EQ(decode_prefix(SESS_LINK_RAW, &f, f.len - c->cut, &p), c->rc);
        ASSERT_EQ(p.anomalies, c->anomalies);
        ASSERT_EQ(p.ip_len, c->ip_len);
        ASSERT_EQ(p.l4_ok, c->l4_ok);
        ASSERT_EQ(p.payload_len, c->payload_len);
        ASSERT_EQ(p.payload_wire_len, c->payload_wire_len);
    }
}

/* Payload length 0 before hop-by-hop: a jumbogram, read from the capture. */
TEST(ipv6_jumbogram)
{
    buf f = {0};
    size_t ip = ipv6(&f, 0);
    uint8_t jumbo[8] = {17, 0, 0xc2, 4, 0, 0, 0, 0};
    put(&f, jumbo, 8);
    size_t u = udp(&f);
    size_t pl = payload(&f, 16);
    set16(&f, u + 4, 0); /* UDP jumbograms carry length 0 too */
    sess__pkt p;
    ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_BAD_IP_LEN | SESS__DEC_BAD_L4_LEN);
    ASSERT_EQ(p.ip_len, f.len - ip);
    ASSERT(p.l4_ok);
    ASSERT_EQ(at(&f, p.payload), pl);
    ASSERT_EQ(p.payload_len, 16);
    ASSERT_EQ(p.payload_wire_len, 16);
}

typedef struct tcp_offset_case {
    const char *name;
    uint8_t words;
    size_t cut;
    unsigned anomalies;
    bool l4_ok;
} tcp_offset_case;

TEST(tcp_data_offset)
{
    static const tcp_offset_case cases[] = {
        {"4 words", 4, 0, SESS__DEC_BAD_L4_LEN, false},
        {"0 words", 0, 0, SESS__DEC_BAD_L4_LEN, false},
        {"past the IP payload", 15, 0, SESS__DEC_BAD_L4_LEN, false},
        {"past the capture", 8, 10,
         SESS__DEC_TRUNCATED | SESS__DEC_SNAPPED, false},
        {"all payload", 10, 0, 0, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        size_t ip = ipv4(&f, 6, 0, 0);
        size_t t = tcp(&f, 0);
        payload(&f, 20);
        fix_ipv4(&f, ip);
        f.b[t + 12] = (uint8_t)(cases[i].words << 4);
        sess__pkt p;
        ASSERT_EQ(decode_prefix(SESS_LINK_RAW, &f, f.len - cases[i].cut, &p),
                  SESS_OK);
        ASSERT_EQ(p.anomalies, cases[i].anomalies);
        ASSERT_EQ(p.l4_ok, cases[i].l4_ok);
        ASSERT_EQ(p.sport, 40000); /* read before the offset was judged */
        if (p.l4_ok)
            ASSERT_EQ(p.payload_len, 0);
        else
            ASSERT(p.payload == NULL);
    }
}

typedef struct udp_len_case {
    const char *name;
    uint16_t len;
    unsigned anomalies;
    size_t payload_len;
} udp_len_case;

TEST(udp_length)
{
    static const udp_len_case cases[] = {
        {"exact", 8 + 20, 0, 20},
        {"shorter than the IP payload", 8 + 5, 0, 5},
        {"header only", 8, 0, 0},
        {"below the header", 4, SESS__DEC_BAD_L4_LEN, 20},
        {"zero", 0, SESS__DEC_BAD_L4_LEN, 20},
        {"beyond the IP payload", 8 + 21, SESS__DEC_BAD_L4_LEN, 20},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        size_t ip = ipv6(&f, 17);
        size_t u = udp(&f);
        size_t pl = payload(&f, 20);
        fix_ipv6(&f, ip);
        set16(&f, u + 4, cases[i].len);
        sess__pkt p;
        ASSERT_EQ(decode(SESS_LINK_RAW, &f, &p), SESS_OK);
        ASSERT_EQ(p.anomalies, cases[i].anomalies);
        ASSERT(p.l4_ok);
        ASSERT_EQ(at(&f, p.payload), pl);
        ASSERT_EQ(p.payload_len, cases[i].payload_len);
        ASSERT_EQ(p.payload_wire_len, cases[i].payload_len);
    }

    /* UDP length beyond the capture but within the IP length. */
    buf f = {0};
    size_t ip = ipv4(&f, 17, 0, 0);
    size_t u = udp(&f);
    payload(&f, 100);
    fix_udp(&f, u);
    fix_ipv4(&f, ip);
    sess__pkt p;
    ASSERT_EQ(decode_prefix(SESS_LINK_RAW, &f, 40, &p), SESS_OK);
    ASSERT_EQ(p.anomalies, SESS__DEC_SNAPPED);
    ASSERT_EQ(p.payload_len, 12);
    ASSERT_EQ(p.payload_wire_len, 100);
}

TEST(link_truncated)
{
    static const struct {
        uint32_t linktype;
        uint8_t bytes[20];
        size_t len;
    } cases[] = {
        {1, {0}, 13},
        {1, {[12] = 0x81, 0x00, 0, 1}, 17},  /* tag, no inner type */
        {1, {[12] = 0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2}, 20},
        {113, {0}, 15},
        {276, {0x08, 0x00}, 19},
        {0, {2, 0, 0}, 3},
        {108, {0}, 0},
        {101, {0}, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf f = {0};
        put(&f, cases[i].bytes, cases[i].len);
        sess__pkt p;
        ASSERT_EQ(decode(cases[i].linktype, &f, &p), SESS_ETRUNCATED);
        ASSERT_EQ(p.anomalies, SESS__DEC_TRUNCATED);
    }
}

TEST(strerror)
{
    ASSERT_STR_EQ(sess_strerror(SESS_OK), "ok");
    ASSERT_STR_EQ(sess_strerror(SESS_ETRUNCATED), "header truncated");
    ASSERT_STR_EQ(sess_strerror(SESS_ENOTIP), "frame carries no IP packet");
    ASSERT_STR_EQ(sess_strerror(SESS_EINVAL), "invalid argument");
    ASSERT_STR_EQ(sess_strerror(-99), "unknown error");
    ASSERT_STR_EQ(sess_strerror(1), "unknown error");
}

TEST_MAIN(TEST_CASE(link_types), TEST_CASE(link_types_truncated),
          TEST_CASE(null_family_both_orders), TEST_CASE(not_ip),
          TEST_CASE(raw_bad_version), TEST_CASE(ipv4_options),
          TEST_CASE(ipv4_udp_and_other), TEST_CASE(ipv6_extension_chain),
          TEST_CASE(ipv6_ah), TEST_CASE(ipv6_no_next_header),
          TEST_CASE(ipv6_broken_chain), TEST_CASE(ipv6_tcp_every_prefix),
          TEST_CASE(fragments), TEST_CASE(fragment_cut_by_capture),
          TEST_CASE(ipv4_not_fragment), TEST_CASE(transport_after_reassembly),
          TEST_CASE(transport_after_reassembly_v4),
          TEST_CASE(ethernet_padding), TEST_CASE(ip_lengths),
          TEST_CASE(ipv6_jumbogram), TEST_CASE(tcp_data_offset),
          TEST_CASE(udp_length), TEST_CASE(link_truncated),
          TEST_CASE(tunnels), TEST_CASE(tunnels_truncated),
          TEST_CASE(tunnels_holding_no_ip), TEST_CASE(tunnels_too_short),
          TEST_CASE(tunnel_depth), TEST_CASE(tunnel_identity),
          TEST_CASE(link_lengths_end_the_packet), TEST_CASE(vlan_ids),
          TEST_CASE(tunnel_after_reassembly), TEST_CASE(strerror))
