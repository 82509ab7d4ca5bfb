/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.c - one direction of a TCP connection: policy and contract.
 *
 * Bytes live in one flat buffer indexed by stream offset (stream_buffer.c).
 * Who supplied each byte is kept apart, as runs: [start, end) of bytes from
 * one segment, with that segment's original bounds, frame and arrival time.
 * Runs tile [consumed, next) exactly (a given-up hole is a "missing" run of
 * zeros) and cover the held bytes beyond; they are ordered by offset in a
 * treap (stream_treap.c), so finding the runs a segment touches is O(log n)
 * whatever the arrival order.
 *
 * A segment that overlaps held runs is cut out of the treap together with
 * them (split at its start and end), walked once, decided by the overlap
 * policy run by run (the decision depends only on original bounds, so it is
 * constant over a run), and the resulting runs are merged back.  Pieces won
 * by the arriving segment are one run per contiguous stretch.  A segment
 * landing in a hole skips all that: bytes are copied and one node is
 * inserted.  The common case, a segment at `next` with nothing held beyond,
 * does not even walk the treap: its run is appended to a list of in-order
 * runs that follow every run of the treap, consumed from the front, and
 * moved into the treap only when an overlap, a hole or expiry needs to look
 * runs up.  Holes are given up (reported, and zero-filled up to fill_max
 * bytes) on the peer's ACK after its grace, RST, the direction cap, expiry
 * and the end of the flow.  Nodes and buffer bytes come from the session's
 * pool (stream_pool.h).
 *
 * The flat buffer holds the runs below `flat_end`; it grows to take a
 * segment only when the segment starts inside it or right at its end, so
 * it spans no hole but zero-filled ones.  A segment beyond a hole is
 * copied once into a block of its own (a "far" copy, shared by the runs
 * cut from it and counted by the pool), so a jump of 16 MiB costs the
 * bytes sent, not 16 MiB, and a connection holding one early segment does
 * not hold a buffer.  When `next` reaches far runs (their hole filled or
 * zero-filled), they are moved into the buffer.  A hole longer than
 * fill_max given up is "skipped": a missing run without bytes.  The
 * readable view stops before it; when the consumer steps over it, the
 * buffer is rebased at its end (the history before it is dropped) and the
 * runs after it are moved in.
 */
#include "stream.h"

#include "stream_buffer.h"
#include "stream_pool.h"
#include "stream_treap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef sess__run node;

/* The bytes of run r at `off`: in its far copy, or in the buffer. */
static uint8_t *run_at(const sess__stream *s, const node *r, uint64_t off)
{
    return r->far ? r->far->bytes + (off - r->far->base) : sess__buf_at(s, off);
}

/* End of the readable view: `next`, unless the buffer stops before it (a
 * skipped gap, or far runs not moved in for lack of memory). */
static uint64_t readable_end(const sess__stream *s)
{
    return s->next < s->flat_end ? s->next : s->flat_end;
}

/* ---- in-order runs ------------------------------------------------------ */

/* Moves the runs appended in order into the treap, before anything inserts
 * a run there or looks up runs below `next` (the in-order runs all lie
 * below it, so lookups at or beyond it need no flush). */
static void flush_tail(sess__stream *s)
{
    for (node *n = s->tail, *following; n; n = following) {
        following = n->right;
        n->right = NULL;
        sess__treap_insert(&s->root, n);
    }
    s->tail = s->tail_last = NULL;
}

static node *first_run(const sess__stream *s)
{
    return s->root ? sess__treap_min(s->root) : s->tail;
}

static node *pop_first_run(sess__stream *s)
{
    if (s->root)
        return sess__treap_pop_min(&s->root);
    node *n = s->tail;
    s->tail = n->right;
    if (!s->tail)
        s->tail_last = NULL;
    return n;
}

/* ---- offsets ------------------------------------------------------------ */

static void start_at(sess__stream *s, uint32_t seq)
{
    s->started = true;
    s->base_seq = seq;
}

