/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_session.c - the session end to end: flows, originators, ids,
 * timeouts, eviction, fragments into flows, TCP lifecycle, messages.
 *
 * Packets are raw IPv4/IPv6 frames (LINKTYPE_RAW) built by hand; every event
 * the session emits is recorded into a log that the cases assert on.
 */
#include "sessions.h"
#include "sessions_framer.h"
#include "testlib.h"

/* ---- frames ---------------------------------------------------------------- */

typedef struct frame {
    uint8_t b[2048];
    size_t len;
} frame;

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffff);
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

/* IPv4 host 192.0.2.<a> port pa -> 192.0.2.<b> port pb. */
static frame tcp4(int a, int pa, int b, int pb, uint32_t seq, uint32_t ack,
                  unsigned flags, const char *payload)
{
    frame f = {0};
    size_t n = payload ? strlen(payload) : 0;
    uint8_t *ip = f.b, *t = f.b + 20;
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(40 + n));
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = (uint8_t)a;
    ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = (uint8_t)b;
    be16(t, (unsigned)pa);
    be16(t + 2, (unsigned)pb);
    be32(t + 4, seq);
    be32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = (uint8_t)flags;
    be16(t + 14, 65535);
    memcpy(t + 20, payload ? payload : "", n);
    f.len = 40 + n;
    return f;
}

static frame udp4(int a, int pa, int b, int pb, const char *payload)
{
    frame f = {0};
    size_t n = strlen(payload);
    uint8_t *ip = f.b, *u = f.b + 20;
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(28 + n));
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = (uint8_t)a;
    ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = (uint8_t)b;
    be16(u, (unsigned)pa);
    be16(u + 2, (unsigned)pb);
    be16(u + 4, (unsigned)(8 + n));
    memcpy(u + 8, payload, n);
    f.len = 28 + n;
    return f;
}

/* An IPv4 fragment of `whole` (a UDP datagram built by udp4) carrying bytes
 * [off, off+len) of its fragmentable part. */
static frame frag4(const frame *whole, size_t off, size_t len, bool more)
{
    frame f = {0};
    memcpy(f.b, whole->b, 20);
    memcpy(f.b + 20, whole->b + 20 + off, len);
    be16(f.b + 2, (unsigned)(20 + len));
    be16(f.b + 4, 0x4242);
    be16(f.b + 6, (unsigned)((more ? 0x2000 : 0) | (off / 8)));
    f.len = 20 + len;
    return f;
}

static frame tcp6(int a, int pa, int b, int pb, uint32_t seq, unsigned flags,
                  const char *payload)
{
    frame f = {0};
    size_t n = payload ? strlen(payload) : 0;
    uint8_t *ip = f.b, *t = f.b + 40;
    ip[0] = 0x60;
    be16(ip + 4, (unsigned)(20 + n));
    ip[6] = 6;
    ip[7] = 64;
    ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = (uint8_t)a;
    ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = (uint8_t)b;
    be16(t, (unsigned)pa);
    be16(t + 2, (unsigned)pb);
    be32(t + 4, seq);
    t[12] = 5 << 4;
    t[13] = (uint8_t)flags;
    be16(t + 14, 65535);
    memcpy(t + 20, payload ? payload : "", n);
    f.len = 60 + n;
    return f;
}

/* ---- event log ----------------------------------------------------------- */

typedef struct logged {
    sess_event_type type;
    uint64_t frame;
    int flow_id; /* -1 when none */
    uint8_t dir;
    uint64_t pkts, bytes;
    bool new_flow;
    char text[256];  /* message/datagram bytes, anomaly name, state+history */
    uint64_t offset, len, missing;
    unsigned flags;
    const char *proto;
    sess_missing_fate fate;
} logged;

typedef struct log {
    logged ev[512];
    size_t n;
    size_t dropped; /* events past the log's end */
} log_t;

static void record(void *user, const sess_event *ev)
{
    log_t *l = user;
    if (l->n == sizeof l->ev / sizeof l->ev[0]) {
        l->dropped++;
        return;
    }
    logged *e = &l->ev[l->n++];
    memset(e, 0, sizeof *e);
    e->type = ev->type;
    e->frame = ev->frame;
    e->flow_id = ev->flow ? (int)ev->flow->id : -1;
    if (ev->flow) {
        e->pkts = ev->flow->pkts[0] + ev->flow->pkts[1];
        e->bytes = ev->flow->bytes[0] + ev->flow->bytes[1];
    }
    switch (ev->type) {
    case SESS_EV_PACKET:
        e->dir = ev->u.packet.dir;
        e->new_flow = ev->u.packet.new_flow;
        break;
    case SESS_EV_MESSAGE: {
        const sess_message *m = &ev->u.message;
        e->dir = m->dir;
        e->offset = m->offset;
        e->len = m->len;
        e->missing = m->missing;
        e->flags = (unsigned)m->partial | (unsigned)m->gap << 1;
        e->proto = m->proto;
        size_t k = m->len < sizeof e->text - 1 ? m->len : sizeof e->text - 1;
        for (size_t i = 0; i < k; i++)
            e->text[i] = m->data[i] ? (char)m->data[i] : '.';
        break;
    }
    case SESS_EV_IP_DATAGRAM:
        e->len = ev->u.datagram.len;
        break;
    case SESS_EV_TCP_SEGMENT:
        e->dir = ev->u.segment.dir;
        e->offset = ev->u.segment.offset;
        e->len = ev->u.segment.len;
        e->flags = ev->u.segment.flags;
        break;
    case SESS_EV_TCP_MISSING:
        e->dir = ev->u.missing.dir;
        e->offset = ev->u.missing.offset;
        e->len = ev->u.missing.len;
        e->fate = ev->u.missing.fate;
        break;
    case SESS_EV_FLOW_END:
        snprintf(e->text, sizeof e->text, "%s %s", ev->flow->state,
                 ev->flow->history);
        break;
    case SESS_EV_ANOMALY:
        snprintf(e->text, sizeof e->text, "%s",
                 sess_anomaly_name(ev->u.anomaly.what));
        break;
    case SESS_EV_IP_FRAGMENT:
        break;
    }
}

static size_t count(const log_t *l, sess_event_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->ev[i].type == t;
    return n;
}

static const logged *nth(const log_t *l, sess_event_type t, size_t k)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->ev[i].type == t && k-- == 0)
            return &l->ev[i];
    return NULL;
}

static const logged *packet_of(const log_t *l, uint64_t num)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->ev[i].type == SESS_EV_PACKET && l->ev[i].frame == num)
            return &l->ev[i];
    return NULL;
}

