/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tcp_conn.c - connection tracking: which handshake anchors a stream,
 * which SYN starts a new flow, FIN and RST that cannot be checked yet,
 * keep-alive probes, and acknowledged holes given up by capture time.
 *
 * Each case is a script of segments between a client (192.0.2.1:40000)
 * and a server (192.0.2.2:7001, no framer but raw); the small ones are
 * replayed in every arrival order of their reorderable part.  What the
 * session reports is kept per flow: each direction's bytes as its
 * messages give them, given-up ranges, anomalies, the final state.
 */
#include "sessions.h"
#include "testlib.h"

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };
enum { CLIENT = 0, SERVER = 1 };

/* One segment of a script. */
typedef struct seg {
    int from;            /* CLIENT or SERVER */
    uint32_t seq, ack;
    unsigned flags;
    const char *payload; /* NULL: none */
    double t;            /* capture time, seconds */
} seg;

/* A raw IPv4 packet (LINKTYPE_RAW) for a segment; `port` is the client's
 * (another port is another 4-tuple). */
static size_t build(const seg *g, int client, int port, uint8_t *b)
{
    size_t n = g->payload ? strlen(g->payload) : 0;
    uint8_t host[2] = {(uint8_t)client, 2};
    uint16_t ports[2] = {(uint16_t)port, 7001};
    int src = g->from, dst = 1 - g->from;
    memset(b, 0, 40);
    b[0] = 0x45;
    b[2] = (uint8_t)((40 + n) >> 8), b[3] = (uint8_t)(40 + n);
    b[8] = 64, b[9] = 6;
    b[12] = 192, b[14] = 2, b[15] = host[src];
    b[16] = 192, b[18] = 2, b[19] = host[dst];
    uint8_t *t = b + 20;
    t[0] = (uint8_t)(ports[src] >> 8), t[1] = (uint8_t)ports[src];
    t[2] = (uint8_t)(ports[dst] >> 8), t[3] = (uint8_t)ports[dst];
    for (int i = 0; i < 4; i++) {
        t[4 + i] = (uint8_t)(g->seq >> (24 - 8 * i));
        t[8 + i] = (uint8_t)(g->ack >> (24 - 8 * i));
    }
    t[12] = 5 << 4;
    t[13] = (uint8_t)g->flags;
    t[14] = t[15] = 0xff;
    memcpy(t + 20, g->payload ? g->payload : "", n);
    return 40 + n;
}

/* ---- what the session reported ------------------------------------------- */

enum { MAX_FLOWS = 8, MAX_FRAMES = 64 };

typedef struct dir_out {
    char bytes[256];      /* messages in offset order, zeros as '.' */
    size_t len;
    bool offsets_ok;      /* every message started where the last ended */
    uint64_t missing;     /* bytes given up */
    uint64_t missing_frame; /* frame of the last give-up */
} dir_out;

typedef struct report {
    dir_out dir[MAX_FLOWS][2];
    char end[MAX_FLOWS][64]; /* "state history" at the flow's end */
    int flow_of[MAX_FRAMES]; /* flow of each frame, -1: none */
    unsigned late, conflict; /* anomalies */
} report;

static void on_event(void *user, const sess_event *ev)
{
    report *r = user;
    int id = ev->flow ? (int)ev->flow->id : -1;
    if (id >= MAX_FLOWS)
        return;
    switch (ev->type) {
    case SESS_EV_PACKET:
        if (ev->frame < MAX_FRAMES)
            r->flow_of[ev->frame] = id;
        break;
    case SESS_EV_MESSAGE: {
        const sess_message *m = &ev->u.message;
        dir_out *d = &r->dir[id][m->dir];
        if (m->offset != d->len)
            d->offsets_ok = false;
        for (size_t i = 0; i < m->len && d->len + 1 < sizeof d->bytes; i++)
            d->bytes[d->len++] = m->data[i] ? (char)m->data[i] : '.';
        break;
    }
    case SESS_EV_TCP_MISSING: {
        dir_out *d = &r->dir[id][ev->u.missing.dir];
        d->missing += ev->u.missing.len;
        d->missing_frame = ev->frame;
        break;
    }
    case SESS_EV_ANOMALY:
        r->late += ev->u.anomaly.what == SESS_AN_TCP_LATE;
        r->conflict += ev->u.anomaly.what == SESS_AN_TCP_CONFLICT;
        break;
    case SESS_EV_FLOW_END:
        snprintf(r->end[id], sizeof r->end[id], "%s %s", ev->flow->state,
                 ev->flow->history);
        break;
    default:
        break;
    }
}

