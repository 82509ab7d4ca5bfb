/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_stream.c - one direction of a TCP connection.
 *
 * Cases are tables of segments (stream offset, text) fed to a fresh stream.
 * Readable bytes are compared as text, with given-up zeros shown as '.'.
 * Arrival orders are exhaustive for small sets, and flags are checked
 * against a byte-map model of what was already received.
 */
#include "stream.h"
#include "stream_treap.h"
#include "testlib.h"

#define ISN 1000u

typedef struct hole {
    uint64_t offset, len;
} hole;

typedef struct fixture {
    sess__stream_config cfg;
    sess__stream_pool *pool;
    sess__stream s;
    hole holes[64];
    size_t nholes;
    uint32_t isn;
    uint64_t frame;
    int64_t shift; /* added to every offset put() is given */
} fixture;

static void on_missing(void *user, uint64_t offset, uint64_t len,
                       sess_missing_fate fate)
{
    (void)fate;
    fixture *f = user;
    if (f->nholes < sizeof f->holes / sizeof f->holes[0])
        f->holes[f->nholes++] = (hole){offset, len};
}

static void fx_open(fixture *f, sess_tcp_policy policy, uint32_t isn)
{
    memset(f, 0, sizeof *f);
    f->cfg = (sess__stream_config){.policy = policy,
                                  .dir_cap = 1u << 20,
                                  .window = 1u << 24,
                                  .history = 4096,
                                  .ack_grace_pkts = 4,
                                  .ack_grace_time = 100,
                                  .fill_max = 1u << 24};
    f->pool = sess__stream_pool_new(NULL);
    ASSERT(f->pool != NULL);
    f->isn = isn;
    sess__stream_init(&f->s, &f->cfg, f->pool, on_missing, f);
    sess__stream_syn(&f->s, isn);
}

static void fx_close(fixture *f)
{
    sess__stream_release(&f->s);
    ASSERT_EQ(sess__stream_pool_bytes(f->pool), 0);
    sess__stream_pool_free(f->pool);
}

/* Feeds `text` at stream offset `off` (relative to the ISN); frames count
 * from 1. */
static sess__seg_info put(fixture *f, int64_t off, const char *text)
{
    sess__seg_info info;
    uint32_t seq = f->isn + 1u + (uint32_t)(off + f->shift);
    f->frame++;
    int rc = sess__stream_data(&f->s, seq, (const uint8_t *)text, strlen(text),
                              f->frame, (double)f->frame, &info);
    ASSERT_EQ(rc, SESS_OK);
    return info;
}

static unsigned put_flags(fixture *f, int64_t off, const char *text)
{
    return put(f, off, text).flags;
}

/* The readable bytes as text, zeros as '.'. */
static const char *readable(fixture *f)
{
    static char out[1 << 12];
    const uint8_t *data;
    size_t n = sess__stream_readable(&f->s, &data);
    ASSERT_LT(n, sizeof out);
    for (size_t i = 0; i < n; i++)
        out[i] = data[i] ? (char)data[i] : '.';
    out[n] = '\0';
    return out;
}

/* Consumes everything readable, stepping over skipped gaps, which land in
 * the sink as zeros (as if they had been zero-filled). */
static void consume_all(fixture *f, char *sink, size_t *sink_len)
{
    for (;;) {
        const uint8_t *data;
        size_t n = sess__stream_readable(&f->s, &data);
        if (n)
            memcpy(sink + *sink_len, data, n);
        *sink_len += n;
        uint64_t missing;
        ASSERT_EQ(sess__stream_consume(&f->s, n, NULL, &missing), SESS_OK);
        int rc;
        uint64_t gap = sess__stream_skip_gap(&f->s, &rc);
        ASSERT_EQ(rc, SESS_OK);
        if (!gap)
            return;
        memset(sink + *sink_len, 0, (size_t)gap);
        *sink_len += (size_t)gap;
    }
}

/* Far mode: every offset is moved `shift` bytes ahead and only holes of up
 * to `fill_max` bytes are zero-filled, so the bytes are held far from the
 * buffer until the leading hole is given up (skipped) and stepped over. */
static void fx_far(fixture *f, int64_t shift, size_t fill_max)
{
    f->shift = shift;
    f->cfg.fill_max = fill_max;
}

/* Gives every hole up and steps over the skipped gap a far fixture starts
 * with; the readable bytes after it, as readable() shows them. */
static const char *give_up_and_step(fixture *f)
{
    ASSERT_EQ(sess__stream_give_up(&f->s), SESS_OK);
    if (f->shift) {
        const uint8_t *data;
        ASSERT_EQ(sess__stream_readable(&f->s, &data), 0);
        ASSERT_GE(sess__stream_gap(&f->s), (uint64_t)f->shift);
        int rc;
        ASSERT_GE(sess__stream_skip_gap(&f->s, &rc), (uint64_t)f->shift);
        ASSERT_EQ(rc, SESS_OK);
    }
    return readable(f);
}

/* Flags of a segment whose overlapping bytes differ, partly or wholly
 * already received. */
#define OVERLAP_CONFLICT (SESS_SEG_OVERLAP | SESS_SEG_CONFLICT)
#define RETRANS_CONFLICT (SESS_SEG_RETRANSMISSION | OVERLAP_CONFLICT)

static const char *const policy_names[] = {"first", "last", "bsd", "windows",
                                           "linux", "old-linux", "solaris",
                                           "vista"};

/* ---- in order, reordered ------------------------------------------------ */

TEST(in_order)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    ASSERT(sess__stream_started(&f.s));
    ASSERT(sess__stream_idle(&f.s));
    ASSERT_EQ(put_flags(&f, 0, "GET / "), 0);
    ASSERT_EQ(put_flags(&f, 6, "HTTP/1.1"), 0);
    ASSERT_STR_EQ(readable(&f), "GET / HTTP/1.1");
    ASSERT(!sess__stream_idle(&f.s));

    sess__u64vec frames = {0};
    uint64_t missing = 1;
    ASSERT_EQ(sess__stream_consume(&f.s, 8, &frames, &missing), SESS_OK);
    ASSERT_EQ(missing, 0);
    ASSERT_EQ(frames.n, 2);
    ASSERT_EQ(frames.v[0], 1);
    ASSERT_EQ(frames.v[1], 2);
    ASSERT_EQ(sess__stream_consumed(&f.s), 8);
    ASSERT_STR_EQ(readable(&f), "TP/1.1");
    /* Frame 2 continues: not repeated. */
    ASSERT_EQ(sess__stream_consume(&f.s, 6, &frames, &missing), SESS_OK);
    ASSERT_EQ(frames.n, 2);
    ASSERT(sess__stream_idle(&f.s));
    ASSERT_EQ(sess__stream_consume(&f.s, 1, &frames, &missing), SESS_EINVAL);
    free(frames.v);
    fx_close(&f);
}

typedef struct seg {
    int64_t off;
    const char *text;
} seg;

typedef struct reorder_case {
    const char *name;
    const char *text; /* the stream every segment is cut from */
    size_t nsegs;
    seg segs[4];
} reorder_case;

static const reorder_case reorder_cases[] = {
    {"three", "abcdefghi", 3, {{0, "abc"}, {3, "def"}, {6, "ghi"}}},
    {"four", "abcdefghijklmnop", 4,
     {{0, "abcd"}, {4, "efgh"}, {8, "ijkl"}, {12, "mnop"}}},
    {"overlapping", "abcdefghijkl", 4,
     {{0, "abcde"}, {3, "defgh"}, {6, "ghijkl"}, {2, "cd"}}},
    {"covering", "abcdefgh", 4,
     {{0, "abcd"}, {4, "efgh"}, {2, "cdef"}, {0, "abcdefgh"}}},
    {"uneven", "abcdefghij", 3, {{1, "bcdefghi"}, {0, "a"}, {9, "j"}}},
};