/* The first message cut holds exactly `text`. */
static void assert_first_message(const log_t *l, const char *text)
{
    const logged *m = nth(l, SESS_EV_MESSAGE, 0);
    ASSERT(m);
    ASSERT_STR_EQ(m->text, text);
}

static sess_t *s_new(log_t *l, void (*tune)(sess_config *))
{
    sess_config cfg;
    sess_config_init(&cfg);
    if (tune)
        tune(&cfg);
    memset(l, 0, sizeof *l);
    sess_t *s = sess_new(&cfg, record, l);
    ASSERT(s);
    return s;
}

static uint64_t clock_frame;

/* Capture time `seconds` (exact to the millisecond) as the core takes it. */
static sess_time at(double seconds)
{
    int64_t ms = (int64_t)(seconds * 1000.0 + 0.5);
    return (sess_time){ms / 1000, (uint32_t)(ms % 1000) * 1000000u};
}

static void feed(sess_t *s, const frame *f, double seconds)
{
    ASSERT_EQ(sess_on_packet(s, ++clock_frame, at(seconds), SESS_LINK_RAW,
                             f->b, f->len),
              SESS_OK);
}

/* ---- flows ------------------------------------------------------------------ */

TEST(flow_ids_directions_and_counts)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    frame a = udp4(1, 1000, 2, 53, "q1");
    frame b = udp4(2, 53, 1, 1000, "answer");
    frame c = udp4(3, 5000, 2, 53, "q");
    feed(s, &a, 1); /* frame 1: flow 0, dir 0 */
    feed(s, &c, 2); /* frame 2: flow 1 */
    feed(s, &b, 3); /* frame 3: flow 0, dir 1 */
    const logged *p1 = packet_of(&l, 1), *p2 = packet_of(&l, 2),
                 *p3 = packet_of(&l, 3);
    ASSERT_EQ(p1->flow_id, 0);
    ASSERT_EQ(p1->dir, 0);
    ASSERT(p1->new_flow);
    ASSERT_EQ(p1->pkts, 1);
    ASSERT_EQ(p1->bytes, 2);
    ASSERT_EQ(p2->flow_id, 1);
    ASSERT_EQ(p3->flow_id, 0);
    ASSERT_EQ(p3->dir, 1);
    ASSERT(!p3->new_flow);
    ASSERT_EQ(p3->pkts, 2);
    ASSERT_EQ(p3->bytes, 8);
    sess_finish(s);
    ASSERT_EQ(count(&l, SESS_EV_FLOW_END), 2);
    ASSERT_EQ(sess_get_counts(s)->flows, 2);
    sess_free(s);
}

TEST(originator_is_syn_sender_or_synack_receiver)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    /* First seen: a SYN-ACK from the server; the client is the originator. */
    frame sa = tcp4(2, 80, 1, 40000, 500, 101, SYN | ACK, NULL);
    frame ack = tcp4(1, 40000, 2, 80, 101, 501, ACK, NULL);
    feed(s, &sa, 1);
    feed(s, &ack, 2);
    ASSERT_EQ(packet_of(&l, 1)->dir, 1);
    ASSERT_EQ(packet_of(&l, 2)->dir, 0);
    /* First seen: plain data from the server; the sender is the originator. */
    frame d = tcp4(3, 80, 1, 40001, 7, 9, ACK | PSH, "x");
    feed(s, &d, 3);
    ASSERT_EQ(packet_of(&l, 3)->dir, 0);
    sess_free(s);
}

static void short_timeout(sess_config *c) { c->flow_timeout = 10; }

TEST(flow_returning_after_timeout_gets_new_id)
{
    log_t l;
    sess_t *s = s_new(&l, short_timeout);
    clock_frame = 0;
    frame a = udp4(1, 1000, 2, 53, "q");
    feed(s, &a, 100);
    feed(s, &a, 105);
    feed(s, &a, 200); /* idle 95 s > 10 s: the old flow ended */
    ASSERT_EQ(packet_of(&l, 2)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 3)->flow_id, 1);
    const logged *end = nth(&l, SESS_EV_FLOW_END, 0);
    ASSERT(end);
    ASSERT_EQ(end->frame, 2); /* on the flow's last frame */
    ASSERT_EQ(end->flow_id, 0);
    sess_free(s);
}

static void two_flows(sess_config *c) { c->max_flows = 2; }

TEST(flow_table_full_evicts_least_recent)
{
    log_t l;
    sess_t *s = s_new(&l, two_flows);
    clock_frame = 0;
    frame a = udp4(1, 1, 2, 2, "a"), b = udp4(1, 3, 2, 4, "b"),
          c = udp4(1, 5, 2, 6, "c");
    feed(s, &a, 1);
    feed(s, &b, 2);
    feed(s, &a, 3); /* a is now the most recent */
    feed(s, &c, 4); /* evicts b */
    const logged *an = nth(&l, SESS_EV_ANOMALY, 0);
    ASSERT(an);
    ASSERT_STR_EQ(an->text, "flow-evicted");
    ASSERT_EQ(an->frame, 2);
    ASSERT_EQ(an->flow_id, 1);
    feed(s, &b, 5);
    ASSERT_EQ(packet_of(&l, 5)->flow_id, 3); /* b came back: a new id */
    sess_free(s);
}

TEST(ipv6_flow_with_full_addresses)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    frame a = tcp6(1, 40000, 2, 80, 1, SYN, NULL);
    frame b = tcp6(3, 40000, 2, 80, 1, SYN, NULL); /* differs in the last byte */
    feed(s, &a, 1);
    feed(s, &b, 2);
    ASSERT_EQ(packet_of(&l, 1)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 2)->flow_id, 1);
    sess_free(s);
}

/* ---- fragments into flows ------------------------------------------------ */

static void ip_kind(sess_config *c) { c->kind = SESS_KIND_IP; }
static void default_kind(sess_config *c) { c->kind = SESS_KIND_DEFAULT; }

TEST(udp_in_fragments_counted_once_on_completing_frame)
{
    log_t l;
    sess_t *s = s_new(&l, ip_kind);
    clock_frame = 0;
    frame whole = udp4(1, 1000, 2, 2000, "0123456789abcdefghijklmnopqrstuv");
    /* fragmentable part: 8 UDP header + 32 payload = 40 bytes */
    frame f1 = frag4(&whole, 0, 16, true), f2 = frag4(&whole, 16, 16, true),
          f3 = frag4(&whole, 32, 8, false);
    feed(s, &f3, 1);
    feed(s, &f1, 2);
    feed(s, &f2, 3);
    ASSERT_EQ(packet_of(&l, 1)->flow_id, -1);
    ASSERT_EQ(packet_of(&l, 2)->flow_id, -1);
    const logged *p = packet_of(&l, 3);
    ASSERT_EQ(p->flow_id, 0);
    ASSERT_EQ(p->pkts, 1);
    ASSERT_EQ(p->bytes, 32);
    ASSERT_EQ(count(&l, SESS_EV_IP_FRAGMENT), 3);
    const logged *dg = nth(&l, SESS_EV_IP_DATAGRAM, 0);
    ASSERT(dg);
    ASSERT_EQ(dg->frame, 3);
    ASSERT_EQ(dg->len, 40);
    sess_free(s);
}

