/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.c - the bidirectional flow table.
 *
 * The hash is symmetric in the two endpoints, so both directions land in
 * the same bucket without building a canonical key, and starts from the
 * table's seed.  Flows are allocated once each, never per packet.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

enum { INITIAL_BUCKETS = 1024 };

void sess__flow_key_from_pkt(sess__flow_key *k, const sess__pkt *p, bool ports)
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

static uint32_t endpoint_hash(const sess_addr *a, uint16_t port,
                              uint64_t seed)
{
    /* Multiplicative mixing of the seed, the address words in use and the
     * port. */
    uint64_t x = load32(a->bytes) ^ seed;
    if (a->family == 6)
        x = (x ^ load64(a->bytes + 4)) * 0x9E3779B97F4A7C15ull ^
            load32(a->bytes + 12);
    x = (x ^ ((uint64_t)port << 40)) * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

static uint32_t key_hash(const sess__flow_key *k, uint64_t seed)
{
    /* Sum and xor are symmetric; mixing both keeps a->b and b->a equal
     * while spreading pairs that differ. */
    uint32_t x = endpoint_hash(&k->src, k->sport, seed);
    uint32_t y = endpoint_hash(&k->dst, k->dport, seed);
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

static bool matches(const sess__flow *f, const sess__flow_key *k, uint8_t *dir)
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

int sess__flow_table_init(sess__flow_table *t, const sess__alloc *alloc)
{
    t->next_id = 0;
    return sess__htab_init(&t->h, INITIAL_BUCKETS, alloc);
}

void sess__flow_table_destroy(sess__flow_table *t)
{
    for (sess__hnode *n = t->h.newest, *older; n; n = older) {
        older = n->older;
        sess__free(t->h.alloc, sess__flow_of(n));
    }
    sess__htab_destroy(&t->h);
}

sess__flow *sess__flow_find(sess__flow_table *t, const sess__flow_key *k,
                          uint8_t *dir)
{
    uint32_t h = key_hash(k, t->h.seed);
    for (sess__hnode *n = sess__htab_chain(&t->h, h); n; n = n->chain)
        if (n->hash == h && matches(sess__flow_of(n), k, dir))
            return sess__flow_of(n);
    return NULL;
}

sess__flow *sess__flow_insert(sess__flow_table *t, const sess__flow_key *k,
                            bool k_is_originator)
{
    sess__flow *f = sess__calloc(t->h.alloc, 1, sizeof *f);
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
    sess__htab_insert(&t->h, &f->node, key_hash(k, t->h.seed));
    return f;
}

void sess__flow_remove(sess__flow_table *t, sess__flow *f)
{
    sess__htab_remove(&t->h, &f->node);
    sess__free(t->h.alloc, f);
}

void sess__flow_touch(sess__flow_table *t, sess__flow *f)
{
    sess__htab_touch(&t->h, &f->node);
}
