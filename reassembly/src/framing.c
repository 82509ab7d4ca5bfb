/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framing.c - the framer driver: which framer cuts a connection, and feeding it.
 *
 * A connection's framer is chosen once, when its first bytes are readable:
 * the port table (the responder's port, then the originator's when no
 * handshake says who is who), then the heuristic framers' probes on the
 * first sender's bytes, then raw.  Each direction's framer is then fed the
 * contiguous readable bytes of its stream until it needs more; every
 * message it cuts is consumed from the stream and emitted as a view into
 * the stream's buffer, with the frames that supplied it.  A framer that
 * fails (not its protocol, or a message still incomplete when the
 * direction ends) hands the rest of its direction to the raw framer and the
 * fallback is reported as an anomaly, so no byte is ever dropped by framing.
 * A framer that knows the protocol changes (an HTTP upgrade, PostgreSQL's
 * SSLRequest) names the next framer in its output: the direction is handed
 * over, with a fresh direction state, after the message or at once.
 *
 * A skipped gap (a given-up hole too long to zero-fill) ends the view: the
 * message the framer holds before it goes out partial, counting the gap as
 * missing; the gap is stepped over, and the framer either finds its place
 * again (those with `resyncs`, told by SESS_FF_GAP) or hands the rest of
 * the direction to raw.
 */
#include "framing.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const sess_framer_table *framer_table(const sess_t *s)
{
    return s->cfg.framers ? s->cfg.framers : sess_framer_table_default();
}

/* What a framer without state is given: never allocated, never freed. */
static max_align_t no_state;

/* Zeroed state of `size` bytes, or NULL when out of memory. */
static void *framer_state_new(sess_t *s, size_t size)
{
    return size ? sess__calloc(&s->alloc, 1, size) : &no_state;
}

void sess__framer_state_free(sess_t *s, void *state)
{
    if (state != &no_state)
        sess__free(&s->alloc, state);
}

/* The raw framer has no state, so falling back to it cannot fail. */
static void set_framer(sess_t *s, tcp_conn *c, int d, const sess_framer *fr,
                       const void *params)
{
    sess__framer_state_free(s, c->dir_state[d]);
    void *state = framer_state_new(s, fr->dir_state_size);
    if (!state) {
        char lost[96];
        snprintf(lost, sizeof lost, "%s framer state: direction %d framed raw",
                 fr->name, d);
        sess__report_nomem(s, c->ctx[d].flow, lost);
        fr = &sess_framer_raw, params = NULL;
        state = &no_state;
    }
    c->expect[d] = 0;
    c->framer[d] = fr;
    c->dir_state[d] = state;
    c->params[d] = params;
}