/* ip_timeout applies on the frame whose capture time passes it, whatever
 * that frame carries: a lone fragment at t=0 followed only by other traffic
 * times out at the first frame past 30 s, and its memory goes with it (the
 * end of the capture finds nothing left to report). */
TEST(ip_fragment_expires_while_other_traffic_flows)
{
    log_t l;
    sess_t *s = s_new(&l, ip_kind);
    clock_frame = 0;
    frame whole = udp4(1, 1000, 2, 2000, "0123456789abcdefghijklmnopqrstuv");
    frame lone = frag4(&whole, 0, 16, true);
    frame other = udp4(3, 3000, 4, 4000, "other traffic");
    feed(s, &lone, 0);
    size_t reported_at = 0; /* the seconds of the frame that reported it */
    for (int t = 1; t <= 100; t++) {
        size_t before = count(&l, SESS_EV_ANOMALY);
        feed(s, &other, t);
        if (!reported_at && count(&l, SESS_EV_ANOMALY) > before)
            reported_at = (size_t)t;
    }
    ASSERT_EQ(reported_at, 31);
    const logged *a = nth(&l, SESS_EV_ANOMALY, 0);
    ASSERT_STR_EQ(a->text, "frag-timeout");
    ASSERT_EQ(a->frame, 1); /* on the datagram's last fragment */
    sess_finish(s);
    ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 1);
    sess_free(s);
}

TEST(default_session_does_not_defragment)
{
    log_t l;
    sess_t *s = s_new(&l, default_kind);
    clock_frame = 0;
    frame whole = udp4(1, 1000, 2, 2000, "0123456789abcdefghijklmnopqrstuv");
    frame f1 = frag4(&whole, 0, 16, true), f2 = frag4(&whole, 16, 24, false);
    feed(s, &f1, 1);
    feed(s, &f2, 2);
    ASSERT_EQ(count(&l, SESS_EV_IP_DATAGRAM), 0);
    /* Both are IP-level packets of one flow (proto 17, no ports). */
    ASSERT_EQ(packet_of(&l, 1)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 2)->flow_id, 0);
    sess_free(s);
}

/* ---- TCP -------------------------------------------------------------------- */

/* A client 1:40000 talks to server 2:<port>; ISNs 1000 and 5000. */
static void handshake(sess_t *s, int port, double ts)
{
    frame syn = tcp4(1, 40000, 2, port, 1000, 0, SYN, NULL);
    frame sa = tcp4(2, port, 1, 40000, 5000, 1001, SYN | ACK, NULL);
    frame ack = tcp4(1, 40000, 2, port, 1001, 5001, ACK, NULL);
    feed(s, &syn, ts);
    feed(s, &sa, ts);
    feed(s, &ack, ts);
}

TEST(tcp_segment_in_fragments_reassembled_into_its_stream)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    /* 20 bytes of TCP header + 28 of payload = 48 bytes, in 3 fragments
     * arriving last, first, middle. */
    frame whole = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK | PSH,
                       "fragmented tcp payload bytes");
    frame f1 = frag4(&whole, 0, 16, true), f2 = frag4(&whole, 16, 16, true),
          f3 = frag4(&whole, 32, 16, false);
    feed(s, &f3, 1); /* frame 4 */
    feed(s, &f1, 1); /* frame 5 */
    feed(s, &f2, 1); /* frame 6: completes */
    ASSERT_EQ(packet_of(&l, 4)->flow_id, -1);
    ASSERT_EQ(packet_of(&l, 5)->flow_id, -1);
    ASSERT_EQ(packet_of(&l, 6)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 6)->pkts, 4);
    const logged *seg = nth(&l, SESS_EV_TCP_SEGMENT, 0);
    ASSERT(seg);
    ASSERT_EQ(seg->frame, 6);
    ASSERT_EQ(seg->offset, 0);
    ASSERT_EQ(seg->len, 28);
    sess_finish(s);
    assert_first_message(&l, "fragmented tcp payload bytes");
    sess_free(s);
}

TEST(tcp_raw_streams_emitted_at_fin)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame d1 = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK | PSH, "hello ");
    frame d2 = tcp4(1, 40000, 2, 7777, 1007, 5001, ACK | PSH, "world");
    frame r1 = tcp4(2, 7777, 1, 40000, 5001, 1012, ACK | PSH, "reply");
    frame f1 = tcp4(1, 40000, 2, 7777, 1012, 5006, FIN | ACK, NULL);
    frame f2 = tcp4(2, 7777, 1, 40000, 5006, 1013, FIN | ACK, NULL);
    feed(s, &d2, 1); /* frame 4: out of order */
    feed(s, &d1, 1); /* frame 5 */
    feed(s, &r1, 1);
    feed(s, &f1, 1);
    feed(s, &f2, 1);
    ASSERT(nth(&l, SESS_EV_TCP_SEGMENT, 0)->flags & SESS_SEG_OUT_OF_ORDER);
    ASSERT_EQ(nth(&l, SESS_EV_TCP_SEGMENT, 0)->offset, 6);
    ASSERT_EQ(count(&l, SESS_EV_MESSAGE), 2);
    const logged *m0 = nth(&l, SESS_EV_MESSAGE, 0), *m1 = nth(&l, SESS_EV_MESSAGE, 1);
    ASSERT_STR_EQ(m0->text, "hello world");
    ASSERT_EQ(m0->dir, 0);
    ASSERT_EQ(m0->frame, 7); /* the originator's FIN completes its direction */
    ASSERT_STR_EQ(m1->text, "reply");
    ASSERT_EQ(m1->dir, 1);
    ASSERT_EQ(m1->frame, 8);
    ASSERT_STR_EQ(m0->proto, "raw");
    sess_finish(s);
    const logged *end = nth(&l, SESS_EV_FLOW_END, 0);
    ASSERT_STR_EQ(end->text, "SF ShADdFf");
    sess_free(s);
}

/* Rule 2 of the ACK hint: bytes the peer acknowledges beyond the last one
 * the sender was seen to send are counted once, when the direction ends,
 * and never delivered. */
