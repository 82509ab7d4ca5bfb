/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_pool.c - creating and freeing the memory shared by a session's
 * streams (see stream_pool.h).
 */
#include "stream_pool.h"

sess_stream_pool *sess_stream_pool_new(const sess__alloc *alloc)
{
    if (!alloc)
        alloc = &sess__alloc_libc;
    sess_stream_pool *pool = sess__calloc(alloc, 1, sizeof *pool);
    if (pool) {
        pool->rng = 0x9e3779b9u;
        pool->alloc = alloc;
    }
    return pool;
}

void sess_stream_pool_free(sess_stream_pool *pool)
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

size_t sess_stream_pool_bytes(const sess_stream_pool *pool)
{
    return pool->bytes;
}
