/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp_conn.c - TCP connection tracking: handshake, lifecycle, history.
 *
 * Every TCP segment of a flow passes here, whatever the session kind: the
 * flags build Zeek's history string (each letter once per direction, upper
 * case from the originator) and, when the flow ends, its connection state.
 * A SYN fixes its direction's stream base (ISN+1); a new SYN on a closing
 * or midstream-picked-up 4-tuple starts a new connection.  For TCPSession
 * the segment's payload then goes to its direction's stream, FIN ends the
 * direction, a hole the peer acknowledged (an RST's acknowledgement too) is
 * given up after a grace of packets or seconds, and data waiting behind a
 * hole longer than tcp_timeout expires; whenever a stream changed, the
 * framer driver (framing.c) runs.
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
        sess__stream_init(&c->stream[d], &s->stream_cfg, s->pool, on_missing,
                         &c->ctx[d]);
    }
    f->ext = c;
    return c;
}

void sess__tcp_conn_free(sess_t *s, tcp_conn *c)
{
    for (int d = 0; d < 2; d++) {
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

    if (syn && (fin || rst))
        history_add(f, c, d, 'Q');
    if (syn) {
        history_add(f, c, d, ack ? 'H' : 'S');
        bool *seen = ack ? &c->synack[d] : &c->syn[d];
        if (!*seen) {
            *seen = true;
            c->isn[d] = p->seq;
            sess__stream_syn(&c->stream[d], p->seq);
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
        sess__stream_fin(&c->stream[d], seq);
    if (ack && sess__stream_started(&c->stream[1 - d]))
        sess__stream_ack(&c->stream[1 - d], p->ack);
    /* An ACK gives a hole up only after its grace: the data may have been
     * captured after the ACK that covers it.  An RST ends the grace: it
     * gives up what was acknowledged, and only that. */
    uint64_t pkt = f->info.pkts[0] + f->info.pkts[1];
    double deadline = s->now - s->cfg.tcp_timeout;
    bool holes = false;
    for (int x = 0; x < 2; x++) {
        report_stream_nomem(s, f,
                            rst ? sess__stream_give_up_acked(&c->stream[x])
                                : sess__stream_settle(&c->stream[x], s->now, pkt),
                            "acknowledged hole not given up: bytes behind "
                            "it wait for a later give-up");
        if (sess__stream_holds_beyond_hole(&c->stream[x])) {
            report_stream_nomem(s, f,
                                sess__stream_expire(&c->stream[x], deadline),
                                "expired hole not given up: bytes behind it "
                                "wait for a later give-up");
            holes |= sess__stream_holds_beyond_hole(&c->stream[x]);
        }
    }
    /* A pure ACK that gave nothing up changes nothing a framer sees. */
    if (p->payload_len == 0 && !fin && !rst && !s->streams_changed)
        return;
    /* After an RST the framers cut what they hold, unless data may still
     * fill a hole (then the flow's end does). */
    sess__framing_run(s, f, c, rst && !holes ? SESS_FF_EOC : 0);
}

/* A SYN with another ISN starts a new connection on the 4-tuple when the
 * old one was closing (a FIN or RST seen: the rest of the close may have
 * escaped the capture) or was picked up midstream (its own SYN was never
 * seen, nor a SYN-ACK answering one), but not when it crosses the peer's
 * own SYN (simultaneous open).  Idle flows have already ended. */
bool sess__tcp_starts_new_flow(const sess__flow *f, uint8_t d,
                                const sess__pkt *p)
{
    const tcp_conn *c = f->ext;
    if (!c || (p->tcp_flags & (SESS__TH_SYN | SESS__TH_ACK)) != SESS__TH_SYN)
        return false;
    if (c->syn[d])
        return c->isn[d] != p->seq &&
               (c->fin[0] || c->fin[1] || c->rst[0] || c->rst[1]);
    if (c->syn[1 - d] && !c->synack[1 - d] && c->first_dir < 0)
        return false;
    return !c->synack[1 - d];
}
