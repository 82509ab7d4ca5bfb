/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_pool.c - creating and freeing the memory shared by a session's
 * streams (see stream_pool.h).
 */
#include "stream_pool.h"

sess__stream_pool *sess__stream_pool_new(const sess__alloc *alloc)
{
    if (!alloc)
        alloc = &sess__alloc_libc;
    sess__stream_pool *pool = sess__calloc(alloc, 1, sizeof *pool);
    if (pool) {
        pool->rng = 0x9e3779b9u;
        pool->alloc = alloc;
    }
    return pool;
}

void sess__stream_pool_free(sess__stream_pool *pool)
{
    if (!pool)
        return;
    while (pool->chunks) {
        node_chunk *c = pool->chunks;
        pool->chunks = c->next;
        sess__free(pool->alloc, c);
    }
    while (pool->ncache)
        sess__free(pool->alloc, pool->cache[--pool->ncache]);
    sess__free(pool->alloc, pool);
}

size_t sess__stream_pool_bytes(const sess__stream_pool *pool)
{
    return pool->bytes;
}