/* Flags expected from what the model has received so far. */
static unsigned model_flags(bool *received, const seg *g)
{
    size_t len = strlen(g->text), covered = 0, next = 0;
    while (received[next])
        next++;
    for (size_t i = 0; i < len; i++)
        covered += received[g->off + i];
    unsigned flags = (size_t)g->off > next ? SESS_SEG_OUT_OF_ORDER : 0;
    if (covered == len)
        flags |= SESS_SEG_RETRANSMISSION;
    else if (covered)
        flags |= SESS_SEG_OVERLAP;
    for (size_t i = 0; i < len; i++)
        received[g->off + i] = true;
    return flags;
}

static bool next_permutation(size_t *p, size_t n)
{
    return testlib_next_permutation(p, n);
}

/* Every arrival order, consuming as soon as bytes are readable or not at
 * all, under two policies: the stream reads the same and flags match. */
TEST(reorder)
{
    static const sess_tcp_policy policies[] = {SESS_TCP_FIRST, SESS_TCP_LAST};
    size_t orders = 0;
    size_t ncases = sizeof reorder_cases / sizeof reorder_cases[0];
    for (size_t c = 0; c < ncases; c++) {
        const reorder_case *rc = &reorder_cases[c];
        for (size_t pi = 0; pi < 2; pi++) {
            for (int eager = 0; eager < 2; eager++) {
                size_t perm[4] = {0, 1, 2, 3};
                do {
                    fixture f;
                    fx_open(&f, policies[pi], ISN);
                    bool received[32] = {false};
                    char sink[64];
                    size_t sink_len = 0;
                    for (size_t i = 0; i < rc->nsegs; i++) {
                        const seg *g = &rc->segs[perm[i]];
                        unsigned want = model_flags(received, g);
                        unsigned got = put_flags(&f, g->off, g->text);
                        if (got != want)
                            TESTLIB_FAIL("%s order %zu%zu%zu%zu segment %zu: "
                                         "flags 0x%x, want 0x%x",
                                         rc->name, perm[0], perm[1], perm[2],
                                         perm[3], i, got, want);
                        if (eager)
                            consume_all(&f, sink, &sink_len);
                    }
                    if (!eager)
                        consume_all(&f, sink, &sink_len);
                    sink[sink_len] = '\0';
                    ASSERT_STR_EQ(sink, rc->text);
                    ASSERT(sess__stream_idle(&f.s));
                    fx_close(&f);
                    orders++;
                } while (next_permutation(perm, rc->nsegs));
            }
        }
    }
    ASSERT_EQ(orders, 4 * (6 + 24 + 24 + 24 + 6));
}

/* ---- retransmissions and overlaps --------------------------------------- */

TEST(retransmission)
{
    static const struct {
        sess_tcp_policy policy;
        bool consumed_first; /* consume the original before it comes again */
        const char *again;
        unsigned flags;
        const char *after; /* the bytes once both arrived */
    } cases[] = {
        {SESS_TCP_FIRST, false, "hello", SESS_SEG_RETRANSMISSION, "hello"},
        {SESS_TCP_LAST, false, "hello", SESS_SEG_RETRANSMISSION, "hello"},
        {SESS_TCP_FIRST, true, "hello", SESS_SEG_RETRANSMISSION, "hello"},
        {SESS_TCP_FIRST, false, "jello",
         RETRANS_CONFLICT, "hello"},
        {SESS_TCP_LAST, false, "jello",
         RETRANS_CONFLICT, "jello"},
        /* Consumed bytes are final whatever the policy. */
        {SESS_TCP_LAST, true, "jello",
         RETRANS_CONFLICT, "hello"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        fx_open(&f, cases[i].policy, ISN);
        char sink[16];
        size_t sink_len = 0;
        ASSERT_EQ(put_flags(&f, 0, "hello"), 0);
        if (cases[i].consumed_first)
            consume_all(&f, sink, &sink_len);
        ASSERT_EQ(put_flags(&f, 0, cases[i].again), cases[i].flags);
        consume_all(&f, sink, &sink_len);
        sink[sink_len] = '\0';
        ASSERT_STR_EQ(sink, cases[i].after);
        fx_close(&f);
    }
}

/* A segment half on consumed bytes, half new: an overlap, delivered once. */
TEST(overlap_consumed)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    char sink[16];
    size_t sink_len = 0;
    put(&f, 0, "abcd");
    consume_all(&f, sink, &sink_len);
    ASSERT_EQ(put_flags(&f, 2, "cdef"), SESS_SEG_OVERLAP);
    ASSERT_EQ(put_flags(&f, 2, "cXef"), RETRANS_CONFLICT);
    consume_all(&f, sink, &sink_len);
    sink[sink_len] = '\0';
    ASSERT_STR_EQ(sink, "abcdef");
    fx_close(&f);
}

typedef struct policy_case {
    const char *name;
    seg held[3];          /* arrive first, in this order */
    seg arriving;
    const char *want[8];  /* readable after give-up, by policy */
    unsigned flags;       /* of the arriving segment */
} policy_case;

/* Order of want[]: first, last, bsd, windows, linux, old-linux, solaris,
 * vista.  Offsets 0-1 are a hole, so the layout stays out of order. */