/* The offset of `seq`, taken as the nearest one to `next` (within 2^31). */
static int64_t unwrap(const sess__stream *s, uint32_t seq)
{
    uint32_t d = seq - (s->base_seq + (uint32_t)s->next);
    int64_t delta = d < 0x80000000u ? (int64_t)d : (int64_t)d - 0x100000000;
    return (int64_t)s->next + delta;
}

/* Where received data must stop: the FIN, then the depth. */
static uint64_t data_limit(const sess__stream *s)
{
    uint64_t limit = s->fin_known ? s->fin_offset : UINT64_MAX;
    if (s->cfg->depth && s->cfg->depth < limit)
        limit = s->cfg->depth;
    return limit;
}

/* ---- holes -------------------------------------------------------------- */

static void remember_gone(sess__stream *s, uint64_t start, uint64_t end)
{
    if (s->ngone && s->gone[s->ngone - 1].end == start) {
        s->gone[s->ngone - 1].end = end;
        return;
    }
    if (s->ngone == SESS__STREAM_GONE_MAX) {
        memmove(s->gone, s->gone + 1,
                (SESS__STREAM_GONE_MAX - 1) * sizeof *s->gone);
        s->ngone--;
    }
    s->gone[s->ngone++] = (sess__stream_range){start, end};
}

/* Moves `next` over the held bytes that now follow it contiguously (a
 * run won by an overlapping segment may start below it). */
static void advance_next(sess__stream *s)
{
    node *r;
    while ((r = sess__treap_holding(s->root, s->next)) != NULL) {
        if (!r->missing)
            s->ooo_bytes -= r->end - s->next;
        s->next = r->end;
    }
    if (s->highest < s->next)
        s->highest = s->next;
}

/* Makes the buffer hold every offset below `end` (and the run reaching
 * past it): far runs there are copied in, far missing runs zero-filled.
 * Never called across a skipped gap. */
static int flatten_to(sess__stream *s, uint64_t end)
{
    if (end <= s->flat_end)
        return SESS_OK;
    flush_tail(s);
    node *last = sess__treap_last_before(s->root, end);
    if (last && last->end > end)
        end = last->end;
    if (sess__buf_reserve(s, end) != SESS_OK)
        return SESS_ENOMEM;
    for (node *r = sess__treap_ceil(s->root, s->flat_end); r && r->start < end;
         r = sess__treap_ceil(s->root, r->end)) {
        size_t len = (size_t)(r->end - r->start);
        if (r->far) {
            memcpy(sess__buf_at(s, r->start), run_at(s, r, r->start), len);
            sess__far_put(s, r->far);
            r->far = NULL;
        } else if (r->missing) {
            memset(sess__buf_at(s, r->start), 0, len);
        }
    }
    s->flat_end = end;
    return SESS_OK;
}

/* Moves what became contiguous into the buffer: up to `next`, or up to the
 * first skipped gap, beyond which the buffer cannot reach until the gap is
 * stepped over.  On SESS_ENOMEM the readable view just stays shorter. */
static int settle_flat(sess__stream *s)
{
    return flatten_to(s, s->skip_start != SESS__NO_GAP ? s->skip_start : s->next);
}

/* Gives up the hole at `next`, up to the following data or `bound`: zeros
 * up to fill_max bytes, a skipped gap beyond. */
static int give_up_hole(sess__stream *s, uint64_t bound)
{
    flush_tail(s);
    node *after = sess__treap_ceil(s->root, s->next);
    uint64_t start = s->next;
    uint64_t end = after && after->start < bound ? after->start : bound;
    bool skip = end - start > s->cfg->fill_max && start >= s->flat_end;
    if (sess__pool_reserve(s->pool, 1) != SESS_OK)
        return SESS_ENOMEM;
    if (!skip && start < s->flat_end) {
        /* Inside the buffer, where stale bytes lie: zeroed now. */
        if (flatten_to(s, end) != SESS_OK)
            return SESS_ENOMEM;
        memset(sess__buf_at(s, start), 0, (size_t)(end - start));
    }
    node *n = sess__node_take(s);
    n->start = start;
    n->end = end;
    n->ts = INFINITY;
    n->missing = true;
    n->skipped = skip;
    sess__treap_insert(&s->root, n);
    remember_gone(s, start, end);
    if (skip && s->skip_start == SESS__NO_GAP)
        s->skip_start = start;
    s->next = end;
    advance_next(s);
    if (s->missing_cb)
        s->missing_cb(s->user, start, end - start,
                      skip ? SESS_MISSING_SKIPPED : SESS_MISSING_ZERO_FILLED);
    return settle_flat(s);
}