static void report_init(report *r)
{
    memset(r, 0, sizeof *r);
    for (int f = 0; f < MAX_FLOWS; f++)
        r->dir[f][0].offsets_ok = r->dir[f][1].offsets_ok = true;
    for (int i = 0; i < MAX_FRAMES; i++)
        r->flow_of[i] = -1;
}

/* Feeds segments in the order `order` gives (indices into `script`; NULL:
 * as written), frame numbers from 1, then ends the capture. */
static void replay_script(const seg *script, size_t n, const size_t *order,
                          report *r)
{
    report_init(r);
    sess_t *s = sess_new(NULL, on_event, r);
    ASSERT(s);
    uint8_t b[128];
    for (size_t i = 0; i < n; i++) {
        const seg *g = &script[order ? order[i] : i];
        int64_t ms = (int64_t)(g->t * 1000.0 + 0.5);
        sess_time ts = {ms / 1000, (uint32_t)(ms % 1000) * 1000000u};
        size_t len = build(g, 1, 40000, b);
        ASSERT_EQ(sess_on_packet(s, i + 1, ts, SESS_LINK_RAW, b, len), SESS_OK);
    }
    ASSERT_EQ(sess_finish(s), SESS_OK);
    sess_free(s);
}

/* The next arrival order of the reorderable segments order[from..n). */
static bool next_order(size_t *order, size_t from, size_t n)
{
    return testlib_next_permutation(order + from, n - from);
}

/* ---- which handshake anchors the stream ---------------------------------- */

/* The client retries its SYN with a new ISN (9000 after 1000) and then
 * completes one of the handshakes; the request and its reply are
 * delivered whole in the flow of the handshake that was answered (the
 * retry's: the first SYN's flow ended unanswered), in every order of the
 * segments after the SYN-ACK that was answered. */
TEST(syn_retry_with_new_isn_anchors_the_answered_handshake)
{
    static const struct {
        const char *what;
        seg script[8];
        size_t n, from; /* segments; the reorderable ones start at `from` */
    } cases[] = {
        {"second SYN answered",
         {{CLIENT, 1000, 0, SYN, NULL, 1},
          {CLIENT, 9000, 0, SYN, NULL, 1},
          {SERVER, 5000, 9001, SYN | ACK, NULL, 1},
          {CLIENT, 9001, 5001, ACK, NULL, 1},
          {CLIENT, 9001, 5001, ACK | PSH, "hello ", 1},
          {CLIENT, 9007, 5001, ACK | PSH, "world", 1},
          {SERVER, 5001, 9012, ACK | PSH, "reply", 1}},
         7, 3},
        {"first SYN answered after the second was sent",
         {{CLIENT, 1000, 0, SYN, NULL, 1},
          {CLIENT, 9000, 0, SYN, NULL, 1},
          {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
          {CLIENT, 1001, 5001, ACK, NULL, 1},
          {CLIENT, 1001, 5001, ACK | PSH, "hello ", 1},
          {CLIENT, 1007, 5001, ACK | PSH, "world", 1},
          {SERVER, 5001, 1012, ACK | PSH, "reply", 1}},
         7, 3},
        /* A SYN flood's pattern: every SYN answered, the client never went
         * past its SYN until the last handshake. */
        {"each SYN answered, the second completed",
         {{CLIENT, 1000, 0, SYN, NULL, 1},
          {SERVER, 4000, 1001, SYN | ACK, NULL, 1},
          {CLIENT, 9000, 0, SYN, NULL, 1},
          {SERVER, 5000, 9001, SYN | ACK, NULL, 1},
          {CLIENT, 9001, 5001, ACK | PSH, "hello ", 1},
          {CLIENT, 9007, 5001, ACK | PSH, "world", 1},
          {SERVER, 5001, 9012, ACK | PSH, "reply", 1}},
         7, 4},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = cases[k].n, order[8], runs = 0;
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        do {
            report r;
            replay_script(cases[k].script, n, order, &r);
            if (strcmp(r.dir[1][0].bytes, "hello world") != 0 ||
                strcmp(r.dir[1][1].bytes, "reply") != 0 || r.late ||
                r.dir[1][0].missing || !r.dir[1][0].offsets_ok)
                TESTLIB_FAIL("%s, order %zu: \"%s\" / \"%s\", late %u, "
                             "missing %llu", cases[k].what, runs,
                             r.dir[1][0].bytes, r.dir[1][1].bytes, r.late,
                             (unsigned long long)r.dir[1][0].missing);
            ASSERT_EQ(r.flow_of[1], 0);
            for (size_t i = cases[k].from; i < n; i++)
                ASSERT_EQ(r.flow_of[i + 1], 1);
            ASSERT_EQ(r.dir[0][0].len, 0); /* the abandoned SYN: no data */
            ASSERT_EQ(r.end[0][0], 'S');   /* S0: never answered (for it) */
            runs++;
        } while (next_order(order, cases[k].from, n));
        ASSERT_EQ(runs, n - cases[k].from == 4 ? 24 : 6);
    }
}

/* SYN and SYN-ACK retried with new ISNs: the first SYN-ACK's ISN (4000)
 * was not the one the client acknowledged (5000); the server's data is
 * based on the answered one. */
TEST(synack_retry_with_new_isn_anchors_the_acknowledged_one)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 4000, 1001, SYN | ACK, NULL, 1},
        {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "ping", 1},
        {SERVER, 5001, 1005, ACK | PSH, "pong", 1},
    };
    report r;
    replay_script(script, 5, NULL, &r);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "ping");
    ASSERT_STR_EQ(r.dir[0][1].bytes, "pong");
    ASSERT_EQ(r.late, 0);
    ASSERT_EQ(r.dir[0][1].missing, 0);
}

