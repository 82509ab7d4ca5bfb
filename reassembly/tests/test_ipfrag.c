/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ipfrag.c - IPv4/IPv6 defragmentation: arrival orders, duplicates,
 * overlap policies, keying, eviction, malformed fragments and scale.
 *
 * Packets are built as sess__pkt structs directly, so these tests do not
 * depend on the decoder.  Layouts are tables; in the policy tables a
 * fragment's offset and length count 8-byte units, fragment i (from 1) is
 * filled with the digit i and is fed as frame i, so the expected datagram is
 * written one digit per unit and the expected frame list as a digit string.
 * A naive byte-by-byte model of the same rules cross-checks random layouts.
 */
#include "ipfrag.h"

#include "testlib.h"

enum { MAX_FRAGS = 16 };

/* ---- helpers ------------------------------------------------------------ */

typedef struct recorder {
    sess__frag_eviction ev[8];
    size_t n; /* evictions seen, the first 8 kept */
} recorder;

static void record(void *user, const sess__frag_eviction *e)
{
    recorder *r = user;
    if (r->n < sizeof r->ev / sizeof r->ev[0])
        r->ev[r->n] = *e;
    r->n++;
}

static sess__ipfrag *make(sess_ip_policy policy, double timeout, size_t memcap,
                         recorder *r)
{
    sess__ipfrag_config cfg = {.policy = policy, .timeout = timeout,
                              .memcap = memcap};
    sess__ipfrag *f = sess__ipfrag_new(&cfg, r ? record : NULL, r);
    if (!f)
        TESTLIB_FAIL("sess__ipfrag_new failed");
    return f;
}

static sess__ipfrag *make_default(recorder *r)
{
    return make(SESS_IP_FIRST, 30, 64u << 20, r);
}

/* The fragment's header fields; the data comes separately. */
typedef struct frag {
    uint8_t version;
    uint32_t id;
    uint8_t proto;
    uint8_t host;       /* last byte of the source address */
    uint32_t off;       /* bytes */
    size_t len;
    bool more;
} frag;

