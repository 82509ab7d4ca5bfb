/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_ldap.c - LDAP messages (RFC 4511 4.1.1, BER as X.690 restricts it).
 *
 * Each message is one BER TLV: an LDAPMessage SEQUENCE (0x30) with a
 * definite length, short form (one byte below 0x80) or long form (0x81 to
 * 0x84 and that many length bytes).  The indefinite form, which LDAP forbids,
 * longer length forms and any other first byte end the framing.  The
 * summary is the operation: the messageID INTEGER is skipped and the
 * protocolOp's APPLICATION tag number named (bindRequest 0 ... intermediate
 * response 25), so a message is not started before that tag is held.  A
 * stream protected by a SASL security layer (a 4-byte length per buffer)
 * is not LDAP's plain encoding and falls back to raw.
 */
#include <stdio.h>

#include "framer_internal.h"

static const char *const ldap_ops[] = {
    [0] = "bindRequest",        [1] = "bindResponse",
    [2] = "unbindRequest",      [3] = "searchRequest",
    [4] = "searchResEntry",     [5] = "searchResDone",
    [6] = "modifyRequest",      [7] = "modifyResponse",
    [8] = "addRequest",         [9] = "addResponse",
    [10] = "delRequest",        [11] = "delResponse",
    [12] = "modDNRequest",      [13] = "modDNResponse",
    [14] = "compareRequest",    [15] = "compareResponse",
    [16] = "abandonRequest",    [19] = "searchResRef",
    [23] = "extendedReq",       [24] = "extendedResp",
    [25] = "intermediateResponse",
};

/* A definite BER length at p[0, n): its value and size in *len, *size.
 * -1 if not allowed, 0 if more bytes are needed, 1 when read. */
static int ber_length(const uint8_t *p, size_t n, uint64_t *len, size_t *size)
{
    if (n < 1)
        return 0;
    if (p[0] < 0x80) {
        *len = p[0];
        *size = 1;
        return 1;
    }
    size_t k = p[0] & 0x7f;
    if (k == 0 || k > 4)
        return -1; /* indefinite, or longer than any LDAP message */
    if (n < 1 + k)
        return 0;
    *len = 0;
    for (size_t i = 1; i <= k; i++)
        *len = *len << 8 | p[i];
    *size = 1 + k;
    return 1;
}

static int ldap_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                       char info[SESS_FRAMER_INFO_SIZE])
{
    uint64_t len, id_len;
    size_t len_size, id_len_size;
    if (p[0] != 0x30)
        return -1;
    int r = ber_length(p + 1, n - 1, &len, &len_size);
    if (r <= 0)
        return r;
    size_t at = 1 + len_size; /* the messageID */
    *total = at + len;
    if (len < 5) /* messageID (3 bytes at least) and an empty protocolOp */
        return -1;
    /* messageID INTEGER (0 .. 2^31-1): tag, short length 1 to 4, value */
    if (n > at && p[at] != 0x02)
        return -1;
    r = n > at + 1 ? ber_length(p + at + 1, n - at - 1, &id_len, &id_len_size)
                   : 0;
    if (r < 0 || (r > 0 && (id_len_size != 1 || id_len < 1 || id_len > 4)))
        return -1;
    size_t op = at + 2 + (r > 0 ? (size_t)id_len : 0);
    if (op >= *total)
        return -1;
    if (r == 0 || n <= op) {
        if (!end)
            return 0;
        sess__info_set(info, "LDAPMessage");
        return 1;
    }
    uint8_t tag = p[op];
    unsigned number = tag & 0x1f;
    if ((tag & 0xc0) != 0x40 || number >= sizeof ldap_ops / sizeof ldap_ops[0] ||
        ldap_ops[number] == NULL)
        return -1;
    sess__info_set(info, ldap_ops[number]);
    return 1;
}

static int ldap_feed(void *dir_state, void *conn_state, const void *params,
                     const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, ldap_header, in, out);
}

const sess_framer sess_framer_ldap = {
    .name = "ldap",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL,
    .feed = ldap_feed,
};