static const policy_case policy_cases[] = {
    {"new covers held", {{2, "AAAA"}}, {0, "BBBBBBBB"},
     {"BBAAAABB", "BBBBBBBB", "BBBBBBBB", "BBBBBBBB", "BBBBBBBB", "BBBBBBBB",
      "BBBBBBBB", "BBAAAABB"}, OVERLAP_CONFLICT},
    {"new starts after, ends after", {{2, "AAAA"}}, {4, "BBBB"},
     {"..AAAABB", "..AABBBB", "..AAAABB", "..AAAABB", "..AAAABB", "..AAAABB",
      "..AABBBB", "..AAAABB"}, OVERLAP_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"same range", {{2, "AAAA"}}, {2, "BBBB"},
     {"..AAAA", "..BBBB", "..AAAA", "..AAAA", "..AAAA", "..BBBB", "..BBBB",
      "..AAAA"}, RETRANS_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"same start, new longer", {{2, "AAAA"}}, {2, "BBBBBB"},
     {"..AAAABB", "..BBBBBB", "..AAAABB", "..AAAABB", "..BBBBBB", "..BBBBBB",
      "..BBBBBB", "..AAAABB"}, OVERLAP_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"same start, new shorter", {{2, "AAAA"}}, {2, "BB"},
     {"..AAAA", "..BBAA", "..AAAA", "..AAAA", "..AAAA", "..AAAA", "..AAAA",
      "..AAAA"}, RETRANS_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"new inside held", {{2, "AAAAAA"}}, {4, "BB"},
     {"..AAAAAA", "..AABBAA", "..AAAAAA", "..AAAAAA", "..AAAAAA", "..AAAAAA",
      "..AAAAAA", "..AAAAAA"}, RETRANS_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"new starts before, ends inside", {{4, "AAAA"}}, {2, "BBBB"},
     {"..BBAAAA", "..BBBBAA", "..BBBBAA", "..BBBBAA", "..BBBBAA", "..BBBBAA",
      "..BBAAAA", "..BBAAAA"}, OVERLAP_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    {"same start, new ends after, same bytes", {{2, "AAAA"}}, {2, "AAAAAA"},
     {"..AAAAAA", "..AAAAAA", "..AAAAAA", "..AAAAAA", "..AAAAAA", "..AAAAAA",
      "..AAAAAA", "..AAAAAA"}, SESS_SEG_OVERLAP | SESS_SEG_OUT_OF_ORDER},
    /* C is judged against A's original [4,8), not the [6,8) that B left of
     * it under bsd/linux/old-linux: with [6,8), old-linux would take C. */
    {"held keeps its original bounds", {{4, "AAAA"}, {2, "BBBB"}}, {6, "CC"},
     {"..BBAAAA", "..BBBBCC", "..BBBBAA", "..BBBBAA", "..BBBBAA", "..BBBBAA",
      "..BBAAAA", "..BBAAAA"}, RETRANS_CONFLICT | SESS_SEG_OUT_OF_ORDER},
    /* Two held segments under one arriving: decided run by run. */
    {"spans two held", {{2, "AA"}, {6, "CC"}}, {3, "BBBB"},
     {"..AABBCC", "..ABBBBC", "..AABBBC", "..AABBBC", "..AABBBC", "..AABBBC",
      "..ABBBCC", "..AABBCC"}, OVERLAP_CONFLICT | SESS_SEG_OUT_OF_ORDER},
};

/* The same cases held in the buffer, and held far ahead (1 MiB beyond a
 * hole too long to zero-fill): the policies decide alike on far copies;
 * the leading zeros are then part of the skipped gap. */
TEST(overlap_policy)
{
    for (int far = 0; far < 2; far++)
        for (size_t c = 0; c < sizeof policy_cases / sizeof policy_cases[0]; c++) {
            const policy_case *pc = &policy_cases[c];
            for (int p = SESS_TCP_FIRST; p <= SESS_TCP_VISTA; p++) {
                fixture f;
                fx_open(&f, (sess_tcp_policy)p, ISN);
                if (far)
                    fx_far(&f, 1 << 20, 16);
                for (size_t h = 0; h < 3 && pc->held[h].text; h++)
                    put(&f, pc->held[h].off, pc->held[h].text);
                unsigned flags = put_flags(&f, pc->arriving.off, pc->arriving.text);
                if (far)
                    ASSERT_LT(sess__stream_pool_bytes(f.pool), 64 * 1024);
                const char *got = give_up_and_step(&f);
                const char *want = pc->want[p];
                while (far && *want == '.')
                    want++;
                /* held far ahead, every segment is out of order */
                unsigned want_flags =
                    pc->flags | (far ? SESS_SEG_OUT_OF_ORDER : 0);
                if (strcmp(got, want) != 0 || flags != want_flags)
                    TESTLIB_FAIL("%s, %s%s: \"%s\" flags 0x%x, want \"%s\" 0x%x",
                                 pc->name, policy_names[p], far ? " (far)" : "",
                                 got, flags, want, want_flags);
                fx_close(&f);
            }
        }
}

/* Novak and Sturges' target-based layout (their IP fragment test, one byte
 * per 8): originals A-I with holes, then J-Q overlapping them in every way
 * (starting before, inside, at the same start, ending at the same end). */
TEST(overlap_target_based)
{
    static const seg originals[] = {
        {0, "AAA"}, {4, "BB"}, {6, "CCC"}, {10, "D"}, {13, "EE"},
        {15, "FFF"}, {18, "GG"}, {20, "HH"}, {22, "I"},
    };
    static const seg overlaps[] = {
        {1, "JJJJ"}, {6, "KKK"}, {9, "LLL"}, {12, "MMM"},
        {16, "N"}, {19, "O"}, {20, "P"}, {22, "QQ"},
    };
    static const char *const want[] = {
        "AAAJBBCCCLDLMEEFFFGGHHIQ", /* first */
        "AJJJJBKKKLLLMMMFNFGOPHQQ", /* last */
        "AAAJJBCCCLLLMMMFFFGGHHIQ", /* bsd */
        "AAAJJBCCCLLLMMMFFFGGHHIQ", /* windows */
        "AAAJJBCCCLLLMMMFFFGGHHQQ", /* linux */
        "AAAJJBKKKLLLMMMFFFGGHHQQ", /* old-linux */
        "AJJJBBKKKLLLMMMFFFGGHHQQ", /* solaris */
        "AAAJBBCCCLDLMEEFFFGGHHIQ", /* vista */
    };
    for (int p = SESS_TCP_FIRST; p <= 2 * SESS_TCP_VISTA + 1; p++) {
        bool far = p > SESS_TCP_VISTA; /* then held far ahead */
        int policy = far ? p - SESS_TCP_VISTA - 1 : p;
        fixture f;
        fx_open(&f, (sess_tcp_policy)policy, ISN);
        if (far)
            fx_far(&f, 1 << 20, 0);
        for (size_t i = 0; i < sizeof originals / sizeof originals[0]; i++)
            put(&f, originals[i].off, originals[i].text);
        for (size_t i = 0; i < sizeof overlaps / sizeof overlaps[0]; i++)
            ASSERT(put_flags(&f, overlaps[i].off, overlaps[i].text) &
                   SESS_SEG_CONFLICT);
        const char *got = give_up_and_step(&f);
        ASSERT_EQ(f.nholes, far ? 1 : 0); /* the leading gap */
        if (strcmp(got, want[policy]) != 0)
            TESTLIB_FAIL("%s%s: \"%s\", want \"%s\"", policy_names[policy],
                         far ? " (far)" : "", got, want[policy]);
        fx_close(&f);
    }
}

/* Who takes a byte held by [hs, he) when [ns, ne) arrives, written out by
 * hand for each policy from its definition (Novak and Sturges'
 * target-based reassembly), as a table rather than as the code's formula:
 * rows compare the starts (new starts before, at, after the held one),
 * columns the ends (new ends before, at, after).  1: the new byte wins. */
static const unsigned char policy_table[8][3][3] = {
    /*                 ends: before  same  after */
    [SESS_TCP_FIRST] = {{0, 0, 0},   /* starts before */
                        {0, 0, 0},   /* starts same */
                        {0, 0, 0}},  /* starts after */
    [SESS_TCP_LAST] = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}},
    [SESS_TCP_BSD] = {{1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    [SESS_TCP_WINDOWS] = {{1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    [SESS_TCP_LINUX] = {{1, 1, 1}, {0, 0, 1}, {0, 0, 0}},
    [SESS_TCP_OLD_LINUX] = {{1, 1, 1}, {0, 1, 1}, {0, 0, 0}},
    [SESS_TCP_SOLARIS] = {{0, 1, 1}, {0, 1, 1}, {0, 0, 1}},
    [SESS_TCP_VISTA] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
};

static int relation(int a, int b)
{
    return a < b ? 0 : a == b ? 1 : 2;
}

static bool oracle_new_wins(int policy, int hs, int he, int ns, int ne)
{
    return policy_table[policy][relation(ns, hs)][relation(ne, he)];
}

/* Random overlapping layouts under every policy, with bytes consumed as
 * they become readable now and then, against a per-byte model that keeps
 * each byte's owner with its original bounds and asks the hand-written
 * policy tables. */
TEST(overlap_random)
{
    enum { SPAN = 40 };
    uint32_t rng = 7;
    for (int round = 0; round < 6000; round++) {
        int policy = round % 8;
        fixture f;
        fx_open(&f, (sess_tcp_policy)policy, rng);
        /* Every other round, segments more than 4 bytes ahead of the
         * stream are held far, and longer holes are skipped. */
        if (round & 8)
            fx_far(&f, 0, 4);
        char byte[SPAN] = {0};
        int owner_start[SPAN], owner_end[SPAN];
        bool held[SPAN] = {false};
        int consumed = 0;
        char sink[SPAN + 1];
        size_t sink_len = 0;
        for (int i = 0; i < 10; i++) {
            rng = rng * 1103515245u + 12345u;
            int start = (int)((rng >> 8) % (SPAN - 1));
            int len = 1 + (int)((rng >> 16) % 12);
            if (start + len > SPAN)
                len = SPAN - start;
            char text[16];
            for (int j = 0; j < len; j++)
                text[j] = (char)('a' + (rng >> (j % 24)) % 3);
            text[len] = '\0';

            int next = 0, covered = 0;
            bool conflict = false;
            while (next < SPAN && held[next])
                next++;
            for (int j = start; j < start + len; j++) {
                char c = text[j - start];
                if (held[j]) {
                    covered++;
                    conflict |= byte[j] != c;
                    if (j < consumed ||
                        !oracle_new_wins(policy, owner_start[j], owner_end[j],
                                        start, start + len))
                        continue;
                }
                held[j] = true;
                byte[j] = c;
                owner_start[j] = start;
                owner_end[j] = start + len;
            }
            unsigned want = start > next ? SESS_SEG_OUT_OF_ORDER : 0;
            if (covered == len)
                want |= SESS_SEG_RETRANSMISSION;
            if ((covered && covered < len) || conflict)
                want |= SESS_SEG_OVERLAP;
            if (conflict)
                want |= SESS_SEG_CONFLICT;
            unsigned got = put_flags(&f, start, text);
            if (got != want)
                TESTLIB_FAIL("round %d %s segment %d [%d,+%d): flags 0x%x, "
                             "want 0x%x", round, policy_names[policy], i,
                             start, len, got, want);
            if (rng & 0x10000) {
                consume_all(&f, sink, &sink_len);
                consumed = (int)sink_len;
            }
        }
        ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
        consume_all(&f, sink, &sink_len);
        size_t span = SPAN;
        while (span > 0 && !held[span - 1])
            span--;
        ASSERT_EQ(sink_len, span);
        for (size_t j = 0; j < sink_len; j++)
            if (sink[j] != byte[j])
                TESTLIB_FAIL("round %d %s byte %zu: '%c', want '%c'", round,
                             policy_names[policy], j, sink[j], byte[j]);
        fx_close(&f);
    }
}

/* ---- zero-fill what is small, skip what is large ----------------------- */

/* A given-up hole of at most fill_max bytes reads as zeros; a longer one
 * is skipped: the view stops before it, it is reported all the same, and
 * stepping over it makes the bytes after it readable. */
TEST(hole_fill_limit)
{
    static const struct {
        uint64_t hole;
        bool filled;
    } cases[] = {{1, true}, {7, true}, {8, true}, {9, false}, {1000, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        fx_open(&f, SESS_TCP_FIRST, ISN);
        f.cfg.fill_max = 8;
        uint64_t len = cases[i].hole;
        put(&f, 0, "abc");
        put(&f, 3 + (int64_t)len, "xyz");
        ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
        ASSERT_EQ(f.nholes, 1);
        ASSERT_EQ(f.holes[0].offset, 3);
        ASSERT_EQ(f.holes[0].len, len);
        char want[16] = "abc";
        if (cases[i].filled) {
            memset(want + 3, '.', (size_t)len);
            memcpy(want + 3 + len, "xyz", 4);
            ASSERT_STR_EQ(readable(&f), want);
            ASSERT_EQ(sess__stream_gap(&f.s), 0);
        } else {
            ASSERT_STR_EQ(readable(&f), "abc");
            ASSERT_EQ(sess__stream_gap(&f.s), len);
            int rc;
            /* not before the bytes ahead of it are consumed */
            ASSERT_EQ(sess__stream_skip_gap(&f.s, &rc), 0);
            uint64_t missing;
            ASSERT_EQ(sess__stream_consume(&f.s, 3, NULL, &missing), SESS_OK);
            ASSERT_EQ(missing, 0);
            ASSERT(!sess__stream_idle(&f.s));
            ASSERT_EQ(sess__stream_skip_gap(&f.s, &rc), len);
            ASSERT_EQ(rc, SESS_OK);
            ASSERT_EQ(sess__stream_consumed(&f.s), 3 + len);
            ASSERT_STR_EQ(readable(&f), "xyz");
            ASSERT_EQ(sess__stream_gap(&f.s), 0);
            /* the skipped range is gone: data for it is late */
            ASSERT(put_flags(&f, 5, "zz") & SESS_SEG_LATE);
            ASSERT_STR_EQ(readable(&f), "xyz");
        }
        fx_close(&f);
    }
}

/* Data far ahead costs the bytes sent, not the distance: held in a copy of
 * its own (16 MiB ahead, 2^31 - 1 ahead), with the pool accounting for it.
 * Filled before it is given up (the ACK's grace), the stream is exact;
 * given up, the hole is skipped and the data after it read as sent. */
TEST(far_ahead_costs_bytes_seen)
{
    static const uint32_t aheads[] = {16u << 20, 0x7fffffffu - 4};
    for (size_t i = 0; i < sizeof aheads / sizeof aheads[0]; i++) {
        fixture f;
        fx_open(&f, SESS_TCP_FIRST, ISN);
        f.cfg.window = UINT32_MAX;
        f.cfg.fill_max = 64 * 1024;
        put(&f, 0, "head");
        ASSERT_EQ(put(&f, aheads[i], "tail").anomalies, 0);
        ASSERT_LT(sess__stream_pool_bytes(f.pool), 64 * 1024);
        ASSERT_EQ(sess__stream_settle(&f.s, 1, 1), SESS_OK);
        ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
        ASSERT_EQ(f.nholes, 1);
        ASSERT_EQ(f.holes[0].len, aheads[i] - 4);
        ASSERT_LT(sess__stream_pool_bytes(f.pool), 64 * 1024);
        ASSERT_STR_EQ(readable(&f), "head");
        uint64_t missing;
        ASSERT_EQ(sess__stream_consume(&f.s, 4, NULL, &missing), SESS_OK);
        int rc;
        ASSERT_EQ(sess__stream_skip_gap(&f.s, &rc), aheads[i] - 4);
        ASSERT_STR_EQ(readable(&f), "tail");
        ASSERT_LT(sess__stream_pool_bytes(f.pool), 64 * 1024);
        fx_close(&f);
    }

    /* 16 MiB ahead and acknowledged, then the hole filled 64 KiB at a
     * time within the ACK's grace. */
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    f.cfg.window = 32u << 20;
    f.cfg.fill_max = 64 * 1024;
    f.cfg.ack_grace_pkts = 1000;
    uint32_t ahead = 16u << 20;
    put(&f, ahead, "tail");
    sess__stream_ack(&f.s, ISN + 1 + ahead + 4);
    ASSERT_EQ(sess__stream_settle(&f.s, 1, 1), SESS_OK); /* grace begins */
    ASSERT_LT(sess__stream_pool_bytes(f.pool), 64 * 1024);
    static char chunk[64 * 1024 + 1];
    for (uint32_t off = 0; off < ahead; off += 64 * 1024) {
        for (size_t j = 0; j < 64 * 1024; j++)
            chunk[j] = (char)('a' + (off + j) % 26);
        put(&f, off, chunk);
        ASSERT_EQ(sess__stream_settle(&f.s, 1, 2 + off / (64 * 1024)), SESS_OK);
    }
    ASSERT_EQ(f.nholes, 0);
    const uint8_t *data;
    ASSERT_EQ(sess__stream_readable(&f.s, &data), ahead + 4);
    for (size_t j = 0; j < ahead; j++)
        if (data[j] != (uint8_t)('a' + j % 26))
            TESTLIB_FAIL("byte %zu", j);
    ASSERT(memcmp(data + ahead, "tail", 4) == 0);
    fx_close(&f);
}

/* ---- sequence numbers --------------------------------------------------- */

/* Data crossing 2^32, out of order, from ISNs around the wrap. */
TEST(overrun)
{
    static const uint32_t isns[] = {0, 1, 0xffffffffu, 0xfffffff5u,
                                    0xfffffff0u};
    for (size_t i = 0; i < sizeof isns / sizeof isns[0]; i++) {
        fixture f;
        fx_open(&f, SESS_TCP_FIRST, isns[i]);
        ASSERT_EQ(put_flags(&f, 16, "qrstuvwxyz"), SESS_SEG_OUT_OF_ORDER);
        ASSERT_EQ(put_flags(&f, 8, "ijklmnop"), SESS_SEG_OUT_OF_ORDER);
        ASSERT_EQ(put_flags(&f, 0, "abcdefgh"), 0);
        ASSERT_EQ(put_flags(&f, 4, "efgh"), SESS_SEG_RETRANSMISSION);
        sess__stream_fin(&f.s, isns[i] + 1u + 26u);
        ASSERT(sess__stream_complete(&f.s));
        ASSERT_STR_EQ(readable(&f), "abcdefghijklmnopqrstuvwxyz");
        ASSERT_EQ(put_flags(&f, 26, "!"), SESS_SEG_LATE);
        fx_close(&f);
    }
}

/* A long stream wraps the sequence space twice (4 GB of in-order data). */
TEST(overrun_long)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, 0xfffff000u);
    static uint8_t chunk[60000];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)(i % 251 + 1);
    uint64_t off = 0;
    for (int i = 0; i < 72000; i++) {
        sess__seg_info info;
        uint32_t seq = 0xfffff001u + (uint32_t)off;
        ASSERT_EQ(sess__stream_data(&f.s, seq, chunk, sizeof chunk, (uint64_t)i,
                                   0, &info), SESS_OK);
        ASSERT_EQ(info.offset, off);
        ASSERT_EQ(info.flags, 0);
        off += sizeof chunk;
        uint64_t missing;
        ASSERT_EQ(sess__stream_consume(&f.s, sizeof chunk, NULL, &missing),
                  SESS_OK);
    }
    ASSERT_GT(off, 0x100000000ull + 0x1000);
    ASSERT_EQ(sess__stream_consumed(&f.s), off);
    fx_close(&f);
}

TEST(syn_with_data)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, 0xfffffffeu);
    /* The SYN's own payload comes with seq = isn + 1. */
    sess__seg_info info = put(&f, 0, "hi");
    ASSERT_EQ(info.offset, 0);
    ASSERT_EQ(info.flags, 0);
    sess__stream_syn(&f.s, 12345); /* base already fixed */
    ASSERT_EQ(put(&f, 2, "!").offset, 2);
    ASSERT_STR_EQ(readable(&f), "hi!");
    fx_close(&f);
}

