/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.c - the bidirectional flow table.
 *
 * The hash is symmetric in the two endpoints, so both directions land in
 * the same bucket without building a canonical key, and starts from the
 * table's seed.  Where a packet was found enters the hash and the
 * comparison only when the table keys on it, and costs one word compare
 * for an untagged packet outside any tunnel.  A tunnel identifier that
 * differs by direction (PPTP, GTP-U, L2TP name the receiving end) stays out
 * of the hash; the outer endpoints and the other identifiers enter it.
 * Flows are allocated once each, never per packet.
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
    sess__encap_key_from_pkt(&k->encap, p, true);
}

/* The tunnels whose identifier names the receiving end, as a bit set. */
enum {
    PER_DIRECTION_IDS = 1u << SESS_TUNNEL_PPTP | 1u << SESS_TUNNEL_GTPU |
                        1u << SESS_TUNNEL_L2TP
};

static inline bool id_per_direction(sess_tunnel t)
{
    return (PER_DIRECTION_IDS >> t) & 1u;
}

bool sess_tunnel_id_per_direction(sess_tunnel t)
{
    return (unsigned)t < 32 && id_per_direction(t);
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

static bool addr_eq(const sess_addr *a, const sess_addr *b)
{
    if (a->family != b->family || load32(a->bytes) != load32(b->bytes))
        return false;
    return a->family != 6 || (load64(a->bytes + 4) == load64(b->bytes + 4) &&
                              load32(a->bytes + 12) == load32(b->bytes + 12));
}

static void copy_addr(sess_addr *to, const sess_addr *from)
{
    memset(to, 0, sizeof *to);
    if (from->family == 4 || from->family == 6) {
        to->family = from->family;
        memcpy(to->bytes, from->bytes, from->family == 4 ? 4 : 16);
    }
}

void sess__encap_key_add_tunnel(sess__encap_key *k, const sess__pkt *p)
{
    sess_tunnel t = p->encap;
    k->tunnel = t;
    k->id = p->encap_id;
    copy_addr(&k->src, &p->encap_src);
    copy_addr(&k->dst, &p->encap_dst);
    if (t == SESS_TUNNEL_ERSPAN)
        k->where = 0;
    else
        k->where |= (uint64_t)t << 24 |
                    (uint64_t)(id_per_direction(t) ? 0 : p->encap_id) << 32;
}

bool sess__encap_key_eq(const sess__encap_key *a, const sess__encap_key *b)
{
    return a->where == b->where &&
           (sess__encap_tunnel(a->where) == SESS_TUNNEL_NONE ||
            (a->id == b->id && addr_eq(&a->src, &b->src) &&
             addr_eq(&a->dst, &b->dst)));
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

/* Sum and xor are symmetric; mixing both keeps a->b and b->a equal while
 * spreading pairs that differ. */
static uint32_t pair_hash(uint32_t x, uint32_t y)
{
    return (x + y) ^ ((x ^ y) * 0x9e3779b1u);
}

static uint32_t key_hash(const sess__flow_key *k, bool encap, uint64_t seed)
{
    uint32_t x = endpoint_hash(&k->src, k->sport, seed);
    uint32_t y = endpoint_hash(&k->dst, k->dport, seed);
    uint32_t h = pair_hash(x, y) ^ ((uint32_t)k->proto << 24);
    uint64_t where = encap ? k->encap.where : 0;
    if (where) {
        uint64_t m = sess__mix64(where ^ seed);
        h ^= (uint32_t)m ^ (uint32_t)(m >> 32);
        if (sess__encap_tunnel(where) != SESS_TUNNEL_NONE)
            h ^= pair_hash(endpoint_hash(&k->encap.src, 0, seed),
                           endpoint_hash(&k->encap.dst, 0, seed)) * 0x85ebca6bu;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* How a flow's packets in direction `dir` compare with k's encapsulation:
 * NO, EXACT, or only because the flow has not seen that direction's
 * tunnel identifier yet (LEARN). */
enum { ENCAP_NO, ENCAP_EXACT, ENCAP_LEARN };

static int encap_match(const sess__flow *f, const sess__encap_key *e,
                       uint8_t dir)
{
    if (f->where != e->where)
        return ENCAP_NO;
    sess_tunnel t = sess__encap_tunnel(e->where);
    if (t == SESS_TUNNEL_NONE)
        return ENCAP_EXACT;
    const sess_flow_info *i = &f->info;
    if (!addr_eq(&i->tunnel_addr[dir], &e->src) ||
        !addr_eq(&i->tunnel_addr[1 - dir], &e->dst))
        return ENCAP_NO;
    if (i->tunnel_id[dir] == e->id)
        return ENCAP_EXACT;
    return id_per_direction(t) && i->tunnel_id[dir] == 0 ? ENCAP_LEARN
                                                          : ENCAP_NO;
}

/* How f matches k (ENCAP_*), setting *dir. */
static int matches(const sess__flow *f, const sess__flow_key *k, bool encap,
                   uint8_t *dir)
{
    const sess_flow_info *i = &f->info;
    if (i->l4proto != k->proto || i->addr[0].family != k->family ||
        i->has_ports != k->has_ports)
        return ENCAP_NO;
    if (addr_eq(&i->addr[0], &k->src) && addr_eq(&i->addr[1], &k->dst) &&
        i->port[0] == k->sport && i->port[1] == k->dport)
        *dir = 0;
    else if (addr_eq(&i->addr[0], &k->dst) && addr_eq(&i->addr[1], &k->src) &&
             i->port[0] == k->dport && i->port[1] == k->sport)
        *dir = 1;
    else
        return ENCAP_NO;
    return encap ? encap_match(f, &k->encap, *dir) : ENCAP_EXACT;
}

int sess__flow_table_init(sess__flow_table *t, const sess__alloc *alloc,
                          bool encap_in_key)
{
    t->next_id = 0;
    t->encap_in_key = encap_in_key;
    t->crowded = NULL;
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

/* A direction seen for the first time shows its own tunnel identifier. */
static void learn_tunnel_id(sess__flow *f, const sess__flow_key *k,
                            uint8_t dir)
{
    sess_flow_info *i = &f->info;
    if (k->encap.id != 0 && id_per_direction(i->tunnel) &&
        i->tunnel_id[dir] == 0 && i->tunnel == k->encap.tunnel)
        i->tunnel_id[dir] = k->encap.id;
}

sess__flow *sess__flow_find(sess__flow_table *t, const sess__flow_key *k,
                          uint8_t *dir)
{
    bool encap = t->encap_in_key;
    uint32_t h = key_hash(k, encap, t->h.seed);
    sess__flow *oldest_learner = NULL, *least_recent = NULL;
    uint8_t d, learner_dir = 0;
    unsigned same_hash = 0;
    t->crowded = NULL;
    for (sess__hnode *n = sess__htab_chain(&t->h, h); n; n = n->chain) {
        if (n->hash != h)
            continue;
        sess__flow *f = sess__flow_of(n);
        int m = matches(f, k, encap, &d);
        if (m == ENCAP_EXACT) {
            *dir = d;
            learn_tunnel_id(f, k, d);
            return f;
        }
        if (m == ENCAP_LEARN &&
            (!oldest_learner || f->info.id < oldest_learner->info.id)) {
            oldest_learner = f;
            learner_dir = d;
        }
        same_hash++;
        if (!least_recent || f->info.last_frame < least_recent->info.last_frame)
            least_recent = f;
    }
    if (oldest_learner) {
        *dir = learner_dir;
        learn_tunnel_id(oldest_learner, k, learner_dir);
    } else if (same_hash >= SESS__FLOW_MAX_SAME_HASH) {
        t->crowded = least_recent;
    }
    return oldest_learner;
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
    const sess__encap_key *e = &k->encap;
    f->where = e->where;
    i->vlans = e->vlans;
    i->vlan[0] = e->vlan[0];
    i->vlan[1] = e->vlan[1];
    i->tunnel = e->tunnel;
    if (i->tunnel != SESS_TUNNEL_NONE) {
        i->tunnel_addr[o] = e->src;
        i->tunnel_addr[1 - o] = e->dst;
        i->tunnel_id[o] = e->id;
        i->tunnel_id[1 - o] = id_per_direction(i->tunnel) ? 0 : e->id;
    }
    sess__htab_insert(&t->h, &f->node,
                      key_hash(k, t->encap_in_key, t->h.seed));
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