static sess__pkt make_pkt(frag fr, const uint8_t *data)
{
    sess__pkt p;
    memset(&p, 0, sizeof p);
    p.ip_version = fr.version;
    p.src.family = p.dst.family = fr.version;
    if (fr.version == 4) {
        memcpy(p.src.bytes, "\x0a\x00\x00\x01", 4);
        memcpy(p.dst.bytes, "\x0a\x00\x00\x02", 4);
        p.src.bytes[3] = fr.host;
    } else {
        memcpy(p.src.bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
        memcpy(p.dst.bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
        p.src.bytes[15] = fr.host;
    }
    p.is_fragment = true;
    p.frag_id = fr.id;
    p.frag_offset = fr.off;
    p.frag_more = fr.more;
    p.frag_proto = fr.proto;
    p.frag_data = data;
    p.frag_len = p.frag_captured = fr.len;
    return p;
}

static uint8_t fill_buf[65536];

static sess__frag_result add_frag(sess__ipfrag *f, frag fr, char fill,
                                 uint64_t frame, double ts)
{
    sess__frag_result r;
    memset(fill_buf, fill, fr.len);
    sess__pkt p = make_pkt(fr, fill_buf);
    int rc = sess__ipfrag_add(f, &p, frame, ts, &r);
    if (rc != SESS_OK)
        TESTLIB_FAIL("sess__ipfrag_add: %d", rc);
    return r;
}

/* Adds an IPv4 fragment of `len` bytes of `fill` (id 1, UDP, 10.0.0.1). */
static sess__frag_result add4(sess__ipfrag *f, uint32_t off, size_t len,
                             char fill, bool more, uint64_t frame, double ts)
{
    return add_frag(f, (frag){4, 1, 17, 1, off, len, more}, fill, frame, ts);
}

/* "123" -> {1, 2, 3} compared with the result's frame list */
#define ASSERT_FRAMES(res, digits)                                             \
    do {                                                                       \
        const char *testlib_d = (digits);                                      \
        ASSERT_EQ((res).nframes, strlen(testlib_d));                           \
        for (size_t testlib_k = 0; testlib_d[testlib_k]; testlib_k++)          \
            ASSERT_EQ((res).frames[testlib_k], testlib_d[testlib_k] - '0');    \
    } while (0)

/* Expands "12" (digits per 8-byte unit) to "1111111122222222". */
static size_t expand_units(const char *units, char *out)
{
    size_t n = 0;
    for (; *units; units++)
        for (int k = 0; k < 8; k++)
            out[n++] = *units;
    return n;
}

/* ---- arrival orders ----------------------------------------------------- */

typedef struct order_case {
    const char *name;
    uint8_t version;
    size_t n;
    struct { uint32_t off; size_t len; bool more; } fr[4];
    const char *expect; /* fragment i filled with 'A' + i */
    const char *frames; /* fragment i is frame i + 1 */
} order_case;

static const order_case order_cases[] = {
    {"v4 three", 4, 3, {{0, 8, true}, {8, 8, true}, {16, 4, false}},
     "AAAAAAAABBBBBBBBCCCC", "123"},
    {"v4 four uneven", 4, 4,
     {{0, 16, true}, {16, 8, true}, {24, 16, true}, {40, 3, false}},
     "AAAAAAAAAAAAAAAABBBBBBBBCCCCCCCCCCCCCCCCDDD", "1234"},
    {"v6 four", 6, 4,
     {{0, 8, true}, {8, 24, true}, {32, 8, true}, {40, 1, false}},
     "AAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBCCCCCCCCD", "1234"},
    /* an empty last fragment supplies no byte, so it is not listed */
    {"v6 three, empty last", 6, 3, {{0, 8, true}, {8, 8, true}, {16, 0, false}},
     "AAAAAAAABBBBBBBB", "12"},
};

static bool next_permutation(size_t *a, size_t n)
{
    return testlib_next_permutation(a, n);
}

TEST(every_arrival_order_completes_on_the_last)
{
    for (size_t c = 0; c < sizeof order_cases / sizeof order_cases[0]; c++) {
        const order_case *oc = &order_cases[c];
        size_t perm[4] = {0, 1, 2, 3}, orders = 0;
        do {
            sess__ipfrag *f = make_default(NULL);
            sess__frag_result r = {0};
            for (size_t k = 0; k < oc->n; k++) {
                size_t i = perm[k];
                frag fr = {oc->version, 7, 6, 1, oc->fr[i].off, oc->fr[i].len,
                           oc->fr[i].more};
                r = add_frag(f, fr, (char)('A' + i), i + 1, 1.0);
                ASSERT_EQ(r.anomalies, 0);
                ASSERT_EQ(r.status, k + 1 < oc->n ? SESS__FRAG_PENDING
                                                  : SESS__FRAG_COMPLETE);
            }
            ASSERT_EQ(r.len, strlen(oc->expect));
            ASSERT_MEM_EQ(r.data, oc->expect, r.len);
            ASSERT_FRAMES(r, oc->frames);
            ASSERT(!r.overlap && !r.conflict);
            ASSERT_EQ(r.proto, 6);
            ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
            sess__ipfrag_free(f);
            orders++;
        } while (next_permutation(perm, oc->n));
        ASSERT_EQ(orders, oc->n == 3 ? 6 : 24);
    }
}

TEST(same_key_after_completion_starts_a_new_datagram)
{
    sess__ipfrag *f = make_default(NULL);
    ASSERT_EQ(add4(f, 0, 8, 'A', true, 1, 0).status, SESS__FRAG_PENDING);
    ASSERT_EQ(add4(f, 8, 8, 'B', false, 2, 0).status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(add4(f, 8, 8, 'C', false, 3, 0).status, SESS__FRAG_PENDING);
    sess__frag_result r = add4(f, 0, 8, 'D', true, 4, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_MEM_EQ(r.data, "DDDDDDDDCCCCCCCC", 16);
    ASSERT_FRAMES(r, "43");
    sess__ipfrag_free(f);
}

/* ---- duplicates --------------------------------------------------------- */

TEST(duplicate_is_recognised_and_ignored)
{
    sess__ipfrag *f = make_default(NULL);
    ASSERT_EQ(add4(f, 0, 8, 'A', true, 1, 0).status, SESS__FRAG_PENDING);
    size_t held = sess__ipfrag_bytes_held(f);
    sess__frag_result r = add4(f, 0, 8, 'A', true, 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_DUPLICATE);
    ASSERT_EQ(sess__ipfrag_bytes_held(f), held);
    r = add4(f, 8, 8, 'B', false, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_FRAMES(r, "13");
    ASSERT(!r.overlap && !r.conflict);
    sess__ipfrag_free(f);
}

TEST(duplicate_after_partial_override_is_still_a_duplicate)
{
    /* last policy: B takes A's first unit; A again matches what is held */
    sess__ipfrag *f = make(SESS_IP_LAST, 30, 1u << 20, NULL);
    add4(f, 0, 16, 'A', true, 1, 0);
    sess__frag_result r = add4(f, 0, 8, 'A', true, 2, 0);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP);
    ASSERT_EQ(r.status, SESS__FRAG_PENDING);
    r = add4(f, 0, 16, 'A', true, 3, 0);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_DUPLICATE);
    r = add4(f, 16, 1, 'C', false, 4, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_FRAMES(r, "214");
    ASSERT(r.overlap && !r.conflict);
    sess__ipfrag_free(f);
}

TEST(same_range_different_bytes_is_a_conflict)
{
    sess__ipfrag *f = make_default(NULL);
    add4(f, 0, 8, 'A', true, 1, 0);
    sess__frag_result r = add4(f, 0, 8, 'X', true, 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_PENDING);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP | SESS__FRAGA_CONFLICT);
    r = add4(f, 8, 2, 'B', false, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_MEM_EQ(r.data, "AAAAAAAABB", 10);
    ASSERT_FRAMES(r, "13");
    ASSERT(r.overlap && r.conflict);
    sess__ipfrag_free(f);
}

TEST(repeat_that_brings_the_end_is_not_a_duplicate)
{
    sess__ipfrag *f = make_default(NULL);
    add4(f, 0, 8, 'A', true, 1, 0);
    add4(f, 8, 8, 'B', true, 2, 0);
    sess__frag_result r = add4(f, 8, 8, 'B', false, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP);
    ASSERT_FRAMES(r, "12");
    ASSERT(r.overlap && !r.conflict);
    sess__ipfrag_free(f);
}

/* ---- overlap policies --------------------------------------------------- */

typedef struct unit_frag {
    uint32_t off, len; /* 8-byte units */
    bool more;
} unit_frag;

typedef struct layout {
    const char *name;
    size_t n;
    unit_frag fr[MAX_FRAGS];
} layout;

/* Novak's "target-based fragmentation reassembly" layout */
static const layout novak = {"novak", 6, {{0, 3, true}, {4, 2, true},
    {6, 3, true}, {1, 4, true}, {6, 3, true}, {9, 3, false}}};
/* the second covers the first and ends with it */
static const layout cover_same_end = {"cover same end", 3,
    {{1, 1, true}, {0, 2, true}, {2, 1, false}}};
/* the second covers the first and ends after it */
static const layout cover_longer = {"cover longer", 3,
    {{1, 1, true}, {0, 3, true}, {3, 1, false}}};
/* same start, longer */
static const layout same_start = {"same start", 3,
    {{0, 1, true}, {0, 2, true}, {2, 1, false}}};
/* the second starts inside the first */
static const layout starts_inside = {"starts inside", 3,
    {{0, 2, true}, {1, 2, true}, {3, 1, false}}};
/* the third meets the first where the second took part of it: decided by
 * the first's original start (unit 1), not by where its bytes now begin */
static const layout original_bounds = {"original bounds", 4,
    {{1, 2, true}, {0, 2, true}, {2, 1, true}, {3, 1, false}}};

typedef struct policy_case {
    const layout *lay;
    sess_ip_policy policy;
    const char *units;  /* the datagram, one digit per unit */
    const char *frames; /* contributing frames in offset order */
} policy_case;

static const policy_case policy_cases[] = {
    {&novak, SESS_IP_FIRST, "111422333666", "14236"},
    {&novak, SESS_IP_LAST, "144442555666", "14256"},
    {&novak, SESS_IP_BSD, "111442333666", "14236"},
    {&novak, SESS_IP_LINUX, "111442555666", "14256"},
    {&novak, SESS_IP_WINDOWS, "111422333666", "14236"},
    {&novak, SESS_IP_SOLARIS, "111422333666", "14236"},

    {&cover_same_end, SESS_IP_FIRST, "213", "213"},
    {&cover_same_end, SESS_IP_LAST, "223", "23"},
    {&cover_same_end, SESS_IP_BSD, "223", "23"},
    {&cover_same_end, SESS_IP_LINUX, "223", "23"},
    {&cover_same_end, SESS_IP_WINDOWS, "213", "213"},
    {&cover_same_end, SESS_IP_SOLARIS, "223", "23"},

    {&cover_longer, SESS_IP_FIRST, "2123", "213"},
    {&cover_longer, SESS_IP_LAST, "2223", "23"},
    {&cover_longer, SESS_IP_BSD, "2223", "23"},
    {&cover_longer, SESS_IP_LINUX, "2223", "23"},
    {&cover_longer, SESS_IP_WINDOWS, "2223", "23"},
    {&cover_longer, SESS_IP_SOLARIS, "2223", "23"},

    {&same_start, SESS_IP_FIRST, "123", "123"},
    {&same_start, SESS_IP_LAST, "223", "23"},
    {&same_start, SESS_IP_BSD, "123", "123"},
    {&same_start, SESS_IP_LINUX, "223", "23"},
    {&same_start, SESS_IP_WINDOWS, "123", "123"},
    {&same_start, SESS_IP_SOLARIS, "123", "123"},

    {&starts_inside, SESS_IP_FIRST, "1123", "123"},
    {&starts_inside, SESS_IP_LAST, "1223", "123"},
    {&starts_inside, SESS_IP_BSD, "1123", "123"},
    {&starts_inside, SESS_IP_LINUX, "1123", "123"},
    {&starts_inside, SESS_IP_WINDOWS, "1123", "123"},
    {&starts_inside, SESS_IP_SOLARIS, "1123", "123"},

    {&original_bounds, SESS_IP_FIRST, "2114", "214"},
    {&original_bounds, SESS_IP_LAST, "2234", "234"},
    {&original_bounds, SESS_IP_BSD, "2214", "214"},
    {&original_bounds, SESS_IP_LINUX, "2214", "214"},
    {&original_bounds, SESS_IP_WINDOWS, "2114", "214"},
    {&original_bounds, SESS_IP_SOLARIS, "2114", "214"},
};

TEST(policies_resolve_overlaps_byte_by_byte)
{
    for (size_t c = 0; c < sizeof policy_cases / sizeof policy_cases[0]; c++) {
        const policy_case *pc = &policy_cases[c];
        const layout *lay = pc->lay;
        sess__ipfrag *f = make(pc->policy, 30, 1u << 20, NULL);
        sess__frag_result r = {0};
        for (size_t i = 0; i < lay->n; i++) {
            frag fr = {4, 9, 17, 1, lay->fr[i].off * 8, lay->fr[i].len * 8,
                       lay->fr[i].more};
            r = add_frag(f, fr, (char)('1' + i), i + 1, 0);
            ASSERT_EQ(r.status, i + 1 < lay->n ? SESS__FRAG_PENDING
                                               : SESS__FRAG_COMPLETE);
        }
        char expect[128];
        size_t n = expand_units(pc->units, expect);
        if (r.len != n || memcmp(r.data, expect, n) != 0)
            TESTLIB_FAIL("%s, policy %d: got \"%.*s\"", lay->name,
                          (int)pc->policy, (int)r.len, (const char *)r.data);
        ASSERT_FRAMES(r, pc->frames);
        ASSERT(r.overlap && r.conflict);
        sess__ipfrag_free(f);
    }
}

TEST(overlap_with_equal_bytes_is_no_conflict)
{
    sess__ipfrag *f = make(SESS_IP_LAST, 30, 1u << 20, NULL);
    add4(f, 0, 16, 'A', true, 1, 0);
    sess__frag_result r = add4(f, 8, 16, 'A', true, 2, 0);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP);
    r = add4(f, 24, 3, 'A', false, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT(r.overlap && !r.conflict);
    ASSERT_FRAMES(r, "123");
    sess__ipfrag_free(f);
}

/* ---- a naive model of the rules, for random layouts --------------------- */

typedef struct model {
    uint8_t data[1024];
    int owner[1024]; /* fragment index, -1 when empty */
} model;

typedef struct model_frag {
    uint32_t start, end;
} model_frag;

static bool model_new_wins(sess_ip_policy pol, model_frag old, model_frag nw)
{
    switch (pol) {
    case SESS_IP_LAST: return true;
    case SESS_IP_BSD: return nw.start < old.start;
    case SESS_IP_LINUX: return nw.start <= old.start;
    case SESS_IP_WINDOWS: return nw.start < old.start && nw.end > old.end;
    case SESS_IP_SOLARIS: return nw.start < old.start && nw.end >= old.end;
    default: return false;
    }
}

/* Applies fragment k byte by byte; returns the anomalies expected. */
static unsigned model_add(model *m, model_frag *frs, int k, sess_ip_policy pol,
                          const uint8_t *data)
{
    model_frag nw = frs[k];
    bool overlap = false, conflict = false, all = true, same = false;
    for (uint32_t i = nw.start; i < nw.end; i++) {
        int o = m->owner[i];
        if (o < 0) {
            all = false;
            continue;
        }
        overlap = true;
        conflict |= m->data[i] != data[i - nw.start];
        same |= frs[o].start == nw.start && frs[o].end == nw.end;
    }
    if (overlap && all && same && !conflict)
        return SESS__FRAGA_DUPLICATE;
    for (uint32_t i = nw.start; i < nw.end; i++) {
        int o = m->owner[i];
        if (o < 0 || model_new_wins(pol, frs[o], nw)) {
            m->owner[i] = k;
            m->data[i] = data[i - nw.start];
        }
    }
    return (overlap ? SESS__FRAGA_OVERLAP : 0u) |
           (conflict ? SESS__FRAGA_CONFLICT : 0u);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

TEST(random_layouts_match_the_naive_model)
{
    uint32_t seed = 12345;
    for (int pol = SESS_IP_FIRST; pol <= SESS_IP_SOLARIS; pol++) {
        for (int round = 0; round < 300; round++) {
            sess__ipfrag *f = make((sess_ip_policy)pol, 30, 1u << 20, NULL);
            model m;
            model_frag frs[MAX_FRAGS + 1];
            uint8_t data[1024];
            memset(m.owner, -1, sizeof m.owner);
            int n = 1 + (int)(lcg(&seed) % MAX_FRAGS);
            for (int k = 0; k <= n; k++) {
                bool last = k == n;
                if (last) {
                    /* covers all but unit 0 (offset 0 with MF=0 would be
                     * atomic) and ends off a block: it completes the
                     * datagram and can repeat nothing */
                    frs[k] = (model_frag){8, 12 * 8 + 5};
                } else {
                    uint32_t su = k == 0 ? 0 : lcg(&seed) % 12;
                    uint32_t lu = 1 + lcg(&seed) % (12 - su);
                    frs[k] = (model_frag){su * 8, (su + lu) * 8};
                }
                size_t len = frs[k].end - frs[k].start;
                /* few byte values, so that repeats and equal overlaps occur */
                uint8_t v = (uint8_t)('a' + lcg(&seed) % 3);
                for (size_t i = 0; i < len; i++)
                    data[i] = (uint8_t)(v + (i & 1));
                unsigned expect = model_add(&m, frs, k, (sess_ip_policy)pol,
                                            data);
                sess__pkt p = make_pkt((frag){6, 3, 17, 1, frs[k].start, len,
                                             !last}, data);
                sess__frag_result r;
                ASSERT_EQ(sess__ipfrag_add(f, &p, (uint64_t)k, 0, &r), SESS_OK);
                ASSERT_EQ(r.anomalies, expect);
                if (!last)
                    continue;
                ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
                ASSERT_EQ(r.len, frs[n].end);
                ASSERT_MEM_EQ(r.data, m.data, r.len);
                /* frames by first supplied byte */
                bool seen[MAX_FRAGS + 1] = {false};
                size_t nf = 0;
                for (uint32_t i = 0; i < frs[n].end; i++) {
                    int o = m.owner[i];
                    if (seen[o])
                        continue;
                    seen[o] = true;
                    ASSERT(nf < r.nframes);
                    ASSERT_EQ(r.frames[nf], o);
                    nf++;
                }
                ASSERT_EQ(r.nframes, nf);
            }
            sess__ipfrag_free(f);
        }
    }
}

/* ---- the drop policy ---------------------------------------------------- */

TEST(drop_policy_discards_the_datagram_and_its_late_fragments)
{
    recorder rec = {0};
    sess__ipfrag *f = make(SESS_IP_DROP, 30, 1u << 20, &rec);
    ASSERT_EQ(add4(f, 0, 16, 'A', true, 1, 0).status, SESS__FRAG_PENDING);
    sess__frag_result r = add4(f, 8, 16, 'B', true, 2, 1);
    ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP | SESS__FRAGA_CONFLICT |
                           SESS__FRAGA_DROPPED);
    r = add4(f, 24, 4, 'C', false, 3, 2);
    ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_DROPPED);
    r = add4(f, 16, 8, 'B', true, 4, 3);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_DROPPED);

    /* another datagram is unaffected */
    frag other = {4, 2, 17, 1, 0, 8, true};
    ASSERT_EQ(add_frag(f, other, 'Z', 5, 4).status, SESS__FRAG_PENDING);

    /* the tombstone ages out silently; the key then starts afresh */
    sess__ipfrag_expire(f, 30.5);
    ASSERT_EQ(rec.n, 0);
    ASSERT_EQ(add4(f, 24, 4, 'C', false, 6, 30.5).status, SESS__FRAG_PENDING);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 2);
    ASSERT_EQ(rec.ev[0].id, 2);
    ASSERT_EQ(rec.ev[1].id, 1);
    ASSERT_EQ(rec.ev[1].last_frame, 6);
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_free(f);
}

TEST(drop_policy_ignores_exact_duplicates)
{
    sess__ipfrag *f = make(SESS_IP_DROP, 30, 1u << 20, NULL);
    add4(f, 0, 8, 'A', true, 1, 0);
    sess__frag_result r = add4(f, 0, 8, 'A', true, 2, 0);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_DUPLICATE);
    r = add4(f, 8, 3, 'B', false, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_FRAMES(r, "13");
    ASSERT(!r.overlap);
    sess__ipfrag_free(f);
}

TEST(drop_policy_drops_on_equal_bytes_too)
{
    sess__ipfrag *f = make(SESS_IP_DROP, 30, 1u << 20, NULL);
    add4(f, 0, 16, 'A', true, 1, 0);
    sess__frag_result r = add4(f, 0, 8, 'A', true, 2, 0);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_OVERLAP | SESS__FRAGA_DROPPED);
    sess__ipfrag_free(f);
}

