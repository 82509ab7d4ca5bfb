/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_buffer.h - a stream's flat byte buffer, indexed by stream offset.
 */
#ifndef SESS_STREAM_BUFFER_H
#define SESS_STREAM_BUFFER_H

#include "stream.h"

static inline uint64_t sess__hist_start(const sess__stream *s)
{
    return s->consumed - s->hist_len;
}

static inline uint8_t *sess__buf_at(const sess__stream *s, uint64_t off)
{
    return s->buf + s->buf_head + (size_t)(off - sess__hist_start(s));
}

/* Bytes from the history start to the last one the buffer holds. */
static inline size_t sess__buf_live(const sess__stream *s)
{
    return (size_t)(s->flat_end - sess__hist_start(s));
}

/* Room for every offset below `end`, when the buffer must change. */
int sess__buf_make_room(sess__stream *s, uint64_t end);

/* Room for every offset below `end`.  Returns SESS_OK or SESS_ENOMEM. */
static inline int sess__buf_reserve(sess__stream *s, uint64_t end)
{
    size_t need = (size_t)(end - sess__hist_start(s));
    if (s->buf_head + need <= s->buf_cap)
        return SESS_OK;
    return sess__buf_make_room(s, end);
}

/* Gives memory back after consuming (see stream_buffer.c). */
void sess__buf_trim(sess__stream *s);

/* Frees the buffer, or keeps it in the pool's cache for the next stream. */
void sess__buf_release(sess__stream *s);

#endif