TEST(tcp_bytes_acked_beyond_the_last_sent_are_counted_not_delivered)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame d = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK, "abc");
    frame ack = tcp4(2, 7777, 1, 40000, 5001, 1001 + 3 + 100000, ACK, NULL);
    feed(s, &d, 1);
    feed(s, &ack, 1);
    sess_finish(s);
    const logged *miss = nth(&l, SESS_EV_TCP_MISSING, 0);
    ASSERT(miss);
    ASSERT_EQ(miss->dir, 0);
    ASSERT_EQ(miss->offset, 3);
    ASSERT_EQ(miss->len, 100000);
    ASSERT_EQ(miss->fate, SESS_MISSING_UNSEEN);
    ASSERT(!nth(&l, SESS_EV_TCP_MISSING, 1));
    assert_first_message(&l, "abc");
    ASSERT_EQ(nth(&l, SESS_EV_MESSAGE, 0)->missing, 0);
    ASSERT(!nth(&l, SESS_EV_MESSAGE, 1));
    sess_free(s);
}

TEST(tcp_gap_given_up_when_peer_acks_past_it)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame d2 = tcp4(1, 40000, 2, 7777, 1005, 5001, ACK, "5678");
    frame ack = tcp4(2, 7777, 1, 40000, 5001, 1009, ACK, NULL);
    feed(s, &d2, 1); /* frame 4: bytes 0..3 never seen */
    feed(s, &ack, 1); /* frame 5: the server had them */
    /* An ACK is a hint: within its grace the data may still come. */
    ASSERT(!nth(&l, SESS_EV_TCP_MISSING, 0));
    sess_finish(s); /* nothing came: given up on the flow's last frame */
    const logged *miss = nth(&l, SESS_EV_TCP_MISSING, 0);
    ASSERT(miss);
    ASSERT_EQ(miss->frame, 5);
    ASSERT_EQ(miss->dir, 0);
    ASSERT_EQ(miss->offset, 0);
    ASSERT_EQ(miss->len, 4);
    ASSERT_EQ(miss->fate, SESS_MISSING_ZERO_FILLED);
    /* The given-up bytes go out on their own, and the data after them is
     * framed afresh. */
    assert_first_message(&l, "....");
    ASSERT_EQ(nth(&l, SESS_EV_MESSAGE, 0)->missing, 4);
    const logged *after = nth(&l, SESS_EV_MESSAGE, 1);
    ASSERT(after);
    ASSERT_STR_EQ(after->text, "5678");
    ASSERT_EQ(after->missing, 0);
    sess_free(s);
}

/* A 1-byte length framer reading zeros would cut a 1-byte message per zero
 * byte: given-up zeros are cut raw instead, as one message.  A hole longer
 * than the fill limit (the smaller of tcp_hole_fill_max and max_message,
 * 4096 here) is skipped, not zero-filled: no zeros reach a message, it is
 * still reported missing, and the length framer, which cannot find its
 * place again, leaves the rest of the direction to raw. */
static const sess_length_params one_byte_length = {0, 1, false, 0};
static const sess_framer_entry length_on_7000[] = {
    {7000, &sess_framer_length, &one_byte_length}};
static const sess_framer_table length_table = {length_on_7000, 1, NULL, 0};

static void length_framer_4k_messages(sess_config *cfg)
{
    cfg->framers = &length_table;
    cfg->max_message = 4096;
}

TEST(tcp_hole_zero_filled_up_to_the_fill_limit_skipped_beyond)
{
    static const struct {
        uint32_t hole;
        bool filled;
    } cases[] = {{1, true},     {3000, true},   {4096, true},
                 {4097, false}, {100000, false}, {8u << 20, false}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint32_t hole = cases[k].hole;
        log_t l;
        sess_t *s = s_new(&l, length_framer_4k_messages);
        clock_frame = 0;
        handshake(s, 7000, 1);
        frame first = tcp4(1, 40000, 2, 7000, 1001, 5001, ACK, "\x03" "abc");
        frame last = tcp4(1, 40000, 2, 7000, 1005 + hole, 5001, ACK, "\x02" "hi");
        frame ack = tcp4(2, 7000, 1, 40000, 5001, 1005 + hole + 3, ACK, NULL);
        feed(s, &first, 1);
        feed(s, &last, 1);
        feed(s, &ack, 1); /* acknowledges the hole between them */
        sess_finish(s);   /* which never came: given up */
        const logged *miss = nth(&l, SESS_EV_TCP_MISSING, 0);
        ASSERT(miss);
        ASSERT_EQ(miss->offset, 4);
        ASSERT_EQ(miss->len, hole);
        ASSERT_EQ(miss->fate, cases[k].filled ? SESS_MISSING_ZERO_FILLED
                                              : SESS_MISSING_SKIPPED);
        ASSERT_STR_EQ(nth(&l, SESS_EV_MESSAGE, 0)->text, "\x03" "abc");
        const logged *after = nth(&l, SESS_EV_MESSAGE, cases[k].filled ? 2 : 1);
        ASSERT(after);
        ASSERT_STR_EQ(after->text, "\x02" "hi");
        ASSERT_EQ(after->offset, 4 + hole);
        ASSERT_EQ(after->missing, 0);
        if (cases[k].filled) {
            const logged *zeros = nth(&l, SESS_EV_MESSAGE, 1);
            ASSERT_STR_EQ(zeros->proto, "raw");
            ASSERT_EQ(zeros->len, hole);
            ASSERT_EQ(zeros->missing, hole);
            ASSERT_STR_EQ(after->proto, "length"); /* framed afresh */
            ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 0);
        } else {
            ASSERT_STR_EQ(after->proto, "raw");
            ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 1);
            ASSERT_STR_EQ(nth(&l, SESS_EV_ANOMALY, 0)->text, "framer-error");
        }
        ASSERT(!nth(&l, SESS_EV_MESSAGE, cases[k].filled ? 3 : 2));
        sess_free(s);
    }
}

/* Framing across a skipped gap (a hole longer than the 64 KiB fill limit,
 * given up at the end of the capture): the message in progress before it
 * ends partial, counting the gap missing; HTTP resumes at the next request
 * line (a whole one: a method token alone is not), TLS at the
 * next plausible record header; the bytes before that point go out as a
 * partial message of the framer's protocol. */
enum { GAP = 100000 };

typedef struct want_msg {
    const char *proto;
    size_t len;
    bool partial;
    uint64_t missing;
    const char *starts; /* the message's first bytes */
} want_msg;

static char tls_records[4][300];