static int give_up_to(sess__stream *s, uint64_t bound)
{
    uint64_t limit = data_limit(s);
    if (bound > limit)
        bound = limit;
    while (s->next < bound) {
        int rc = give_up_hole(s, bound);
        if (rc != SESS_OK)
            return rc;
    }
    return SESS_OK;
}

/* ---- segments ----------------------------------------------------------- */

/* Whether the arriving segment [ns, ne) takes a byte held by [hs, he). */
static bool new_wins(sess_tcp_policy policy, int64_t hs, int64_t he,
                     int64_t ns, int64_t ne)
{
    switch (policy) {
    case SESS_TCP_LAST:
        return true;
    case SESS_TCP_BSD:
    case SESS_TCP_WINDOWS:
        return ns < hs;
    case SESS_TCP_LINUX:
        return ns < hs || (ns == hs && ne > he);
    case SESS_TCP_OLD_LINUX:
        return ns < hs || (ns == hs && ne >= he);
    case SESS_TCP_SOLARIS:
        return ne > he || (ns <= hs && ne >= he);
    case SESS_TCP_FIRST:
    case SESS_TCP_VISTA:
    default:
        return false;
    }
}

/* One arriving segment, as sent, and what was found under it. */
typedef struct segment {
    const uint8_t *data;
    sess__far_bytes *far; /* its copy, for the part beyond the buffer */
    int64_t start, end; /* original bounds */
    uint64_t frame;
    double ts;
    uint64_t covered;   /* bytes already received */
    uint64_t late;      /* bytes on given-up ranges */
    uint64_t filled;    /* bytes written into holes */
    bool conflict;
} segment;

static const uint8_t *seg_bytes(const segment *g, uint64_t off)
{
    return g->data + (off - (uint64_t)g->start);
}

/* Consumed bytes [a, b) that were received: compared with the history
 * where it still holds them. */
static void check_received(const sess__stream *s, segment *g, uint64_t a,
                           uint64_t b)
{
    g->covered += b - a;
    uint64_t h = sess__hist_start(s);
    if (a < h)
        a = h;
    if (a < b && memcmp(sess__buf_at(s, a), seg_bytes(g, a), (size_t)(b - a)) != 0)
        g->conflict = true;
}

/* [a, b) lies below the consumed offset: final bytes, only checked. */
static void check_consumed(const sess__stream *s, segment *g, uint64_t a,
                           uint64_t b)
{
    uint64_t pos = a;
    for (unsigned i = 0; i < s->ngone && pos < b; i++) {
        const sess__stream_range *r = &s->gone[i];
        if (r->end <= pos || r->start >= b)
            continue;
        if (r->start > pos)
            check_received(s, g, pos, r->start);
        uint64_t end = r->end < b ? r->end : b;
        g->late += end - (r->start > pos ? r->start : pos);
        pos = end;
    }
    if (pos < b)
        check_received(s, g, pos, b);
}

/* Copies the segment's bytes [a, b) into the buffer, unless they lie in
 * its far copy already. */
static void place_bytes(sess__stream *s, const segment *g, uint64_t a,
                        uint64_t b)
{
    if (!g->far)
        memcpy(sess__buf_at(s, a), seg_bytes(g, a), (size_t)(b - a));
}

