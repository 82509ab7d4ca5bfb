/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_flowkey.c - flow identity: where a packet was found (VLAN IDs, the
 * tunnel's kind, identifier and outer endpoints) tells flows and IP
 * datagrams apart, unless flow_key_encap is off.
 *
 * Each case runs two TCP connections with the same inner addresses, ports
 * and sequence numbers, A and B, that differ only in where they were found,
 * interleaved packet by packet.  By default A is flow 0 and B flow 1, each
 * with its own messages and its own VLAN and tunnel details; with the
 * switch off both are flow 0, as Wireshark's conversations have it.
 */
#include "sessions.h"
#include "testlib.h"

#include <string.h>

/* ---- frames ------------------------------------------------------------- */

typedef struct pkt {
    uint8_t b[512];
    size_t len;
} pkt;

static void put(pkt *p, const void *d, size_t n)
{
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

static void put8(pkt *p, unsigned v)
{
    p->b[p->len++] = (uint8_t)v;
}

static void put16(pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v & 0xff);
}

static void put32(pkt *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}

/* An IPv4 packet from 10.<net>.0.<a> to 10.<net>.0.<b> around `body`. */
static void ipv4(pkt *out, unsigned net, unsigned a, unsigned b, unsigned proto,
                 const pkt *body, unsigned id, unsigned frag)
{
    put8(out, 0x45);
    put8(out, 0);
    put16(out, (unsigned)(20 + body->len));
    put16(out, id);
    put16(out, frag);
    put8(out, 64);
    put8(out, proto);
    put16(out, 0);
    const uint8_t src[4] = {10, (uint8_t)net, 0, (uint8_t)a};
    const uint8_t dst[4] = {10, (uint8_t)net, 0, (uint8_t)b};
    put(out, src, 4);
    put(out, dst, 4);
    put(out, body->b, body->len);
}

enum { FIN = 1, SYN = 2, PSH = 8, ACK = 16 };

/* Inner TCP between 10.1.0.1:40000 (dir 0) and 10.1.0.2:7001 (dir 1). */
static pkt tcp(int dir, uint32_t seq, uint32_t ack, unsigned flags,
               const char *data)
{
    pkt t = {0}, ip = {0};
    put16(&t, dir ? 7001 : 40000);
    put16(&t, dir ? 40000 : 7001);
    put32(&t, seq);
    put32(&t, ack);
    put8(&t, 5 << 4);
    put8(&t, flags);
    put16(&t, 65535);
    put32(&t, 0);
    put(&t, data, strlen(data));
    ipv4(&ip, 1, dir ? 2 : 1, dir ? 1 : 2, 6, &t, 1, 0);
    return ip;
}

/* An Ethernet frame with VLAN tags (tpid, id pairs; tpid 0 ends them). */
static void ethernet(pkt *out, const unsigned tags[][2], unsigned type,
                     const pkt *body)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put(out, macs, sizeof macs);
    for (int i = 0; tags && tags[i][0]; i++) {
        put16(out, tags[i][0]);
        put16(out, tags[i][1]);
    }
    put16(out, type);
    put(out, body->b, body->len);
}

static void udp(pkt *out, unsigned dport, const pkt *body)
{
    put16(out, 49152);
    put16(out, dport);
    put16(out, (unsigned)(8 + body->len));
    put16(out, 0);
    put(out, body->b, body->len);
}

/* The outer packet of a tunnel between 10.9.0.<a> and 10.9.0.2, in the
 * inner packet's direction, in Ethernet. */
static void outer(pkt *out, int dir, unsigned a, unsigned proto,
                  const pkt *body)
{
    pkt ip = {0};
    ipv4(&ip, 9, dir ? 2 : a, dir ? a : 2, proto, body, 2, 0);
    ethernet(out, NULL, 0x0800, &ip);
}

/* ---- where the two connections are found ------------------------------ */

/* Wraps connection `conn`'s (0: A, 1: B) inner packet `ip`, travelling in
 * direction `dir`, into an Ethernet frame. */
