/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hashtab.c - a chained hash table with an age list (see hashtab.h).
 */
#include "hashtab.h"

#include <time.h>

int sess__htab_init(sess__htab *t, uint32_t nbuckets, const sess__alloc *alloc)
{
    memset(t, 0, sizeof *t);
    t->alloc = alloc ? alloc : &sess__alloc_libc;
    t->buckets = sess__calloc(t->alloc, nbuckets, sizeof *t->buckets);
    if (!t->buckets)
        return SESS_ENOMEM;
    t->nbuckets = nbuckets;
    /* Unknown to a sender: where the table lives and when it was made. */
    t->seed = sess__mix64((uint64_t)(uintptr_t)t ^
                          (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull);
    return SESS_OK;
}

void sess__htab_destroy(sess__htab *t)
{
    sess__free(t->alloc, t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
    t->newest = t->oldest = NULL;
}

static void grow(sess__htab *t)
{
    uint32_t n = t->nbuckets * 2;
    sess__hnode **b = sess__calloc(t->alloc, n, sizeof *b);
    if (!b)
        return; /* longer chains; still correct */
    for (uint32_t i = 0; i < t->nbuckets; i++)
        for (sess__hnode *e = t->buckets[i], *next; e; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    sess__free(t->alloc, t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void age_unlink(sess__htab *t, sess__hnode *n)
{
    if (n->newer)
        n->newer->older = n->older;
    else
        t->newest = n->older;
    if (n->older)
        n->older->newer = n->newer;
    else
        t->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void age_push_newest(sess__htab *t, sess__hnode *n)
{
    n->newer = NULL;
    n->older = t->newest;
    if (t->newest)
        t->newest->newer = n;
    t->newest = n;
    if (!t->oldest)
        t->oldest = n;
}

void sess__htab_insert(sess__htab *t, sess__hnode *n, uint32_t hash)
{
    if (t->count >= t->nbuckets)
        grow(t);
    n->hash = hash;
    sess__hnode **b = &t->buckets[hash & (t->nbuckets - 1)];
    n->chain = *b;
    *b = n;
    age_push_newest(t, n);
    t->count++;
}

void sess__htab_remove(sess__htab *t, sess__hnode *n)
{
    sess__hnode **pp = &t->buckets[n->hash & (t->nbuckets - 1)];
    while (*pp && *pp != n)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = n->chain;
    age_unlink(t, n);
    t->count--;
}

void sess__htab_move_to_newest(sess__htab *t, sess__hnode *n)
{
    age_unlink(t, n);
    age_push_newest(t, n);
}
