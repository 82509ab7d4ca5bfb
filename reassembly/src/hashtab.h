/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hashtab.h - a chained hash table with an age list, embedded in the
 * entries it holds: the flow table's and the fragment table's.
 *
 * An entry embeds a sess__hnode and is found by its hash: the caller walks
 * the chain of sess__htab_chain() comparing its own keys, and gets back to
 * its entry from the node (the node is the entry's first member).  The
 * bucket array doubles when the table holds more entries than buckets; if
 * that allocation fails the table keeps working with longer chains.  The
 * age list runs from the oldest entry to the newest: new entries join the
 * newest end, sess__htab_touch() moves one there, so idle or old entries
 * are found at the oldest end in O(1) and nothing ever scans the buckets.
 * Each table has its own seed, which its hash functions mix in first, so
 * that keys chosen by a sender cannot be aimed at one chain; nothing the
 * session reports depends on bucket order, so outputs stay deterministic.
 */
#ifndef SESS_HASHTAB_H
#define SESS_HASHTAB_H

#include "alloc.h"

#include <stdint.h>

typedef struct sess__hnode {
    struct sess__hnode *chain;         /* next in its bucket */
    struct sess__hnode *newer, *older; /* age list */
    uint32_t hash;
} sess__hnode;

typedef struct sess__htab {
    sess__hnode **buckets;
    uint32_t nbuckets;                 /* a power of two */
    uint32_t count;
    sess__hnode *newest, *oldest;
    uint64_t seed;
    const sess__alloc *alloc;
} sess__htab;

/* `nbuckets` is a power of two; `alloc` NULL is the C library.  Returns
 * SESS_OK or SESS_ENOMEM. */
int sess__htab_init(sess__htab *t, uint32_t nbuckets, const sess__alloc *alloc);

/* Frees the bucket array; the entries are the caller's. */
void sess__htab_destroy(sess__htab *t);

static inline sess__hnode *sess__htab_chain(const sess__htab *t, uint32_t hash)
{
    return t->buckets[hash & (t->nbuckets - 1)];
}

/* Adds n with `hash` at the newest end. */
void sess__htab_insert(sess__htab *t, sess__hnode *n, uint32_t hash);

void sess__htab_remove(sess__htab *t, sess__hnode *n);

void sess__htab_move_to_newest(sess__htab *t, sess__hnode *n);

/* Moves n to the newest end (per packet: usually it is there already). */
static inline void sess__htab_touch(sess__htab *t, sess__hnode *n)
{
    if (t->newest != n)
        sess__htab_move_to_newest(t, n);
}

/* A 64-bit finaliser (MurmurHash3's): every input bit reaches every output
 * bit. */
static inline uint64_t sess__mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