TEST(midstream)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, 0);
    sess__stream_release(&f.s);
    sess__stream_init(&f.s, &f.cfg, f.pool, on_missing, &f);
    ASSERT(!sess__stream_started(&f.s));
    sess__seg_info info;
    ASSERT_EQ(sess__stream_data(&f.s, 5000, (const uint8_t *)"fghij", 5, 1, 0,
                               &info), SESS_OK);
    ASSERT(sess__stream_started(&f.s));
    ASSERT_EQ(info.offset, 0);
    ASSERT_EQ(info.flags, 0);
    /* Bytes below the first one seen are late, the rest is a retransmission. */
    ASSERT_EQ(sess__stream_data(&f.s, 4990, (const uint8_t *)"abcde", 5, 2, 0,
                               &info), SESS_OK);
    ASSERT_EQ(info.flags, SESS_SEG_LATE);
    ASSERT_EQ(sess__stream_data(&f.s, 4997, (const uint8_t *)"xyzfg", 5, 3, 0,
                               &info), SESS_OK);
    ASSERT_EQ(info.flags, SESS_SEG_LATE | SESS_SEG_RETRANSMISSION);
    ASSERT_STR_EQ(readable(&f), "fghij");
    fx_close(&f);
}

TEST(window)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    f.cfg.window = 1000;
    put(&f, 0, "abc");
    size_t bytes = sess__stream_pool_bytes(f.pool);
    static const int64_t jumps[] = {1002, 5000, 1 << 30, -(1 << 30)};
    for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
        sess__seg_info info = put(&f, jumps[i], "zz");
        ASSERT_EQ(info.anomalies, SESS__STREAM_A_WINDOW);
        ASSERT_EQ(info.flags, 0);
    }
    ASSERT_EQ(sess__stream_pool_bytes(f.pool), bytes);
    ASSERT(sess__stream_idle(&f.s) == false);
    ASSERT_EQ(put(&f, 1002, "z").anomalies, 0); /* ends at next + window */
    ASSERT_STR_EQ(readable(&f), "abc");
    fx_close(&f);
}