/* A bogus acknowledgement alone moves nothing: a SYN-ACK naming an ISN
 * the client never used, then the client's data at its own ISN. */
TEST(bogus_synack_acknowledgement_moves_nothing)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 5000, 777777, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "data", 1},
    };
    report r;
    replay_script(script, 3, NULL, &r);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "data");
    ASSERT(r.dir[0][0].offsets_ok);
}

/* A SYN with a new ISN in an established connection is ignored, as the
 * receiver ignores it (RFC 5961): same flow, same stream. */
TEST(syn_with_new_isn_in_established_connection_is_ignored)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "one ", 1},
        {CLIENT, 8000000, 0, SYN, NULL, 1},
        {CLIENT, 1005, 5001, ACK | PSH, "two", 1},
    };
    report r;
    replay_script(script, 5, NULL, &r);
    ASSERT_EQ(r.flow_of[4], 0);
    ASSERT_EQ(r.flow_of[5], 0);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "one two");
}

/* A Fast Open SYN carrying data the server does not take (its SYN-ACK
 * acknowledges the SYN only): the client sends the data again after the
 * handshake, and it is delivered once. */
TEST(fast_open_data_ignored_by_the_server_delivered_once)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, "early", 1},
        {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "early", 1},
        {SERVER, 5001, 1006, ACK, NULL, 1},
    };
    report r;
    replay_script(script, 4, NULL, &r);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "early");
    ASSERT_EQ(r.conflict, 0);
}

/* ---- FIN and RST before the direction is synchronised --------------------- */

/* Between the client's SYN and the server's SYN-ACK, a FIN or RST from
 * the server's side with a sequence number nobody can check (an evasion
 * test's injected segment) anchors and ends nothing: the server's real
 * reply is delivered, nothing is late, and the client's request is not
 * cut short.  An RST that acknowledges the SYN is a real refusal. */
