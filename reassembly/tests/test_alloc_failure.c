/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_alloc_failure.c - every capture of test-captures/ through a session
 * whose allocator fails every Nth call.
 *
 * Each capture is run once with a working allocator (the reference) and
 * then once per N with cfg.realloc failing every Nth call after sess_new.
 * Built with ASan and UBSan like every unit test, so a crash, an invalid
 * access or a leak fails it.  Beyond that it checks that nothing is lost
 * silently:
 * - every frame still yields exactly one SESS_EV_PACKET;
 * - a call returns SESS_ENOMEM exactly when it reported a SESS_AN_NOMEM
 *   anomaly, and each such report says what was lost;
 * - for every flow direction, the bytes delivered in messages plus the bytes
 *   reported missing equal the reference's, unless a SESS_AN_NOMEM anomaly
 *   names that flow, or one with no flow (a fragment or a flow that could
 *   not be created) was reported.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>

#include "capfile.h"
#include "sessions.h"
#include "testlib.h"

#ifndef SESS_TEST_CAPTURES
#error "SESS_TEST_CAPTURES must name the test-captures directory"
#endif

/* ---- the failing allocator ------------------------------------------------ */

typedef struct failing {
    uint64_t every; /* 0: never fail */
    uint64_t calls, failed;
    bool armed;
} failing;

static void *failing_realloc(void *user, void *p, size_t n)
{
    failing *f = user;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (f->armed && f->every && ++f->calls % f->every == 0) {
        f->failed++;
        return NULL;
    }
    return realloc(p, n);
}

/* ---- what a run delivered, per flow direction ------------------------------ */

/* A flow's endpoints in a fixed order, whichever side the session took for
 * the originator. */
typedef struct endpoint {
    sess_addr addr;
    uint16_t port;
} endpoint;

typedef struct ledger_entry {
    uint8_t proto;
    endpoint lo, hi;
    uint64_t bytes[2]; /* [0] sent by lo: message bytes + missing bytes */
    bool nomem;        /* an allocation failure named this flow */
} ledger_entry;

typedef struct run {
    ledger_entry *e;
    size_t n, cap;
    uint64_t packets;      /* SESS_EV_PACKET events */
    uint64_t nomem_flowless;
    uint64_t nomem_reports, call_reports;
    bool bad_detail;
} run;

static int endpoint_cmp(const endpoint *a, const endpoint *b)
{
    int c = memcmp(&a->addr, &b->addr, sizeof a->addr);
    return c ? c : (a->port > b->port) - (a->port < b->port);
}

/* The entry of flow `fl`, and in *lo_sends whether its direction `dir`
 * (0: from the originator) is sent by the entry's lo endpoint. */
static ledger_entry *entry_of(run *r, const sess_flow_info *fl, uint8_t dir,
                              bool *lo_sends)
{
    endpoint a = {fl->addr[0], fl->port[0]}, b = {fl->addr[1], fl->port[1]};
    bool swap = endpoint_cmp(&a, &b) > 0;
    endpoint lo = swap ? b : a, hi = swap ? a : b;
    *lo_sends = (dir == 0) != swap;
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].proto == fl->l4proto && !endpoint_cmp(&r->e[i].lo, &lo) &&
            !endpoint_cmp(&r->e[i].hi, &hi))
            return &r->e[i];
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->e = realloc(r->e, r->cap * sizeof *r->e);
        if (!r->e)
            abort();
    }
    ledger_entry *e = &r->e[r->n++];
    memset(e, 0, sizeof *e);
    e->proto = fl->l4proto;
    e->lo = lo;
    e->hi = hi;
    return e;
}

static void add_bytes(run *r, const sess_flow_info *fl, uint8_t dir,
                      uint64_t n)
{
    bool lo_sends;
    ledger_entry *e = entry_of(r, fl, dir, &lo_sends);
    e->bytes[lo_sends ? 0 : 1] += n;
}

static void on_event(void *user, const sess_event *ev)
{
    run *r = user;
    switch (ev->type) {
    case SESS_EV_PACKET:
        r->packets++;
        break;
    case SESS_EV_MESSAGE:
        add_bytes(r, ev->flow, ev->u.message.dir, ev->u.message.len);
        break;
    case SESS_EV_TCP_MISSING:
        add_bytes(r, ev->flow, ev->u.missing.dir, ev->u.missing.len);
        break;
    case SESS_EV_ANOMALY:
        if (ev->u.anomaly.what != SESS_AN_NOMEM)
            break;
        r->nomem_reports++;
        r->call_reports++;
        /* "out of memory: " and then what was lost */
        if (!ev->u.anomaly.detail || strlen(ev->u.anomaly.detail) < 24)
            r->bad_detail = true;
        if (ev->flow) {
            bool lo_sends;
            entry_of(r, ev->flow, 0, &lo_sends)->nomem = true;
        } else {
            r->nomem_flowless++;
        }
        break;
    default:
        break;
    }
}

