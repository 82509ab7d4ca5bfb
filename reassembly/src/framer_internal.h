/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_internal.h - what the built-in framers share.
 *
 * TLS records, DNS over TCP and length-prefixed PDUs all announce the length
 * of the whole message in a header.  Once a framer has read that header it
 * emits the same way as the others: the message when all of it is in the
 * view, pieces of max_len while more than max_len bytes remain, and the bytes
 * held when the direction ends early (a capture cut mid-message keeps what it
 * has).  sess__sized_emit() does this from a count kept in the framer's
 * direction state, so a message longer than max_len carries its summary to
 * every piece.
 */
#ifndef SESS_FRAMER_INTERNAL_H
#define SESS_FRAMER_INTERNAL_H

#include <string.h>

#include "sessions_framer.h"

/* The value of a hex digit, or -1. */
static inline int sess__hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* After a gap (SESS_FF_GAP): the `at` bytes before the next plausible
 * message start go out as a partial message (in pieces of max_len); with
 * at == 0 there is nothing to skip and the caller frames as usual. */
static inline int sess__skip_to(size_t at, const sess_framer_input *in,
                               sess_framer_output *out)
{
    out->len = at < in->max_len ? at : in->max_len;
    out->partial = true;
    strcpy(out->info, "after a gap, before the next message");
    return SESS_FRAME_MESSAGE;
}

typedef struct sess__sized {
    uint64_t remaining; /* bytes of the message not emitted; 0 between messages */
    char info[SESS_FRAMER_INFO_SIZE];
} sess__sized;

static inline int sess__sized_emit(sess__sized *m, const sess_framer_input *in,
                                  sess_framer_output *out)
{
    size_t n;
    bool partial = false;

    if (m->remaining > in->max_len && in->len >= in->max_len) {
        n = in->max_len;
        partial = true;
    } else if (m->remaining <= in->max_len && in->len >= m->remaining) {
        n = (size_t)m->remaining;
    } else if ((in->flags & SESS_FF_END) && in->len > 0) {
        n = in->len; /* truncated: no more bytes will come */
    } else {
        out->expect = m->remaining < in->max_len ? (size_t)m->remaining
                                                 : in->max_len;
        return SESS_FRAME_NEED_MORE;
    }
    out->len = n;
    out->partial = partial;
    memcpy(out->info, m->info, sizeof out->info);
    m->remaining = partial ? m->remaining - n : 0;
    return SESS_FRAME_MESSAGE;
}

/*
 * Reads a message header from the first n bytes of a view: -1 if they cannot
 * start a message of the protocol, 0 if more bytes are needed (to know the
 * length, or to write a summary that does not depend on how the bytes
 * arrived), 1 when *total (the whole message, header included) and info are
 * set.  `end`: no more bytes will come, summarise what is there.
 */
typedef int (*sess__header_fn)(const uint8_t *p, size_t n, bool end,
                              uint64_t *total, char info[SESS_FRAMER_INFO_SIZE]);

/* The feed() of a framer whose messages announce their length in a header:
 * the header is read between messages, then sess__sized_emit() cuts. */
static inline int sess__sized_feed(sess__sized *m, sess__header_fn header,
                                  const sess_framer_input *in,
                                  sess_framer_output *out)
{
    if (m->remaining == 0) {
        bool end = (in->flags & SESS_FF_END) != 0;
        uint64_t total = 0;
        int r = in->len > 0 ? header(in->data, in->len, end, &total, m->info) : 0;
        if (r < 0)
            return SESS_FRAME_ERROR;
        if (r == 0) /* a header cut by the end of the stream is not one */
            return end && in->len > 0 ? SESS_FRAME_ERROR : SESS_FRAME_NEED_MORE;
        m->remaining = total;
    }
    return sess__sized_emit(m, in, out);
}

/* Appends n bytes to a summary, non-printable ones as '.', as many as fit. */
static inline void sess__info_append(char info[SESS_FRAMER_INFO_SIZE],
                                    size_t *at, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && *at + 1 < SESS_FRAMER_INFO_SIZE; i++)
        info[(*at)++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
    info[*at] = '\0';
}

/* Sets a summary to a text, cut to fit. */
static inline void sess__info_set(char info[SESS_FRAMER_INFO_SIZE],
                                  const char *text)
{
    /* One copy, not a byte-by-byte append: it runs for nearly every TLS
     * record, and the texts are the framers' own printable names. */
    size_t n = strlen(text);
    if (n >= SESS_FRAMER_INFO_SIZE)
        n = SESS_FRAMER_INFO_SIZE - 1;
    memcpy(info, text, n);
    info[n] = '\0';
}

#endif
