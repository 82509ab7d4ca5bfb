/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp_conn.c - TCP connection tracking: handshake, lifecycle, history.
 *
 * Every TCP segment of a flow passes here, whatever the session kind: the
 * flags build Zeek's history string (each letter once per direction, upper
 * case from the originator) and, when the flow ends, its connection state.
 * A SYN fixes its direction's stream base (ISN+1), unless the handshake
 * that was answered names another ISN; a new SYN on a closing,
 * unanswered or midstream-picked-up 4-tuple starts a new connection
 * (sess__tcp_starts_new_flow gives the rule).  A FIN or RST whose sequence
 * number cannot be checked yet (before the direction's SYN-ACK) anchors
 * and ends nothing, and a keep-alive probe is not data.  For TCPSession
 * the segment's payload then goes to its direction's stream, FIN ends the
 * direction, a hole the peer acknowledged (an RST's acknowledgement too) is
 * given up after a grace of the flow's packets or of capture time -- the
 * latter checked on every packet of the capture, through a queue of the
 * graces in the order they began; an RST ends the grace of the holes
 * acknowledged before it -- and data waiting behind a hole longer than
 * tcp_timeout expires; whenever a stream changed, the framer driver
 * (framing.c) runs.
 */
#include "tcp_conn.h"

#include "framing.h"

#include <stdio.h>

/* ---- Zeek-style history and state ---------------------------------------- */

/* Each letter is recorded once per direction, in order of first sight; the
 * letters are bits of seen_letters, indexed from 'A'. */
static void history_add(sess__flow *f, tcp_conn *c, uint8_t dir, char letter)
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

const char *sess__tcp_conn_state(const tcp_conn *c)
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

static void on_missing(void *user, uint64_t offset, uint64_t len,
                       sess_missing_fate fate)
{
    tcp_dir_ctx *x = user;
    sess_event ev = {.type = SESS_EV_TCP_MISSING, .flow = &x->flow->info};
    ev.u.missing.dir = x->dir;
    ev.u.missing.offset = offset;
    ev.u.missing.len = len;
    ev.u.missing.fate = fate;
    x->flow->info.missing[x->dir] += len;
    x->s->streams_changed = true;
    x->s->counts.missing_bytes += len;
    tcp_conn *c = x->flow->ext;
    history_add(x->flow, c, x->dir, 'G');
    sess__emit(x->s, &ev);
}

static tcp_conn *tcp_conn_new(sess_t *s, sess__flow *f)
{
    tcp_conn *c = sess__calloc(&s->alloc, 1, sizeof *c);
    if (!c) {
        sess__report_nomem(s, f, "TCP connection state not created: "
                                 "segment not tracked nor reassembled");
        return NULL;
    }
    c->first_dir = -1;
    for (int d = 0; d < 2; d++) {
        c->ctx[d] = (tcp_dir_ctx){s, f, (uint8_t)d};
        c->grace[d].conn = c;
        sess__stream_init(&c->stream[d], &s->stream_cfg, s->pool, on_missing,
                         &c->ctx[d]);
    }
    f->ext = c;
    return c;
}

/* ---- graces by capture time ------------------------------------------------ */

static void grace_unlink(sess_t *s, sess__tcp_grace *g)
{
    if (!g->queued)
        return;
    *(g->prev ? &g->prev->next : &s->grace_head) = g->next;
    *(g->next ? &g->next->prev : &s->grace_tail) = g->prev;
    g->prev = g->next = NULL;
    g->queued = false;
}

/* Keeps direction d's place in the queue in step with its stream: queued
 * while a grace runs, by the time it began (a grace begins at the latest
 * capture time, so appending keeps the queue in order). */
static void grace_track(sess_t *s, tcp_conn *c, int d)
{
    sess__tcp_grace *g = &c->grace[d];
    double since;
    bool pending = sess__stream_grace_pending(&c->stream[d], &since);
    if (g->queued && (!pending || g->since != since))
        grace_unlink(s, g);
    if (!pending || g->queued)
        return;
    g->since = since;
    g->prev = s->grace_tail;
    g->next = NULL;
    *(s->grace_tail ? &s->grace_tail->next : &s->grace_head) = g;
    s->grace_tail = g;
    g->queued = true;
}

void sess__tcp_conn_free(sess_t *s, tcp_conn *c)
{
    for (int d = 0; d < 2; d++) {
        grace_unlink(s, &c->grace[d]);
        sess__stream_release(&c->stream[d]);
        sess__framer_state_free(s, c->dir_state[d]);
    }
    sess__framer_state_free(s, c->conn_state);
    sess__free(&s->alloc, c);
}

/* A stream call that failed for memory: what it cost, reported. */
static void report_stream_nomem(sess_t *s, sess__flow *f, int rc,
                                const char *lost)
{
    if (rc == SESS_ENOMEM)
        sess__report_nomem(s, f, lost);
}

void sess__tcp_give_up_all(sess_t *s, sess__flow *f, tcp_conn *c)
{
    for (int d = 0; d < 2; d++) {
        uint64_t held = c->stream[d].ooo_bytes;
        if (sess__stream_give_up(&c->stream[d]) != SESS_OK) {
            char lost[96];
            snprintf(lost, sizeof lost,
                     "hole not given up: %llu bytes held beyond it (dir %d) "
                     "not delivered", (unsigned long long)held, d);
            sess__report_nomem(s, f, lost);
        }
    }
}

static void emit_stream_anomalies(sess_t *s, sess__flow *f, unsigned a)
{
    if (a & SESS__STREAM_A_WINDOW)
        sess__emit_anomaly(s, f, SESS_AN_TCP_WINDOW,
                     "sequence number jumps beyond the window: segment ignored");
    if (a & SESS__STREAM_A_DIR_CAP)
        sess__emit_anomaly(s, f, SESS_AN_TCP_DIR_CAP,
                     "out-of-order data over the direction's cap: hole given up");
    if (a & SESS__STREAM_A_DEPTH)
        sess__emit_anomaly(s, f, SESS_AN_TCP_DEPTH,
                     "reassembly depth reached: later bytes ignored");
}

/* Reassembles one data segment of direction d and reports it. */
static void tcp_data(sess_t *s, sess__flow *f, tcp_conn *c, uint8_t d,
                     uint32_t seq, const sess__pkt *p)
{
    sess__seg_info info;
    int rc = sess__stream_data(&c->stream[d], seq, p->payload, p->payload_len,
                              s->emit_frame, s->now, &info);
    if (rc == SESS_ENOMEM) {
        char lost[96];
        snprintf(lost, sizeof lost, "TCP segment not held: %u bytes at "
                 "offset %llu (dir %u) will be missing", (unsigned)info.len,
                 (unsigned long long)info.offset, d);
        sess__report_nomem(s, f, lost);
    }
    if (c->first_dir < 0)
        c->first_dir = (int8_t)d;
    c->psh[d] = p->tcp_flags & SESS__TH_PSH;
    s->counts.tcp_segments++;
    if (info.flags & SESS_SEG_RETRANSMISSION)
        history_add(f, c, d, 'T');
    sess_event ev; /* per packet: the segment member's fields, and only those */
    ev.type = SESS_EV_TCP_SEGMENT;
    ev.flow = &f->info;
    ev.u.segment.dir = d;
    ev.u.segment.offset = info.offset;
    ev.u.segment.len = info.len;
    ev.u.segment.flags = info.flags;
    sess__emit(s, &ev);
    if (info.flags & SESS_SEG_CONFLICT)
        sess__emit_anomaly(s, f, SESS_AN_TCP_CONFLICT, "overlapping TCP data differs");
    if (info.flags & SESS_SEG_LATE)
        sess__emit_anomaly(s, f, SESS_AN_TCP_LATE,
                     "data for a range already given up or beyond the FIN");
    emit_stream_anomalies(s, f, info.anomalies);
}

/* ---- the handshake ------------------------------------------------------------ */

/* Direction d has not synchronised yet: the peer's SYN waits for d's
 * SYN-ACK and d has sent neither a SYN nor data.  d's sequence numbers
 * cannot be checked then (RFC 793 drops a FIN in SYN-SENT for that
 * reason), so its FIN or RST anchors and ends nothing. */
static bool unsynchronised(const tcp_conn *c, int d)
{
    return c->syn[1 - d] && !c->synack[d] && !c->syn[d] && !c->data[d];
}

/* An RST that really resets: any from a synchronised direction, and from
 * one still answering a SYN only when it acknowledges that SYN (RFC 793,
 * SYN-SENT: a refused connection). */
static bool rst_acceptable(const tcp_conn *c, int d, const sess__pkt *p)
{
    if (!unsynchronised(c, d))
        return true;
    return (p->tcp_flags & SESS__TH_ACK) && p->ack == c->isn[1 - d] + 1;
}

/* A SYN or SYN-ACK from d: the first one bases d's stream. */
static void on_syn(tcp_conn *c, int d, const sess__pkt *p)
{
    bool *seen = (p->tcp_flags & SESS__TH_ACK) ? &c->synack[d] : &c->syn[d];
    if (!*seen) {
        *seen = true;
        c->isn[d] = p->seq;
        sess__stream_syn(&c->stream[d], p->seq);
    }
}

/* The stream is based on the handshake that was answered.  A SYN-ACK's
 * acknowledgement names the SYN it accepts, and the client's first one
 * the SYN-ACK: when d's first data lies within the window after the
 * peer's first acknowledgement, and nearer to it than to d's own SYN (the
 * client retried with a new ISN and the earlier SYN was answered, or the
 * server answered again with a new ISN), d's stream is based on the
 * acknowledged ISN.  Both ends agreeing is the proof: a bogus
 * acknowledgement alone moves nothing.  Nothing delivered moves either,
 * since d has sent no data yet. */
static void anchor_on_answer(tcp_conn *c, int d, uint32_t seq,
                             uint32_t window)
{
    if (c->data[d] || !(c->syn[d] || c->synack[d]) || !c->has_ack[1 - d])
        return;
    uint32_t accepted = c->first_ack[1 - d] - 1;
    uint32_t from_accepted = seq - (accepted + 1), from_syn = seq - (c->isn[d] + 1);
    if (from_accepted >= window || from_accepted >= from_syn)
        return;
    c->isn[d] = accepted;
    sess__stream_release(&c->stream[d]);
    sess__stream_syn(&c->stream[d], accepted);
}

/* A segment of at most one byte, without SYN, FIN or RST, one below the
 * next byte: a keep-alive probe, not data.  A direction not started yet
 * (picked up midstream) is measured against the peer's acknowledgement. */
static bool is_keepalive(const tcp_conn *c, int d, const sess__pkt *p)
{
    if (p->payload_len > 1 ||
        (p->tcp_flags & (SESS__TH_SYN | SESS__TH_FIN | SESS__TH_RST)))
        return false;
    if (sess__stream_started(&c->stream[d]))
        return sess__stream_is_keepalive(&c->stream[d], p->seq);
    return c->has_ack[1 - d] && p->seq == c->last_ack[1 - d] - 1;
}

/* ---- segments ------------------------------------------------------------------ */

/* Gives up direction d's holes whose grace ran out (after a reset, every
 * hole acknowledged before it). */
static void give_up_due(sess_t *s, sess__flow *f, tcp_conn *c, int d,
                        bool reset)
{
    sess__stream *st = &c->stream[d];
    report_stream_nomem(s, f,
                        reset ? sess__stream_give_up_acked(st)
                              : sess__stream_settle(st, s->now,
                                                    f->info.pkts[0] + f->info.pkts[1]),
                        "acknowledged hole not given up: bytes behind it "
                        "wait for a later give-up");
}

/* Gives up the holes whose grace ran out (or, after a reset, the holes
 * acknowledged before it), then what waited behind a hole longer than
 * tcp_timeout.  Returns whether bytes still wait behind a hole. */
static bool settle_holes(sess_t *s, sess__flow *f, tcp_conn *c, bool reset)
{
    double deadline = s->now - s->cfg.tcp_timeout;
    bool holes = false;
    for (int x = 0; x < 2; x++) {
        give_up_due(s, f, c, x, reset);
        grace_track(s, c, x);
        if (!reset && sess__stream_holds_beyond_hole(&c->stream[x])) {
            report_stream_nomem(s, f,
                                sess__stream_expire(&c->stream[x], deadline),
                                "expired hole not given up: bytes behind it "
                                "wait for a later give-up");
            holes |= sess__stream_holds_beyond_hole(&c->stream[x]);
        }
    }
    return holes;
}

/* Tracks the connection's lifecycle (every session kind) and, for
 * TCPSession, reassembles and frames its streams. */
void sess__tcp_segment(sess_t *s, sess__flow *f, uint8_t d, const sess__pkt *p)
{
    tcp_conn *c = f->ext ? f->ext : tcp_conn_new(s, f);
    if (!c)
        return;
    s->streams_changed = false;
    bool reassemble = s->cfg.kind == SESS_KIND_TCP;
    uint8_t fl = p->tcp_flags;
    bool syn = fl & SESS__TH_SYN, ack = fl & SESS__TH_ACK;
    bool fin = fl & SESS__TH_FIN, rst = fl & SESS__TH_RST;
    /* A FIN or RST riding on a SYN, or from a direction that has not
     * synchronised, is recorded in the history but ends nothing. */
    bool fin_ok = fin && !syn && !unsynchronised(c, d);
    bool rst_ok = rst && !syn && rst_acceptable(c, d, p);

    if (syn && (fin || rst))
        history_add(f, c, d, 'Q');
    if (syn) {
        history_add(f, c, d, ack ? 'H' : 'S');
        on_syn(c, d, p);
    } else {
        c->past_syn[d] = true;
        if (ack && !fin && !rst && p->payload_len == 0)
            history_add(f, c, d, 'A');
    }
    if (p->window == 0 && !syn && !rst)
        history_add(f, c, d, 'W');

    uint32_t seq = p->seq + (syn ? 1u : 0u);
    if (p->payload_len > 0 && !is_keepalive(c, d, p)) {
        history_add(f, c, d, 'D');
        if (!syn)
            anchor_on_answer(c, d, seq, s->cfg.tcp_window);
        c->data[d] = true;
        if (reassemble)
            tcp_data(s, f, c, d, seq, p);
    }
    if (ack) {
        if (!c->has_ack[d])
            c->first_ack[d] = p->ack;
        c->has_ack[d] = true;
        c->last_ack[d] = p->ack;
    }
    /* The payload may be cut by the snap length: the rest is a hole. */
    seq += (uint32_t)p->payload_wire_len;
    if (fin) {
        history_add(f, c, d, 'F');
        c->fin[d] |= fin_ok;
    }
    if (rst) {
        history_add(f, c, d, 'R');
        c->rst[d] |= rst_ok;
    }
    if (!reassemble)
        return;
    if (fin_ok)
        sess__stream_fin(&c->stream[d], seq);
    /* An RST ends the grace of the holes acknowledged before it, and gives
     * up nothing else.  What it acknowledges itself is a hint like any
     * ACK's: the data it covers may be captured just behind it. */
    if (rst_ok)
        settle_holes(s, f, c, true);
    if (ack && sess__stream_started(&c->stream[1 - d]))
        sess__stream_ack(&c->stream[1 - d], p->ack);
    /* An ACK gives a hole up only after its grace: the data may have been
     * captured after the ACK that covers it. */
    bool holes = settle_holes(s, f, c, false);
    /* A pure ACK that gave nothing up changes nothing a framer sees. */
    if (p->payload_len == 0 && !fin_ok && !rst_ok && !s->streams_changed)
        return;
    /* After an RST the framers cut what they hold, unless data may still
     * fill a hole (then the flow's end does). */
    sess__framing_run(s, f, c, rst_ok && !holes ? SESS_FF_EOC : 0);
}

void sess__tcp_grace_expire(sess_t *s)
{
    sess__tcp_grace *g;
    while ((g = s->grace_head) != NULL &&
           !(s->now - g->since < s->cfg.tcp_ack_grace_time)) {
        tcp_conn *c = g->conn;
        int d = g == &c->grace[0] ? 0 : 1;
        sess__flow *f = c->ctx[d].flow;
        uint64_t saved = s->emit_frame;
        s->emit_frame = f->info.last_frame;
        give_up_due(s, f, c, d, false);
        grace_unlink(s, g); /* given up, or waiting for a later give-up */
        sess__framing_run(s, f, c, 0);
        s->emit_frame = saved;
    }
}

/* A SYN starts a new connection on the 4-tuple when the old one was
 * picked up midstream (its own SYN was never seen, nor a SYN-ACK
 * answering one), but not when it crosses the peer's own SYN
 * (simultaneous open).  A SYN with another ISN than the sender's earlier
 * one starts a new connection when the old one was closing (a FIN or RST
 * seen: the rest of the close may have escaped the capture) or when the
 * sender never went past its SYN (a retry with a new ISN, a SYN flood, a
 * Fast Open SYN the server ignored: the connection that follows is the
 * one answered); in an established connection it is ignored, as the
 * receiver does (RFC 5961).  Idle flows have already ended. */
bool sess__tcp_starts_new_flow(const sess__flow *f, uint8_t d,
                                const sess__pkt *p)
{
    const tcp_conn *c = f->ext;
    if (!c || (p->tcp_flags & (SESS__TH_SYN | SESS__TH_ACK)) != SESS__TH_SYN)
        return false;
    if (c->syn[d])
        return c->isn[d] != p->seq &&
               (c->fin[0] || c->fin[1] || c->rst[0] || c->rst[1] ||
                !c->past_syn[d]);
    if (c->syn[1 - d] && !c->synack[1 - d] && c->first_dir < 0)
        return false;
    return !c->synack[1 - d];
}