/* Feeds the whole capture; returns the failures the allocator injected. */
static uint64_t run_capture(const capfile *cap, uint64_t every, run *r)
{
    memset(r, 0, sizeof *r);
    failing fail = {.every = every};
    sess_config cfg;
    sess_config_init(&cfg);
    cfg.realloc = failing_realloc;
    cfg.realloc_user = &fail;
    sess_t *s = sess_new(&cfg, on_event, r);
    ASSERT(s != NULL);
    fail.armed = true;
    for (size_t i = 0; i < cap->n; i++) {
        const sess_packet *p = &cap->pkts[i];
        r->call_reports = 0;
        uint64_t before = r->packets;
        int rc = sess_on_packet(s, p->frame, p->ts, p->linktype, p->data,
                                p->caplen);
        ASSERT_EQ(r->packets - before, 1);
        ASSERT_EQ(rc == SESS_ENOMEM, r->call_reports > 0);
    }
    r->call_reports = 0;
    int rc = sess_finish(s);
    ASSERT_EQ(rc == SESS_ENOMEM, r->call_reports > 0);
    sess_free(s);
    ASSERT(!r->bad_detail);
    return fail.failed;
}

static void compare(const char *name, uint64_t every, const run *ref,
                    const run *got)
{
    for (size_t i = 0; i < ref->n; i++) {
        const ledger_entry *want = &ref->e[i], *have = NULL;
        for (size_t j = 0; j < got->n && !have; j++)
            if (got->e[j].proto == want->proto &&
                !endpoint_cmp(&got->e[j].lo, &want->lo) &&
                !endpoint_cmp(&got->e[j].hi, &want->hi))
                have = &got->e[j];
        bool explained = got->nomem_flowless > 0 || (have && have->nomem);
        for (int d = 0; d < 2; d++) {
            uint64_t h = have ? have->bytes[d] : 0;
            if (h != want->bytes[d] && !explained)
                TESTLIB_FAIL("%s, every %" PRIu64 ": flow %zu dir %d "
                             "delivered %" PRIu64 " bytes instead of %" PRIu64
                             " with no out-of-memory report",
                             name, every, i, d, h, want->bytes[d]);
        }
    }
}

static int is_capture(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

TEST(every_capture_with_failing_allocations)
{
    static const uint64_t every[] = {1, 2, 3, 7, 31, 257};
    DIR *dir = opendir(SESS_TEST_CAPTURES);
    ASSERT(dir != NULL);
    size_t ncaptures = 0;
    uint64_t injected = 0, reports = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (!is_capture(de->d_name))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", SESS_TEST_CAPTURES, de->d_name);
        capfile cap;
        ASSERT_EQ(capfile_load(&cap, path), 0);
        run ref, got;
        ASSERT_EQ(run_capture(&cap, 0, &ref), 0);
        ASSERT_EQ(ref.nomem_reports, 0);
        ASSERT_EQ(ref.packets, cap.n);
        for (size_t i = 0; i < sizeof every / sizeof every[0]; i++) {
            uint64_t failed = run_capture(&cap, every[i], &got);
            injected += failed;
            reports += got.nomem_reports;
            /* a failure nobody reported is one the core swallowed */
            if (failed)
                ASSERT_GT(got.nomem_reports, 0);
            compare(de->d_name, every[i], &ref, &got);
            free(got.e);
        }
        free(ref.e);
        capfile_free(&cap);
        ncaptures++;
    }
    closedir(dir);
    printf("     %zu captures, %" PRIu64 " allocations failed, %" PRIu64
           " out-of-memory reports\n",
           ncaptures, injected, reports);
    ASSERT_GT(ncaptures, 50);
    ASSERT_GT(injected, 1000);
}

/* sess_new itself failing at each of its allocations leaks nothing. */
TEST(session_creation_fails_cleanly)
{
    for (uint64_t nth = 1; nth < 16; nth++) {
        failing fail = {.every = nth, .armed = true};
        sess_config cfg;
        sess_config_init(&cfg);
        cfg.realloc = failing_realloc;
        cfg.realloc_user = &fail;
        sess_t *s = sess_new(&cfg, NULL, NULL);
        if (s) {
            ASSERT_EQ(fail.failed, 0);
            sess_free(s);
        } else {
            ASSERT_EQ(fail.failed, 1);
        }
    }
}

TEST_MAIN(TEST_CASE(every_capture_with_failing_allocations),
          TEST_CASE(session_creation_fails_cleanly))