/* A 262-byte TLS application-data record: header, then 257 'x' or 'y'. */
static const char *tls_record(int i)
{
    char *r = tls_records[i];
    memcpy(r, "\x17\x03\x03\x01\x01", 5);
    memset(r + 5, i % 2 ? 'y' : 'x', 257);
    r[262] = '\0';
    return r;
}

TEST(tcp_framers_resynchronise_after_a_skipped_gap)
{
    char tls_before[600], tls_after[800];
    snprintf(tls_before, sizeof tls_before, "%s%.100s", tls_record(0),
             tls_record(1));
    snprintf(tls_after, sizeof tls_after, "%s%s%s", tls_record(1) + 100,
             tls_record(2), tls_record(3));
    static const char *const get_a = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char *const get_c = "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char *const post_b =
        "POST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234";
    char http_before[256], http_mid_line[256];
    snprintf(http_before, sizeof http_before, "%s%s", get_a, post_b);
    snprintf(http_mid_line, sizeof http_mid_line, "ly GET it\r\nmore%s",
             get_c);
    char http_after[256];
    snprintf(http_after, sizeof http_after, "56789%s", get_c);
    const struct {
        const char *name;
        int port;
        const char *before, *after;
        want_msg want[5];
    } cases[] = {
        {"http: request split around the gap", 80, http_before, http_after,
         {{"http", strlen(get_a), false, 0, "GET /a"},
          {"http", strlen(post_b), true, GAP, "POST /b"},
          {"http", 5, true, 0, "56789"},
          {"http", strlen(get_c), false, 0, "GET /c"}}},
        {"http: a method token, not a request line", 80, get_a, http_mid_line,
         {{"http", strlen(get_a), false, 0, "GET /a"},
          {"http", 15, true, 0, "ly GET it"},
          {"http", strlen(get_c), false, 0, "GET /c"}}},
        {"http: the gap ends at a request", 80, get_a, get_c,
         {{"http", strlen(get_a), false, 0, "GET /a"},
          {"http", strlen(get_c), false, 0, "GET /c"}}},
        {"tls: record split around the gap", 443, tls_before, tls_after,
         {{"tls", 262, false, 0, "\x17\x03\x03"},
          {"tls", 100, true, GAP, "\x17\x03\x03"},
          {"tls", 162, true, 0, "yyyy"},
          {"tls", 262, false, 0, "\x17\x03\x03\x01\x01xxxx"},
          {"tls", 262, false, 0, "\x17\x03\x03\x01\x01yyyy"}}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        log_t l;
        sess_t *s = s_new(&l, NULL);
        clock_frame = 0;
        handshake(s, cases[k].port, 1);
        uint32_t after_seq = 1001 + (uint32_t)strlen(cases[k].before) + GAP;
        frame before = tcp4(1, 40000, 2, cases[k].port, 1001, 5001, ACK | PSH,
                            cases[k].before);
        frame after = tcp4(1, 40000, 2, cases[k].port, after_seq, 5001,
                           ACK | PSH, cases[k].after);
        feed(s, &before, 1);
        feed(s, &after, 1);
        sess_finish(s);
        const logged *miss = nth(&l, SESS_EV_TCP_MISSING, 0);
        ASSERT(miss);
        ASSERT_EQ(miss->len, GAP);
        size_t n = 0;
        for (; n < 5 && cases[k].want[n].proto; n++) {
            const want_msg *w = &cases[k].want[n];
            const logged *m = nth(&l, SESS_EV_MESSAGE, n);
            if (!m || strcmp(m->proto, w->proto) != 0 || m->len != w->len ||
                m->missing != w->missing ||
                strncmp(m->text, w->starts, strlen(w->starts)) != 0)
                TESTLIB_FAIL("%s: message %zu: %s %zu bytes missing %llu "
                             "\"%.12s\", want %s %zu missing %llu \"%s\"",
                             cases[k].name, n, m ? m->proto : "none",
                             m ? (size_t)m->len : 0,
                             m ? (unsigned long long)m->missing : 0,
                             m ? m->text : "", w->proto, w->len,
                             (unsigned long long)w->missing, w->starts);
            /* every partial message here is partial because of the gap */
            ASSERT_EQ(m->flags, w->partial ? 3u : 0u);
        }
        ASSERT(!nth(&l, SESS_EV_MESSAGE, n));
        ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 0);
        sess_free(s);
    }
}

/* The peer's ACK captured before the data it acknowledges (both ends
 * captured, a multi-queue NIC): nothing is given up, nothing is late. */
TEST(tcp_ack_before_data_loses_nothing)
{
    for (int apart = 0; apart <= 3; apart++) {
        log_t l;
        sess_t *s = s_new(&l, NULL);
        clock_frame = 0;
        handshake(s, 7777, 1);
        frame d1 = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK, "1234");
        frame d2 = tcp4(1, 40000, 2, 7777, 1005, 5001, ACK, "5678");
        frame d3 = tcp4(1, 40000, 2, 7777, 1009, 5001, ACK, "9abc");
        frame ack = tcp4(2, 7777, 1, 40000, 5001, 1013, ACK, NULL);
        frame other = tcp4(2, 7777, 1, 40000, 5001, 1005, ACK, NULL);
        feed(s, &d1, 1);
        feed(s, &d3, 1);
        feed(s, &ack, 1); /* acknowledges d2, not captured yet */
        for (int i = 0; i < apart; i++)
            feed(s, &other, 1);
        feed(s, &d2, 1);
        ASSERT(!nth(&l, SESS_EV_TCP_MISSING, 0));
        sess_finish(s);
        ASSERT(!nth(&l, SESS_EV_TCP_MISSING, 0));
        assert_first_message(&l, "123456789abc");
        ASSERT_EQ(nth(&l, SESS_EV_MESSAGE, 0)->missing, 0);
        sess_free(s);
    }
}

TEST(tcp_port_reuse_starts_new_flow)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame f1 = tcp4(1, 40000, 2, 7777, 1001, 5001, FIN | ACK, NULL);
    frame f2 = tcp4(2, 7777, 1, 40000, 5001, 1002, FIN | ACK, NULL);
    feed(s, &f1, 1);
    feed(s, &f2, 1);
    frame syn2 = tcp4(1, 40000, 2, 7777, 90000, 0, SYN, NULL);
    feed(s, &syn2, 2); /* frame 6 */
    ASSERT_EQ(packet_of(&l, 6)->flow_id, 1);
    ASSERT(packet_of(&l, 6)->new_flow);
    /* A retransmitted SYN with the same ISN stays in its flow. */
    feed(s, &syn2, 3);
    ASSERT_EQ(packet_of(&l, 7)->flow_id, 1);
    sess_free(s);
}