/* ---- holes, FIN, ACK ---------------------------------------------------- */

TEST(flush)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    ASSERT_EQ(put_flags(&f, 6, "ghi"), SESS_SEG_OUT_OF_ORDER);
    sess__stream_fin(&f.s, ISN + 1 + 12);
    ASSERT(!sess__stream_complete(&f.s));
    ASSERT_STR_EQ(readable(&f), "abc");
    ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
    ASSERT_EQ(f.nholes, 2);
    ASSERT_EQ(f.holes[0].offset, 3);
    ASSERT_EQ(f.holes[0].len, 3);
    ASSERT_EQ(f.holes[1].offset, 9); /* up to the FIN */
    ASSERT_EQ(f.holes[1].len, 3);
    ASSERT(sess__stream_complete(&f.s));
    ASSERT_STR_EQ(readable(&f), "abc...ghi...");

    sess__u64vec frames = {0};
    uint64_t missing;
    ASSERT_EQ(sess__stream_consume(&f.s, 8, &frames, &missing), SESS_OK);
    ASSERT_EQ(missing, 3);
    ASSERT_EQ(frames.n, 2);
    ASSERT_EQ(frames.v[0], 1);
    ASSERT_EQ(frames.v[1], 2);
    ASSERT_EQ(sess__stream_consume(&f.s, 4, &frames, &missing), SESS_OK);
    ASSERT_EQ(missing, 3);
    ASSERT_EQ(frames.n, 2);
    free(frames.v);
    /* Giving up twice reports nothing new. */
    ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
    ASSERT_EQ(f.nholes, 2);
    fx_close(&f);
}

/* The flow's packet `pkt` at time `t`: acknowledged holes settle. */
static void settle(fixture *f, uint64_t pkt, double t)
{
    ASSERT_EQ(sess__stream_settle(&f->s, t, pkt), SESS_OK);
}