TEST(fin_or_rst_before_synack_anchors_nothing)
{
    static const struct {
        unsigned flags;
        uint32_t ack;
    } bogus[] = {
        {FIN, 0},
        {FIN | ACK, 1001},
        {RST, 0},
        {RST | ACK, 31337},
        {FIN | PSH | ACK, 55},
    };
    for (size_t k = 0; k < sizeof bogus / sizeof bogus[0]; k++) {
        seg script[] = {
            {CLIENT, 1000, 0, SYN, NULL, 1},
            {SERVER, 123456789, bogus[k].ack, bogus[k].flags, NULL, 1},
            {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
            {CLIENT, 1001, 5001, ACK | PSH, "GET x", 1},
            {SERVER, 5001, 1006, ACK | PSH, "answer", 1},
            {CLIENT, 1006, 5007, FIN | ACK, NULL, 1},
            {SERVER, 5007, 1007, FIN | ACK, NULL, 1},
        };
        report r;
        replay_script(script, 7, NULL, &r);
        if (strcmp(r.dir[0][1].bytes, "answer") != 0 || r.late ||
            strcmp(r.dir[0][0].bytes, "GET x") != 0)
            TESTLIB_FAIL("flags 0x%x: \"%s\" / \"%s\", late %u",
                         bogus[k].flags, r.dir[0][0].bytes, r.dir[0][1].bytes,
                         r.late);
        /* The bogus segment is in the history, and changed no state. */
        ASSERT_EQ(strncmp(r.end[0], "SF ", 3), 0);
    }
}

TEST(rst_acknowledging_the_syn_is_a_refusal)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 0, 1001, RST | ACK, NULL, 1},
    };
    report r;
    replay_script(script, 2, NULL, &r);
    ASSERT_STR_EQ(r.end[0], "REJ Sr");
}

/* A FIN riding on a SYN (a fuzzed or crafted segment) ends nothing: the
 * data that follows the SYN's own is not beyond a FIN. */
TEST(fin_on_a_syn_ends_nothing)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN | FIN, "abc", 1},
        {CLIENT, 1004, 0, ACK | PSH, "def", 1},
    };
    report r;
    replay_script(script, 2, NULL, &r);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "abcdef");
    ASSERT_EQ(r.late, 0);
}

/* ---- keep-alives -------------------------------------------------------------- */

/* A keep-alive probe (one byte, one below the next: a byte the receiver
 * has) is not data: no conflict over its garbage byte, nothing delivered
 * twice, in every order with the data around it. */
TEST(keepalive_probe_is_not_data)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "abc", 1},
        {CLIENT, 1003, 5001, ACK, "\xff", 1}, /* keep-alive: seq next-1 */
        {SERVER, 5001, 1004, ACK, NULL, 1},
        {CLIENT, 1003, 5001, ACK, NULL, 1},   /* empty keep-alive */
        {CLIENT, 1004, 5001, ACK | PSH, "def", 1},
    };
    report r;
    replay_script(script, 7, NULL, &r);
    ASSERT_STR_EQ(r.dir[0][0].bytes, "abcdef");
    ASSERT_EQ(r.conflict, 0);
    ASSERT_EQ(r.late, 0);
}

/* Picked up midstream: the first segment of the client's direction is a
 * keep-alive one below the server's acknowledgement.  It is not stream
 * byte 0 and makes no byte missing; the data starts at the acknowledged
 * byte. */
TEST(midstream_keepalive_is_not_stream_byte_zero)
{
    static const struct {
        const char *what;
        const char *probe;
    } probes[] = {{"one-byte probe", "k"}, {"empty probe", NULL}};
    for (size_t k = 0; k < 2; k++) {
        seg script[] = {
            {SERVER, 7000, 3000, ACK | PSH, "srv", 1},
            {CLIENT, 2999, 7003, ACK, probes[k].probe, 1},
            {SERVER, 7003, 3000, ACK, NULL, 1},
            {CLIENT, 3000, 7003, ACK | PSH, "data", 1},
        };
        report r;
        replay_script(script, 4, NULL, &r);
        /* The server sent first: it is the flow's originator. */
        if (strcmp(r.dir[0][1].bytes, "data") != 0 || r.dir[0][1].missing)
            TESTLIB_FAIL("%s: \"%s\", missing %llu", probes[k].what,
                         r.dir[0][1].bytes,
                         (unsigned long long)r.dir[0][1].missing);
        ASSERT_STR_EQ(r.dir[0][0].bytes, "srv");
    }
}

/* ---- graces by capture time -------------------------------------------------- */

/* Two connections, A (client port 40000) and B (port 40001).  A's server
 * acknowledges a hole at t=1; from then on only B sends.  The hole is
 * given up at B's first packet past the grace (1 s), on A's last frame,
 * not at the end of the capture.  Data that comes within the grace fills
 * the hole instead. */