/* ---- keys --------------------------------------------------------------- */

TEST(ipv6_key_ignores_the_next_header)
{
    sess__ipfrag *f = make_default(NULL);
    frag a = {6, 0x12345678, 17, 1, 0, 8, true};
    frag b = {6, 0x12345678, 59, 1, 8, 4, false};
    ASSERT_EQ(add_frag(f, a, 'A', 1, 0).status, SESS__FRAG_PENDING);
    sess__frag_result r = add_frag(f, b, 'B', 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(r.proto, 17); /* the offset-zero fragment's */
    ASSERT_MEM_EQ(r.data, "AAAAAAAABBBB", 12);
    sess__ipfrag_free(f);
}

TEST(ipv4_key_includes_the_protocol)
{
    recorder rec = {0};
    sess__ipfrag *f = make_default(&rec);
    frag a = {4, 77, 6, 1, 0, 8, true};
    frag b = {4, 77, 17, 1, 8, 4, false};
    ASSERT_EQ(add_frag(f, a, 'A', 1, 0).status, SESS__FRAG_PENDING);
    ASSERT_EQ(add_frag(f, b, 'B', 2, 0).status, SESS__FRAG_PENDING);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 2);
    sess__ipfrag_free(f);
}

TEST(key_separates_family_addresses_and_id)
{
    static const frag others[] = {
        {6, 77, 6, 1, 8, 4, false}, /* family */
        {4, 77, 6, 2, 8, 4, false}, /* source */
        {4, 78, 6, 1, 8, 4, false}, /* id */
    };
    recorder rec = {0};
    sess__ipfrag *f = make_default(&rec);
    frag a = {4, 77, 6, 1, 0, 8, true};
    add_frag(f, a, 'A', 1, 0);
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        ASSERT_EQ(add_frag(f, others[i], 'B', 2 + i, 0).status,
                  SESS__FRAG_PENDING);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 4);
    ASSERT_EQ(rec.ev[1].family, 6);
    ASSERT_EQ(rec.ev[1].src.family, 6);
    ASSERT_EQ(rec.ev[1].src.bytes[15], 1);
    ASSERT_EQ(rec.ev[2].src.bytes[3], 2);
    ASSERT_EQ(rec.ev[2].dst.bytes[3], 2);
    ASSERT_EQ(rec.ev[3].id, 78);
    sess__ipfrag_free(f);
}