TEST(ack_past_hole)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    put(&f, 6, "ghi");
    put(&f, 12, "mno");
    /* Up to the middle of the hole: given up after the grace (4 packets),
     * not at the ACK. */
    sess__stream_ack(&f.s, ISN + 1 + 4);
    for (uint64_t pkt = 1; pkt <= 4; pkt++) {
        settle(&f, pkt, 0);
        ASSERT_EQ(f.nholes, 0);
        ASSERT_STR_EQ(readable(&f), "abc");
    }
    settle(&f, 5, 0);
    ASSERT_EQ(f.nholes, 1);
    ASSERT_EQ(f.holes[0].offset, 3);
    ASSERT_EQ(f.holes[0].len, 1);
    ASSERT_STR_EQ(readable(&f), "abc.");
    /* By time this time: the grace (100 s) ends before 4 more packets. */
    sess__stream_ack(&f.s, ISN + 1 + 7);
    settle(&f, 6, 10);
    settle(&f, 7, 109.9);
    ASSERT_EQ(f.nholes, 1);
    settle(&f, 8, 110);
    ASSERT_EQ(f.nholes, 2);
    ASSERT_EQ(f.holes[1].offset, 4);
    ASSERT_EQ(f.holes[1].len, 2);
    ASSERT_STR_EQ(readable(&f), "abc...ghi");
    /* Acked beyond anything seen: the hole up to the highest byte received
     * goes, the bytes beyond it are not invented. */
    sess__stream_ack(&f.s, ISN + 1 + 20);
    for (uint64_t pkt = 9; pkt <= 14; pkt++)
        settle(&f, pkt, 110);
    ASSERT_EQ(f.nholes, 3);
    ASSERT_EQ(f.holes[2].offset, 9);
    ASSERT_EQ(f.holes[2].len, 3);
    ASSERT_STR_EQ(readable(&f), "abc...ghi...mno");
    /* An old ACK changes nothing. */
    sess__stream_ack(&f.s, ISN + 1 + 2);
    settle(&f, 20, 200);
    ASSERT_EQ(f.nholes, 3);
    /* At the end the 5 acknowledged bytes never seen are reported once,
     * not delivered. */
    ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
    ASSERT_EQ(f.nholes, 4);
    ASSERT_EQ(f.holes[3].offset, 15);
    ASSERT_EQ(f.holes[3].len, 5);
    ASSERT_STR_EQ(readable(&f), "abc...ghi...mno");
    ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
    ASSERT_EQ(f.nholes, 4);
    fx_close(&f);
}

/* ACK before the data it covers, in every order of three segments and the
 * ACK, settling after each event: within the grace nothing is lost, no
 * zero is delivered and nothing is late. */
TEST(ack_before_data_every_order)
{
    static const char *parts[3] = {"abc", "defg", "hi"};
    static const int64_t at[3] = {0, 3, 7};
    static const int perms[24][4] = {
        {0, 1, 2, 3}, {0, 1, 3, 2}, {0, 2, 1, 3}, {0, 2, 3, 1}, {0, 3, 1, 2},
        {0, 3, 2, 1}, {1, 0, 2, 3}, {1, 0, 3, 2}, {1, 2, 0, 3}, {1, 2, 3, 0},
        {1, 3, 0, 2}, {1, 3, 2, 0}, {2, 0, 1, 3}, {2, 0, 3, 1}, {2, 1, 0, 3},
        {2, 1, 3, 0}, {2, 3, 0, 1}, {2, 3, 1, 0}, {3, 0, 1, 2}, {3, 0, 2, 1},
        {3, 1, 0, 2}, {3, 1, 2, 0}, {3, 2, 0, 1}, {3, 2, 1, 0}};
    for (size_t i = 0; i < 24; i++) {
        fixture f;
        fx_open(&f, SESS_TCP_FIRST, ISN);
        for (int k = 0; k < 4; k++) {
            int e = perms[i][k];
            if (e == 3)
                sess__stream_ack(&f.s, ISN + 1 + 9);
            else
                ASSERT_EQ(put(&f, at[e], parts[e]).flags & SESS_SEG_LATE, 0);
            settle(&f, (uint64_t)k + 1, k);
        }
        ASSERT_EQ(f.nholes, 0);
        ASSERT_STR_EQ(readable(&f), "abcdefghi");
        ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
        ASSERT_EQ(f.nholes, 0);
        fx_close(&f);
    }
}

/* An ACK far ahead of anything sent costs nothing and creates nothing, in
 * time or memory, however many there are. */
TEST(ack_far_ahead)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    size_t before = sess__stream_pool_bytes(f.pool);
    for (uint32_t i = 0; i < 1024; i++) {
        sess__stream_ack(&f.s, ISN + 1 + (16u << 20) - i);
        settle(&f, i + 1, i);
    }
    ASSERT_EQ(f.nholes, 0);
    ASSERT_EQ(sess__stream_pool_bytes(f.pool), before);
    ASSERT_STR_EQ(readable(&f), "abc");
    /* Data then lands 1 MiB beyond: the acknowledged bytes before it are a
     * hole, given up after the grace. */
    put(&f, 1u << 20, "xyz");
    for (uint64_t pkt = 2000; pkt < 2010; pkt++)
        settle(&f, pkt, 2000);
    ASSERT_EQ(f.nholes, 1);
    ASSERT_EQ(f.holes[0].offset, 3);
    ASSERT_EQ(f.holes[0].len, (1u << 20) - 3);
    fx_close(&f);
}

TEST(fin_overtakes_data)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    sess__stream_fin(&f.s, ISN + 1 + 6);
    ASSERT(!sess__stream_complete(&f.s));
    ASSERT_EQ(put_flags(&f, 3, "def"), 0);
    ASSERT(sess__stream_complete(&f.s));
    ASSERT_EQ(put_flags(&f, 6, "ghi"), SESS_SEG_LATE);
    ASSERT_EQ(put_flags(&f, 4, "efg"), SESS_SEG_LATE | SESS_SEG_RETRANSMISSION);
    ASSERT_STR_EQ(readable(&f), "abcdef");
    fx_close(&f);
}

TEST(late)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    put(&f, 6, "ghi");
    ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
    /* On the given-up hole, held then consumed. */
    ASSERT_EQ(put_flags(&f, 3, "def"), SESS_SEG_LATE);
    ASSERT_EQ(put_flags(&f, 2, "cdefg"),
              SESS_SEG_LATE | SESS_SEG_RETRANSMISSION);
    ASSERT_STR_EQ(readable(&f), "abc...ghi");
    char sink[16];
    size_t sink_len = 0;
    consume_all(&f, sink, &sink_len);
    ASSERT_EQ(put_flags(&f, 4, "e"), SESS_SEG_LATE);
    ASSERT_EQ(put_flags(&f, 2, "cdefg"),
              SESS_SEG_LATE | SESS_SEG_RETRANSMISSION);
    ASSERT_EQ(put_flags(&f, 2, "XdefY"),
              SESS_SEG_LATE | RETRANS_CONFLICT);
    ASSERT(sess__stream_idle(&f.s));
    /* Beyond the FIN. */
    sess__stream_fin(&f.s, ISN + 1 + 9);
    ASSERT_EQ(put_flags(&f, 9, "jkl"), SESS_SEG_LATE);
    ASSERT(sess__stream_idle(&f.s));
    fx_close(&f);
}

