/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session.c - the session: Scapy's DefaultSession, IPSession and TCPSession.
 *
 * sess_on_packet() decodes a frame, expires idle flows and datagrams by the
 * frame's capture time, joins IP fragments (kind ip and tcp), finds or
 * creates the packet's flow, and for TCP (kind tcp) drives the two streams
 * of the connection and the framer that cuts them into messages.  Every
 * result is an event handed to the caller's callback at once; nothing is
 * queued.  `emit_frame` is the frame the current output belongs to: the
 * frame being fed, or a flow's last frame when the output is caused by a
 * timeout, an eviction or the end of the capture.
 *
 * Per packet on the in-order path nothing is allocated: flows and TCP
 * connection state are allocated once per flow, stream buffers grow
 * geometrically, and message bytes are handed out as views.
 */
#include "decode.h"
#include "flow.h"
#include "ipfrag.h"
#include "sessions_framer.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names --------------------------------------------------------------- */

const char *sess_ip_policy_name(sess_ip_policy p)
{
    static const char *const names[] = {"first", "last", "bsd", "linux",
                                        "windows", "solaris", "drop"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

const char *sess_tcp_policy_name(sess_tcp_policy p)
{
    static const char *const names[] = {"first", "last", "bsd", "windows",
                                        "linux", "old-linux", "solaris", "vista"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

const char *sess_anomaly_name(sess_anomaly a)
{
    switch (a) {
    case SESS_AN_TRUNCATED: return "truncated";
    case SESS_AN_BAD_LENGTH: return "bad-length";
    case SESS_AN_UNSUPPORTED_LINK: return "unsupported-link";
    case SESS_AN_FRAG_CONFLICT: return "frag-conflict";
    case SESS_AN_FRAG_TOO_LONG: return "frag-too-long";
    case SESS_AN_FRAG_BAD_SIZE: return "frag-bad-size";
    case SESS_AN_FRAG_PAST_END: return "frag-past-end";
    case SESS_AN_FRAG_END_CONFLICT: return "frag-end-conflict";
    case SESS_AN_FRAG_DROPPED: return "frag-dropped";
    case SESS_AN_FRAG_TIMEOUT: return "frag-timeout";
    case SESS_AN_FRAG_MEMCAP: return "frag-memcap";
    case SESS_AN_TCP_CONFLICT: return "tcp-conflict";
    case SESS_AN_TCP_LATE: return "tcp-late";
    case SESS_AN_TCP_WINDOW: return "tcp-window";
    case SESS_AN_TCP_DIR_CAP: return "tcp-dir-cap";
    case SESS_AN_TCP_MEMCAP: return "tcp-memcap";
    case SESS_AN_TCP_DEPTH: return "tcp-depth";
    case SESS_AN_FRAMER_ERROR: return "framer-error";
    case SESS_AN_MESSAGE_PARTIAL: return "message-partial";
    case SESS_AN_FLOW_EVICTED: return "flow-evicted";
    }
    return "?";
}

void sess_config_init(sess_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = SESS_KIND_TCP;
    cfg->max_flows = 262144;
    cfg->flow_timeout = 600;
    cfg->ip_policy = SESS_IP_FIRST;
    cfg->ip_timeout = 30;
    cfg->ip_memcap = 64u << 20;
    cfg->tcp_policy = SESS_TCP_FIRST;
    cfg->tcp_timeout = 30;
    cfg->tcp_dir_cap = 8u << 20;
    cfg->tcp_memcap = 512u << 20;
    cfg->tcp_window = 16u << 20;
    cfg->tcp_depth = 0;
    cfg->tcp_history = 4096;
    cfg->max_message = 16u << 20;
    cfg->store = false;
    cfg->store_cap = 64u << 20;
    cfg->framers = NULL;
}

/* ---- state ---------------------------------------------------------------- */

typedef struct tcp_dir_ctx {
    struct sess *s;
    sess_flow *flow;
    uint8_t dir;
} tcp_dir_ctx;

/* Both directions of one TCP connection. */
typedef struct tcp_conn {
    sess_stream stream[2];
    tcp_dir_ctx ctx[2];
    uint32_t isn[2];
    bool syn[2], synack[2], fin[2], rst[2], psh[2];
    uint32_t seen_letters[2];     /* history letters already recorded */
    uint8_t history_len;
    const sess_framer *framer[2]; /* NULL until chosen */
    const void *params[2];
    int8_t first_dir;             /* direction that sent data first, or -1 */
    void *dir_state[2];
    void *conn_state;
    bool done[2];                 /* direction complete and fully framed */
    size_t expect[2];             /* view length the framer announced (0: none) */
} tcp_conn;

struct sess {
    sess_config cfg;
    sess_event_cb cb;
    void *user;
    sess_flow_table flows;
    sess_ipfrag *frag;
    sess_stream_pool *pool;
    sess_stream_config stream_cfg;
    sess_counts counts;
    uint64_t emit_frame;
    double now;
    size_t memcap_next;        /* pool bytes that trigger the next memcap pass */
    bool streams_changed;      /* a hole was given up during this packet */
    uint32_t unsupported[16];  /* link types already reported */
    size_t nunsupported;
    sess_u64vec frames;        /* scratch: frames of the message being cut */
    /* A fragment found in a tunnel inside a reassembled datagram: its bytes,
     * which the defragmenter's next call would free, and how deep such
     * datagrams nest at the moment. */
    uint8_t *nested_frag;
    size_t nested_frag_cap;
    unsigned frag_nesting;
    sess_stored *stored;
    size_t nstored, stored_cap;
    size_t stored_bytes;
};

static void emit(sess_t *s, sess_event *ev)
{
    ev->frame = s->emit_frame;
    if (s->cb)
        s->cb(s->user, ev);
}

static void emit_anomaly(sess_t *s, const sess_flow *f, sess_anomaly what,
                         const char *detail)
{
    sess_event ev = {.type = SESS_EV_ANOMALY, .flow = f ? &f->info : NULL};
    ev.u.anomaly.what = what;
    ev.u.anomaly.detail = detail;
    s->counts.anomalies++;
    emit(s, &ev);
}

static void store_copy(sess_t *s, sess_event_type type, const sess_flow *f,
                       uint8_t dir, const char *proto, const uint8_t *data,
                       size_t len)
{
    if (!s->cfg.store || s->stored_bytes + len > s->cfg.store_cap)
        return;
    if (s->nstored == s->stored_cap) {
        size_t cap = s->stored_cap ? s->stored_cap * 2 : 64;
        sess_stored *n = realloc(s->stored, cap * sizeof *n);
        if (!n)
            return;
        s->stored = n;
        s->stored_cap = cap;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, data, len);
    s->stored[s->nstored++] = (sess_stored){
        .type = type, .flow_id = f ? f->info.id : UINT32_MAX, .dir = dir,
        .proto = proto, .data = copy, .len = len, .frame = s->emit_frame};
    s->stored_bytes += len;
}

/* ---- Zeek-style history and state ---------------------------------------- */

/* Each letter is recorded once per direction, in order of first sight; the
 * letters are bits of seen_letters, indexed from 'A'. */
static void history_add(sess_flow *f, tcp_conn *c, uint8_t dir, char letter)
{
    uint32_t bit = 1u << (letter - 'A');
    if (c->seen_letters[dir] & bit)
        return;
    c->seen_letters[dir] |= bit;
    size_t n = c->history_len++;
    if (n + 1 < sizeof f->info.history) {
        f->info.history[n] = dir == 0 ? letter : (char)(letter - 'A' + 'a');
        f->info.history[n + 1] = '\0';
    }
}

static const char *tcp_state(const tcp_conn *c)
{
    bool syn = c->syn[0], synack = c->synack[1];
    bool fin_o = c->fin[0], fin_r = c->fin[1], rst_o = c->rst[0],
         rst_r = c->rst[1];
    if (!syn && !synack)
        return "OTH";
    if (syn && !synack) {
        if (rst_o)
            return "RSTOS0";
        if (rst_r)
            return "REJ";
        if (fin_o)
            return "SH";
        return "S0";
    }
    if (!syn) { /* SYN-ACK seen without the SYN */
        if (rst_r)
            return "RSTRH";
        if (fin_r)
            return "SHR";
        return "OTH";
    }
    if (rst_o)
        return "RSTO";
    if (rst_r)
        return "RSTR";
    if (fin_o && fin_r)
        return "SF";
    if (fin_o)
        return "S2";
    if (fin_r)
        return "S3";
    return "S1";
}

static const char *other_state(const sess_flow *f)
{
    if (f->info.pkts[0] && f->info.pkts[1])
        return "SF";
    return f->info.pkts[0] ? "S0" : "SHR";
}

/* ---- framing -------------------------------------------------------------- */

static const sess_framer_table *framer_table(const sess_t *s)
{
    return s->cfg.framers ? s->cfg.framers : sess_framer_table_default();
}

static void set_framer(tcp_conn *c, int d, const sess_framer *fr,
                       const void *params)
{
    free(c->dir_state[d]);
    c->expect[d] = 0;
    c->framer[d] = fr;
    c->dir_state[d] = calloc(1, fr->dir_state_size ? fr->dir_state_size : 1);
    c->params[d] = params;
}

static void choose_framer_for_conn(tcp_conn *c, const sess_framer *fr,
                                   const void *params)
{
    c->conn_state = calloc(1, fr->conn_state_size ? fr->conn_state_size : 1);
    set_framer(c, 0, fr, params);
    set_framer(c, 1, fr, params);
}

static const sess_framer_entry *table_entry(const sess_framer_table *t,
                                            uint16_t port)
{
    for (size_t i = 0; i < t->nentries; i++)
        if (t->entries[i].port == port)
            return &t->entries[i];
    return NULL;
}

/* Chooses once per connection: port table, then heuristics on the first
 * bytes of whichever side sent first, then raw.  Without a handshake the
 * originator is only the first sender, who may be the server, so its port
 * is tried after the responder's.  Returns false while the heuristics need
 * more bytes. */
static bool choose_framer(sess_t *s, sess_flow *f, tcp_conn *c, bool final)
{
    const sess_framer_table *t = framer_table(s);
    const sess_framer_entry *e = table_entry(t, f->info.port[1]);
    if (!e && !c->syn[0] && !c->synack[1])
        e = table_entry(t, f->info.port[0]);
    if (e) {
        choose_framer_for_conn(c, e->framer, e->params);
        return true;
    }
    /* The first sender's bytes, or the other side's while the first
     * sender's wait behind a hole. */
    const uint8_t *data = NULL;
    size_t len = 0;
    if (c->first_dir >= 0)
        len = sess_stream_readable(&c->stream[c->first_dir], &data);
    if (len == 0 && c->first_dir >= 0)
        len = sess_stream_readable(&c->stream[1 - c->first_dir], &data);
    if (len == 0 && !final)
        return false;
    bool undecided = false;
    for (size_t i = 0; len && i < t->nheuristics; i++) {
        const sess_framer *fr = t->heuristics[i];
        int r = fr->probe ? fr->probe(data, len) : 0;
        if (r == 1) {
            choose_framer_for_conn(c, fr, NULL);
            return true;
        }
        if (r < 0)
            undecided = true;
    }
    if (undecided && !final)
        return false;
    choose_framer_for_conn(c, &sess_framer_raw, NULL);
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void emit_message(sess_t *s, sess_flow *f, tcp_conn *c, int d,
                         const sess_framer *fr, const sess_framer_output *out,
                         const uint8_t *data)
{
    sess_stream *st = &c->stream[d];
    uint64_t offset = sess_stream_consumed(st);
    s->frames.n = 0;
    uint64_t missing = 0;
    if (sess_stream_consume(st, out->len, &s->frames, &missing) != SESS_OK)
        return; /* out of memory: the bytes stay and are tried again */
    for (size_t i = 1; i < s->frames.n; i++)
        if (s->frames.v[i] < s->frames.v[i - 1]) { /* out-of-order arrival */
            qsort(s->frames.v, s->frames.n, sizeof *s->frames.v, cmp_u64);
            break;
        }
    size_t nf = 0;
    for (size_t i = 0; i < s->frames.n; i++)
        if (nf == 0 || s->frames.v[nf - 1] != s->frames.v[i])
            s->frames.v[nf++] = s->frames.v[i];

    /* `data` stays valid after the consume until the stream next changes. */
    sess_event ev = {.type = SESS_EV_MESSAGE, .flow = &f->info};
    sess_message *m = &ev.u.message;
    m->dir = (uint8_t)d;
    m->proto = fr->name;
    m->data = data;
    m->len = out->len;
    m->offset = offset;
    m->frames = s->frames.v;
    m->nframes = nf;
    m->missing = missing;
    m->partial = out->partial;
    m->info = out->info;
    s->counts.messages++;
    s->counts.message_bytes += out->len;
    emit(s, &ev);
    store_copy(s, SESS_EV_MESSAGE, f, (uint8_t)d, fr->name, data, out->len);
    sess_stream_trim(st);
}

static unsigned dir_flags(const tcp_conn *c, int d, unsigned extra)
{
    unsigned flags = extra;
    if (sess_stream_complete(&c->stream[d]))
        flags |= SESS_FF_FIN;
    if (c->rst[0] || c->rst[1])
        flags |= SESS_FF_RST;
    if (c->psh[d])
        flags |= SESS_FF_PSH;
    if (sess_stream_idle(&c->stream[1 - d]))
        flags |= SESS_FF_PEER_IDLE;
    return flags;
}

/* A framer announced how long its message is: the buffer is sized once
 * rather than doubled (and copied) as the message arrives.  An announcement
 * is only a claim, and reserved room counts against the memcap like held
 * bytes, so at most RESERVE_AHEAD bytes beyond what is held are reserved,
 * and none once the streams hold half the memcap: claims must never end
 * connections.  Without a reservation the buffer grows as usual. */
#define RESERVE_AHEAD (256 * 1024)

static void reserve_for_message(sess_t *s, sess_stream *st, size_t held,
                                size_t expect)
{
    if (expect - held > RESERVE_AHEAD)
        expect = held + RESERVE_AHEAD;
    if (sess_stream_pool_bytes(s->pool) + (expect - held) > s->cfg.tcp_memcap / 2)
        return;
    (void)sess_stream_reserve(st, expect); /* on failure it just grows later */
}

/* A framer gave up on its direction (or held an incomplete message at its
 * end): the rest is cut raw, and the anomaly says so.  Kept out of
 * frame_dir(), which runs for nearly every packet. */
static void fall_back_to_raw(sess_t *s, sess_flow *f, tcp_conn *c, int d,
                             bool incomplete_at_end)
{
    const sess_framer *fr = c->framer[d];
    char detail[128];
    snprintf(detail, sizeof detail,
             incomplete_at_end
                 ? "%s: incomplete message at the end of the stream, "
                   "rest of the direction framed raw"
                 : "%s: not this protocol, rest of the direction framed raw",
             fr->name);
    emit_anomaly(s, f, SESS_AN_FRAMER_ERROR, detail);
    set_framer(c, d, &sess_framer_raw, NULL);
}

/* Feeds direction d's framer until it needs more.  Returns whether any
 * message was emitted. */
static bool frame_dir(sess_t *s, sess_flow *f, tcp_conn *c, int d,
                      unsigned extra, bool force)
{
    bool progress = false;
    while (!c->done[d]) {
        const uint8_t *data;
        size_t len = sess_stream_readable(&c->stream[d], &data);
        if (len == 0) {
            if (sess_stream_complete(&c->stream[d])) {
                /* Complete and framed: nothing left to compare against
                 * is worth the memory of an idle connection. */
                c->done[d] = true;
                sess_stream_drop_history(&c->stream[d]);
            }
            break;
        }
        unsigned flags = dir_flags(c, d, extra);
        /* An announced length is a promise: the framer answers NEED_MORE
         * until the view reaches it, unless the direction ends first.  The
         * segments in the middle of a long message skip the call. */
        if (len < c->expect[d] && !force && !(flags & SESS_FF_END))
            break;
        bool final = flags & SESS_FF_END;
        if (!c->framer[d] && !choose_framer(s, f, c, final))
            break;
        const sess_framer *fr = c->framer[d];
        if (!c->dir_state[d] || !c->conn_state)
            break; /* out of memory: the bytes wait for the end of the flow */
        sess_framer_input in = {data, len, s->cfg.max_message, flags,
                                (uint8_t)d};
        sess_framer_output out;
        memset(&out, 0, sizeof out);
        int r = fr->feed(c->dir_state[d], c->conn_state, c->params[d], &in,
                         &out);
        c->expect[d] = 0;
        if (r == SESS_FRAME_MESSAGE && out.len > 0 && out.len <= len &&
            out.len <= s->cfg.max_message) {
            emit_message(s, f, c, d, fr, &out, data);
            progress = true;
            continue;
        }
        if (r == SESS_FRAME_NEED_MORE && len < s->cfg.max_message && !force) {
            if (out.expect > len) {
                c->expect[d] = out.expect;
                reserve_for_message(s, &c->stream[d], len, out.expect);
            }
            break;
        }
        if (fr == &sess_framer_raw) {
            /* raw always emits when forced; being here is a framer bug */
            break;
        }
        fall_back_to_raw(s, f, c, d, r == SESS_FRAME_NEED_MORE && force);
    }
    return progress;
}

/* Whether frame_dir() has anything to do: bytes to frame, or a direction
 * that has just completed.  Most packets leave one direction untouched. */
static bool dir_has_work(const tcp_conn *c, int d)
{
    return !c->done[d] && (sess_stream_has_readable(&c->stream[d]) ||
                           sess_stream_complete(&c->stream[d]));
}

/* Runs both directions until neither makes progress.  `extra` carries
 * SESS_FF_EOC when the flow is being flushed. */
static void run_framers(sess_t *s, sess_flow *f, tcp_conn *c, unsigned extra)
{
    bool progress;
    do {
        progress = false;
        for (int d = 0; d < 2; d++)
            if (dir_has_work(c, d))
                progress |= frame_dir(s, f, c, d, extra, false);
    } while (progress);
    if (extra & SESS_FF_EOC) {
        /* Nothing more will come: whatever a framer still holds is cut. */
        frame_dir(s, f, c, 0, extra, true);
        frame_dir(s, f, c, 1, extra, true);
    }
}

/* ---- TCP ------------------------------------------------------------------- */

static void on_missing(void *user, uint64_t offset, uint64_t len)
{
    tcp_dir_ctx *x = user;
    sess_event ev = {.type = SESS_EV_TCP_MISSING, .flow = &x->flow->info};
    ev.u.missing.dir = x->dir;
    ev.u.missing.offset = offset;
    ev.u.missing.len = len;
    x->flow->info.missing[x->dir] += len;
    x->s->streams_changed = true;
    x->s->counts.missing_bytes += len;
    tcp_conn *c = x->flow->ext;
    history_add(x->flow, c, x->dir, 'G');
    emit(x->s, &ev);
}

static tcp_conn *tcp_conn_new(sess_t *s, sess_flow *f)
{
    tcp_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->first_dir = -1;
    for (int d = 0; d < 2; d++) {
        c->ctx[d] = (tcp_dir_ctx){s, f, (uint8_t)d};
        sess_stream_init(&c->stream[d], &s->stream_cfg, s->pool, on_missing,
                         &c->ctx[d]);
    }
    f->ext = c;
    return c;
}

static void tcp_conn_free(tcp_conn *c)
{
    for (int d = 0; d < 2; d++) {
        sess_stream_release(&c->stream[d]);
        free(c->dir_state[d]);
    }
    free(c->conn_state);
    free(c);
}

static void emit_stream_anomalies(sess_t *s, sess_flow *f, unsigned a)
{
    if (a & SESS_STREAM_A_WINDOW)
        emit_anomaly(s, f, SESS_AN_TCP_WINDOW,
                     "sequence number jumps beyond the window: segment ignored");
    if (a & SESS_STREAM_A_DIR_CAP)
        emit_anomaly(s, f, SESS_AN_TCP_DIR_CAP,
                     "out-of-order data over the direction's cap: hole given up");
    if (a & SESS_STREAM_A_DEPTH)
        emit_anomaly(s, f, SESS_AN_TCP_DEPTH,
                     "reassembly depth reached: later bytes ignored");
}

/* Reassembles one data segment of direction d and reports it. */
static void tcp_data(sess_t *s, sess_flow *f, tcp_conn *c, uint8_t d,
                     uint32_t seq, const sess_pkt *p)
{
    sess_seg_info info;
    sess_stream_data(&c->stream[d], seq, p->payload, p->payload_len,
                     s->emit_frame, s->now, &info);
    if (c->first_dir < 0)
        c->first_dir = (int8_t)d;
    c->psh[d] = p->tcp_flags & SESS_TH_PSH;
    s->counts.tcp_segments++;
    if (info.flags & SESS_SEG_RETRANSMISSION)
        history_add(f, c, d, 'T');
    sess_event ev; /* per packet: only the members read are set */
    ev.type = SESS_EV_TCP_SEGMENT;
    ev.flow = &f->info;
    ev.u.segment.dir = d;
    ev.u.segment.offset = info.offset;
    ev.u.segment.len = info.len;
    ev.u.segment.flags = info.flags;
    emit(s, &ev);
    if (info.flags & SESS_SEG_CONFLICT)
        emit_anomaly(s, f, SESS_AN_TCP_CONFLICT, "overlapping TCP data differs");
    if (info.flags & SESS_SEG_LATE)
        emit_anomaly(s, f, SESS_AN_TCP_LATE,
                     "data for a range already given up or beyond the FIN");
    emit_stream_anomalies(s, f, info.anomalies);
}

/* Tracks the connection's lifecycle (every session kind) and, for
 * TCPSession, reassembles and frames its streams. */
static void tcp_segment(sess_t *s, sess_flow *f, uint8_t d, const sess_pkt *p)
{
    tcp_conn *c = f->ext ? f->ext : tcp_conn_new(s, f);
    if (!c)
        return;
    s->streams_changed = false;
    bool reassemble = s->cfg.kind == SESS_KIND_TCP;
    uint8_t fl = p->tcp_flags;
    bool syn = fl & SESS_TH_SYN, ack = fl & SESS_TH_ACK, fin = fl & SESS_TH_FIN,
         rst = fl & SESS_TH_RST;

    if (syn && (fin || rst))
        history_add(f, c, d, 'Q');
    if (syn) {
        history_add(f, c, d, ack ? 'H' : 'S');
        bool *seen = ack ? &c->synack[d] : &c->syn[d];
        if (!*seen) {
            *seen = true;
            c->isn[d] = p->seq;
            sess_stream_syn(&c->stream[d], p->seq);
        }
    } else if (ack && !fin && !rst && p->payload_len == 0) {
        history_add(f, c, d, 'A');
    }
    if (p->window == 0 && !syn && !rst)
        history_add(f, c, d, 'W');

    uint32_t seq = p->seq + (syn ? 1u : 0u);
    if (p->payload_len > 0) {
        history_add(f, c, d, 'D');
        if (reassemble)
            tcp_data(s, f, c, d, seq, p);
    }
    /* The payload may be cut by the snap length: the rest is a hole. */
    seq += (uint32_t)p->payload_wire_len;
    if (fin) {
        history_add(f, c, d, 'F');
        c->fin[d] = true;
    }
    if (rst) {
        history_add(f, c, d, 'R');
        c->rst[d] = true;
    }
    if (!reassemble)
        return;
    if (fin)
        sess_stream_fin(&c->stream[d], seq);
    if (ack && sess_stream_started(&c->stream[1 - d]))
        sess_stream_ack(&c->stream[1 - d], p->ack);
    if (rst) {
        sess_stream_give_up(&c->stream[0]);
        sess_stream_give_up(&c->stream[1]);
    }
    double deadline = s->now - s->cfg.tcp_timeout;
    for (int x = 0; x < 2; x++)
        if (sess_stream_holds_beyond_hole(&c->stream[x]))
            sess_stream_expire(&c->stream[x], deadline);
    /* A pure ACK that gave nothing up changes nothing a framer sees. */
    if (p->payload_len == 0 && !fin && !rst && !s->streams_changed)
        return;
    run_framers(s, f, c, rst ? SESS_FF_EOC : 0);
}

/* A SYN with another ISN starts a new connection on the 4-tuple when the
 * old one was closing (a FIN or RST seen: the rest of the close may have
 * escaped the capture) or was picked up midstream (its own SYN was never
 * seen, nor a SYN-ACK answering one), but not when it crosses the peer's
 * own SYN (simultaneous open).  Idle flows have already ended. */
static bool tcp_starts_new_flow(const sess_flow *f, uint8_t d,
                                const sess_pkt *p)
{
    const tcp_conn *c = f->ext;
    if (!c || (p->tcp_flags & (SESS_TH_SYN | SESS_TH_ACK)) != SESS_TH_SYN)
        return false;
    if (c->syn[d])
        return c->isn[d] != p->seq &&
               (c->fin[0] || c->fin[1] || c->rst[0] || c->rst[1]);
    if (c->syn[1 - d] && !c->synack[1 - d] && c->first_dir < 0)
        return false;
    return !c->synack[1 - d];
}

/* ---- flow lifecycle ------------------------------------------------------- */

/* Ends f: gives up holes, flushes the framers, reports the totals.  Output
 * goes on the flow's last frame. */
static void flow_end(sess_t *s, sess_flow *f, sess_anomaly why,
                     const char *detail)
{
    uint64_t saved = s->emit_frame;
    s->emit_frame = f->info.last_frame;
    tcp_conn *c = f->ext;
    if (why)
        emit_anomaly(s, f, why, detail);
    if (c) {
        if (s->cfg.kind == SESS_KIND_TCP) {
            sess_stream_give_up(&c->stream[0]);
            sess_stream_give_up(&c->stream[1]);
            run_framers(s, f, c, SESS_FF_EOC);
        }
        f->info.state = tcp_state(c);
    } else {
        f->info.state = other_state(f);
    }
    sess_event ev = {.type = SESS_EV_FLOW_END, .flow = &f->info};
    emit(s, &ev);
    if (c)
        tcp_conn_free(c);
    f->ext = NULL;
    sess_flow_remove(&s->flows, f);
    s->emit_frame = saved;
}

static void expire_flows(sess_t *s)
{
    while (s->flows.oldest &&
           s->now - s->flows.oldest->info.last_ts > s->cfg.flow_timeout)
        flow_end(s, s->flows.oldest, 0, NULL);
}

/* Over the global memcap: idle streams first give their history back, then
 * the least recent connections still holding data are flushed and ended,
 * down to nine tenths of the cap.  The next pass waits until the bytes have
 * grown by a tenth of the cap again, so a cap that cannot be relieved costs
 * one walk per tenth, never one per packet. */
static void enforce_tcp_memcap(sess_t *s, sess_flow *current)
{
    size_t cap = s->cfg.tcp_memcap, low = cap - cap / 10;
    for (sess_flow *f = s->flows.oldest;
         f && sess_stream_pool_bytes(s->pool) > low; f = f->newer) {
        tcp_conn *c = f->ext;
        if (c) {
            sess_stream_drop_history(&c->stream[0]);
            sess_stream_drop_history(&c->stream[1]);
        }
    }
    sess_flow *f = s->flows.oldest;
    while (f && sess_stream_pool_bytes(s->pool) > low) {
        sess_flow *newer = f->newer;
        tcp_conn *c = f->ext;
        if (c && f != current &&
            sess_stream_bytes(&c->stream[0]) + sess_stream_bytes(&c->stream[1]))
            flow_end(s, f, SESS_AN_TCP_MEMCAP,
                     "TCP memcap reached: connection flushed and ended");
        f = newer;
    }
    size_t now = sess_stream_pool_bytes(s->pool);
    s->memcap_next = now + cap / 10 > cap ? now + cap / 10 : cap;
}

/* ---- packets ---------------------------------------------------------------- */

static void emit_packet(sess_t *s, sess_flow *f, uint8_t dir, bool created)
{
    sess_event ev; /* per packet: only the members read are set */
    ev.type = SESS_EV_PACKET;
    ev.flow = f ? &f->info : NULL;
    ev.u.packet.dir = dir;
    ev.u.packet.new_flow = created;
    emit(s, &ev);
}

static uint64_t payload_bytes(const sess_pkt *p)
{
    if (p->l4_ok)
        return p->payload_wire_len;
    return p->ip_len > p->ip_hdr_len ? p->ip_len - p->ip_hdr_len : 0;
}

/* The originator: the sender of a SYN, the receiver of a SYN-ACK, otherwise
 * the sender. */
static bool sender_is_originator(const sess_pkt *p)
{
    if (p->proto == 6 && p->l4_ok)
        return (p->tcp_flags & (SESS_TH_SYN | SESS_TH_ACK)) !=
               (SESS_TH_SYN | SESS_TH_ACK);
    return true;
}

static void on_transport(sess_t *s, const sess_pkt *p)
{
    bool ports = p->l4_ok && (p->proto == 6 || p->proto == 17);
    sess_flow_key k;
    sess_flow_key_from_pkt(&k, p, ports);
    uint8_t dir = 0;
    sess_flow *f = sess_flow_find(&s->flows, &k, &dir);
    if (f && ports && p->proto == 6 && tcp_starts_new_flow(f, dir, p)) {
        flow_end(s, f, 0, NULL);
        f = NULL;
    }
    bool created = false;
    if (!f) {
        if (s->flows.count >= s->cfg.max_flows && s->flows.oldest)
            flow_end(s, s->flows.oldest, SESS_AN_FLOW_EVICTED,
                     "flow table full: least recent flow ended");
        bool orig = sender_is_originator(p);
        f = sess_flow_insert(&s->flows, &k, orig);
        if (!f)
            return;
        dir = orig ? 0 : 1;
        f->info.first_frame = s->emit_frame;
        f->info.first_ts = s->now;
        s->counts.flows++;
        created = true;
    }
    f->info.pkts[dir]++;
    f->info.bytes[dir] += payload_bytes(p);
    f->info.last_frame = s->emit_frame;
    f->info.last_ts = s->now;
    sess_flow_touch(&s->flows, f);
    emit_packet(s, f, dir, created);

    if (ports && p->proto == 6) {
        tcp_segment(s, f, dir, p);
        if (sess_stream_pool_bytes(s->pool) > s->memcap_next)
            enforce_tcp_memcap(s, f);
    }
}

static void on_evicted_datagram(void *user, const sess_frag_eviction *e)
{
    sess_t *s = user;
    uint64_t saved = s->emit_frame;
    s->emit_frame = e->last_frame;
    char detail[160];
    snprintf(detail, sizeof detail,
             "incomplete IPv%u datagram id 0x%x (%u fragments, %zu bytes) %s",
             e->family, e->id, e->nfrags, e->bytes_held,
             e->reason == SESS_FRAG_EVICT_MEMCAP  ? "evicted: memcap reached"
             : e->reason == SESS_FRAG_EVICT_FLUSH ? "never completed"
                                                  : "timed out");
    emit_anomaly(s, NULL,
                 e->reason == SESS_FRAG_EVICT_MEMCAP ? SESS_AN_FRAG_MEMCAP
                                                     : SESS_AN_FRAG_TIMEOUT,
                 detail);
    s->emit_frame = saved;
}

static void report_fragment_anomalies(sess_t *s, unsigned a)
{
    static const struct {
        unsigned bit;
        sess_anomaly what;
        const char *detail;
    } table[] = {
        {SESS_FRAGA_CONFLICT, SESS_AN_FRAG_CONFLICT,
         "overlapping fragment bytes differ"},
        {SESS_FRAGA_TOO_LONG, SESS_AN_FRAG_TOO_LONG,
         "fragment offset + length > 65535: fragment ignored"},
        {SESS_FRAGA_BAD_SIZE, SESS_AN_FRAG_BAD_SIZE,
         "non-last fragment empty or not a multiple of 8: fragment ignored"},
        {SESS_FRAGA_PAST_END, SESS_AN_FRAG_PAST_END,
         "fragment data past the datagram's end: extra bytes ignored"},
        {SESS_FRAGA_END_CONFLICT, SESS_AN_FRAG_END_CONFLICT,
         "second last fragment with a different end: first end kept"},
        {SESS_FRAGA_DROPPED, SESS_AN_FRAG_DROPPED,
         "overlap under the drop policy: datagram discarded"},
        {SESS_FRAGA_TRUNCATED, SESS_AN_TRUNCATED,
         "fragment not fully captured: fragment ignored"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (a & table[i].bit)
            emit_anomaly(s, NULL, table[i].what, table[i].detail);
}

static void on_fragment(sess_t *s, sess_pkt *p);

enum { MAX_FRAG_NESTING = 4 };

/* Room for a nested fragment's copy, unless datagrams nest too deep. */
static bool nested_frag_room(sess_t *s, size_t len)
{
    if (s->frag_nesting >= MAX_FRAG_NESTING)
        return false;
    if (len > s->nested_frag_cap) {
        uint8_t *b = realloc(s->nested_frag, len);
        if (!b)
            return false;
        s->nested_frag = b;
        s->nested_frag_cap = len;
    }
    return true;
}

/* A reassembled datagram held a tunnel whose packet is itself a fragment:
 * it joins its own datagram like any other, from a copy, since its bytes
 * live in the buffer the defragmenter frees on its next call. */
static void on_nested_fragment(sess_t *s, sess_pkt *p)
{
    size_t len = p->frag_captured;
    if (!nested_frag_room(s, len)) {
        emit_anomaly(s, NULL, SESS_AN_FRAG_DROPPED,
                     "fragment inside a tunnel inside a reassembled datagram "
                     "not reassembled: nested too deep or out of memory");
        emit_packet(s, NULL, 0, false);
        return;
    }
    if (len)
        memcpy(s->nested_frag, p->frag_data, len);
    p->frag_data = s->nested_frag;
    s->frag_nesting++;
    on_fragment(s, p);
    s->frag_nesting--;
}

static void on_fragment(sess_t *s, sess_pkt *p)
{
    sess_frag_result r;
    s->counts.fragments++;
    if (sess_ipfrag_add(s->frag, p, s->emit_frame, s->now, &r) != SESS_OK)
        r.status = SESS_FRAG_DISCARDED, r.anomalies = 0;
    sess_event ev = {.type = SESS_EV_IP_FRAGMENT};
    ev.u.fragment.id = p->frag_id;
    ev.u.fragment.completes = r.status == SESS_FRAG_COMPLETE;
    emit(s, &ev);
    report_fragment_anomalies(s, r.anomalies);
    if (r.status != SESS_FRAG_COMPLETE) {
        emit_packet(s, NULL, 0, false);
        return;
    }
    s->counts.datagrams++;
    sess_event dg = {.type = SESS_EV_IP_DATAGRAM};
    dg.u.datagram.data = r.data;
    dg.u.datagram.len = r.len;
    dg.u.datagram.frames = r.frames;
    dg.u.datagram.nframes = r.nframes;
    dg.u.datagram.overlap = r.overlap;
    dg.u.datagram.conflict = r.conflict;
    dg.u.datagram.family = p->ip_version;
    emit(s, &dg);
    store_copy(s, SESS_EV_IP_DATAGRAM, NULL, 0, "ip", r.data, r.len);

    /* The datagram now stands for the packet: its transport joins a flow. */
    p->is_fragment = false;
    p->ip_len = p->ip_hdr_len + r.len;
    sess_decode_transport(p, r.proto, r.data, r.len);
    if (p->is_fragment) { /* a tunnel in the datagram held a fragment */
        on_nested_fragment(s, p);
        return;
    }
    if ((p->proto == 6 || p->proto == 17) && !p->l4_ok) {
        emit_anomaly(s, NULL, SESS_AN_TRUNCATED,
                     "reassembled datagram too short for its transport header");
        emit_packet(s, NULL, 0, false);
        return;
    }
    on_transport(s, p);
}

/* An unsupported link type is reported on its first frame only: a whole
 * capture of it would otherwise carry the same note on every frame. */
static bool first_unsupported(sess_t *s, uint32_t linktype)
{
    for (size_t i = 0; i < s->nunsupported; i++)
        if (s->unsupported[i] == linktype)
            return false;
    if (s->nunsupported < sizeof s->unsupported / sizeof s->unsupported[0])
        s->unsupported[s->nunsupported++] = linktype;
    return true;
}

static void report_decode(sess_t *s, uint32_t linktype, int rc,
                          unsigned anomalies)
{
    if (rc == SESS_EUNSUPPORTED) {
        if (first_unsupported(s, linktype)) {
            char detail[96];
            snprintf(detail, sizeof detail,
                     "link type %u is not decoded: its frames join no flow",
                     linktype);
            emit_anomaly(s, NULL, SESS_AN_UNSUPPORTED_LINK, detail);
        }
        return;
    }
    if (rc == SESS_ETRUNCATED || (anomalies & (SESS_DEC_TRUNCATED)))
        emit_anomaly(s, NULL, SESS_AN_TRUNCATED, "header truncated");
    if (anomalies & (SESS_DEC_BAD_IP_LEN | SESS_DEC_BAD_L4_LEN | SESS_DEC_BAD_EXT))
        emit_anomaly(s, NULL, SESS_AN_BAD_LENGTH,
                     anomalies & SESS_DEC_BAD_IP_LEN
                         ? "IP length field inconsistent with the data"
                     : anomalies & SESS_DEC_BAD_EXT
                         ? "IPv6 extension header chain broken"
                         : "transport length field inconsistent with the data");
}

int sess_on_packet(sess_t *s, uint64_t frame, double ts, uint32_t linktype,
                   const uint8_t *data, size_t caplen)
{
    if (!s || (!data && caplen))
        return SESS_EINVAL;
    s->emit_frame = frame;
    if (ts > s->now)
        s->now = ts; /* capture time never runs backwards for expiry */
    s->counts.packets++;
    expire_flows(s);

    sess_pkt p;
    int rc = sess_decode_frame(linktype, data, caplen, &p);
    if (rc != SESS_OK || p.anomalies)
        report_decode(s, linktype, rc, p.anomalies);
    if (rc != SESS_OK) {
        if (rc != SESS_ENOTIP)
            s->counts.decode_errors++;
        emit_packet(s, NULL, 0, false);
        return rc == SESS_ENOTIP ? SESS_OK : rc;
    }
    s->counts.ip_packets++;
    if (p.is_fragment) {
        if (s->cfg.kind != SESS_KIND_DEFAULT) {
            on_fragment(s, &p);
            return SESS_OK;
        }
        /* DefaultSession joins nothing: a fragment is an IP-level packet. */
        p.proto = p.frag_proto;
        p.l4_ok = false;
    } else if ((p.proto == 6 || p.proto == 17) && !p.l4_ok) {
        s->counts.decode_errors++;
        emit_packet(s, NULL, 0, false);
        return SESS_OK;
    }
    on_transport(s, &p);
    return SESS_OK;
}

/* A frame's bytes are first touched when it is decoded; fetched this many
 * frames ahead they arrive while the frames before are processed (8 was the
 * fastest of 4, 8, 12, 16 and 24 on the benchmark's capture). */
#define READ_AHEAD_FRAMES 8
#define READ_AHEAD_BYTES 4096 /* jumbo frames: the headers matter most */
#define CACHE_LINE 64

static void fetch_ahead(const sess_packet *p)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t len = p->caplen < READ_AHEAD_BYTES ? p->caplen : READ_AHEAD_BYTES;
    if (!p->data)
        return;
    for (size_t off = 0; off < len; off += CACHE_LINE)
        __builtin_prefetch(p->data + off);
#else
    (void)p;
#endif
}

int sess_on_packets(sess_t *s, const sess_packet *pkts, size_t n)
{
    if (!s || (!pkts && n))
        return SESS_EINVAL;
    for (size_t i = 0; i < n && i < READ_AHEAD_FRAMES; i++)
        fetch_ahead(&pkts[i]);
    int first = SESS_OK;
    for (size_t i = 0; i < n; i++) {
        if (i + READ_AHEAD_FRAMES < n)
            fetch_ahead(&pkts[i + READ_AHEAD_FRAMES]);
        const sess_packet *p = &pkts[i];
        int rc = sess_on_packet(s, p->frame, p->ts, p->linktype, p->data,
                                p->caplen);
        if (rc != SESS_OK && first == SESS_OK)
            first = rc;
    }
    return first;
}

/* ---- lifetime -------------------------------------------------------------- */

sess_t *sess_new(const sess_config *cfg, sess_event_cb cb, void *user)
{
    sess_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (cfg)
        s->cfg = *cfg;
    else
        sess_config_init(&s->cfg);
    if (s->cfg.max_flows == 0)
        s->cfg.max_flows = 1;
    s->cb = cb;
    s->user = user;
    s->memcap_next = s->cfg.tcp_memcap;
    s->stream_cfg = (sess_stream_config){
        .policy = s->cfg.tcp_policy,
        .dir_cap = s->cfg.tcp_dir_cap,
        .window = s->cfg.tcp_window,
        .depth = s->cfg.tcp_depth,
        .history = s->cfg.tcp_history,
    };
    sess_ipfrag_config fc = {s->cfg.ip_policy, s->cfg.ip_timeout,
                             s->cfg.ip_memcap};
    s->frag = sess_ipfrag_new(&fc, on_evicted_datagram, s);
    s->pool = sess_stream_pool_new();
    if (!s->frag || !s->pool || sess_flow_table_init(&s->flows) != SESS_OK) {
        sess_free(s);
        return NULL;
    }
    return s;
}

void sess_finish(sess_t *s)
{
    uint64_t saved = s->emit_frame;
    sess_ipfrag_flush(s->frag);
    while (s->flows.oldest)
        flow_end(s, s->flows.oldest, 0, NULL);
    s->emit_frame = saved;
    s->now = 0; /* the next capture's clock may start anywhere */
}

static void free_stored(sess_t *s)
{
    for (size_t i = 0; i < s->nstored; i++)
        free((void *)s->stored[i].data);
    free(s->stored);
    s->stored = NULL;
    s->nstored = s->stored_cap = s->stored_bytes = 0;
}

void sess_free(sess_t *s)
{
    if (!s)
        return;
    for (sess_flow *f = s->flows.newest; f; f = f->older)
        if (f->ext)
            tcp_conn_free(f->ext), f->ext = NULL;
    if (s->flows.buckets)
        sess_flow_table_destroy(&s->flows);
    if (s->frag)
        sess_ipfrag_free(s->frag);
    if (s->pool)
        sess_stream_pool_free(s->pool);
    free_stored(s);
    free(s->frames.v);
    free(s->nested_frag);
    free(s);
}

const sess_counts *sess_get_counts(const sess_t *s) { return &s->counts; }

size_t sess_stored_count(const sess_t *s) { return s->nstored; }

const sess_stored *sess_stored_get(const sess_t *s, size_t i)
{
    return i < s->nstored ? &s->stored[i] : NULL;
}