/* Only the client's FIN was captured; the same client port then opens a
 * new connection: a new flow, whose data is its own. */
TEST(tcp_port_reuse_after_half_close)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame f1 = tcp4(1, 40000, 2, 7777, 1001, 5001, FIN | ACK, NULL);
    feed(s, &f1, 1); /* frame 4; the server's FIN escaped the capture */
    frame syn = tcp4(1, 40000, 2, 7777, 3000000000u, 0, SYN, NULL);
    frame sa = tcp4(2, 7777, 1, 40000, 77, 3000000001u, SYN | ACK, NULL);
    frame d = tcp4(1, 40000, 2, 7777, 3000000001u, 78, ACK | PSH, "second");
    frame r = tcp4(2, 7777, 1, 40000, 78, 3000000007u, RST, NULL);
    feed(s, &syn, 2); /* frame 5 */
    feed(s, &sa, 2);
    feed(s, &d, 2);
    feed(s, &r, 2);
    ASSERT_EQ(packet_of(&l, 5)->flow_id, 1);
    ASSERT(packet_of(&l, 5)->new_flow);
    ASSERT_EQ(packet_of(&l, 7)->flow_id, 1);
    const logged *end = nth(&l, SESS_EV_FLOW_END, 0);
    ASSERT_EQ(end->flow_id, 0);
    ASSERT_STR_EQ(end->text, "S2 ShAF");
    assert_first_message(&l, "second");
    ASSERT_EQ(count(&l, SESS_EV_TCP_MISSING), 0);
    sess_free(s);
}

/* A connection picked up midstream, then a SYN on its 4-tuple: the old
 * connection ended unseen and a new one starts. */
TEST(tcp_syn_after_midstream_starts_new_flow)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    frame d = tcp4(1, 40000, 2, 7777, 500, 900, ACK | PSH, "old");
    frame syn = tcp4(1, 40000, 2, 7777, 10, 0, SYN, NULL);
    feed(s, &d, 1);
    feed(s, &syn, 2);
    ASSERT_EQ(packet_of(&l, 1)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 2)->flow_id, 1);
    sess_free(s);
}

/* Both ends send a SYN before either answers (RFC 793's simultaneous
 * open), then each acknowledges the other's: one connection. */
TEST(tcp_simultaneous_open_is_one_flow)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    frame f[] = {
        tcp4(1, 5000, 2, 6000, 100, 0, SYN, NULL),
        tcp4(2, 6000, 1, 5000, 900, 0, SYN, NULL),
        tcp4(1, 5000, 2, 6000, 100, 901, SYN | ACK, NULL),
        tcp4(2, 6000, 1, 5000, 900, 101, SYN | ACK, NULL),
        tcp4(1, 5000, 2, 6000, 101, 901, ACK | PSH, "from one\r\n"),
        tcp4(2, 6000, 1, 5000, 901, 111, ACK | PSH, "from two\r\n"),
        tcp4(1, 5000, 2, 6000, 111, 911, FIN | ACK, NULL),
        tcp4(2, 6000, 1, 5000, 911, 112, FIN | ACK, NULL),
        tcp4(1, 5000, 2, 6000, 112, 912, ACK, NULL),
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        feed(s, &f[i], 1);
    for (uint64_t n = 1; n <= 9; n++)
        ASSERT_EQ(packet_of(&l, n)->flow_id, 0);
    ASSERT_EQ(packet_of(&l, 1)->dir, 0);
    ASSERT_EQ(packet_of(&l, 2)->dir, 1);
    sess_finish(s);
    ASSERT_EQ(count(&l, SESS_EV_FLOW_END), 1);
    ASSERT_EQ(count(&l, SESS_EV_MESSAGE), 2);
    assert_first_message(&l, "from one\r\n");
    ASSERT_STR_EQ(nth(&l, SESS_EV_FLOW_END, 0)->text, "SF SsHhDdFfA");
    sess_free(s);
}

TEST(tcp_rst_ends_both_directions)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 7777, 1);
    frame d = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK, "abc");
    frame r = tcp4(2, 7777, 1, 40000, 5001, 1004, RST, NULL);
    feed(s, &d, 1);
    feed(s, &r, 1);
    const logged *m = nth(&l, SESS_EV_MESSAGE, 0);
    ASSERT(m);
    ASSERT_EQ(m->frame, 5);
    ASSERT_STR_EQ(m->text, "abc");
    sess_finish(s);
    ASSERT_STR_EQ(nth(&l, SESS_EV_FLOW_END, 0)->text, "RSTR ShADr");
    sess_free(s);
}

TEST(http_pipelined_messages_on_port_80)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    handshake(s, 80, 1);
    const char *req = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    frame d = tcp4(1, 40000, 2, 80, 1001, 5001, ACK | PSH, req);
    feed(s, &d, 1);
    ASSERT_EQ(count(&l, SESS_EV_MESSAGE), 2);
    ASSERT_STR_EQ(nth(&l, SESS_EV_MESSAGE, 0)->proto, "http");
    ASSERT_EQ(nth(&l, SESS_EV_MESSAGE, 0)->len, 28);
    ASSERT_EQ(nth(&l, SESS_EV_MESSAGE, 1)->offset, 28);
    sess_free(s);
}

/* Picked up midstream with the server speaking first: the originator is
 * the server, yet its port still chooses the framer. */
TEST(midstream_server_first_framed_by_its_port)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    clock_frame = 0;
    frame r = tcp4(2, 80, 1, 40000, 5001, 1001, ACK | PSH,
                   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    feed(s, &r, 1);
    ASSERT_EQ(packet_of(&l, 1)->dir, 0);
    const logged *m = nth(&l, SESS_EV_MESSAGE, 0);
    ASSERT(m);
    ASSERT_STR_EQ(m->proto, "http");
    ASSERT_EQ(m->len, 40);
    sess_free(s);
}

static void small_memcap(sess_config *c) { c->tcp_memcap = 1u << 20; }

/* Announced lengths reserve buffer room, but never push the session
 * towards its memcap: twenty responses announcing a megabyte each, with
 * three body bytes sent, end no connection. */