TEST(grace_ends_by_capture_time_while_only_other_flows_send)
{
    static const struct {
        const char *what;
        double fill_at;   /* when A's missing segment comes; 0: never */
        uint64_t given_up_by; /* frame whose arrival gave the hole up; 0: none */
    } cases[] = {
        {"never filled: given up by B's packet at 2.1 s", 0, 9},
        {"filled within the grace", 1.5, 0},
    };
    for (size_t k = 0; k < 2; k++) {
        report r;
        report_init(&r);
        sess_t *s = sess_new(NULL, on_event, &r);
        ASSERT(s);
        seg a[] = {
            {CLIENT, 1000, 0, SYN, NULL, 1},
            {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
            {CLIENT, 1001, 5001, ACK | PSH, "head ", 1},
            {CLIENT, 1010, 5001, ACK | PSH, "tail", 1}, /* 1006..1009 lost */
            {SERVER, 5001, 1014, ACK, NULL, 1},          /* acknowledges all */
        };
        seg fill = {CLIENT, 1006, 5001, ACK | PSH, "mid ", cases[k].fill_at};
        seg b = {CLIENT, 1, 0, ACK | PSH, "b", 0};
        uint8_t buf[128];
        uint64_t frame = 0, given_up_by = 0;
        for (size_t i = 0; i < 5; i++) {
            size_t len = build(&a[i], 1, 40000, buf);
            sess_on_packet(s, ++frame, (sess_time){1, 0}, SESS_LINK_RAW, buf, len);
        }
        double times[] = {1.2, 1.5, 1.9, 2.1, 2.5, 3.0};
        for (size_t i = 0; i < 6; i++) {
            int64_t ms = (int64_t)(times[i] * 1000.0 + 0.5);
            sess_time ts = {ms / 1000, (uint32_t)(ms % 1000) * 1000000u};
            uint64_t before = r.dir[0][0].missing;
            if (cases[k].fill_at == times[i]) {
                size_t len = build(&fill, 1, 40000, buf);
                sess_on_packet(s, ++frame, ts, SESS_LINK_RAW, buf, len);
            }
            b.seq = (uint32_t)(1 + i);
            size_t len = build(&b, 1, 40001, buf);
            sess_on_packet(s, ++frame, ts, SESS_LINK_RAW, buf, len);
            if (!given_up_by && r.dir[0][0].missing > before)
                given_up_by = frame;
        }
        if (given_up_by != cases[k].given_up_by)
            TESTLIB_FAIL("%s: given up by frame %llu", cases[k].what,
                         (unsigned long long)given_up_by);
        if (cases[k].fill_at == 0) {
            ASSERT_EQ(r.dir[0][0].missing, 4);
            ASSERT_EQ(r.dir[0][0].missing_frame, 5); /* A's last frame */
        }
        sess_finish(s);
        ASSERT_STR_EQ(r.dir[0][0].bytes, cases[k].fill_at ? "head mid tail"
                                                          : "head ....tail");
        ASSERT_EQ(r.late, 0);
        sess_free(s);
    }
}

/* Real capture loss is still reported after the grace, whichever ends it
 * first: 64 more packets of the flow, or a second of capture time. */
TEST(real_loss_reported_missing_after_the_grace)
{
    static const struct {
        const char *what;
        int acks;      /* pure ACKs the server sends after the first */
        double step;   /* seconds between them */
        uint64_t frame; /* frame on which the hole is given up */
    } cases[] = {
        {"by packets", 70, 0.001, 5 + 64},
        {"by time", 3, 0.6, 7},
        {"at the end of the capture", 2, 0.1, 7},
    };
    for (size_t k = 0; k < 3; k++) {
        seg script[80] = {
            {CLIENT, 1000, 0, SYN, NULL, 1},
            {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
            {CLIENT, 1001, 5001, ACK | PSH, "a", 1},
            {CLIENT, 1003, 5001, ACK | PSH, "c", 1},
            {SERVER, 5001, 1004, ACK, NULL, 1},
        };
        size_t n = 5;
        for (int i = 1; i <= cases[k].acks; i++)
            script[n++] = (seg){SERVER, 5001, 1004, ACK, NULL, 1 + i * cases[k].step};
        report r;
        replay_script(script, n, NULL, &r);
        if (r.dir[0][0].missing != 1 || r.dir[0][0].missing_frame != cases[k].frame)
            TESTLIB_FAIL("%s: %llu missing on frame %llu", cases[k].what,
                         (unsigned long long)r.dir[0][0].missing,
                         (unsigned long long)r.dir[0][0].missing_frame);
        ASSERT_STR_EQ(r.dir[0][0].bytes, "a.c");
    }
}

/* A FIN gives no hole up by itself: data that comes after the FIN, within
 * the grace, still fills a hole before it (nothing is "beyond the FIN");
 * once everything before the FIN is settled the direction is complete. */
TEST(fin_waits_for_the_grace_of_holes_before_it)
{
    seg script[] = {
        {CLIENT, 1000, 0, SYN, NULL, 1},
        {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
        {CLIENT, 1001, 5001, ACK | PSH, "ab", 1},
        {CLIENT, 1005, 5001, FIN | ACK | PSH, "ef", 1},
        {SERVER, 5001, 1008, FIN | ACK, NULL, 1},
        {CLIENT, 1003, 5002, ACK | PSH, "cd", 1},
    };
    size_t order[6] = {0, 1, 2, 3, 4, 5}, runs = 0;
    do {
        report r;
        replay_script(script, 6, order, &r);
        if (strcmp(r.dir[0][0].bytes, "abcdef") != 0 || r.late ||
            r.dir[0][0].missing)
            TESTLIB_FAIL("order %zu: \"%s\", late %u", runs, r.dir[0][0].bytes,
                         r.late);
        runs++;
    } while (next_order(order, 2, 6));
    ASSERT_EQ(runs, 24);
}

/* An RST ends the grace of holes acknowledged before it (they are given
 * up on the RST's frame), but what the RST acknowledges itself is a hint:
 * the segment it covers, captured just behind it, fills the hole. */
TEST(rst_acknowledgement_is_a_hint_too)
{
    static const struct {
        const char *what;
        uint32_t acked_before; /* the server's ACK before the RST */
        const char *bytes;     /* the client's stream */
        uint64_t missing, frame;
    } cases[] = {
        {"hole acknowledged before the RST", 1009, "ab..efgh", 2, 7},
        {"hole acknowledged by the RST only", 1003, "abcdefgh", 0, 0},
    };
    for (size_t k = 0; k < 2; k++) {
        seg script[] = {
            {CLIENT, 1000, 0, SYN, NULL, 1},
            {SERVER, 5000, 1001, SYN | ACK, NULL, 1},
            {CLIENT, 1001, 5001, ACK | PSH, "ab", 1},
            {CLIENT, 1005, 5001, ACK | PSH, "efgh", 1},
            {SERVER, 5001, cases[k].acked_before, ACK, NULL, 1},
            {CLIENT, 1009, 5001, ACK, NULL, 1},
            {SERVER, 5001, 1009, RST | ACK, NULL, 1},
            {CLIENT, 1003, 5001, ACK | PSH, "cd", 1},
        };
        report r;
        replay_script(script, 8, NULL, &r);
        if (strcmp(r.dir[0][0].bytes, cases[k].bytes) != 0 ||
            r.dir[0][0].missing != cases[k].missing ||
            r.dir[0][0].missing_frame != cases[k].frame)
            TESTLIB_FAIL("%s: \"%s\", %llu missing on frame %llu",
                         cases[k].what, r.dir[0][0].bytes,
                         (unsigned long long)r.dir[0][0].missing,
                         (unsigned long long)r.dir[0][0].missing_frame);
    }
}

TEST_MAIN(TEST_CASE(syn_retry_with_new_isn_anchors_the_answered_handshake),
          TEST_CASE(synack_retry_with_new_isn_anchors_the_acknowledged_one),
          TEST_CASE(bogus_synack_acknowledgement_moves_nothing),
          TEST_CASE(syn_with_new_isn_in_established_connection_is_ignored),
          TEST_CASE(fast_open_data_ignored_by_the_server_delivered_once),
          TEST_CASE(fin_or_rst_before_synack_anchors_nothing),
          TEST_CASE(rst_acknowledging_the_syn_is_a_refusal),
          TEST_CASE(fin_on_a_syn_ends_nothing),
          TEST_CASE(keepalive_probe_is_not_data),
          TEST_CASE(midstream_keepalive_is_not_stream_byte_zero),
          TEST_CASE(grace_ends_by_capture_time_while_only_other_flows_send),
          TEST_CASE(real_loss_reported_missing_after_the_grace),
          TEST_CASE(fin_waits_for_the_grace_of_holes_before_it),
          TEST_CASE(rst_acknowledgement_is_a_hint_too))