typedef void (*wrap_fn)(pkt *out, const pkt *ip, int conn, int dir);

static void in_vlans(pkt *out, const pkt *ip, int conn, int dir)
{
    (void)dir;
    const unsigned tags[][2] = {{0x8100, 10u + (unsigned)conn}, {0, 0}};
    ethernet(out, tags, 0x0800, ip);
}

static void in_qinq(pkt *out, const pkt *ip, int conn, int dir)
{
    (void)dir;
    const unsigned tags[][2] = {{0x88a8, 100}, {0x8100, 10u + (unsigned)conn},
                                {0, 0}};
    ethernet(out, tags, 0x0800, ip);
}

static void vxlan(pkt *out, const pkt *ip, int dir, uint32_t vni, unsigned a)
{
    pkt inner = {0}, v = {0}, u = {0};
    ethernet(&inner, NULL, 0x0800, ip);
    put32(&v, 0x08000000);
    put32(&v, vni << 8);
    put(&v, inner.b, inner.len);
    udp(&u, 4789, &v);
    outer(out, dir, a, 17, &u);
}

static void in_vxlan_vnis(pkt *out, const pkt *ip, int conn, int dir)
{
    vxlan(out, ip, dir, 5000u + (unsigned)conn, 1);
}

static void in_vxlan_endpoints(pkt *out, const pkt *ip, int conn, int dir)
{
    vxlan(out, ip, dir, 5000, 1u + 2u * (unsigned)conn);
}

static void in_geneve(pkt *out, const pkt *ip, int conn, int dir)
{
    pkt g = {0}, u = {0};
    put8(&g, 0);
    put8(&g, 0);
    put16(&g, 0x0800);
    put32(&g, (77u + (unsigned)conn) << 8);
    put(&g, ip->b, ip->len);
    udp(&u, 6081, &g);
    outer(out, dir, 1, 17, &u);
}

static void in_gre(pkt *out, const pkt *ip, int conn, int dir)
{
    pkt g = {0};
    put16(&g, 0x2000); /* a key */
    put16(&g, 0x0800);
    put32(&g, 1u + (unsigned)conn);
    put(&g, ip->b, ip->len);
    outer(out, dir, 1, 47, &g);
}

/* Each end names its own endpoint: one TEID per direction. */
static uint32_t teid(int conn, int dir)
{
    return (dir ? 0x2000u : 0x1000u) + (unsigned)conn;
}

static void in_gtpu(pkt *out, const pkt *ip, int conn, int dir)
{
    pkt g = {0}, u = {0};
    put8(&g, 0x30);
    put8(&g, 0xff);
    put16(&g, (unsigned)ip->len);
    put32(&g, teid(conn, dir));
    put(&g, ip->b, ip->len);
    udp(&u, 2152, &g);
    outer(out, dir, 1, 17, &u);
}

/* ERSPAN type II from mirror session 1 + 2 * conn + dir, each its own GRE
 * key and outer source: every copy travels differently. */
static void in_erspan(pkt *out, const pkt *ip, int conn, int dir)
{
    pkt g = {0}, inner = {0}, outer_ip = {0};
    unsigned session = 1u + 2u * (unsigned)conn + (unsigned)dir;
    ethernet(&inner, NULL, 0x0800, ip);
    put16(&g, 0x3000); /* a key and a sequence number */
    put16(&g, 0x88be);
    put32(&g, session);
    put32(&g, 7);
    put32(&g, 0x10000000u | session); /* version 1, session ID */
    put32(&g, 0);
    put(&g, inner.b, inner.len);
    ipv4(&outer_ip, 9, 10u + session, 2, 47, &g, 2, 0);
    ethernet(out, NULL, 0x0800, &outer_ip);
}

/* ---- the session ------------------------------------------------------ */

typedef struct seen {
    int flow_of_frame[16];        /* by frame number, -1: none */
    sess_flow_info info[4];       /* last view of flows 0..3 */
    char msg[4][2][32];           /* first message per flow and direction */
} seen;

