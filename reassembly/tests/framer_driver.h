/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_driver.h - the framer tests' fixtures and driver.
 *
 * A fixture is a conversation (the bytes each direction sends, in order, then
 * how the streams end) and the messages it must give per direction: their
 * bytes or length, summary, partial flag and framer.  A small driver plays
 * the session: it keeps the unconsumed bytes of each direction, calls feed()
 * with a view of them (a fresh exact-size copy, so a read past the view is
 * caught by ASan), consumes each message, re-feeds until neither direction
 * moves, sets SESS_FF_PEER_IDLE when the other direction holds nothing,
 * frames a direction raw once its framer answers SESS_FRAME_ERROR, and hands
 * a direction to the framer a feed() names in out->next.
 *
 * run_splits() replays a fixture whole, a byte at a time, and with one extra
 * cut at every byte; pipelined ones also with every pair of cuts.  Whatever
 * the cuts, the messages must be the same.
 */
#ifndef SESS_FRAMER_DRIVER_H
#define SESS_FRAMER_DRIVER_H

#include "sessions.h"
#include "sessions_framer.h"
#include "testlib.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ------------------------------------------------------------ */

typedef struct seg {
    int dir;          /* 0, 1, or -1 for both (flags only) */
    const char *data; /* NULL: only flags */
    size_t len;
    unsigned flags;   /* SESS_FF_* set on the direction from now on */
} seg;

#define DATA(d, s) {(d), (s), sizeof(s) - 1, 0}
#define END(d, f) {(d), NULL, 0, (f)}
#define FIN_BOTH END(-1, SESS_FF_FIN)

typedef struct want {
    int dir;
    const char *bytes; /* NULL: only the length is checked */
    size_t len;
    const char *info;
    bool partial;
    const char *proto; /* NULL: the fixture's framer; "raw" after an error */
} want;

#define MSG(d, s, i) {(d), (s), sizeof(s) - 1, (i), false, NULL}
#define RAW(d, s) {(d), (s), sizeof(s) - 1, "", false, "raw"}
#define SIZED(d, n, i, p) {(d), NULL, (n), (i), (p), NULL}

typedef struct fixture {
    const sess_framer *framer;
    const void *params;
    size_t max_len;  /* 0: 1 MiB */
    const seg *segs;
    size_t nsegs;
    const want *wants;
    size_t nwants;
    int errors;      /* SESS_FRAME_ERROR answers expected */
} fixture;

#define FIXTURE(fr, par, max, s, w, err)                                       \
    (&(fixture){(fr), (par), (max), (s), N(s), (w), N(w), (err)})

/* ---- the driver ------------------------------------------------------------- */

/* Names the case of a table-driven test in failure messages. */
static char case_label[32];

#define MAX_GOT 512

typedef struct got {
    int dir;
    size_t off, len; /* in the direction's stream */
    bool partial;
    const char *proto;
    char info[SESS_FRAMER_INFO_SIZE];
} got;

typedef struct tdir {
    uint8_t *buf;
    size_t have, consumed;
    unsigned flags;
    const sess_framer *framer; /* the fixture's, raw after an error, or the
                                  one a feed() handed the direction to */
    void *state;
    size_t expect, expect_at; /* last out->expect, and `consumed` then */
} tdir;

typedef struct driver {
    const fixture *fx;
    size_t max_len;
    bool copy_view;
    tdir dir[2];
    void *conn;
    got msgs[MAX_GOT];
    size_t nmsgs;
    int errors;
    char where[160]; /* which replay, for failure messages */
} driver;

static void *zalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

/* The direction is cut by fr from now on, from a fresh state. */
static void drv_hand_over(tdir *t, const sess_framer *fr)
{
    if (fr->conn_state_size != 0)
        TESTLIB_FAIL("hand-over to %s, which has a connection state", fr->name);
    free(t->state);
    t->state = zalloc(fr->dir_state_size);
    t->framer = fr;
    t->expect = 0;
}

