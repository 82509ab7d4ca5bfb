/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_pool.c - creating and freeing the memory shared by a session's
 * streams (see stream_pool.h).
 */
#include "stream_pool.h"

sess_stream_pool *sess_stream_pool_new(void)
{
    sess_stream_pool *pool = calloc(1, sizeof *pool);
    if (pool)
        pool->rng = 0x9e3779b9u;
    return pool;
}

void sess_stream_pool_free(sess_stream_pool *pool)
{
    if (!pool)
        return;
    while (pool->chunks) {
        node_chunk *c = pool->chunks;
        pool->chunks = c->next;
        free(c);
    }
    while (pool->ncache)
        free(pool->cache[--pool->ncache]);
    free(pool);
}

size_t sess_stream_pool_bytes(const sess_stream_pool *pool)
{
    return pool->bytes;
}
