/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_session.c - libFuzzer target: any byte string is a capture.
 *
 * The first bytes choose the session kind, both overlap policies and small
 * caps (so eviction, give-up and partial-message paths run often); the rest
 * is a sequence of frames, each a link-type selector, a 16-bit length and
 * that many bytes.  Frames share a few addresses and ports so that flows,
 * fragments and streams actually meet; they are fed in batches of 1 to 16
 * (sess_on_packets), the size chosen by the first bytes.  Build and run:
 *   fuzz/run.sh [SECONDS]
 */
#include "sessions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* fuzz/seed.py numbers link types by their place here. */
static const uint32_t links[] = {
    SESS_LINK_ETHERNET,   SESS_LINK_RAW,
    SESS_LINK_LINUX_SLL,  SESS_LINK_LINUX_SLL2,
    SESS_LINK_NULL,       SESS_LINK_LOOP,
    SESS_LINK_IPV4,       SESS_LINK_IPV6,
    SESS_LINK_PPP,        SESS_LINK_PPP_HDLC,
    SESS_LINK_C_HDLC,     SESS_LINK_IEEE802_11,
    SESS_LINK_PFLOG,      SESS_LINK_IEEE802_11_RADIOTAP,
    SESS_LINK_IEEE802_11_AVS, SESS_LINK_PPI,
    SESS_LINK_PPP_WITH_DIR, SESS_LINK_C_HDLC_WITH_DIR,
    SESS_LINK_NFLOG,
};

static void sink(void *user, const sess_event *ev)
{
    /* Touch what the callback may read, so ASan checks it. */
    volatile uint8_t x = 0;
    if (ev->type == SESS_EV_MESSAGE && ev->u.message.len)
        x ^= ev->u.message.data[ev->u.message.len - 1];
    if (ev->type == SESS_EV_IP_DATAGRAM && ev->u.datagram.len)
        x ^= ev->u.datagram.data[ev->u.datagram.len - 1];
    (void)x;
    (void)user;
}

static unsigned fail_every, fail_calls;

static void *failing_realloc(void *user, void *p, size_t n)
{
    (void)user;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (fail_every && ++fail_calls % fail_every == 0)
        return NULL;
    return realloc(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    sess_config cfg;
    sess_config_init(&cfg);
    cfg.kind = (sess_kind)(data[0] % 3);
    cfg.ip_policy = (sess_ip_policy)(data[1] % 7);
    cfg.tcp_policy = (sess_tcp_policy)(data[2] % 8);
    cfg.max_flows = 1 + data[3] % 16;
    cfg.max_message = 64 + data[3];
    cfg.tcp_dir_cap = 256;
    cfg.tcp_memcap = 4096;
    cfg.tcp_window = 1u << 16;
    /* Holes longer than this are skipped rather than zero-filled. */
    cfg.tcp_hole_fill_max = (size_t)1 << (data[2] >> 4);
    cfg.ip_memcap = 4096;
    cfg.flow_timeout = 5;
    cfg.tcp_timeout = 2;
    cfg.ip_timeout = 3;
    /* Allocation failure is input too: every Nth call fails. */
    fail_every = data[3] & 1 ? 1 + (data[3] >> 1) : 0;
    fail_calls = 0;
    cfg.realloc = failing_realloc;
    sess_t *s = sess_new(&cfg, sink, NULL);
    if (!s)
        return 0;
    sess_packet batch[16];
    size_t batch_size = 1 + (size_t)(data[1] >> 3) % 16, queued = 0;
    size_t at = 4;
    uint64_t frame = 0;
    while (at + 3 <= size) {
        uint32_t link = links[data[at] % (sizeof links / sizeof links[0])];
        /* time moves, sometimes back */
        sess_time ts = {(int64_t)(frame / 2) + (data[at] >> 3),
                        (uint32_t)(frame % 2) * 500000000u};
        size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
        at += 3;
        if (len > size - at)
            len = size - at;
        frame++;
        batch[queued++] = (sess_packet){frame, ts, link, (uint32_t)len,
                                        data + at};
        if (queued == batch_size) {
            sess_on_packets(s, batch, queued);
            queued = 0;
        }
        at += len;
    }
    sess_on_packets(s, batch, queued);
    sess_finish(s);
    sess_free(s);
    return 0;
}