/* A run of the segment's bytes [a, b), copied into place. */
static node *new_piece(sess__stream *s, const segment *g, uint64_t a,
                       uint64_t b)
{
    place_bytes(s, g, a, b);
    node *n = sess__node_take(s);
    n->far = g->far;
    if (g->far)
        g->far->refs++;
    n->start = a;
    n->end = b;
    n->ostart = g->start;
    n->oend = g->end;
    n->frame = g->frame;
    n->ts = g->ts;
    return n;
}

/* Appends a stretch won by the segment, extending its previous stretch when
 * they touch. */
static void emit_piece(sess__stream *s, const segment *g, node ***tail,
                       node **piece, uint64_t a, uint64_t b)
{
    if (*piece && (*piece)->end == a) {
        place_bytes(s, g, a, b);
        (*piece)->end = b;
        return;
    }
    node *n = new_piece(s, g, a, b);
    **tail = n;
    *tail = &n->right;
    *piece = n;
}

static void emit_run(node ***tail, node *r)
{
    r->right = NULL;
    **tail = r;
    *tail = &r->right;
}

/* Takes [os, oe) away from held run r: *left and *right are what remains of
 * it on either side, or NULL.  r's node is reused, or freed when nothing
 * remains; a second node is needed only when both sides do. */
static void cut_run(sess__stream *s, node *r, uint64_t os, uint64_t oe,
                    node **left, node **right)
{
    uint64_t r_end = r->end;
    *left = *right = NULL;
    if (os > r->start) {
        *left = r;
        r->end = os;
    }
    if (oe < r_end) {
        if (*left) {
            *right = sess__node_take(s);
            **right = *r;
            (*right)->prio = sess__pool_random(s->pool);
            if (r->far)
                r->far->refs++;
        } else {
            *right = r;
        }
        (*right)->start = oe;
        (*right)->end = r_end;
    }
    if (!*left && !*right)
        sess__node_put(s, r);
}

/* Applies the segment to [a, b), at or above the consumed offset: the runs
 * it overlaps are cut out, resolved one by one, and merged back. */
static int merge_segment(sess__stream *s, segment *g, uint64_t a, uint64_t b)
{
    flush_tail(s);
    /* Only the last run starting before b can reach into [a, b). */
    node *last = sess__treap_last_before(s->root, b);
    if (!last || last->end <= a) {
        if (sess__pool_reserve(s->pool, 1) != SESS_OK)
            return SESS_ENOMEM;
        node *n = new_piece(s, g, a, b);
        sess__treap_insert(&s->root, n);
        g->filled += b - a;
        return SESS_OK;
    }

    node *lo, *mid, *hi;
    sess__treap_split(s->root, a, &lo, &mid);
    node *before = sess__treap_max(lo);
    node *straddler = before && before->end > a ? sess__treap_pop_max(&lo) : NULL;
    sess__treap_split(mid, b, &mid, &hi);
    node *list = sess__treap_flatten(mid);
    if (straddler) {
        straddler->right = list;
        list = straddler;
    }
    size_t k = 0;
    for (node *r = list; r; r = r->right)
        k++;
    /* Stretches won by the segment are separated by runs it does not
     * take: at most k + 1 of them; and cut_run() needs a second node for
     * at most one run, the only one that can stick out on both sides. */
    if (sess__pool_reserve(s->pool, k + 2) != SESS_OK) {
        s->root = sess__treap_merge(sess__treap_merge(lo, sess__treap_from_list(list)), hi);
        return SESS_ENOMEM;
    }

    node *out = NULL, **tail = &out, *piece = NULL;
    uint64_t pos = a;
    for (node *r = list, *following; r; r = following) {
        following = r->right;
        if (pos < r->start) {
            g->filled += r->start - pos;
            emit_piece(s, g, &tail, &piece, pos, r->start);
        }
        uint64_t os = pos > r->start ? pos : r->start;
        uint64_t oe = b < r->end ? b : r->end;
        pos = oe;
        if (r->missing) {
            g->late += oe - os;
            emit_run(&tail, r);
            continue;
        }
        g->covered += oe - os;
        if (memcmp(run_at(s, r, os), seg_bytes(g, os), (size_t)(oe - os)) != 0)
            g->conflict = true;
        if (!new_wins(s->cfg->policy, r->ostart, r->oend, g->start, g->end)) {
            emit_run(&tail, r);
            continue;
        }
        node *left, *right;
        cut_run(s, r, os, oe, &left, &right);
        if (left)
            emit_run(&tail, left);
        emit_piece(s, g, &tail, &piece, os, oe);
        if (right)
            emit_run(&tail, right);
    }
    if (pos < b) {
        g->filled += b - pos;
        emit_piece(s, g, &tail, &piece, pos, b);
    }
    s->root = sess__treap_merge(sess__treap_merge(lo, sess__treap_from_list(out)), hi);
    return SESS_OK;
}