TEST(dir_cap)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    f.cfg.dir_cap = 8;
    put(&f, 0, "abc");
    sess__seg_info info = put(&f, 5, "fghij");
    ASSERT_EQ(info.anomalies, 0);
    info = put(&f, 12, "mno");
    ASSERT_EQ(info.anomalies, 0); /* 8 bytes beyond the hole: at the cap */
    info = put(&f, 15, "p");      /* one more and the hole goes */
    ASSERT_EQ(info.anomalies, SESS__STREAM_A_DIR_CAP);
    ASSERT_EQ(f.nholes, 1);
    ASSERT_EQ(f.holes[0].offset, 3);
    ASSERT_EQ(f.holes[0].len, 2);
    ASSERT_STR_EQ(readable(&f), "abc..fghij");
    ASSERT_EQ(put_flags(&f, 3, "de"), SESS_SEG_LATE);
    ASSERT_EQ(put_flags(&f, 10, "kl"), 0);
    ASSERT_STR_EQ(readable(&f), "abc..fghijklmnop");
    fx_close(&f);
}

TEST(depth)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    f.cfg.depth = 5;
    ASSERT_EQ(put(&f, 0, "abc").anomalies, 0);
    sess__seg_info info = put(&f, 3, "defgh");
    ASSERT_EQ(info.anomalies, SESS__STREAM_A_DEPTH);
    ASSERT_EQ(info.flags, 0);
    ASSERT_EQ(put(&f, 8, "ijk").anomalies, 0); /* reported once */
    ASSERT_STR_EQ(readable(&f), "abcde");
    sess__stream_ack(&f.s, ISN + 1 + 100);
    settle(&f, 100, 100);
    ASSERT_EQ(f.nholes, 0);
    fx_close(&f);
}

/* Consumed bytes are compared against the kept history only. */
TEST(history_conflict)
{
    fixture f;
    fx_open(&f, SESS_TCP_LAST, ISN);
    f.cfg.history = 2;
    char sink[16];
    size_t sink_len = 0;
    put(&f, 0, "abcdef");
    consume_all(&f, sink, &sink_len);
    ASSERT_EQ(put_flags(&f, 0, "abcdef"), SESS_SEG_RETRANSMISSION);
    ASSERT_EQ(put_flags(&f, 0, "aXcdef"), SESS_SEG_RETRANSMISSION);
    ASSERT_EQ(put_flags(&f, 0, "abcdeX"), RETRANS_CONFLICT);
    put(&f, 6, "ghij");
    consume_all(&f, sink, &sink_len);
    ASSERT_EQ(put_flags(&f, 7, "hXj"), RETRANS_CONFLICT);
    ASSERT_EQ(put_flags(&f, 4, "Xfghij"), SESS_SEG_RETRANSMISSION);
    sink[sink_len] = '\0';
    ASSERT_STR_EQ(sink, "abcdefghij");
    fx_close(&f);
}

TEST(expire)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    sess__seg_info info;
    put(&f, 0, "ab");
    /* Data after the first hole is newer than data after the second: the
     * oldest waiting byte decides, for both holes. */
    ASSERT_EQ(sess__stream_data(&f.s, ISN + 1 + 8, (const uint8_t *)"ij", 2, 2,
                               1.0, &info), SESS_OK);
    ASSERT_EQ(sess__stream_data(&f.s, ISN + 1 + 4, (const uint8_t *)"ef", 2, 3,
                               100.0, &info), SESS_OK);
    ASSERT_EQ(sess__stream_expire(&f.s, 1.0), SESS_OK);
    ASSERT_EQ(f.nholes, 0);
    ASSERT_EQ(sess__stream_expire(&f.s, 50.0), SESS_OK);
    ASSERT_EQ(f.nholes, 2);
    ASSERT_EQ(f.holes[0].offset, 2);
    ASSERT_EQ(f.holes[1].offset, 6);
    ASSERT_STR_EQ(readable(&f), "ab..ef..ij");

    /* Once the hole is filled, the remaining data's own age counts. */
    ASSERT_EQ(sess__stream_data(&f.s, ISN + 1 + 14, (const uint8_t *)"op", 2, 4,
                               200.0, &info), SESS_OK);
    ASSERT_EQ(sess__stream_data(&f.s, ISN + 1 + 11, (const uint8_t *)"l", 1, 5,
                               300.0, &info), SESS_OK);
    ASSERT_EQ(sess__stream_data(&f.s, ISN + 1 + 10, (const uint8_t *)"k", 1, 6,
                               300.0, &info), SESS_OK);
    ASSERT_EQ(sess__stream_expire(&f.s, 200.0), SESS_OK);
    ASSERT_EQ(f.nholes, 2);
    ASSERT_EQ(sess__stream_expire(&f.s, 201.0), SESS_OK);
    ASSERT_EQ(f.nholes, 3);
    ASSERT_EQ(f.holes[2].offset, 12);
    ASSERT_EQ(f.holes[2].len, 2);
    ASSERT_STR_EQ(readable(&f), "ab..ef..ijkl..op");
    ASSERT_EQ(sess__stream_expire(&f.s, 1e9), SESS_OK);
    ASSERT_EQ(f.nholes, 3);
    fx_close(&f);
}

/* With the last policy, data only, holes given up at the end, the stream
 * reads exactly like Scapy's StringBuffer: each segment written over the
 * bytes at its offset, zeros where nothing came. */
TEST(scapy_string_buffer)
{
    uint32_t rng = 12345;
    for (int round = 0; round < 2000; round++) {
        fixture f;
        fx_open(&f, SESS_TCP_LAST, rng);
        uint8_t model[64] = {0};
        size_t model_len = 0;
        int nsegs = 1 + (int)(rng % 8);
        for (int i = 0; i < nsegs; i++) {
            rng = rng * 1103515245u + 12345u;
            size_t off = (rng >> 8) % 48, len = 1 + (rng >> 16) % 16;
            char text[17];
            for (size_t j = 0; j < len; j++)
                text[j] = (char)('A' + (i * 7 + (int)j) % 26);
            text[len] = '\0';
            put(&f, (int64_t)off, text);
            memcpy(model + off, text, len);
            if (off + len > model_len)
                model_len = off + len;
        }
        ASSERT_EQ(sess__stream_give_up(&f.s), SESS_OK);
        const uint8_t *data;
        ASSERT_EQ(sess__stream_readable(&f.s, &data), model_len);
        ASSERT_MEM_EQ(data, model, model_len);
        fx_close(&f);
    }
}

TEST(pool_reuse)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    fixture g;
    g.cfg = f.cfg;
    sess__stream_init(&g.s, &g.cfg, f.pool, NULL, NULL);
    sess__stream_syn(&g.s, ISN);
    for (int i = 0; i < 100; i++) {
        put(&f, i * 2, "ab");
        sess__seg_info info;
        ASSERT_EQ(sess__stream_data(&g.s, ISN + 1 + 200 - (uint32_t)i,
                                   (const uint8_t *)"x", 1, 1, 0, &info),
                  SESS_OK);
    }
    ASSERT_GT(sess__stream_pool_bytes(f.pool), 0);
    sess__stream_release(&g.s);
    char sink[256];
    size_t sink_len = 0;
    consume_all(&f, sink, &sink_len);
    ASSERT_EQ(sink_len, 200);
    ASSERT(sess__stream_idle(&f.s));
    fx_close(&f);
}

/* Memory follows what is held: a burst held behind a hole is accounted,
 * and given back once consumed. */