TEST(announced_lengths_stay_clear_of_the_memcap)
{
    log_t l;
    sess_t *s = s_new(&l, small_memcap);
    clock_frame = 0;
    for (int i = 0; i < 20; i++) {
        int cport = 40000 + i;
        frame syn = tcp4(1, cport, 2, 80, 1000, 0, SYN, NULL);
        frame sa = tcp4(2, 80, 1, cport, 5000, 1001, SYN | ACK, NULL);
        frame ack = tcp4(1, cport, 2, 80, 1001, 5001, ACK, NULL);
        const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        frame rq = tcp4(1, cport, 2, 80, 1001, 5001, ACK | PSH, req);
        frame rs = tcp4(2, 80, 1, cport, 5001, 1001 + (uint32_t)strlen(req),
                        ACK | PSH,
                        "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nabc");
        feed(s, &syn, 1);
        feed(s, &sa, 1);
        feed(s, &ack, 1);
        feed(s, &rq, 1);
        feed(s, &rs, 1);
    }
    ASSERT_EQ(count(&l, SESS_EV_MESSAGE), 20); /* the requests */
    ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 0);
    ASSERT_EQ(count(&l, SESS_EV_FLOW_END), 0);
    sess_free(s);
}

static void small_table(sess_config *c) { c->max_flows = 1000; }

/* A SYN flood is capped by the flow table; what follows is still analysed. */
TEST(syn_flood_capped_by_flow_limit)
{
    log_t l;
    sess_t *s = s_new(&l, small_table);
    clock_frame = 0;
    for (int i = 0; i < 200000; i++) {
        frame syn = tcp4(3 + i % 200, 1024 + i / 200, 2, 80, (uint32_t)i, 0,
                         SYN, NULL);
        l.n = 0;
        feed(s, &syn, 1 + i * 1e-6);
    }
    ASSERT_EQ(sess_get_counts(s)->flows, 200000);
    l.n = 0;
    handshake(s, 7777, 2);
    frame d = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK, "after the flood");
    feed(s, &d, 2);
    frame r = tcp4(2, 7777, 1, 40000, 5001, 1016, RST, NULL);
    feed(s, &r, 2);
    assert_first_message(&l, "after the flood");
    sess_free(s);
}

TEST(garbage_never_crashes)
{
    log_t l;
    sess_t *s = s_new(&l, NULL);
    static const uint32_t links[] = {SESS_LINK_NULL, SESS_LINK_ETHERNET,
                                     SESS_LINK_RAW, SESS_LINK_LOOP,
                                     SESS_LINK_LINUX_SLL, SESS_LINK_IPV4,
                                     SESS_LINK_IPV6, SESS_LINK_LINUX_SLL2, 9999};
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[128];
        size_t n = (size_t)(i % 128);
        for (size_t k = 0; k < n; k++) {
            x = x * 1103515245u + 12345u;
            buf[k] = (uint8_t)(x >> 16);
        }
        if (n > 0 && i % 3 == 0)
            buf[0] = (uint8_t)(i % 2 ? 0x45 : 0x60); /* look like IP */
        sess_on_packet(s, (uint64_t)i + 1, at(i * 0.001),
                       links[i % (sizeof links / sizeof links[0])], buf, n);
    }
    sess_finish(s);
    ASSERT_EQ(sess_get_counts(s)->packets, 20000);
    sess_free(s);
}

/* ---- batches ------------------------------------------------------------- */

/* sess_on_packets() is n calls of sess_on_packet(): the same events in the
 * same order, the first failure returned, whatever the batch boundaries. */
TEST(batches_feed_like_single_calls)
{
    static frame f[16];
    size_t n = 0;
    f[n++] = tcp4(1, 40000, 2, 80, 100, 0, SYN, NULL);
    f[n++] = tcp4(2, 80, 1, 40000, 500, 101, SYN | ACK, NULL);
    f[n++] = tcp4(1, 40000, 2, 80, 115, 501, ACK, "Host: a\r\n\r\n");
    f[n++] = tcp4(1, 40000, 2, 80, 101, 501, ACK, "GET / HTTP/1.1\r\n");
    f[n++] = tcp4(1, 40000, 2, 80, 101, 501, ACK, "GET / HTTP/1.0\r\n");
    f[n++] = tcp4(2, 80, 1, 40000, 501, 126,
                  ACK, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    frame whole = udp4(3, 5000, 4, 9000, "0123456789abcdef0123456789");
    f[n++] = frag4(&whole, 16, 18, false);
    f[n++] = frag4(&whole, 0, 16, true);
    f[n] = (frame){.len = 10};   /* not IP */
    memset(f[n++].b, 0x99, 10);
    f[n] = tcp4(1, 40001, 2, 80, 1, 0, SYN, NULL);
    f[n++].len = 30;             /* TCP header cut */
    f[n++] = tcp4(1, 40000, 2, 80, 126, 534, FIN | ACK, NULL);
    f[n++] = tcp4(2, 80, 1, 40000, 534, 127, FIN | ACK, NULL);

    sess_packet pk[16];
    for (size_t i = 0; i < n; i++)
        pk[i] = (sess_packet){i + 1, at(1.0 + 0.001 * (double)i), SESS_LINK_RAW,
                              (uint32_t)f[i].len, f[i].b};
    pk[n] = (sess_packet){n + 1, at(2.0), SESS_LINK_RAW, 20, NULL}; /* refused */
    size_t total = n + 1;

    static log_t one, batched;
    sess_t *s = s_new(&one, NULL);
    int first = SESS_OK;
    for (size_t i = 0; i < total; i++) {
        int rc = sess_on_packet(s, pk[i].frame, pk[i].ts, pk[i].linktype,
                                pk[i].data, pk[i].caplen);
        if (rc != SESS_OK && first == SESS_OK)
            first = rc;
    }
    sess_finish(s);
    sess_free(s);
    ASSERT(first != SESS_OK);
    ASSERT(count(&one, SESS_EV_MESSAGE) >= 2);
    ASSERT_EQ(count(&one, SESS_EV_IP_DATAGRAM), 1);

    static const size_t chunks[] = {1, 2, 3, 7, 9, 64};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        s = s_new(&batched, NULL);
        int got = SESS_OK;
        for (size_t i = 0; i < total; i += chunks[c]) {
            size_t k = total - i < chunks[c] ? total - i : chunks[c];
            int rc = sess_on_packets(s, pk + i, k);
            if (rc != SESS_OK && got == SESS_OK)
                got = rc;
        }
        sess_finish(s);
        sess_free(s);
        ASSERT_EQ(got, first);
        ASSERT_EQ(batched.n, one.n);
        ASSERT(memcmp(batched.ev, one.ev, one.n * sizeof one.ev[0]) == 0);
    }
    ASSERT_EQ(sess_on_packets(NULL, pk, 1), SESS_EINVAL);
    s = s_new(&batched, NULL);
    ASSERT_EQ(sess_on_packets(s, NULL, 0), SESS_OK);
    ASSERT_EQ(sess_on_packets(s, NULL, 1), SESS_EINVAL);
    sess_free(s);
}

/* ---- tunnels ------------------------------------------------------------- */