TEST(atomic_fragment_completes_alone)
{
    sess__ipfrag *f = make_default(NULL);
    frag tail = {6, 5, 17, 1, 8, 8, false};
    frag atomic = {6, 5, 58, 1, 0, 5, false};
    frag head = {6, 5, 17, 1, 0, 8, true};
    ASSERT_EQ(add_frag(f, tail, 'B', 1, 0).status, SESS__FRAG_PENDING);
    sess__frag_result r = add_frag(f, atomic, 'Z', 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(r.len, 5);
    ASSERT_MEM_EQ(r.data, "ZZZZZ", 5);
    ASSERT_FRAMES(r, "2");
    ASSERT_EQ(r.proto, 58);
    r = add_frag(f, head, 'A', 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_MEM_EQ(r.data, "AAAAAAAABBBBBBBB", 16);
    ASSERT_FRAMES(r, "31");
    sess__ipfrag_free(f);
}

/* ---- eviction ----------------------------------------------------------- */

TEST(timeout_evicts_with_the_last_frame)
{
    recorder rec = {0};
    sess__ipfrag *f = make(SESS_IP_FIRST, 30, 1u << 20, &rec);
    frag a1 = {4, 1, 17, 1, 0, 8, true}, a2 = {4, 1, 17, 1, 16, 8, true};
    frag b = {4, 2, 17, 1, 0, 8, true}, c = {4, 3, 17, 1, 0, 8, true};
    add_frag(f, a1, 'A', 1, 0);
    add_frag(f, a2, 'A', 2, 10);
    add_frag(f, b, 'B', 3, 20);
    add_frag(f, c, 'C', 4, 30); /* exactly the timeout: nothing yet */
    ASSERT_EQ(rec.n, 0);
    add_frag(f, c, 'C', 5, 30.5); /* a duplicate, and the trigger */
    ASSERT_EQ(rec.n, 1);
    ASSERT_EQ(rec.ev[0].reason, SESS__FRAG_EVICT_TIMEOUT);
    ASSERT_EQ(rec.ev[0].id, 1);
    ASSERT_EQ(rec.ev[0].last_frame, 2);
    ASSERT_EQ(rec.ev[0].nfrags, 2);
    ASSERT_EQ(rec.ev[0].bytes_held, 16);
    ASSERT_EQ(rec.ev[0].family, 4);
    ASSERT_MEM_EQ(rec.ev[0].src.bytes, "\x0a\x00\x00\x01", 4);

    /* the key starts afresh: the earlier fragments are gone */
    frag a3 = {4, 1, 17, 1, 8, 8, false};
    ASSERT_EQ(add_frag(f, a3, 'A', 6, 31).status, SESS__FRAG_PENDING);

    sess__ipfrag_expire(f, 61);
    ASSERT_EQ(rec.n, 3);
    ASSERT_EQ(rec.ev[1].id, 2);
    ASSERT_EQ(rec.ev[1].last_frame, 3);
    ASSERT_EQ(rec.ev[2].id, 3);
    ASSERT_EQ(rec.ev[2].last_frame, 5);
    ASSERT_EQ(rec.ev[2].nfrags, 1);
    sess__ipfrag_expire(f, 62);
    ASSERT_EQ(rec.n, 4);
    ASSERT_EQ(rec.ev[3].last_frame, 6);
    ASSERT_EQ(rec.ev[3].bytes_held, 8);
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_free(f);
}

TEST(memcap_evicts_the_oldest)
{
    /* the cost of one small datagram, measured */
    sess__ipfrag *probe = make_default(NULL);
    add4(probe, 0, 8, 'A', true, 1, 0);
    size_t one = sess__ipfrag_bytes_held(probe);
    sess__ipfrag_free(probe);
    ASSERT_GT(one, 8);

    recorder rec = {0};
    sess__ipfrag *f = make(SESS_IP_FIRST, 30, one * 2 + one / 2, &rec);
    for (uint32_t id = 1; id <= 3; id++) {
        frag fr = {4, id, 17, 1, 0, 8, true};
        ASSERT_EQ(add_frag(f, fr, 'A', id, id).status, SESS__FRAG_PENDING);
        frag more = {4, id, 17, 1, 8, 8, true};
        ASSERT_EQ(add_frag(f, more, 'A', 10 + id, id).status,
                  SESS__FRAG_PENDING);
    }
    ASSERT_EQ(rec.n, 1);
    ASSERT_EQ(rec.ev[0].reason, SESS__FRAG_EVICT_MEMCAP);
    ASSERT_EQ(rec.ev[0].id, 1);
    ASSERT_EQ(rec.ev[0].last_frame, 11);
    ASSERT_EQ(rec.ev[0].nfrags, 2);
    ASSERT_LE(sess__ipfrag_bytes_held(f), one * 2 + one / 2);
    sess__ipfrag_free(f);
}

TEST(memcap_smaller_than_one_datagram_evicts_it_at_once)
{
    recorder rec = {0};
    sess__ipfrag *f = make(SESS_IP_FIRST, 30, 64, &rec);
    sess__frag_result r = add4(f, 0, 1024, 'A', true, 1, 0);
    ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
    ASSERT_EQ(rec.n, 1);
    ASSERT_EQ(rec.ev[0].reason, SESS__FRAG_EVICT_MEMCAP);
    ASSERT_EQ(rec.ev[0].last_frame, 1);
    ASSERT_EQ(rec.ev[0].bytes_held, 1024);
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_free(f);
}

TEST(flush_reports_every_incomplete_datagram_in_age_order)
{
    recorder rec = {0};
    sess__ipfrag *f = make_default(&rec);
    for (uint32_t id = 1; id <= 3; id++) {
        frag fr = {id == 2 ? 6 : 4, id, 17, 1, 8, 8, true};
        add_frag(f, fr, 'A', 100 + id, 0);
    }
    ASSERT_GT(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 3);
    for (size_t i = 0; i < 3; i++) {
        ASSERT_EQ(rec.ev[i].reason, SESS__FRAG_EVICT_FLUSH);
        ASSERT_EQ(rec.ev[i].id, i + 1);
        ASSERT_EQ(rec.ev[i].last_frame, 101 + i);
    }
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 3);
    sess__ipfrag_free(f);
}

/* ---- malformed fragments ------------------------------------------------ */

typedef struct malformed_case {
    const char *name;
    uint32_t off;
    size_t len, captured;
    bool more;
    unsigned anomalies;
} malformed_case;

static const malformed_case malformed_cases[] = {
    {"too long", 65528, 16, 16, false, SESS__FRAGA_TOO_LONG},
    {"too long, huge offset", 70000, 8, 8, true, SESS__FRAGA_TOO_LONG},
    {"empty, more to come", 8, 0, 0, true, SESS__FRAGA_BAD_SIZE},
    {"not a multiple of 8, more to come", 8, 12, 12, true,
     SESS__FRAGA_BAD_SIZE},
    {"offset not a multiple of 8", 4, 8, 8, true, SESS__FRAGA_BAD_SIZE},
    {"truncated", 8, 8, 4, false, SESS__FRAGA_TRUNCATED},
    {"truncated and too long", 65528, 16, 3, false,
     SESS__FRAGA_TRUNCATED | SESS__FRAGA_TOO_LONG},
};

TEST(malformed_fragments_are_discarded_and_the_rest_goes_on)
{
    for (size_t c = 0; c < sizeof malformed_cases / sizeof malformed_cases[0];
         c++) {
        const malformed_case *mc = &malformed_cases[c];
        sess__ipfrag *f = make_default(NULL);
        add4(f, 0, 8, 'A', true, 1, 0);
        size_t held = sess__ipfrag_bytes_held(f);

        memset(fill_buf, 'X', mc->len);
        sess__pkt p = make_pkt((frag){4, 1, 17, 1, mc->off, mc->len, mc->more},
                              fill_buf);
        p.frag_captured = mc->captured;
        sess__frag_result r;
        ASSERT_EQ(sess__ipfrag_add(f, &p, 2, 0, &r), SESS_OK);
        if (r.anomalies != mc->anomalies || r.status != SESS__FRAG_DISCARDED)
            TESTLIB_FAIL("%s: anomalies 0x%x, status %d", mc->name,
                         r.anomalies, (int)r.status);
        ASSERT_EQ(sess__ipfrag_bytes_held(f), held);

        r = add4(f, 8, 8, 'B', false, 3, 0);
        ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
        ASSERT_MEM_EQ(r.data, "AAAAAAAABBBBBBBB", 16);
        ASSERT_FRAMES(r, "13");
        sess__ipfrag_free(f);
    }
}

TEST(data_past_the_known_end_is_dropped)
{
    sess__ipfrag *f = make_default(NULL);
    ASSERT_EQ(add4(f, 8, 4, 'B', false, 1, 0).status, SESS__FRAG_PENDING);
    sess__frag_result r = add4(f, 16, 8, 'C', true, 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_PAST_END);
    r = add4(f, 0, 16, 'A', true, 3, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_PAST_END | SESS__FRAGA_OVERLAP |
                           SESS__FRAGA_CONFLICT);
    ASSERT_EQ(r.len, 12);
    ASSERT_MEM_EQ(r.data, "AAAAAAAABBBB", 12);
    ASSERT_FRAMES(r, "31");
    sess__ipfrag_free(f);
}

TEST(end_below_held_data_trims_it)
{
    sess__ipfrag *f = make_default(NULL);
    ASSERT_EQ(add4(f, 0, 32, 'A', true, 1, 0).status, SESS__FRAG_PENDING);
    /* the end falls inside A's second unit; A keeps it by the first policy,
     * so B supplies nothing and is not listed */
    sess__frag_result r = add4(f, 8, 4, 'B', false, 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_PAST_END | SESS__FRAGA_OVERLAP |
                           SESS__FRAGA_CONFLICT);
    ASSERT_EQ(r.len, 12);
    ASSERT_MEM_EQ(r.data, "AAAAAAAAAAAA", 12);
    ASSERT_FRAMES(r, "1");
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_free(f);
}

TEST(end_on_a_block_boundary_below_held_data)
{
    recorder rec = {0};
    sess__ipfrag *f = make_default(&rec);
    add4(f, 24, 16, 'C', true, 1, 0);
    sess__frag_result r = add4(f, 8, 8, 'B', false, 2, 0);
    ASSERT_EQ(r.status, SESS__FRAG_PENDING);
    ASSERT_EQ(r.anomalies, SESS__FRAGA_PAST_END);
    sess__ipfrag_flush(f);
    ASSERT_EQ(rec.n, 1);
    ASSERT_EQ(rec.ev[0].bytes_held, 8);
    sess__ipfrag_free(f);
}

TEST(conflicting_end_keeps_the_first)
{
    static const struct { uint32_t off; size_t len; } second[] = {
        {8, 12}, /* longer */
        {8, 4},  /* shorter */
        {0, 8},  /* an end the first end's fragment already covers */
    };
    for (size_t c = 0; c < sizeof second / sizeof second[0]; c++) {
        sess__ipfrag *f = make_default(NULL);
        ASSERT_EQ(add4(f, 8, 8, 'B', false, 1, 0).status, SESS__FRAG_PENDING);
        sess__frag_result r = add4(f, second[c].off, second[c].len, 'X', false,
                                  2, 0);
        if (second[c].off == 0) {
            /* offset 0 with MF=0 is atomic: a datagram of its own */
            ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
            ASSERT_EQ(r.len, 8);
        } else {
            ASSERT_EQ(r.status, SESS__FRAG_DISCARDED);
            ASSERT_EQ(r.anomalies, SESS__FRAGA_END_CONFLICT);
        }
        r = add4(f, 0, 8, 'A', true, 3, 0);
        ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
        ASSERT_EQ(r.len, 16);
        ASSERT_MEM_EQ(r.data, "AAAAAAAABBBBBBBB", 16);
        ASSERT_FRAMES(r, "31");
        sess__ipfrag_free(f);
    }
}

TEST(misuse_is_rejected)
{
    sess__ipfrag_config bad = {.policy = (sess_ip_policy)42, .timeout = 30};
    ASSERT(sess__ipfrag_new(&bad, NULL, NULL) == NULL);
    bad.policy = SESS_IP_FIRST;
    bad.timeout = -1;
    ASSERT(sess__ipfrag_new(&bad, NULL, NULL) == NULL);
    ASSERT(sess__ipfrag_new(NULL, NULL, NULL) == NULL);

    sess__ipfrag *f = make_default(NULL);
    sess__pkt p = make_pkt((frag){4, 1, 17, 1, 0, 8, true}, fill_buf);
    sess__frag_result r;
    p.is_fragment = false;
    ASSERT_EQ(sess__ipfrag_add(f, &p, 1, 0, &r), SESS_EINVAL);
    p.is_fragment = true;
    p.ip_version = 5;
    ASSERT_EQ(sess__ipfrag_add(f, &p, 1, 0, &r), SESS_EINVAL);
    sess__ipfrag_free(f);
    sess__ipfrag_free(NULL);
}

/* ---- scale -------------------------------------------------------------- */

TEST(ten_thousand_overlapping_fragments_of_one_datagram)
{
    /* each fragment overlaps some 370 others at a random 8-byte offset */
    enum { N = 10000, LEN = 1480, SPAN = 40000, END = SPAN - 8 + LEN };
    static uint8_t model_data[END];
    static uint32_t model_start[END]; /* original start of each byte's holder */
    static uint32_t model_frame[END];
    static bool listed[N];
    static uint8_t data[LEN];
    static const sess_ip_policy pols[] = {SESS_IP_LAST, SESS_IP_LINUX};

    for (size_t pi = 0; pi < sizeof pols / sizeof pols[0]; pi++) {
        sess__ipfrag *f = make(pols[pi], 30, 64u << 20, NULL);
        uint32_t seed = 99;
        memset(model_start, 0xff, sizeof model_start);
        memset(listed, 0, sizeof listed);
        for (uint32_t i = 0; i < N; i++) {
            uint32_t off = i == 0 ? 0 : lcg(&seed) % (SPAN / 8) * 8;
            for (size_t k = 0; k < LEN; k++)
                data[k] = (uint8_t)(i + k);
            sess__pkt p = make_pkt((frag){4, 1, 17, 1, off, LEN, true}, data);
            sess__frag_result r;
            ASSERT_EQ(sess__ipfrag_add(f, &p, i, 0, &r), SESS_OK);
            ASSERT_EQ(r.status, SESS__FRAG_PENDING);
            for (uint32_t at = off; at < off + LEN; at++) {
                if (model_start[at] == UINT32_MAX ||
                    pols[pi] == SESS_IP_LAST || off <= model_start[at]) {
                    model_data[at] = data[at - off];
                    model_start[at] = off;
                    model_frame[at] = i;
                }
            }
        }
        memset(data, 'T', 8);
        sess__pkt p = make_pkt((frag){4, 1, 17, 1, END, 8, false}, data);
        sess__frag_result r;
        ASSERT_EQ(sess__ipfrag_add(f, &p, N, 0, &r), SESS_OK);
        ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
        ASSERT_EQ(r.len, END + 8);
        ASSERT_MEM_EQ(r.data, model_data, END);
        ASSERT_MEM_EQ(r.data + END, "TTTTTTTT", 8);
        ASSERT(r.overlap && r.conflict);
        size_t nf = 0;
        for (uint32_t at = 0; at < END; at++) {
            if (listed[model_frame[at]])
                continue;
            listed[model_frame[at]] = true;
            ASSERT(nf < r.nframes);
            ASSERT_EQ(r.frames[nf], model_frame[at]);
            nf++;
        }
        ASSERT_EQ(r.nframes, nf + 1); /* and the tail */
        ASSERT_EQ(r.frames[nf], N);
        sess__ipfrag_free(f);
    }
}

TEST(hundred_thousand_incomplete_trains)
{
    enum { N = 100000 };
    recorder rec = {0};
    sess__ipfrag *f = make(SESS_IP_FIRST, 30, SIZE_MAX, &rec);
    /* the 16-bit IPv4 id alone cannot tell 100,000 trains apart */
    for (uint32_t i = 0; i < N; i++) {
        frag fr = {4, i & 0xffff, 17, (uint8_t)(i >> 16), 0, 64, true};
        ASSERT_EQ(add_frag(f, fr, 'A', i, i * 1e-5).status, SESS__FRAG_PENDING);
    }
    for (uint32_t i = 0; i < N; i++) {
        frag fr = {4, i & 0xffff, 17, (uint8_t)(i >> 16), 64, 10, false};
        sess__frag_result r = add_frag(f, fr, 'B', N + i, 1.0);
        ASSERT_EQ(r.status, SESS__FRAG_COMPLETE);
        ASSERT_EQ(r.len, 74);
    }
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    for (uint32_t i = 0; i < N; i++) {
        frag fr = {6, i, 17, 1, 8, 8, true};
        ASSERT_EQ(add_frag(f, fr, 'C', i, 2.0).status, SESS__FRAG_PENDING);
    }
    sess__ipfrag_expire(f, 40);
    ASSERT_EQ(rec.n, N);
    ASSERT_EQ(rec.ev[0].reason, SESS__FRAG_EVICT_TIMEOUT);
    ASSERT_EQ(sess__ipfrag_bytes_held(f), 0);
    sess__ipfrag_free(f);
}

TEST_MAIN(TEST_CASE(every_arrival_order_completes_on_the_last),
          TEST_CASE(same_key_after_completion_starts_a_new_datagram),
          TEST_CASE(duplicate_is_recognised_and_ignored),
          TEST_CASE(duplicate_after_partial_override_is_still_a_duplicate),
          TEST_CASE(same_range_different_bytes_is_a_conflict),
          TEST_CASE(repeat_that_brings_the_end_is_not_a_duplicate),
          TEST_CASE(policies_resolve_overlaps_byte_by_byte),
          TEST_CASE(overlap_with_equal_bytes_is_no_conflict),
          TEST_CASE(random_layouts_match_the_naive_model),
          TEST_CASE(drop_policy_discards_the_datagram_and_its_late_fragments),
          TEST_CASE(drop_policy_ignores_exact_duplicates),
          TEST_CASE(drop_policy_drops_on_equal_bytes_too),
          TEST_CASE(ipv6_key_ignores_the_next_header),
          TEST_CASE(ipv4_key_includes_the_protocol),
          TEST_CASE(key_separates_family_addresses_and_id),
          TEST_CASE(atomic_fragment_completes_alone),
          TEST_CASE(timeout_evicts_with_the_last_frame),
          TEST_CASE(memcap_evicts_the_oldest),
          TEST_CASE(memcap_smaller_than_one_datagram_evicts_it_at_once),
          TEST_CASE(flush_reports_every_incomplete_datagram_in_age_order),
          TEST_CASE(malformed_fragments_are_discarded_and_the_rest_goes_on),
          TEST_CASE(data_past_the_known_end_is_dropped),
          TEST_CASE(end_below_held_data_trims_it),
          TEST_CASE(end_on_a_block_boundary_below_held_data),
          TEST_CASE(conflicting_end_keeps_the_first),
          TEST_CASE(misuse_is_rejected),
          TEST_CASE(ten_thousand_overlapping_fragments_of_one_datagram),
          TEST_CASE(hundred_thousand_incomplete_trains))
