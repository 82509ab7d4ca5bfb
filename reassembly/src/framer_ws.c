/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_ws.c - WebSocket frames (RFC 6455 5.2).
 *
 * Chosen by the HTTP framer after a 101 response with Upgrade: websocket,
 * for both directions.  Each message is one frame: two bytes (FIN, RSV,
 * opcode; MASK, a 7-bit payload length), a 2- or 8-byte extended length
 * when the 7 bits say 126 or 127, the 4-byte masking key when MASK is set,
 * and the payload.  Reserved opcodes, a control frame that is fragmented or
 * longer than 125 bytes, and an 8-byte length with its top bit set end the
 * framing.  RSV bits are allowed (permessage-deflate sets RSV1).  The
 * summary is the opcode and payload size; a close frame's is its status
 * code, unmasked, so a close frame is not started before the code is held.
 */
#include <inttypes.h>
#include <stdio.h>

#include "framer_internal.h"

enum {
    WS_CONTINUATION = 0,
    WS_TEXT = 1,
    WS_BINARY = 2,
    WS_CLOSE = 8,
    WS_PING = 9,
    WS_PONG = 10,
};

static int ws_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                     char info[SESS_FRAMER_INFO_SIZE])
{
    unsigned opcode = p[0] & 0x0f;
    bool fin = p[0] & 0x80, control = opcode & 0x08;
    if ((opcode > WS_BINARY && opcode < WS_CLOSE) || opcode > WS_PONG ||
        (control && !fin))
        return -1;
    if (n < 2)
        return 0;
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    size_t header = 2;
    if (len == 126)
        header += 2;
    else if (len == 127)
        header += 8;
    if (control && len > 125)
        return -1;
    if (len == 127 && n >= 3 && (p[2] & 0x80))
        return -1;
    if (n < header)
        return 0;
    if (header > 2) {
        len = 0;
        for (size_t i = 2; i < header; i++)
            len = len << 8 | p[i];
    }
    size_t key = header;
    header += masked ? 4 : 0;
    *total = header + len;
    const char *suffix = fin ? "" : ", not final";
    switch (opcode) {
    case WS_CLOSE:
        if (len >= 2 && n < header + 2 && !end)
            return 0;
        if (len < 2 || n < header + 2) {
            sess__info_set(info, "close");
            return 1;
        }
        uint8_t code[2] = {p[header], p[header + 1]};
        for (size_t i = 0; masked && i < 2; i++)
            code[i] ^= p[key + i];
        snprintf(info, SESS_FRAMER_INFO_SIZE, "close %u",
                 (unsigned)code[0] << 8 | code[1]);
        return 1;
    case WS_PING:
        sess__info_set(info, "ping");
        return 1;
    case WS_PONG:
        sess__info_set(info, "pong");
        return 1;
    default:
        snprintf(info, SESS_FRAMER_INFO_SIZE, "%s %" PRIu64 " bytes%s",
                 opcode == WS_TEXT     ? "text"
                 : opcode == WS_BINARY ? "binary"
                                       : "continuation",
                 len, suffix);
        return 1;
    }
}

static int ws_feed(void *dir_state, void *conn_state, const void *params,
                   const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, ws_header, in, out);
}

const sess_framer sess_framer_ws = {
    .name = "ws",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL, /* only after an HTTP upgrade */
    .feed = ws_feed,
};