static void record(void *user, const sess_event *ev)
{
    seen *s = user;
    if (!ev->flow || ev->flow->id >= 4)
        return;
    s->info[ev->flow->id] = *ev->flow;
    if (ev->type == SESS_EV_PACKET && ev->frame < 16)
        s->flow_of_frame[ev->frame] = (int)ev->flow->id;
    if (ev->type == SESS_EV_MESSAGE) {
        char *m = s->msg[ev->flow->id][ev->u.message.dir & 1];
        if (!*m && ev->u.message.len < 32)
            memcpy(m, ev->u.message.data, ev->u.message.len);
    }
}

static void run(wrap_fn wrap, bool encap_in_key, seen *out)
{
    sess_config cfg;
    sess_config_init(&cfg);
    cfg.flow_key_encap = encap_in_key;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 16; i++)
        out->flow_of_frame[i] = -1;
    sess_t *s = sess_new(&cfg, record, out);
    ASSERT(s);
    /* A and B, packet by packet: SYN, SYN-ACK, request, reply. */
    static const struct {
        int dir;
        uint32_t seq, ack;
        unsigned flags;
        const char *data[2];
    } steps[] = {
        {0, 100, 0, SYN, {"", ""}},
        {1, 500, 101, SYN | ACK, {"", ""}},
        {0, 101, 501, ACK | PSH, {"hello from A", "hello from B"}},
        {1, 501, 113, ACK | PSH, {"reply to A", "reply to B"}},
    };
    uint64_t frame = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        for (int conn = 0; conn < 2; conn++) {
            pkt ip = tcp(steps[i].dir, steps[i].seq, steps[i].ack,
                         steps[i].flags, steps[i].data[conn]);
            pkt f = {0};
            wrap(&f, &ip, conn, steps[i].dir);
            frame++;
            sess_time ts = {1000, (uint32_t)frame * 1000000u};
            ASSERT_EQ(sess_on_packet(s, frame, ts, SESS_LINK_ETHERNET, f.b,
                                     f.len),
                      SESS_OK);
        }
    ASSERT_EQ(sess_finish(s), SESS_OK);
    sess_free(s);
}

static const struct {
    const char *name;
    wrap_fn wrap;
    /* what flow 1 (B) shows */
    uint8_t vlans;
    uint16_t vlan[2];
    sess_tunnel tunnel;
    uint32_t id[2];
    uint8_t outer_orig; /* last byte of its originator-side outer address */
} places[] = {
    {"same 5-tuple, two VLANs", in_vlans, 1, {11, 0}, SESS_TUNNEL_NONE, {0, 0}, 0},
    {"QinQ, inner tags differ", in_qinq, 2, {100, 11}, SESS_TUNNEL_NONE, {0, 0}, 0},
    {"two VXLAN VNIs", in_vxlan_vnis, 0, {0, 0}, SESS_TUNNEL_VXLAN, {5001, 5001}, 1},
    {"two GENEVE VNIs", in_geneve, 0, {0, 0}, SESS_TUNNEL_GENEVE, {78, 78}, 1},
    {"two GRE keys", in_gre, 0, {0, 0}, SESS_TUNNEL_GRE, {2, 2}, 1},
    {"two GTP-U TEID pairs", in_gtpu, 0, {0, 0}, SESS_TUNNEL_GTPU,
     {0x1001, 0x2001}, 1},
    {"same VNI, other outer endpoints", in_vxlan_endpoints, 0, {0, 0},
     SESS_TUNNEL_VXLAN, {5000, 5000}, 3},
};