/* `inner` inside IPv4 from 10.9.9.<a> to 10.9.9.<b> (IP in IP). */
static frame ipip4(const frame *inner, int a, int b)
{
    frame f = {0};
    uint8_t *ip = f.b;
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(20 + inner->len));
    be16(ip + 4, 0x7777);
    ip[8] = 64;
    ip[9] = 4;
    ip[12] = 10, ip[13] = 9, ip[14] = 9, ip[15] = (uint8_t)a;
    ip[16] = 10, ip[17] = 9, ip[18] = 9, ip[19] = (uint8_t)b;
    memcpy(f.b + 20, inner->b, inner->len);
    f.len = 20 + inner->len;
    return f;
}

/* Where packets were found is not part of the flow's identity. */
static void encap_not_in_key(sess_config *c) { c->flow_key_encap = false; }

/* Without flow_key_encap, packets of one connection, some tunnelled and
 * some not, are one flow: the flow of the hosts inside (by default they are
 * two: test_flowkey.c). */
TEST(tunnelled_packets_join_the_inner_flow)
{
    log_t l;
    sess_t *s = s_new(&l, encap_not_in_key);
    clock_frame = 0;
    frame syn = tcp4(1, 40000, 2, 7777, 1000, 0, SYN, NULL);
    frame sa = tcp4(2, 7777, 1, 40000, 5000, 1001, SYN | ACK, NULL);
    frame ack = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK, NULL);
    frame data = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK | PSH, "inside");
    frame t_syn = ipip4(&syn, 1, 2), t_ack = ipip4(&ack, 1, 2),
          t_data = ipip4(&data, 1, 2);
    feed(s, &t_syn, 1);
    feed(s, &sa, 1);
    feed(s, &t_ack, 1);
    feed(s, &t_data, 1);
    for (uint64_t n = 1; n <= 4; n++) {
        ASSERT_EQ(packet_of(&l, n)->flow_id, 0);
        ASSERT_EQ(packet_of(&l, n)->pkts, n);
    }
    ASSERT_EQ(packet_of(&l, 1)->dir, 0);
    ASSERT_EQ(packet_of(&l, 2)->dir, 1);
    sess_finish(s);
    assert_first_message(&l, "inside");
    sess_free(s);
}

/* The first fragment of a segment travels in a tunnel whose packet is cut
 * into two fragments; the second fragment travels in one piece.  In either
 * order the segment is rebuilt, twice reassembled, on the last frame (the
 * handshake, outside the tunnel, joins it without flow_key_encap). */
TEST(fragment_in_a_fragmented_tunnel)
{
    frame seg = tcp4(1, 40000, 2, 7777, 1001, 5001, ACK | PSH,
                     "twenty-eight bytes of data!!");
    frame in1 = frag4(&seg, 0, 24, true), in2 = frag4(&seg, 24, 24, false);
    frame t1 = ipip4(&in1, 1, 2), t2 = ipip4(&in2, 1, 2);
    frame o1 = frag4(&t1, 0, 24, true), o2 = frag4(&t1, 24, 20, false);
    const frame *orders[2][3] = {{&o1, &o2, &t2}, {&t2, &o1, &o2}};
    for (int k = 0; k < 2; k++) {
        log_t l;
        sess_t *s = s_new(&l, encap_not_in_key);
        clock_frame = 0;
        handshake(s, 7777, 1);
        for (int i = 0; i < 3; i++)
            feed(s, orders[k][i], 2);
        ASSERT_EQ(packet_of(&l, 4)->flow_id, -1);
        ASSERT_EQ(packet_of(&l, 5)->flow_id, -1);
        ASSERT_EQ(packet_of(&l, 6)->flow_id, 0);
        ASSERT_EQ(count(&l, SESS_EV_IP_DATAGRAM), 2);
        ASSERT_EQ(count(&l, SESS_EV_ANOMALY), 0);
        const logged *seg_ev = nth(&l, SESS_EV_TCP_SEGMENT, 0);
        ASSERT(seg_ev);
        ASSERT_EQ(seg_ev->frame, 6);
        ASSERT_EQ(seg_ev->len, 28);
        sess_finish(s);
        assert_first_message(&l, "twenty-eight bytes of data!!");
        sess_free(s);
    }
}

/* The header and the library linked in agree on the version. */
TEST(version_macros_match_the_library)
{
    ASSERT_EQ(sess_version(), SESS_VERSION_HEX);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", SESS_VERSION_MAJOR,
             SESS_VERSION_MINOR, SESS_VERSION_PATCH);
    ASSERT_STR_EQ(sess_version_string(), want);
}

TEST_MAIN(TEST_CASE(version_macros_match_the_library),
          TEST_CASE(flow_ids_directions_and_counts),
          TEST_CASE(announced_lengths_stay_clear_of_the_memcap),
          TEST_CASE(originator_is_syn_sender_or_synack_receiver),
          TEST_CASE(flow_returning_after_timeout_gets_new_id),
          TEST_CASE(flow_table_full_evicts_least_recent),
          TEST_CASE(ipv6_flow_with_full_addresses),
          TEST_CASE(udp_in_fragments_counted_once_on_completing_frame),
          TEST_CASE(ip_fragment_expires_while_other_traffic_flows),
          TEST_CASE(default_session_does_not_defragment),
          TEST_CASE(tcp_segment_in_fragments_reassembled_into_its_stream),
          TEST_CASE(tcp_raw_streams_emitted_at_fin),
          TEST_CASE(tcp_gap_given_up_when_peer_acks_past_it),
          TEST_CASE(tcp_ack_before_data_loses_nothing),
          TEST_CASE(tcp_hole_zero_filled_up_to_the_fill_limit_skipped_beyond),
          TEST_CASE(tcp_bytes_acked_beyond_the_last_sent_are_counted_not_delivered),
          TEST_CASE(tcp_framers_resynchronise_after_a_skipped_gap),
          TEST_CASE(tcp_port_reuse_starts_new_flow),
          TEST_CASE(tcp_port_reuse_after_half_close),
          TEST_CASE(tcp_syn_after_midstream_starts_new_flow),
          TEST_CASE(tcp_simultaneous_open_is_one_flow),
          TEST_CASE(tcp_rst_ends_both_directions),
          TEST_CASE(http_pipelined_messages_on_port_80),
          TEST_CASE(midstream_server_first_framed_by_its_port),
          TEST_CASE(syn_flood_capped_by_flow_limit),
          TEST_CASE(garbage_never_crashes),
          TEST_CASE(batches_feed_like_single_calls),
          TEST_CASE(tunnelled_packets_join_the_inner_flow),
          TEST_CASE(fragment_in_a_fragmented_tunnel))