/* Feeds one direction until it needs more; true if it emitted anything. */
static bool drv_feed(driver *dv, int d)
{
    tdir *t = &dv->dir[d];
    const tdir *other = &dv->dir[d ^ 1];
    bool moved = false;
    for (;;) {
        size_t len = t->have - t->consumed;
        uint8_t *copy = NULL;
        const uint8_t *view = t->buf + t->consumed;
        if (dv->copy_view) {
            copy = zalloc(len);
            memcpy(copy, view, len);
            view = copy;
        }
        sess_framer_input in = {
            .data = view,
            .len = len,
            .max_len = dv->max_len,
            .flags = t->flags |
                     (other->have == other->consumed ? SESS_FF_PEER_IDLE : 0),
            .dir = (uint8_t)d,
        };
        sess_framer_output out;
        memset(&out, 0x5a, sizeof out);
        out.expect = 0; /* the core zeroes it; the rest must be set */
        const sess_framer *fr = t->framer;
        out.next = NULL;
        int r = fr->feed(t->state, dv->conn, dv->fx->params, &in, &out);
        free(copy);
        /* An announced length is a promise: nothing else below it. */
        if (t->expect && t->expect_at == t->consumed && len < t->expect &&
            !(t->flags & SESS_FF_END) && r != SESS_FRAME_NEED_MORE)
            TESTLIB_FAIL("%s: dir %d: %zu bytes announced, answered %d with %zu",
                         dv->where, d, t->expect, r, len);
        if (out.next && r == SESS_FRAME_NEED_MORE) {
            drv_hand_over(t, out.next);
            moved = true;
            continue;
        }
        if (r == SESS_FRAME_NEED_MORE) {
            if (out.expect && (out.expect <= len || out.expect > dv->max_len))
                TESTLIB_FAIL("%s: dir %d: expects %zu bytes with %zu held, "
                             "max %zu", dv->where, d, out.expect, len,
                             dv->max_len);
            if (out.expect) {
                t->expect = out.expect;
                t->expect_at = t->consumed;
            }
            return moved;
        }
        if (r == SESS_FRAME_ERROR) {
            if (fr == &sess_framer_raw)
                TESTLIB_FAIL("%s: the raw framer failed", dv->where);
            drv_hand_over(t, &sess_framer_raw);
            dv->errors++;
            continue;
        }
        if (r != SESS_FRAME_MESSAGE)
            TESTLIB_FAIL("%s: feed() answered %d", dv->where, r);
        if (out.len == 0 || out.len > len || out.len > dv->max_len)
            TESTLIB_FAIL("%s: dir %d: message of %zu bytes from a view of %zu",
                         dv->where, d, out.len, len);
        if (memchr(out.info, '\0', sizeof out.info) == NULL)
            TESTLIB_FAIL("%s: info not terminated", dv->where);
        if (dv->nmsgs == MAX_GOT)
            TESTLIB_FAIL("%s: too many messages", dv->where);
        /* An announced length is a floor: the message is not shorter,
         * unless the direction ended first. */
        if (t->expect && t->expect_at == t->consumed &&
            !(t->flags & SESS_FF_END) && out.len < t->expect)
            TESTLIB_FAIL("%s: dir %d: %zu bytes announced, message of %zu",
                         dv->where, d, t->expect, out.len);
        t->expect = 0;
        got *g = &dv->msgs[dv->nmsgs++];
        g->dir = d;
        g->off = t->consumed;
        g->len = out.len;
        g->partial = out.partial;
        g->proto = fr->name;
        memcpy(g->info, out.info, sizeof g->info);
        t->consumed += out.len;
        if (out.next)
            drv_hand_over(t, out.next);
        moved = true;
    }
}

static void drv_pump(driver *dv)
{
    bool moved;
    do {
        moved = drv_feed(dv, 0);
        moved = drv_feed(dv, 1) || moved;
    } while (moved);
}

static void drv_init(driver *dv, const fixture *fx, size_t cap0, size_t cap1)
{
    memset(dv, 0, sizeof *dv);
    dv->fx = fx;
    dv->max_len = fx->max_len ? fx->max_len : 1u << 20;
    dv->copy_view = true;
    dv->dir[0].buf = zalloc(cap0);
    dv->dir[1].buf = zalloc(cap1);
    for (int d = 0; d < 2; d++) {
        dv->dir[d].state = zalloc(fx->framer->dir_state_size);
        dv->dir[d].framer = fx->framer;
    }
    dv->conn = zalloc(fx->framer->conn_state_size);
}

static void drv_free(driver *dv)
{
    for (int d = 0; d < 2; d++) {
        free(dv->dir[d].buf);
        free(dv->dir[d].state);
    }
    free(dv->conn);
}

static void drv_append(driver *dv, int d, const void *data, size_t n)
{
    memcpy(dv->dir[d].buf + dv->dir[d].have, data, n);
    dv->dir[d].have += n;
    drv_pump(dv);
}

static void drv_flags(driver *dv, int d, unsigned flags)
{
    for (int i = 0; i < 2; i++)
        if (d < 0 || d == i)
            dv->dir[i].flags |= flags;
    drv_pump(dv);
}

static void drv_dump(const driver *dv)
{
    fprintf(stderr, "  %s: got\n", dv->where);
    for (size_t i = 0; i < dv->nmsgs; i++) {
        const got *g = &dv->msgs[i];
        fprintf(stderr, "    dir %d len %zu %s%s \"%s\"\n", g->dir, g->len,
                g->proto, g->partial ? " partial" : "", g->info);
    }
}

