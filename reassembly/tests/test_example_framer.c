/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_example_framer.c - the README's example framer, plugged into a
 * session through a framer table, as a user extending Sessions would.
 */
#include "../examples/framer_netstring.c"

#include "sessions.h"
#include "testlib.h"

typedef struct seen {
    char msgs[8][64];
    const char *proto[8];
    size_t n;
    size_t framer_errors;
} seen;

static void on_event(void *user, const sess_event *ev)
{
    seen *s = user;
    if (ev->type == SESS_EV_ANOMALY && ev->u.anomaly.what == SESS_AN_FRAMER_ERROR)
        s->framer_errors++;
    if (ev->type != SESS_EV_MESSAGE || s->n == 8)
        return;
    size_t k = ev->u.message.len < 63 ? ev->u.message.len : 63;
    memcpy(s->msgs[s->n], ev->u.message.data, k);
    s->msgs[s->n][k] = '\0';
    s->proto[s->n++] = ev->u.message.proto;
}

/* Raw IPv4 + TCP 192.0.2.1:40000 -> 192.0.2.2:9999. */
static size_t segment(uint8_t *b, uint32_t seq, uint8_t flags, const char *pl)
{
    size_t n = strlen(pl);
    memset(b, 0, 40);
    b[0] = 0x45, b[2] = (uint8_t)((40 + n) >> 8), b[3] = (uint8_t)(40 + n);
    b[8] = 64, b[9] = 6;
    b[12] = 192, b[14] = 2, b[15] = 1, b[16] = 192, b[18] = 2, b[19] = 2;
    b[20] = 0x9c, b[21] = 0x40, b[22] = 0x27, b[23] = 0x0f;
    b[24] = (uint8_t)(seq >> 24), b[25] = (uint8_t)(seq >> 16);
    b[26] = (uint8_t)(seq >> 8), b[27] = (uint8_t)seq;
    b[32] = 0x50, b[33] = flags;
    memcpy(b + 40, pl, n);
    return 40 + n;
}

TEST(netstrings_split_and_packed)
{
    static const sess_framer_entry entries[] = {{9999, &netstring_framer, NULL}};
    sess_framer_table table = {entries, 1, NULL, 0};
    sess_config cfg;
    sess_config_init(&cfg);
    cfg.framers = &table;
    seen got = {0};
    sess_t *s = sess_new(&cfg, on_event, &got);
    uint8_t b[128];
    /* Midstream, no handshake: "5:hello,3:abc," split inside the second,
     * then a bad netstring that the core frames raw. */
    const char *parts[] = {"5:hello,3:a", "bc,", "x:oops"};
    uint32_t seq = 100;
    for (int i = 0; i < 3; i++) {
        size_t n = segment(b, seq, 0x18, parts[i]);
        sess_on_packet(s, (uint64_t)i + 1, (sess_time){1 + (int64_t)i, 0},
                       SESS_LINK_RAW, b, n);
        seq += (uint32_t)strlen(parts[i]);
    }
    sess_finish(s);
    ASSERT_EQ(got.n, 3);
    ASSERT_STR_EQ(got.msgs[0], "5:hello,");
    ASSERT_STR_EQ(got.proto[0], "netstring");
    ASSERT_STR_EQ(got.msgs[1], "3:abc,");
    ASSERT_STR_EQ(got.msgs[2], "x:oops");
    ASSERT_STR_EQ(got.proto[2], "raw");
    ASSERT_EQ(got.framer_errors, 1);
    sess_free(s);
}

TEST_MAIN(TEST_CASE(netstrings_split_and_packed))
