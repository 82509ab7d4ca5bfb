/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_dcerpc.c - DCE/RPC connection-oriented PDUs (C706 chapter 12).
 *
 * One message per PDU fragment.  The 16-byte common header gives the
 * version (5, minor 0 or 1), the PDU type, the data representation (whose
 * first byte's bit 0x10 says little-endian) and frag_length at offset 8, the
 * whole fragment's length in that byte order.  Only the connection-oriented
 * PDU types are accepted; anything else, or a fragment shorter than its
 * header, ends the framing.  A request's summary names its operation number
 * (offset 22), so a request is not started before 24 bytes are held.
 *
 * The probe recognises a client's first PDU, a bind or alter_context of
 * version 5.0/5.1 with a known data representation: four fixed byte values
 * at known places, which the plain-text or TLS first bytes of the other
 * heuristics cannot take.
 */
#include <stdio.h>

#include "framer_internal.h"

#define DCERPC_HEADER_LEN 16
#define DCERPC_REQUEST_HEADER_LEN 24

enum {
    PT_REQUEST = 0,
    PT_BIND = 11,
    PT_ALTER_CONTEXT = 14,
};

/* Names of the connection-oriented PDU types; NULL for the others. */
static const char *const dcerpc_type_names[] = {
    [0] = "request",         [2] = "response",       [3] = "fault",
    [11] = "bind",           [12] = "bind_ack",      [13] = "bind_nak",
    [14] = "alter_context",  [15] = "alter_context_resp",
    [16] = "auth3",          [17] = "shutdown",      [18] = "co_cancel",
    [19] = "orphaned",
};

static const char *dcerpc_type_name(uint8_t type)
{
    return type < sizeof dcerpc_type_names / sizeof dcerpc_type_names[0]
               ? dcerpc_type_names[type]
               : NULL;
}

static uint16_t dcerpc_u16(const uint8_t *p, bool little_endian)
{
    return little_endian ? (uint16_t)(p[0] | p[1] << 8)
                         : (uint16_t)(p[0] << 8 | p[1]);
}

/* 0 if the first n bytes may start a PDU header, -1 if they cannot. */
static int dcerpc_header_check(const uint8_t *p, size_t n)
{
    if (n >= 1 && p[0] != 5)
        return -1;
    if (n >= 2 && p[1] > 1)
        return -1;
    if (n >= 3 && dcerpc_type_name(p[2]) == NULL)
        return -1;
    if (n >= 5 && (p[4] & 0xee) != 0) /* integer and character formats */
        return -1;
    if (n >= 10 && dcerpc_u16(p + 8, p[4] & 0x10) < DCERPC_HEADER_LEN)
        return -1;
    return 0;
}

static int dcerpc_probe(const uint8_t *data, size_t len)
{
    if (len >= 3 && data[2] != PT_BIND && data[2] != PT_ALTER_CONTEXT)
        return 0;
    if (dcerpc_header_check(data, len) < 0)
        return 0;
    return len >= DCERPC_HEADER_LEN ? 1 : -1;
}

static int dcerpc_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                         char info[SESS_FRAMER_INFO_SIZE])
{
    if (dcerpc_header_check(p, n) < 0)
        return -1;
    if (n < DCERPC_HEADER_LEN)
        return 0;
    bool le = p[4] & 0x10;
    *total = dcerpc_u16(p + 8, le);
    if (p[2] == PT_REQUEST && *total >= DCERPC_REQUEST_HEADER_LEN) {
        if (n < DCERPC_REQUEST_HEADER_LEN)
            return end ? -1 : 0;
        snprintf(info, SESS_FRAMER_INFO_SIZE, "request opnum %u",
                 dcerpc_u16(p + 22, le));
    } else {
        sess__info_set(info, dcerpc_type_name(p[2]));
    }
    return 1;
}

static int dcerpc_feed(void *dir_state, void *conn_state, const void *params,
                       const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, dcerpc_header, in, out);
}

const sess_framer sess_framer_dcerpc = {
    .name = "dcerpc",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = dcerpc_probe,
    .feed = dcerpc_feed,
};