/* Where [from, b) is split between the buffer (below) and a far copy (at
 * or beyond): the buffer takes the segment when it starts inside it or
 * right at its end, so it never spans a hole that is not zero-filled, and
 * never reaches across a skipped gap. */
static uint64_t flat_split(const sess__stream *s, uint64_t from, uint64_t b)
{
    if (s->skip_start != SESS__NO_GAP)
        return s->flat_end < from ? from : s->flat_end > b ? b : s->flat_end;
    return from <= s->flat_end ? b : from;
}

/* Applies the segment to [from, b), at or above the consumed offset. */
static int store_segment(sess__stream *s, segment *g, uint64_t from, uint64_t b)
{
    uint64_t split = flat_split(s, from, b);
    int rc = SESS_OK;
    if (split > from) {
        rc = flatten_to(s, split);
        if (rc == SESS_OK)
            rc = merge_segment(s, g, from, split);
    }
    if (rc != SESS_OK || split == b)
        return rc;
    size_t size = (size_t)(b - split);
    sess__far_bytes *fb = sess__malloc(s->pool->alloc, sizeof *fb + size);
    if (!fb)
        return SESS_ENOMEM;
    fb->base = split;
    fb->size = size;
    fb->refs = 1; /* held while the segment is applied */
    memcpy(fb->bytes, seg_bytes(g, split), size);
    s->pool->bytes += sizeof *fb + size;
    s->far_bytes += sizeof *fb + size;
    g->far = fb;
    rc = merge_segment(s, g, split, b);
    g->far = NULL;
    sess__far_put(s, fb); /* freed if no run took any of it */
    return rc;
}

/* The common case: the segment continues the stream and nothing is held
 * beyond it. */
static int append_in_order(sess__stream *s, const segment *g)
{
    uint64_t end = (uint64_t)g->end;
    if (sess__buf_reserve(s, end) != SESS_OK || sess__pool_reserve(s->pool, 1) != SESS_OK)
        return SESS_ENOMEM;
    node *n = new_piece(s, g, s->next, end);
    if (s->flat_end < end)
        s->flat_end = end;
    if (s->tail_last)
        s->tail_last->right = n;
    else
        s->tail = n;
    s->tail_last = n;
    s->next = s->highest = end;
    return SESS_OK;
}

/* Whether [start, end) is too far from `next` to be believed: ahead beyond
 * the window, or behind it and below everything remembered. */
static bool beyond_window(const sess__stream *s, int64_t start, int64_t end)
{
    int64_t next = (int64_t)s->next, window = (int64_t)s->cfg->window;
    if (end - next > window)
        return true;
    return next - start > window && end <= (int64_t)sess__hist_start(s);
}

static unsigned segment_flags(const segment *g, uint64_t accepted)
{
    unsigned flags = g->late ? SESS_SEG_LATE : 0;
    uint64_t received = accepted - g->late;
    if (g->covered == 0)
        return flags;
    if (g->covered == received)
        flags |= SESS_SEG_RETRANSMISSION;
    if (g->covered < received || g->conflict)
        flags |= SESS_SEG_OVERLAP;
    if (g->conflict)
        flags |= SESS_SEG_CONFLICT;
    return flags;
}

