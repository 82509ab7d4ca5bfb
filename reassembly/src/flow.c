/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.c - the bidirectional flow table.
 *
 * Chained hash table whose hash is symmetric in the two endpoints, so both
 * directions land in the same bucket without building a canonical key.  The
 * table doubles when the load passes one flow per bucket; flows are allocated
 * once each, never per packet.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

enum { INITIAL_BUCKETS = 1024 };

void sess_flow_key_from_pkt(sess_flow_key *k, const sess_pkt *p, bool ports)
{
    k->family = p->ip_version;
    k->proto = p->proto;
    k->has_ports = ports;
    k->src = p->src;
    k->dst = p->dst;
    k->sport = ports ? p->sport : 0;
    k->dport = ports ? p->dport : 0;
}

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t endpoint_hash(const sess_addr *a, uint16_t port)
{
    /* Multiplicative mixing of the address words in use and the port. */
    uint64_t x = load32(a->bytes);
    if (a->family == 6)
        x = (x ^ load64(a->bytes + 4)) * 0x9E3779B97F4A7C15ull ^
            load32(a->bytes + 12);
    x = (x ^ ((uint64_t)port << 40)) * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

static uint32_t key_hash(const sess_flow_key *k)
{
    /* Sum and xor are symmetric; mixing both keeps a->b and b->a equal
     * while spreading pairs that differ. */
    uint32_t x = endpoint_hash(&k->src, k->sport);
    uint32_t y = endpoint_hash(&k->dst, k->dport);
    uint32_t h = (x + y) ^ ((x ^ y) * 0x9e3779b1u) ^ ((uint32_t)k->proto << 24);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

static bool addr_eq(const sess_addr *a, const sess_addr *b)
{
    if (a->family != b->family || load32(a->bytes) != load32(b->bytes))
        return false;
    return a->family != 6 || (load64(a->bytes + 4) == load64(b->bytes + 4) &&
                              load32(a->bytes + 12) == load32(b->bytes + 12));
}

static bool matches(const sess_flow *f, const sess_flow_key *k, uint8_t *dir)
{
    const sess_flow_info *i = &f->info;
    if (i->l4proto != k->proto || i->addr[0].family != k->family ||
        i->has_ports != k->has_ports)
        return false;
    if (addr_eq(&i->addr[0], &k->src) && addr_eq(&i->addr[1], &k->dst) &&
        i->port[0] == k->sport && i->port[1] == k->dport) {
        *dir = 0;
        return true;
    }
    if (addr_eq(&i->addr[0], &k->dst) && addr_eq(&i->addr[1], &k->src) &&
        i->port[0] == k->dport && i->port[1] == k->sport) {
        *dir = 1;
        return true;
    }
    return false;
}

int sess_flow_table_init(sess_flow_table *t)
{
    memset(t, 0, sizeof *t);
    t->buckets = calloc(INITIAL_BUCKETS, sizeof *t->buckets);
    if (!t->buckets)
        return SESS_ENOMEM;
    t->nbuckets = INITIAL_BUCKETS;
    return SESS_OK;
}

void sess_flow_table_destroy(sess_flow_table *t)
{
    sess_flow *f = t->newest;
    while (f) {
        sess_flow *next = f->older;
        free(f);
        f = next;
    }
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

sess_flow *sess_flow_find(sess_flow_table *t, const sess_flow_key *k,
                          uint8_t *dir)
{
    uint32_t h = key_hash(k);
    for (sess_flow *f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext)
        if (f->hash == h && matches(f, k, dir))
            return f;
    return NULL;
}

static void grow(sess_flow_table *t)
{
    uint32_t n = t->nbuckets * 2;
    sess_flow **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep the longer chains; still correct */
    for (uint32_t i = 0; i < t->nbuckets; i++) {
        sess_flow *f = t->buckets[i];
        while (f) {
            sess_flow *next = f->hnext;
            f->hnext = b[f->hash & (n - 1)];
            b[f->hash & (n - 1)] = f;
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void list_unlink(sess_flow_table *t, sess_flow *f)
{
    if (f->newer)
        f->newer->older = f->older;
    else
        t->newest = f->older;
    if (f->older)
        f->older->newer = f->newer;
    else
        t->oldest = f->newer;
    f->newer = f->older = NULL;
}

static void list_push_newest(sess_flow_table *t, sess_flow *f)
{
    f->newer = NULL;
    f->older = t->newest;
    if (t->newest)
        t->newest->newer = f;
    t->newest = f;
    if (!t->oldest)
        t->oldest = f;
}

sess_flow *sess_flow_insert(sess_flow_table *t, const sess_flow_key *k,
                            bool k_is_originator)
{
    sess_flow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    sess_flow_info *i = &f->info;
    int o = k_is_originator ? 0 : 1;
    i->id = t->next_id++;
    i->l4proto = k->proto;
    i->has_ports = k->has_ports;
    i->addr[o] = k->src;
    i->addr[1 - o] = k->dst;
    i->port[o] = k->sport;
    i->port[1 - o] = k->dport;
    f->hash = key_hash(k);
    if (t->count >= t->nbuckets)
        grow(t);
    sess_flow **b = &t->buckets[f->hash & (t->nbuckets - 1)];
    f->hnext = *b;
    *b = f;
    list_push_newest(t, f);
    t->count++;
    return f;
}

void sess_flow_remove(sess_flow_table *t, sess_flow *f)
{
    sess_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    list_unlink(t, f);
    t->count--;
    free(f);
}

void sess_flow_touch(sess_flow_table *t, sess_flow *f)
{
    if (t->newest == f)
        return;
    list_unlink(t, f);
    list_push_newest(t, f);
}