static void choose_framer_for_conn(sess_t *s, tcp_conn *c,
                                   const sess_framer *fr, const void *params)
{
    c->conn_state = framer_state_new(s, fr->conn_state_size);
    if (!c->conn_state) {
        char lost[96];
        snprintf(lost, sizeof lost, "%s framer state: connection framed raw",
                 fr->name);
        sess__report_nomem(s, c->ctx[0].flow, lost);
        fr = &sess_framer_raw, params = NULL;
        c->conn_state = &no_state;
    }
    set_framer(s, c, 0, fr, params);
    set_framer(s, c, 1, fr, params);
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
static bool choose_framer(sess_t *s, sess__flow *f, tcp_conn *c, bool final)
{
    const sess_framer_table *t = framer_table(s);
    const sess_framer_entry *e = table_entry(t, f->info.port[1]);
    if (!e && !c->syn[0] && !c->synack[1])
        e = table_entry(t, f->info.port[0]);
    if (e) {
        choose_framer_for_conn(s, c, e->framer, e->params);
        return true;
    }
    /* The first sender's bytes, or the other side's while the first
     * sender's wait behind a hole. */
    const uint8_t *data = NULL;
    size_t len = 0;
    if (c->first_dir >= 0)
        len = sess__stream_readable(&c->stream[c->first_dir], &data);
    if (len == 0 && c->first_dir >= 0)
        len = sess__stream_readable(&c->stream[1 - c->first_dir], &data);
    if (len == 0 && !final)
        return false;
    bool undecided = false;
    for (size_t i = 0; len && i < t->nheuristics; i++) {
        const sess_framer *fr = t->heuristics[i];
        int r = fr->probe ? fr->probe(data, len) : 0;
        if (r == 1) {
            choose_framer_for_conn(s, c, fr, NULL);
            return true;
        }
        if (r < 0)
            undecided = true;
    }
    if (undecided && !final)
        return false;
    choose_framer_for_conn(s, c, &sess_framer_raw, NULL);
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* `gap`: the skipped hole that cuts the message short, counted missing. */
static void emit_message(sess_t *s, sess__flow *f, tcp_conn *c, int d,
                         const sess_framer *fr, const sess_framer_output *out,
                         const uint8_t *data, uint64_t gap)
{
    sess__stream *st = &c->stream[d];
    uint64_t offset = sess__stream_consumed(st);
    s->frames.n = 0;
    uint64_t missing = 0;
    if (sess__stream_consume(st, out->len, &s->frames, &missing) != SESS_OK) {
        /* Only the frame list could not grow: the message still goes out,
         * without it. */
        sess__report_nomem(s, f, "message's list of frames not kept");
        sess__stream_consume(st, out->len, NULL, &missing);
    }
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
    m->missing = missing + gap;
    m->partial = out->partial;
    m->gap = gap || (c->gap[d] && out->partial);
    m->info = out->info;
    s->counts.messages++;
    s->counts.message_bytes += out->len;
    sess__emit(s, &ev);
    sess__stream_trim(st);
}

static unsigned dir_flags(const tcp_conn *c, int d, unsigned extra)
{
    unsigned flags = extra;
    if (sess__stream_complete(&c->stream[d]))
        flags |= SESS_FF_FIN;
    if (c->rst[0] || c->rst[1])
        flags |= SESS_FF_RST;
    if (c->psh[d])
        flags |= SESS_FF_PSH;
    if (sess__stream_idle(&c->stream[1 - d]))
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

static void reserve_for_message(sess_t *s, sess__stream *st, size_t held,
                                size_t expect)
{
    if (expect - held > RESERVE_AHEAD)
        expect = held + RESERVE_AHEAD;
    if (sess__stream_pool_bytes(s->pool) + (expect - held) >
        s->cfg.tcp_memcap / 2)
        return;
    (void)sess__stream_reserve(st, expect); /* on failure it just grows later */
}

/* A framer gave up on its direction (or held an incomplete message at its
 * end): the rest is cut raw, and the anomaly says so.  Kept out of
 * frame_dir(), which runs for nearly every packet. */
static void fall_back_to_raw(sess_t *s, sess__flow *f, tcp_conn *c, int d,
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
    sess__emit_anomaly(s, f, SESS_AN_FRAMER_ERROR, detail);
    set_framer(s, c, d, &sess_framer_raw, NULL);
}

/* Given-up bytes at the head of the view are zeros that no framer can
 * read: a length read from them would cut empty messages.  A zero-filled
 * hole is at most max_message long (a longer one is skipped), so it goes
 * out as one raw message (two adjacent given-up ranges as more), and the
 * framer starts afresh on the data after it. */
static void cut_zeros(sess_t *s, sess__flow *f, tcp_conn *c, int d,
                      const uint8_t *data, size_t run)
{
    sess_framer_output out;
    memset(&out, 0, sizeof out);
    out.len = run < s->cfg.max_message ? run : s->cfg.max_message;
    emit_message(s, f, c, d, &sess_framer_raw, &out, data, 0);
    if (out.len == run && c->framer[d])
        set_framer(s, c, d, c->framer[d], c->params[d]);
}

/* The view ends at a skipped gap and the framer holds an incomplete
 * message: it goes out partial, the gap counted as its missing bytes. */
static void cut_before_gap(sess_t *s, sess__flow *f, tcp_conn *c, int d,
                           const uint8_t *data, size_t len, uint64_t gap)
{
    sess_framer_output out;
    memset(&out, 0, sizeof out);
    out.len = len;
    out.partial = true;
    snprintf(out.info, sizeof out.info,
             "incomplete: %llu bytes missing after it", (unsigned long long)gap);
    emit_message(s, f, c, d, c->framer[d], &out, data, gap);
}

/* Steps over the skipped gap at the head of direction d.  The framer starts
 * afresh after it, told of the gap until it has found its place again. */
static void step_over_gap(sess_t *s, sess__flow *f, tcp_conn *c, int d)
{
    int rc;
    uint64_t gap = sess__stream_skip_gap(&c->stream[d], &rc);
    if (rc != SESS_OK)
        sess__report_nomem(s, f, "bytes after a skipped gap wait for memory");
    c->gap[d] = c->gap[d] + gap < c->gap[d] ? UINT64_MAX : c->gap[d] + gap;
    if (c->framer[d])
        set_framer(s, c, d, c->framer[d], c->params[d]);
}

/* After a gap, a framer that cannot find its place again hands the rest of
 * its direction to raw. */
static void cannot_resync(sess_t *s, sess__flow *f, tcp_conn *c, int d)
{
    char detail[128];
    snprintf(detail, sizeof detail,
             "%s: cannot resynchronise after a skipped gap, rest of the "
             "direction framed raw", c->framer[d]->name);
    sess__emit_anomaly(s, f, SESS_AN_FRAMER_ERROR, detail);
    set_framer(s, c, d, &sess_framer_raw, NULL);
}

/* Feeds direction d's framer until it needs more.  Returns whether any
 * message was emitted. */
static bool frame_dir(sess_t *s, sess__flow *f, tcp_conn *c, int d,
                      unsigned extra, bool force)
{
    bool progress = false;
    while (!c->done[d]) {
        const uint8_t *data;
        size_t len = sess__stream_readable(&c->stream[d], &data);
        uint64_t gap = sess__stream_gap(&c->stream[d]);
        if (len == 0 && gap) {
            step_over_gap(s, f, c, d);
            progress = true;
            continue;
        }
        if (len == 0) {
            if (sess__stream_complete(&c->stream[d])) {
                /* Complete and framed: nothing left to compare against
                 * is worth the memory of an idle connection. */
                c->done[d] = true;
                sess__stream_drop_history(&c->stream[d]);
            }
            break;
        }
        size_t zeros = sess__stream_missing_at_head(&c->stream[d],
                                                   s->cfg.max_message + 1);
        if (zeros) {
            cut_zeros(s, f, c, d, data, zeros);
            progress = true;
            continue;
        }
        unsigned flags = dir_flags(c, d, extra);
        if (gap) /* the direction goes on after it */
            flags &= ~(unsigned)SESS_FF_END;
        /* An announced length is a promise: the framer answers NEED_MORE
         * until the view reaches it, unless the direction ends first.  The
         * segments in the middle of a long message skip the call. */
        if (len < c->expect[d] && !force && !(flags & SESS_FF_END) && !gap)
            break;
        bool final = flags & SESS_FF_END;
        if (!c->framer[d] && !choose_framer(s, f, c, final || gap))
            break;
        const sess_framer *fr = c->framer[d];
        if (c->gap[d]) {
            if (!fr->resyncs && fr != &sess_framer_raw) {
                cannot_resync(s, f, c, d);
                continue;
            }
            flags |= SESS_FF_GAP;
        }
        sess_framer_input in = {data, len, s->cfg.max_message, flags,
                                (uint8_t)d, c->gap[d]};
        sess_framer_output out;
        memset(&out, 0, sizeof out);
        int r = fr->feed(c->dir_state[d], c->conn_state, c->params[d], &in,
                         &out);
        c->expect[d] = 0;
        if (r == SESS_FRAME_MESSAGE && out.len > 0 && out.len <= len &&
            out.len <= s->cfg.max_message) {
            emit_message(s, f, c, d, fr, &out, data, 0);
            c->gap[d] = 0;
            if (out.next)
                set_framer(s, c, d, out.next, NULL);
            progress = true;
            continue;
        }
        if (r == SESS_FRAME_NEED_MORE && out.next && out.next != fr) {
            set_framer(s, c, d, out.next, NULL); /* the protocol changed here */
            continue;
        }
        if (r == SESS_FRAME_NEED_MORE && gap && len < s->cfg.max_message) {
            cut_before_gap(s, f, c, d, data, len, gap);
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
    return !c->done[d] && (sess__stream_has_readable(&c->stream[d]) ||
                           sess__stream_complete(&c->stream[d]));
}

/* Runs both directions until neither makes progress.  `extra` carries
 * SESS_FF_EOC when the flow is being flushed. */
void sess__framing_run(sess_t *s, sess__flow *f, tcp_conn *c, unsigned extra)
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
