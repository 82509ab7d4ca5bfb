/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_dns.c - DNS over TCP (RFC 1035 4.2.2, RFC 7766).
 *
 * Each message is preceded by a 2-byte big-endian length; the message
 * emitted is the prefix and the DNS message together, so the bytes of the
 * stream are emitted exactly once.  A length shorter than the 12-byte DNS
 * header cannot be DNS and ends the framing.  The summary needs the ID and
 * the QR bit, so a message is not started before the prefix, the ID and the
 * first flags byte are held.
 */
#include <stdio.h>

#include "framer_internal.h"

#define DNS_HEADER_LEN 12
#define DNS_SUMMARY_NEED 5 /* length prefix, ID, the flags byte with QR */

static int dns_feed(void *dir_state, void *conn_state, const void *params,
                    const sess_framer_input *in, sess_framer_output *out)
{
    sess__sized *m = dir_state;
    (void)conn_state;
    (void)params;

    if (m->remaining == 0) {
        const uint8_t *p = in->data;
        if (in->len >= 2 && ((unsigned)p[0] << 8 | p[1]) < DNS_HEADER_LEN)
            return SESS_FRAME_ERROR;
        if (in->len < DNS_SUMMARY_NEED)
            return (in->flags & SESS_FF_END) && in->len > 0
                       ? SESS_FRAME_ERROR
                       : SESS_FRAME_NEED_MORE;
        m->remaining = 2 + ((unsigned)p[0] << 8 | p[1]);
        snprintf(m->info, sizeof m->info, "%s id 0x%04x",
                 p[4] & 0x80 ? "response" : "query",
                 (unsigned)p[2] << 8 | p[3]);
    }
    return sess__sized_emit(m, in, out);
}

const sess_framer sess_framer_dns = {
    .name = "dns",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL, /* a 2-byte length says too little to guess DNS */
    .feed = dns_feed,
};
