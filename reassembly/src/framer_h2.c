/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_h2.c - HTTP/2 frames in cleartext (RFC 9113 3.4 and 4.1).
 *
 * Chosen by the probe when a connection starts with the client connection
 * preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", prior knowledge), and by the
 * HTTP framer after a 101 response with Upgrade: h2c.  The preface, where a
 * direction starts with it, is a message of its own; then each message is
 * one frame: a 9-byte header (24-bit length, type, flags, reserved bit and
 * 31-bit stream identifier) and the payload.  Frames that RFC 9113 ties to
 * the connection (SETTINGS, PING, GOAWAY) on a stream, frames that belong to
 * a stream (DATA, HEADERS, PRIORITY, RST_STREAM, PUSH_PROMISE, CONTINUATION)
 * on stream 0, and fixed-size frames of another size end the framing;
 * unknown frame types are framed (RFC 9113 5.5 lets extensions add them).
 */
#include <stdio.h>

#include "framer_internal.h"

#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN (sizeof H2_PREFACE - 1)
#define H2_FRAME_HEADER_LEN 9

enum {
    H2_DATA, H2_HEADERS, H2_PRIORITY, H2_RST_STREAM, H2_SETTINGS,
    H2_PUSH_PROMISE, H2_PING, H2_GOAWAY, H2_WINDOW_UPDATE, H2_CONTINUATION,
    H2_KNOWN_TYPES,
};

static const char *const h2_types[H2_KNOWN_TYPES] = {
    "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS",
    "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION",
};

typedef struct h2_dir {
    sess__sized m;
    bool started; /* the direction's first message was cut */
} h2_dir;

/* Whether the first n bytes agree with the preface. */
static bool h2_preface_prefix(const uint8_t *p, size_t n)
{
    return memcmp(p, H2_PREFACE, n < H2_PREFACE_LEN ? n : H2_PREFACE_LEN) == 0;
}

static int h2_probe(const uint8_t *data, size_t len)
{
    if (len == 0 || !h2_preface_prefix(data, len))
        return 0;
    return len >= H2_PREFACE_LEN ? 1 : -1;
}

/* 0 if the frame header p[0, 9) is well-formed, -1 if not. */
static int h2_frame_check(const uint8_t *p)
{
    uint32_t len = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
    uint32_t stream = ((uint32_t)p[5] << 24 | p[6] << 16 | p[7] << 8 | p[8]) &
                      0x7fffffff;
    switch (p[3]) {
    case H2_SETTINGS:
        return stream == 0 && len % 6 == 0 ? 0 : -1;
    case H2_PING:
        return stream == 0 && len == 8 ? 0 : -1;
    case H2_GOAWAY:
        return stream == 0 && len >= 8 ? 0 : -1;
    case H2_PRIORITY:
        return stream != 0 && len == 5 ? 0 : -1;
    case H2_RST_STREAM:
        return stream != 0 && len == 4 ? 0 : -1;
    case H2_WINDOW_UPDATE:
        return len == 4 ? 0 : -1;
    case H2_DATA:
    case H2_HEADERS:
    case H2_PUSH_PROMISE:
    case H2_CONTINUATION:
        return stream != 0 ? 0 : -1;
    default:
        return 0;
    }
}

static int h2_frame_header(const uint8_t *p, size_t n, bool end,
                           uint64_t *total, char info[SESS_FRAMER_INFO_SIZE])
{
    (void)end;
    if (n < H2_FRAME_HEADER_LEN)
        return 0;
    if (h2_frame_check(p) < 0)
        return -1;
    uint8_t type = p[3], flags = p[4];
    uint32_t stream = ((uint32_t)p[5] << 24 | p[6] << 16 | p[7] << 8 | p[8]) &
                      0x7fffffff;
    *total = H2_FRAME_HEADER_LEN + ((uint32_t)p[0] << 16 | p[1] << 8 | p[2]);
    char name[16];
    if (type < H2_KNOWN_TYPES)
        snprintf(name, sizeof name, "%s", h2_types[type]);
    else
        snprintf(name, sizeof name, "type 0x%02x", type);
    /* END_STREAM on DATA and HEADERS, ACK on SETTINGS and PING: bit 0 */
    const char *flag = "";
    if ((flags & 1) && (type == H2_DATA || type == H2_HEADERS))
        flag = " END_STREAM";
    else if ((flags & 1) && (type == H2_SETTINGS || type == H2_PING))
        flag = " ACK";
    if (stream != 0)
        snprintf(info, SESS_FRAMER_INFO_SIZE, "%s stream %u%s", name,
                 (unsigned)stream, flag);
    else
        snprintf(info, SESS_FRAMER_INFO_SIZE, "%s%s", name, flag);
    return 1;
}

static int h2_feed(void *dir_state, void *conn_state, const void *params,
                   const sess_framer_input *in, sess_framer_output *out)
{
    h2_dir *d = dir_state;
    (void)conn_state;
    (void)params;

    if (!d->started && d->m.remaining == 0 && in->len > 0) {
        if (h2_preface_prefix(in->data, in->len)) {
            if (in->len < H2_PREFACE_LEN)
                return in->flags & SESS_FF_END ? SESS_FRAME_ERROR
                                               : SESS_FRAME_NEED_MORE;
            d->m.remaining = H2_PREFACE_LEN;
            sess__info_set(d->m.info, "preface");
        }
        d->started = true;
    }
    return sess__sized_feed(&d->m, h2_frame_header, in, out);
}

const sess_framer sess_framer_h2 = {
    .name = "h2",
    .dir_state_size = sizeof(h2_dir),
    .conn_state_size = 0,
    .probe = h2_probe,
    .feed = h2_feed,
};