int sess__stream_data(sess__stream *s, uint32_t seq, const uint8_t *data,
                     size_t len, uint64_t frame, double ts,
                     sess__seg_info *out)
{
    *out = (sess__seg_info){0};
    if (!s->started)
        start_at(s, seq);
    segment g = {.data = data, .frame = frame, .ts = ts};
    g.start = unwrap(s, seq);
    out->offset = g.start < 0 ? 0 : (uint64_t)g.start;
    out->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    if (len > s->cfg->window) {
        out->anomalies |= SESS__STREAM_A_WINDOW;
        return SESS_OK;
    }
    g.end = g.start + (int64_t)len;
    if (beyond_window(s, g.start, g.end)) {
        out->anomalies |= SESS__STREAM_A_WINDOW;
        return SESS_OK;
    }

    /* Clip to [0, FIN) (outside is late) and below the depth (ignored). */
    uint64_t a = g.start < 0 ? 0 : (uint64_t)g.start;
    uint64_t b = g.end < 0 ? 0 : (uint64_t)g.end;
    bool clipped_late = g.start < 0;
    if (s->fin_known && b > s->fin_offset) {
        b = s->fin_offset > a ? s->fin_offset : a;
        clipped_late = true;
    }
    uint64_t depth = s->cfg->depth;
    if (depth && b > depth) {
        b = depth > a ? depth : a;
        if (!s->depth_reported) {
            s->depth_reported = true;
            out->anomalies |= SESS__STREAM_A_DEPTH;
        }
    }
    if (clipped_late)
        out->flags |= SESS_SEG_LATE;
    if (a >= b)
        return SESS_OK;
    if (a > s->next)
        out->flags |= SESS_SEG_OUT_OF_ORDER;

    if (a == s->next && s->highest == s->next && (uint64_t)g.end == b &&
        g.start >= 0 && s->skip_start == SESS__NO_GAP)
        return append_in_order(s, &g);

    if (a < s->consumed)
        check_consumed(s, &g, a, b < s->consumed ? b : s->consumed);
    if (b > s->consumed) {
        uint64_t from = a > s->consumed ? a : s->consumed;
        int rc = store_segment(s, &g, from, b);
        if (rc != SESS_OK)
            return rc;
        s->ooo_bytes += g.filled;
        if (s->highest < b)
            s->highest = b;
        if (from <= s->next) { /* else `next` cannot move */
            advance_next(s);
            if (settle_flat(s) != SESS_OK)
                return SESS_ENOMEM;
        }
    }
    out->flags |= segment_flags(&g, b - a);

    if (s->ooo_bytes > s->cfg->dir_cap) {
        out->anomalies |= SESS__STREAM_A_DIR_CAP;
        while (s->ooo_bytes > s->cfg->dir_cap) {
            int rc = give_up_hole(s, UINT64_MAX);
            if (rc != SESS_OK)
                return rc;
        }
    }
    return SESS_OK;
}

/* ---- the rest of the contract ------------------------------------------- */

void sess__stream_init(sess__stream *s, const sess__stream_config *cfg,
                      sess__stream_pool *pool, sess__stream_missing_cb missing,
                      void *user)
{
    memset(s, 0, sizeof *s);
    s->skip_start = SESS__NO_GAP;
    s->cfg = cfg;
    s->pool = pool;
    s->missing_cb = missing;
    s->user = user;
}

/* Returns the nodes of a list linked by `right` to the pool. */
static void put_list(sess__stream *s, node *list)
{
    for (node *n = list, *following; n; n = following) {
        following = n->right;
        sess__node_put(s, n);
    }
}

void sess__stream_release(sess__stream *s)
{
    put_list(s, s->tail);
    put_list(s, sess__treap_flatten(s->root));
    sess__buf_release(s);
    sess__stream_init(s, s->cfg, s->pool, s->missing_cb, s->user);
}

void sess__stream_syn(sess__stream *s, uint32_t isn)
{
    if (!s->started)
        start_at(s, isn + 1);
}

