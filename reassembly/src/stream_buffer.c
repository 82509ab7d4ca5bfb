/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_buffer.c - a stream's flat byte buffer, indexed by stream offset.
 *
 * The buffer holds the kept history, then the unconsumed contiguous bytes
 * [consumed, next), then whatever was received beyond the first hole, up to
 * `flat_end`: buf[buf_head] is the first byte of the history.  It spans
 * no hole but zero-filled ones (stream.c keeps data beyond a hole apart),
 * and the pool accounts every byte of capacity for the session's
 * memcap.  It grows geometrically, after
 * first reclaiming the consumed front, and shrinks only when nearly empty,
 * so a stream whose messages keep the same size does not resize back and
 * forth.
 */
#include "stream_buffer.h"

#include "stream_pool.h"

#include <string.h>

/* A stream's first buffer holds the default 4 KiB history and a few
 * segments: smaller ones were doubled, and copied, two or three times in the
 * first messages of nearly every connection. */
#define MIN_BUF_CAP (16 * 1024)
#define TRIM_FLOOR (16 * 1024)   /* buffers this small are never shrunk */

static void buf_compact(sess__stream *s)
{
    memmove(s->buf, s->buf + s->buf_head, sess__buf_live(s));
    s->buf_head = 0;
}

/* Room for every offset below `end`.  Grows geometrically, after first
 * reclaiming the consumed front. */
int sess__buf_make_room(sess__stream *s, uint64_t end)
{
    size_t need = (size_t)(end - sess__hist_start(s));
    if (s->buf_head > 0 && need <= s->buf_cap) {
        buf_compact(s);
        return SESS_OK;
    }
    if (!s->buf && s->pool->ncache) {
        size_t i = --s->pool->ncache;
        s->buf = s->pool->cache[i];
        s->buf_cap = s->pool->cache_cap[i];
        s->pool->bytes += s->buf_cap;
        if (need <= s->buf_cap)
            return SESS_OK;
    }
    size_t cap = s->buf_cap < MIN_BUF_CAP ? MIN_BUF_CAP : s->buf_cap * 2;
    if (cap < need)
        cap = need;
    size_t live = sess__buf_live(s);
    uint8_t *b;
    if (live >= s->buf_cap / 2) {
        if (s->buf_head > 0)
            buf_compact(s);
        b = sess__realloc(s->pool->alloc, s->buf, cap);
    } else {
        /* realloc would copy the whole old capacity, not just what lives */
        b = sess__malloc(s->pool->alloc, cap);
        if (b) {
            memcpy(b, s->buf + s->buf_head, live);
            sess__free(s->pool->alloc, s->buf);
            s->buf_head = 0;
        }
    }
    if (!b)
        return SESS_ENOMEM;
    s->pool->bytes += cap - s->buf_cap;
    s->buf = b;
    s->buf_cap = cap;
    return SESS_OK;
}

/* After consuming, once the front beyond the history is more than half the
 * buffer: gives memory back when the buffer is nearly empty.  Growing
 * happens when full and shrinking below an eighth, so a stream whose
 * messages keep the same size does not resize back and forth.  The front is
 * otherwise left in place until sess__buf_reserve() needs the room, which moves
 * the history and the unconsumed bytes less often (bench/FINDINGS.md,
 * section 6). */
void sess__buf_trim(sess__stream *s)
{
    if (s->buf_head <= s->buf_cap / 2)
        return;
    size_t live = sess__buf_live(s), cap = s->buf_cap;
    while (cap / 2 >= TRIM_FLOOR && live < cap / 8)
        cap /= 2;
    if (cap == s->buf_cap)
        return;
    buf_compact(s);
    uint8_t *smaller = sess__realloc(s->pool->alloc, s->buf, cap);
    if (smaller) { /* else keeping the larger buffer is fine */
        s->pool->bytes -= s->buf_cap - cap;
        s->buf = smaller;
        s->buf_cap = cap;
    }
}

void sess__buf_release(sess__stream *s)
{
    sess__stream_pool *pool = s->pool;
    pool->bytes -= s->buf_cap;
    if (s->buf && s->buf_cap <= CACHED_BUF_MAX && pool->ncache < CACHED_BUFS) {
        pool->cache[pool->ncache] = s->buf;
        pool->cache_cap[pool->ncache++] = s->buf_cap;
    } else {
        sess__free(pool->alloc, s->buf);
    }
    s->buf = NULL;
    s->buf_cap = s->buf_head = 0;
}