/* The messages of each direction, in order, against the fixture's. */
static void drv_check(const driver *dv)
{
    const fixture *fx = dv->fx;
    for (int d = 0; d < 2; d++) {
        size_t gi = 0;
        for (size_t wi = 0; wi < fx->nwants; wi++) {
            const want *w = &fx->wants[wi];
            if (w->dir != d)
                continue;
            while (gi < dv->nmsgs && dv->msgs[gi].dir != d)
                gi++;
            if (gi == dv->nmsgs) {
                drv_dump(dv);
                TESTLIB_FAIL("dir %d: missing message %zu \"%s\"", d, wi,
                             w->info);
            }
            const got *g = &dv->msgs[gi++];
            const char *proto = w->proto ? w->proto : fx->framer->name;
            if (g->len != w->len || g->partial != w->partial ||
                strcmp(g->info, w->info) != 0 || strcmp(g->proto, proto) != 0 ||
                (w->bytes && memcmp(dv->dir[d].buf + g->off, w->bytes, w->len))) {
                drv_dump(dv);
                TESTLIB_FAIL("dir %d: message %zu: want len %zu %s%s \"%s\"", d,
                             wi, w->len, proto, w->partial ? " partial" : "",
                             w->info);
            }
        }
        while (gi < dv->nmsgs && dv->msgs[gi].dir != d)
            gi++;
        if (gi != dv->nmsgs) {
            drv_dump(dv);
            TESTLIB_FAIL("dir %d: unexpected messages", d);
        }
        if ((dv->dir[d].flags & SESS_FF_END) &&
            dv->dir[d].consumed != dv->dir[d].have) {
            drv_dump(dv);
            TESTLIB_FAIL("%s: dir %d: %zu bytes never emitted", dv->where, d,
                         dv->dir[d].have - dv->dir[d].consumed);
        }
    }
    if (dv->errors != fx->errors) {
        drv_dump(dv);
        TESTLIB_FAIL("%d framer errors, want %d", dv->errors, fx->errors);
    }
}

static size_t fixture_bytes(const fixture *fx, int d)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->nsegs; i++)
        if (fx->segs[i].dir == d || d < 0)
            n += fx->segs[i].len;
    return n;
}

/* Replays the fixture with extra cuts at the given offsets (ascending) of
 * all its bytes taken together. */
static void run_cuts(const fixture *fx, const size_t *cuts, size_t ncuts,
                     const char *how)
{
    driver *dv = zalloc(sizeof *dv);
    drv_init(dv, fx, fixture_bytes(fx, 0), fixture_bytes(fx, 1));
    snprintf(dv->where, sizeof dv->where, "%s%s", case_label, how);
    size_t at = 0, ci = 0;
    for (size_t i = 0; i < fx->nsegs; i++) {
        const seg *s = &fx->segs[i];
        if (s->data == NULL) {
            drv_flags(dv, s->dir, s->flags);
            continue;
        }
        size_t off = 0;
        while (off < s->len) {
            while (ci < ncuts && cuts[ci] <= at + off)
                ci++;
            size_t end = s->len;
            if (ci < ncuts && cuts[ci] < at + s->len)
                end = cuts[ci] - at;
            drv_append(dv, s->dir, s->data + off, end - off);
            off = end;
        }
        at += s->len;
    }
    drv_check(dv);
    drv_free(dv);
    free(dv);
}

/* Whole, a byte at a time, every single cut, and every pair if asked. */
static void run_splits(const fixture *fx, bool pairs)
{
    size_t total = fixture_bytes(fx, -1);
    size_t *cuts = zalloc(total * sizeof *cuts);
    char how[160];

    run_cuts(fx, NULL, 0, "whole");
    for (size_t i = 1; i < total; i++)
        cuts[i - 1] = i;
    run_cuts(fx, cuts, total ? total - 1 : 0, "a byte at a time");
    for (size_t a = 1; a < total; a++) {
        snprintf(how, sizeof how, "cut at %zu", a);
        run_cuts(fx, &a, 1, how);
        for (size_t b = a + 1; pairs && b < total; b++) {
            size_t two[2] = {a, b};
            snprintf(how, sizeof how, "cuts at %zu and %zu", a, b);
            run_cuts(fx, two, 2, how);
        }
    }
    free(cuts);
}

/* What a framer announces after reading only the first n bytes of a stream. */
static size_t expect_after(const sess_framer *fr, const void *params,
                           const char *stream, size_t n, size_t max_len)
{
    void *dir = zalloc(fr->dir_state_size), *conn = zalloc(fr->conn_state_size);
    /* the peer is idle, so a response does not wait for its request */
    sess_framer_input in = {(const uint8_t *)stream, n, max_len,
                            SESS_FF_PEER_IDLE, 1, 0};
    sess_framer_output out;
    memset(&out, 0, sizeof out);
    int r = fr->feed(dir, conn, params, &in, &out);
    free(dir);
    free(conn);
    return r == SESS_FRAME_NEED_MORE ? out.expect : (size_t)-1;
}

#endif