void sess__stream_fin(sess__stream *s, uint32_t seq)
{
    if (!s->started)
        start_at(s, seq);
    if (s->fin_known)
        return;
    int64_t off = unwrap(s, seq);
    if (off < 0 || off - (int64_t)s->next > (int64_t)s->cfg->window)
        return;
    /* Bytes already received past a FIN are kept: the FIN moves to them. */
    s->fin_known = true;
    s->fin_offset = (uint64_t)off > s->highest ? (uint64_t)off : s->highest;
}

void sess__stream_ack(sess__stream *s, uint32_t ack)
{
    if (!s->started)
        return;
    int64_t off = unwrap(s, ack);
    if (off <= (int64_t)s->next ||
        off - (int64_t)s->next > (int64_t)s->cfg->window)
        return;
    if ((uint64_t)off > s->acked)
        s->acked = (uint64_t)off;
}

/* Where acknowledged bytes can be given up: never beyond the highest byte
 * received (nothing is invented), nor beyond the FIN (whose own sequence
 * number the peer acknowledges too). */
static uint64_t acked_bound(const sess__stream *s)
{
    uint64_t bound = s->acked < s->highest ? s->acked : s->highest;
    return s->fin_known && s->fin_offset < bound ? s->fin_offset : bound;
}

int sess__stream_settle(sess__stream *s, double now, uint64_t pkt)
{
    uint64_t bound = acked_bound(s);
    if (bound <= s->next) {
        s->ack_pending = false;
        return SESS_OK;
    }
    if (!s->ack_pending) {
        s->ack_pending = true;
        s->ack_ts = now;
        s->ack_pkt = pkt;
        return SESS_OK;
    }
    if (pkt - s->ack_pkt < s->cfg->ack_grace_pkts &&
        now - s->ack_ts < s->cfg->ack_grace_time)
        return SESS_OK;
    s->ack_pending = false;
    return give_up_to(s, bound);
}

int sess__stream_give_up_acked(sess__stream *s)
{
    s->ack_pending = false;
    return give_up_to(s, acked_bound(s));
}

int sess__stream_give_up(sess__stream *s)
{
    uint64_t end = s->fin_known ? s->fin_offset : s->highest;
    int rc = give_up_to(s, end);
    s->ack_pending = false;
    /* Acknowledged but never captured, and nothing came after: counted
     * once, not delivered. */
    uint64_t acked = s->acked;
    if (s->fin_known && acked > s->fin_offset)
        acked = s->fin_offset;
    if (rc == SESS_OK && !s->unseen_reported && acked > end && s->next >= end) {
        s->unseen_reported = true;
        if (s->missing_cb)
            s->missing_cb(s->user, end, acked - end, SESS_MISSING_UNSEEN);
    }
    return rc;
}

bool sess__stream_is_keepalive(const sess__stream *s, uint32_t seq)
{
    return s->started && unwrap(s, seq) == (int64_t)s->highest - 1;
}

int sess__stream_expire(sess__stream *s, double deadline)
{
    while (s->ooo_bytes > 0 &&
           sess__treap_oldest_from(s->root, s->next) < deadline) {
        int rc = give_up_hole(s, UINT64_MAX);
        if (rc != SESS_OK)
            return rc;
    }
    return SESS_OK;
}

size_t sess__stream_readable(const sess__stream *s, const uint8_t **data)
{
    size_t n = (size_t)(readable_end(s) - s->consumed);
    *data = n ? sess__buf_at(s, s->consumed) : NULL;
    return n;
}

uint64_t sess__stream_gap(const sess__stream *s)
{
    if (s->skip_start == SESS__NO_GAP || readable_end(s) != s->skip_start)
        return 0;
    const node *r = sess__treap_holding(s->root, s->skip_start);
    return r->end - r->start;
}

