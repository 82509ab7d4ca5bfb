/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_pool.h - memory shared by every stream of a session.
 *
 * Run nodes come in chunks and go back to a free list that only grows;
 * buffers of released streams wait in a small cache for the next stream;
 * `bytes` counts buffer capacity and nodes in use, which is what the
 * session's TCP memcap is checked against.  Taking a node never fails once
 * sess__pool_reserve() has succeeded, so a segment is applied whole or not
 * at all.  The per-segment calls are inline: they run for nearly every
 * packet.
 */
#ifndef SESS_STREAM_POOL_H
#define SESS_STREAM_POOL_H

#include "stream.h"
#include "stream_treap.h"

#include <stdlib.h>

#define NODES_PER_CHUNK 128
#define CACHED_BUF_MAX (64 * 1024) /* released buffers up to this are reused */
#define CACHED_BUFS 64

typedef struct node_chunk {
    struct node_chunk *next;
    sess__run nodes[NODES_PER_CHUNK];
} node_chunk;

struct sess__stream_pool {
    sess__run *free;
    size_t nfree;
    node_chunk *chunks;
    size_t bytes;  /* buffer capacity plus nodes in use (not the cache, at
                      most CACHED_BUFS * CACHED_BUF_MAX) */
    uint32_t rng;
    /* Buffers of released streams, handed to new ones: flows come and go
     * far more often than the memory they need changes. */
    uint8_t *cache[CACHED_BUFS];
    size_t cache_cap[CACHED_BUFS];
    size_t ncache;
    const sess__alloc *alloc;
};

/* Makes sure `n` nodes can be taken without failing, so that a segment is
 * either applied whole or not at all. */
static inline int sess__pool_reserve(sess__stream_pool *pool, size_t n)
{
    while (pool->nfree < n) {
        node_chunk *c = sess__malloc(pool->alloc, sizeof *c);
        if (!c)
            return SESS_ENOMEM;
        c->next = pool->chunks;
        pool->chunks = c;
        for (size_t i = 0; i < NODES_PER_CHUNK; i++) {
            c->nodes[i].right = pool->free;
            pool->free = &c->nodes[i];
        }
        pool->nfree += NODES_PER_CHUNK;
    }
    return SESS_OK;
}

/* Treap priorities need only be independent of the traffic; a fixed seed
 * keeps runs reproducible. */
static inline uint32_t sess__pool_random(sess__stream_pool *pool)
{
    uint32_t x = pool->rng; /* xorshift32 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return pool->rng = x;
}

/* Takes a reserved node. */
static inline sess__run *sess__node_take(sess__stream *s)
{
    sess__stream_pool *pool = s->pool;
    sess__run *n = pool->free;
    pool->free = n->right;
    pool->nfree--;
    pool->bytes += sizeof *n;
    s->nruns++;
    /* Field by field: callers overwrite most of them (a memset measured
     * slower: bench/FINDINGS.md, section 6). */
    n->left = n->right = NULL;
    n->start = n->end = 0;
    n->ostart = n->oend = 0;
    n->frame = 0;
    n->ts = n->min_ts = 0;
    n->missing = n->skipped = false;
    n->far = NULL;
    n->prio = sess__pool_random(pool);
    return n;
}

/* Lets go of a far copy; the last run pointing to it frees it. */
static inline void sess__far_put(sess__stream *s, sess__far_bytes *fb)
{
    if (--fb->refs)
        return;
    s->pool->bytes -= sizeof *fb + fb->size;
    s->far_bytes -= sizeof *fb + fb->size;
    sess__free(s->pool->alloc, fb);
}

static inline void sess__node_put(sess__stream *s, sess__run *n)
{
    if (n->far)
        sess__far_put(s, n->far);
    n->right = s->pool->free;
    s->pool->free = n;
    s->pool->nfree++;
    s->pool->bytes -= sizeof *n;
    s->nruns--;
}

#endif