TEST(memory)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    static char burst[1 << 16];
    memset(burst, 'x', sizeof burst - 1);
    for (int i = 0; i < 16; i++)
        put(&f, 1 + i * (int64_t)(sizeof burst - 1), burst);
    ASSERT_GT(sess__stream_pool_bytes(f.pool), 16 * (sizeof burst - 1));
    put(&f, 0, "a");
    const uint8_t *data;
    size_t n = sess__stream_readable(&f.s, &data);
    ASSERT_EQ(n, 1 + 16 * (sizeof burst - 1));
    uint64_t missing;
    ASSERT_EQ(sess__stream_consume(&f.s, n, NULL, &missing), SESS_OK);
    sess__stream_trim(&f.s);
    /* Shrinking stops at an eighth full, and never below 16 KiB. */
    ASSERT_LE(sess__stream_pool_bytes(f.pool), 8 * f.cfg.history + 16384);
    ASSERT(sess__stream_idle(&f.s));
    fx_close(&f);
}

/* Room reserved for an announced message: its bytes arrive without the
 * buffer moving, across a history and a consumed front; the bytes read
 * back are the ones sent. */
TEST(reserve)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    static char head[6000], body[1001];
    memset(head, 'h', sizeof head - 1);
    memset(body, 'b', sizeof body - 1);
    put(&f, 0, head);
    char sink[sizeof head];
    size_t n = 0;
    consume_all(&f, sink, &n); /* history and a consumed front */
    put(&f, (int64_t)n, "HEAD");
    ASSERT_EQ(sess__stream_reserve(&f.s, 4 + 40 * (sizeof body - 1)), SESS_OK);
    size_t reserved = sess__stream_bytes(&f.s);
    const uint8_t *before;
    sess__stream_readable(&f.s, &before);
    for (int i = 0; i < 40; i++)
        put(&f, (int64_t)(n + 4 + i * (sizeof body - 1)), body);
    const uint8_t *data;
    ASSERT_EQ(sess__stream_readable(&f.s, &data), 4 + 40 * (sizeof body - 1));
    ASSERT(data == before);
    ASSERT_MEM_EQ(data, "HEAD", 4);
    for (size_t i = 4; i < 4 + 40 * (sizeof body - 1); i++)
        ASSERT_EQ(data[i], 'b');
    /* only the nodes of the runs were added */
    ASSERT_LE(sess__stream_bytes(&f.s), reserved + 64 * 256);
    /* reserving what is already there changes nothing */
    ASSERT_EQ(sess__stream_reserve(&f.s, 10), SESS_OK);
    sess__stream_readable(&f.s, &data);
    ASSERT(data == before);
    fx_close(&f);
}

/* A complete, framed direction gives its memory back; what arrives later
 * is still told apart: a retransmission below the FIN, late data above. */
TEST(drop_history)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "hello world");
    sess__stream_fin(&f.s, ISN + 1 + 11);
    char sink[64];
    size_t n = 0;
    consume_all(&f, sink, &n);
    ASSERT(sess__stream_complete(&f.s));
    ASSERT_GT(sess__stream_bytes(&f.s), 0);
    sess__stream_drop_history(&f.s);
    ASSERT_EQ(sess__stream_bytes(&f.s), 0);
    ASSERT_EQ(sess__stream_pool_bytes(f.pool), 0);
    /* Without the bytes, a retransmission is no longer compared. */
    ASSERT_EQ(put_flags(&f, 6, "WORLD"), SESS_SEG_RETRANSMISSION);
    ASSERT_EQ(put_flags(&f, 11, "more"), SESS_SEG_LATE);
    ASSERT_STR_EQ(readable(&f), "");
    fx_close(&f);
}

/* A stream holding unconsumed bytes keeps them. */
TEST(drop_history_keeps_unconsumed)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    put(&f, 0, "abc");
    put(&f, 5, "fgh"); /* held behind a hole */
    size_t before = sess__stream_bytes(&f.s);
    sess__stream_drop_history(&f.s);
    ASSERT_EQ(sess__stream_bytes(&f.s), before);
    ASSERT_STR_EQ(readable(&f), "abc");
    fx_close(&f);
}

/* ---- cost --------------------------------------------------------------- */

/* Height of the treap of runs: what every lookup pays. */
static size_t treap_height(const sess__run *t)
{
    if (!t)
        return 0;
    size_t l = treap_height(t->left), r = treap_height(t->right);
    return 1 + (l > r ? l : r);
}

/* One-byte segments, each from its own frame, so each is its own run: the
 * stream reads back right, and the treap holding them (before anything is
 * consumed) is returned as its height. */
static size_t one_byte_segments(size_t n, bool reverse)
{
    fixture f;
    fx_open(&f, SESS_TCP_FIRST, ISN);
    for (size_t i = 0; i < n; i++) {
        size_t off = reverse ? n - 1 - i : i;
        uint8_t byte = (uint8_t)('a' + off % 26);
        sess__seg_info info;
        int rc = sess__stream_data(&f.s, ISN + 1 + (uint32_t)off, &byte, 1, i,
                                  0, &info);
        if (rc != SESS_OK)
            TESTLIB_FAIL("segment %zu: %d", i, rc);
    }
    size_t height = treap_height(f.s.root);
    const uint8_t *data;
    ASSERT_EQ(sess__stream_readable(&f.s, &data), n);
    for (size_t i = 0; i < n; i++)
        if (data[i] != (uint8_t)('a' + i % 26))
            TESTLIB_FAIL("byte %zu", i);
    sess__u64vec frames = {0};
    uint64_t missing;
    ASSERT_EQ(sess__stream_consume(&f.s, n, &frames, &missing), SESS_OK);
    ASSERT_EQ(frames.n, n);
    ASSERT_EQ(frames.v[0], reverse ? n - 1 : 0);
    free(frames.v);
    fx_close(&f);
    return height;
}

/* Reverse arrival costs O(log n) per segment, as in-order arrival does:
 * the runs sit in a balanced tree (in order they bypass it in a list).  A
 * structural bound, not a timing: timings belong in bench/. */
TEST(reverse_order_stays_logarithmic)
{
    size_t n = 100000; /* log2 = 16.6; a treap's expected height is ~2.5x */
    ASSERT_EQ(one_byte_segments(n, false), 0);
    size_t height = one_byte_segments(n, true);
    printf("     %zu one-byte segments in reverse: treap height %zu\n", n,
           height);
    ASSERT_LE(height, 60);
}

TEST_MAIN(TEST_CASE(in_order), TEST_CASE(reorder), TEST_CASE(retransmission),
          TEST_CASE(overlap_consumed), TEST_CASE(overlap_policy),
          TEST_CASE(overlap_target_based), TEST_CASE(overlap_random), TEST_CASE(hole_fill_limit),
          TEST_CASE(far_ahead_costs_bytes_seen), TEST_CASE(overrun),
          TEST_CASE(overrun_long), TEST_CASE(syn_with_data), TEST_CASE(midstream),
          TEST_CASE(window), TEST_CASE(flush), TEST_CASE(ack_past_hole),
          TEST_CASE(ack_before_data_every_order), TEST_CASE(ack_far_ahead),
          TEST_CASE(fin_overtakes_data), TEST_CASE(late), TEST_CASE(dir_cap),
          TEST_CASE(depth), TEST_CASE(history_conflict), TEST_CASE(expire),
          TEST_CASE(scapy_string_buffer), TEST_CASE(pool_reuse), TEST_CASE(memory), TEST_CASE(reserve),
          TEST_CASE(drop_history), TEST_CASE(drop_history_keeps_unconsumed),
          TEST_CASE(reverse_order_stays_logarithmic))