uint64_t sess__stream_skip_gap(sess__stream *s, int *rc)
{
    *rc = SESS_OK;
    if (s->skip_start == SESS__NO_GAP || s->consumed != s->skip_start)
        return 0;
    flush_tail(s);
    node *r = sess__treap_pop_min(&s->root); /* runs tile [consumed, next) */
    uint64_t len = r->end - r->start;
    s->consumed = r->end;
    sess__node_put(s, r);
    /* The buffer starts afresh at the gap's end. */
    s->hist_len = 0;
    s->buf_head = 0;
    s->flat_end = s->consumed;
    s->skip_start = SESS__NO_GAP;
    for (node *n = sess__treap_ceil(s->root, s->consumed); n && n->start < s->next;
         n = sess__treap_ceil(s->root, n->end))
        if (n->skipped) {
            s->skip_start = n->start;
            break;
        }
    *rc = settle_flat(s);
    return len;
}

uint64_t sess__stream_consumed(const sess__stream *s)
{
    return s->consumed;
}

static int u64vec_reserve(const sess__alloc *a, sess__u64vec *v, size_t n)
{
    if (n <= v->cap)
        return SESS_OK;
    uint64_t *p = sess__grow(a, v->v, &v->cap, n, sizeof *p, 16);
    if (!p)
        return SESS_ENOMEM;
    v->v = p;
    return SESS_OK;
}

int sess__stream_consume(sess__stream *s, size_t n, sess__u64vec *frames,
                        uint64_t *missing)
{
    *missing = 0;
    if (n > readable_end(s) - s->consumed)
        return SESS_EINVAL;
    /* At most one frame per run touched, and no more runs than bytes. */
    size_t most = s->nruns < n ? s->nruns : n;
    if (frames && u64vec_reserve(s->pool->alloc, frames, frames->n + most) != SESS_OK)
        return SESS_ENOMEM;
    uint64_t target = s->consumed + n;
    node *r;
    while ((r = first_run(s)) != NULL && r->start < target) {
        uint64_t upto = r->end < target ? r->end : target;
        if (r->missing)
            *missing += upto - r->start;
        else if (frames && (frames->n == 0 ||
                            frames->v[frames->n - 1] != r->frame))
            frames->v[frames->n++] = r->frame;
        if (upto < r->end) {
            r->start = upto; /* still the first run: order holds */
            break;
        }
        sess__node_put(s, pop_first_run(s));
    }
    uint64_t old_hist = sess__hist_start(s);
    size_t history = s->cfg->history;
    s->hist_len = s->hist_len + n < history ? s->hist_len + n : history;
    s->consumed = target;
    s->buf_head += (size_t)(sess__hist_start(s) - old_hist);
    /* The bytes stay where they are until the stream next changes, so the
     * caller can hand out the view it consumed without copying it. */
    return SESS_OK;
}

size_t sess__stream_missing_at_head(const sess__stream *s, size_t limit)
{
    uint64_t pos = s->consumed, end = s->consumed + limit;
    if (end > readable_end(s))
        end = readable_end(s);
    const node *r = first_run(s);
    while (r && r->missing && r->start <= pos && pos < end) {
        pos = r->end;
        /* Without a treap the runs are a list in order. */
        r = s->root ? sess__treap_holding(s->root, pos) : r->right;
    }
    return (size_t)((pos < end ? pos : end) - s->consumed);
}

int sess__stream_reserve(sess__stream *s, size_t n)
{
    if (!s->started)
        return SESS_OK;
    return sess__buf_reserve(s, s->consumed + n);
}

void sess__stream_trim(sess__stream *s)
{
    sess__buf_trim(s);
}

void sess__stream_drop_history(sess__stream *s)
{
    if (!sess__stream_idle(s))
        return;
    s->hist_len = 0;
    sess__buf_release(s);
}

size_t sess__stream_bytes(const sess__stream *s)
{
    return s->buf_cap + s->far_bytes + s->nruns * sizeof(node);
}

bool sess__stream_complete(const sess__stream *s)
{
    return s->fin_known && s->next >= s->fin_offset;
}

bool sess__stream_idle(const sess__stream *s)
{
    return s->consumed == s->next && s->highest <= s->next;
}

bool sess__stream_started(const sess__stream *s)
{
    return s->started;
}