TEST(same_five_tuple_in_two_places_is_two_flows)
{
    for (size_t c = 0; c < sizeof places / sizeof places[0]; c++) {
        seen s;
        run(places[c].wrap, true, &s);
        for (int frame = 1; frame <= 8; frame++)
            if (s.flow_of_frame[frame] != (frame - 1) % 2)
                TESTLIB_FAIL("%s: frame %d in flow %d, want %d", places[c].name,
                             frame, s.flow_of_frame[frame], (frame - 1) % 2);
        ASSERT_STR_EQ(s.msg[0][0], "hello from A");
        ASSERT_STR_EQ(s.msg[0][1], "reply to A");
        ASSERT_STR_EQ(s.msg[1][0], "hello from B");
        ASSERT_STR_EQ(s.msg[1][1], "reply to B");
        const sess_flow_info *b = &s.info[1];
        ASSERT_EQ(b->vlans, places[c].vlans);
        ASSERT_EQ(b->vlan[0], places[c].vlan[0]);
        ASSERT_EQ(b->vlan[1], places[c].vlan[1]);
        ASSERT_EQ(b->tunnel, places[c].tunnel);
        ASSERT_EQ(b->tunnel_id[0], places[c].id[0]);
        ASSERT_EQ(b->tunnel_id[1], places[c].id[1]);
        if (places[c].tunnel != SESS_TUNNEL_NONE) {
            ASSERT_EQ(b->tunnel_addr[0].family, 4);
            ASSERT_EQ(b->tunnel_addr[0].bytes[3], places[c].outer_orig);
            ASSERT_EQ(b->tunnel_addr[1].bytes[3], 2);
        } else {
            ASSERT_EQ(b->tunnel_addr[0].family, 0);
        }
        ASSERT_EQ(s.info[0].pkts[0] + s.info[0].pkts[1], 4);
        ASSERT_EQ(s.info[2].pkts[0], 0); /* no third flow */
    }
}

TEST(switch_off_makes_one_flow)
{
    for (size_t c = 0; c < sizeof places / sizeof places[0]; c++) {
        seen s;
        run(places[c].wrap, false, &s);
        for (int frame = 1; frame <= 8; frame++)
            if (s.flow_of_frame[frame] != 0)
                TESTLIB_FAIL("%s: frame %d in flow %d, want 0", places[c].name,
                             frame, s.flow_of_frame[frame]);
        ASSERT_EQ(s.info[0].pkts[0] + s.info[0].pkts[1], 8);
        /* the first packet says where the flow was found */
        ASSERT_EQ(s.info[0].tunnel, places[c].tunnel);
        ASSERT_EQ(s.info[0].vlans, places[c].vlans);
    }
}

/* ERSPAN carries a mirror's copies: how a copy travelled says nothing of
 * the connection, so copies of one connection are one flow however many
 * mirror sessions carried them. */
TEST(erspan_copies_are_one_flow)
{
    seen s;
    run(in_erspan, true, &s);
    for (int frame = 1; frame <= 8; frame++)
        ASSERT_EQ(s.flow_of_frame[frame], 0);
    ASSERT_EQ(s.info[0].pkts[0] + s.info[0].pkts[1], 8);
    ASSERT_EQ(s.info[0].tunnel, SESS_TUNNEL_ERSPAN);
    ASSERT_STR_EQ(s.msg[0][0], "hello from A");
}

/* Flows that only a per-direction tunnel identifier tells apart share a
 * hash chain: past SESS__FLOW_MAX_SAME_HASH (32) of them the least recent
 * ends, so lookups stay bounded whatever a sender makes up. */
static void count_evictions(void *user, const sess_event *ev)
{
    unsigned *n = user; /* [0] evicted, [1] flows ended */
    n[0] += ev->type == SESS_EV_ANOMALY &&
            ev->u.anomaly.what == SESS_AN_FLOW_EVICTED;
    n[1] += ev->type == SESS_EV_FLOW_END;
}

