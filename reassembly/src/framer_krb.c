/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_krb.c - Kerberos over TCP (RFC 4120 7.2.2).
 *
 * Each message is a 4-byte big-endian length and the DER-encoded Kerberos
 * message; the emitted message is both.  The high bit of the length is
 * reserved for an extension no implementation uses, so a length with it set,
 * or a zero length, ends the framing.  The body must start with one of the
 * APPLICATION tags RFC 4120 assigns to messages (AS-REQ 10 ... KRB-ERROR 30),
 * which both names the message and rejects a stream that is not Kerberos
 * before a bogus length's worth of data is taken.
 */
#include "framer_internal.h"

#define KRB_PREFIX 4

/* The message name of an APPLICATION constructed tag, or NULL. */
static const char *krb_message_name(uint8_t tag)
{
    switch (tag) {
    case 0x6a: return "AS-REQ";
    case 0x6b: return "AS-REP";
    case 0x6c: return "TGS-REQ";
    case 0x6d: return "TGS-REP";
    case 0x6e: return "AP-REQ";
    case 0x6f: return "AP-REP";
    case 0x74: return "KRB-SAFE";
    case 0x75: return "KRB-PRIV";
    case 0x76: return "KRB-CRED";
    case 0x7e: return "KRB-ERROR";
    default: return NULL;
    }
}

static int krb_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                      char info[SESS_FRAMER_INFO_SIZE])
{
    (void)end;
    if (p[0] & 0x80)
        return -1; /* the reserved bit */
    if (n < KRB_PREFIX + 1)
        return 0;
    uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                   (uint32_t)p[2] << 8 | p[3];
    const char *name = krb_message_name(p[KRB_PREFIX]);
    if (len == 0 || name == NULL)
        return -1;
    *total = KRB_PREFIX + (uint64_t)len;
    sess__info_set(info, name);
    return 1;
}

static int krb_feed(void *dir_state, void *conn_state, const void *params,
                    const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, krb_header, in, out);
}

const sess_framer sess_framer_krb = {
    .name = "krb",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL, /* a length and a tag say too little to guess Kerberos */
    .feed = krb_feed,
};