TEST(flows_told_apart_by_teid_only_are_capped)
{
    sess_t *s;
    unsigned n[2] = {0, 0};
    ASSERT((s = sess_new(NULL, count_evictions, n)) != NULL);
    for (int conn = 0; conn < 100; conn++) {
        pkt ip = tcp(0, 100, 0, SYN, ""), f = {0};
        in_gtpu(&f, &ip, conn, 0);
        sess_time ts = {1000, (uint32_t)conn * 1000u};
        ASSERT_EQ(sess_on_packet(s, (uint64_t)conn + 1, ts, SESS_LINK_ETHERNET,
                                 f.b, f.len),
                  SESS_OK);
    }
    ASSERT_EQ(sess_get_counts(s)->flows, 100);
    ASSERT_EQ(n[0], 100 - 32);
    ASSERT_EQ(n[1], 100 - 32);
    sess_finish(s);
    ASSERT_EQ(n[1], 100);
    sess_free(s);
}

/* PPTP, GTP-U and L2TP name the receiving end, so their two directions
 * carry different identifiers (the GTP-U case above: a reply whose TEID is
 * not known yet joins the oldest flow that has not seen one). */
TEST(tunnel_kinds_and_names)
{
    ASSERT(sess_tunnel_id_per_direction(SESS_TUNNEL_GTPU));
    ASSERT(sess_tunnel_id_per_direction(SESS_TUNNEL_PPTP));
    ASSERT(sess_tunnel_id_per_direction(SESS_TUNNEL_L2TP));
    ASSERT(!sess_tunnel_id_per_direction(SESS_TUNNEL_VXLAN));
    ASSERT(!sess_tunnel_id_per_direction(SESS_TUNNEL_GRE));
    ASSERT_STR_EQ(sess_tunnel_name(SESS_TUNNEL_GTPU), "gtpu");
    ASSERT_STR_EQ(sess_tunnel_name(SESS_TUNNEL_NONE), "");
}

/* Fragments with the same addresses, protocol and IP ID in two VLANs are
 * two datagrams; without the switch they are one, with conflicting
 * bytes. */
static void frag_events(void *user, const sess_event *ev)
{
    unsigned *n = user; /* [0] datagrams, [1] anomalies */
    n[0] += ev->type == SESS_EV_IP_DATAGRAM;
    n[1] += ev->type == SESS_EV_ANOMALY;
}

TEST(fragments_in_two_vlans_are_two_datagrams)
{
    for (int encap_in_key = 1; encap_in_key >= 0; encap_in_key--) {
        sess_config cfg;
        sess_config_init(&cfg);
        cfg.flow_key_encap = encap_in_key;
        unsigned n[2] = {0, 0};
        sess_t *s = sess_new(&cfg, frag_events, n);
        ASSERT(s);
        uint64_t frame = 0;
        for (unsigned off = 0; off < 16; off += 8)
            for (unsigned vlan = 10; vlan <= 11; vlan++) {
                pkt body = {0}, ip = {0}, f = {0};
                for (int i = 0; i < 8; i++)
                    put8(&body, vlan);
                ipv4(&ip, 1, 1, 2, 17, &body, 0x4242,
                     (off ? 0 : 0x2000) | off / 8);
                const unsigned tags[][2] = {{0x8100, vlan}, {0, 0}};
                ethernet(&f, tags, 0x0800, &ip);
                sess_time ts = {1000, (uint32_t)++frame};
                sess_on_packet(s, frame, ts, SESS_LINK_ETHERNET, f.b, f.len);
            }
        sess_finish(s);
        sess_free(s);
        if (encap_in_key) {
            ASSERT_EQ(n[0], 2);
            ASSERT_EQ(n[1], 0);
        } else {
            ASSERT_GT(n[1], 0); /* the other VLAN's bytes conflict */
        }
    }
}

TEST_MAIN(TEST_CASE(same_five_tuple_in_two_places_is_two_flows),
          TEST_CASE(switch_off_makes_one_flow),
          TEST_CASE(erspan_copies_are_one_flow),
          TEST_CASE(flows_told_apart_by_teid_only_are_capped),
          TEST_CASE(tunnel_kinds_and_names),
          TEST_CASE(fragments_in_two_vlans_are_two_datagrams))
