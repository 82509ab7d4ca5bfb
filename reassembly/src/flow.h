/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - the bidirectional flow table.
 *
 * A flow is keyed by (family, protocol, address pair, port pair) with full
 * IPv6 addresses and, unless the session says otherwise, where its packets
 * were found: VLAN IDs and tunnel (kind, identifier, outer endpoints), as
 * Suricata's vlan.use-for-tracking has it.  It is found from either
 * direction.  The originator is fixed
 * by the flow's first packet and never changes.  Flows sit in a seeded hash
 * table (hashtab.h) whose age list is ordered by last activity, so idle
 * flows are found at its old end in O(1) and the least recent flow is the
 * one evicted when the table is full.  A flow that comes back after it
 * ended is a new entry with a new id.
 */
#ifndef SESS_FLOW_H
#define SESS_FLOW_H

#include "decode.h"
#include "hashtab.h"

/* Where a packet was found, as flow and fragment keys compare it: the
 * first two VLAN IDs (0 where there is no tag: a priority tag, VLAN ID 0,
 * is no VLAN, as in Suricata and Linux), the innermost tunnel's kind and
 * identifier, and its outer source and destination.  What must be equal
 * whichever the direction is packed into one word, 0 for an untagged
 * packet outside any tunnel, so that such a packet costs one compare.  A
 * packet out of ERSPAN is a mirror's copy: where the copy travelled says
 * nothing of the connection, so nothing of it is compared. */
typedef struct sess__encap_key {
    uint64_t where;   /* VLAN IDs (bits 0-11, 12-23), tunnel kind (24-31),
                         identifier unless it names the receiving end
                         (32-63) */
    /* as the packet shows them */
    uint8_t vlans;    /* tags, 0 to 2 */
    uint16_t vlan[2];
    sess_tunnel tunnel;
    uint32_t id;
    sess_addr src, dst; /* outer endpoints, set only with a tunnel */
} sess__encap_key;

static inline sess_tunnel sess__encap_tunnel(uint64_t where)
{
    return (sess_tunnel)(where >> 24 & 0xff);
}

/* Adds p's tunnel to k (rare, so not inlined). */
void sess__encap_key_add_tunnel(sess__encap_key *k, const sess__pkt *p);

/* Fills k from p; all 0 when `use` is false.  Per packet: the outer
 * addresses are written, and read, only when there is a tunnel, and the
 * decoder leaves 0 in the VLAN IDs of tags not there. */
static inline void sess__encap_key_from_pkt(sess__encap_key *k,
                                            const sess__pkt *p, bool use)
{
    k->vlans = (uint8_t)(!use ? 0 : p->vlans < 2 ? p->vlans : 2);
    k->vlan[0] = use ? p->vlan[0] : 0;
    k->vlan[1] = use ? p->vlan[1] : 0;
    k->where = (uint64_t)k->vlan[0] | (uint64_t)k->vlan[1] << 12;
    k->tunnel = SESS_TUNNEL_NONE;
    k->id = 0;
    if (use && p->encap != SESS_TUNNEL_NONE)
        sess__encap_key_add_tunnel(k, p);
}

/* Whether a and b are the same, in the same direction. */
bool sess__encap_key_eq(const sess__encap_key *a, const sess__encap_key *b);

typedef struct sess__flow sess__flow;

struct sess__flow {
    /* What every packet touches comes first, next to the key in info. */
    sess__hnode node;               /* first: the table's links and hash */
    void *ext;                      /* per-kind state (TCP), owned by session */
    uint64_t where;                 /* its packets' sess__encap_key.where */
    sess_flow_info info;
};

/* Flows that only a tunnel identifier naming the receiving end tells
 * apart share their hash, so they share a chain that every lookup walks.
 * Past this many the least recent of them ends, so that a sender cannot
 * make lookups cost a walk through every flow. */
enum { SESS__FLOW_MAX_SAME_HASH = 32 };

typedef struct sess__flow_table {
    sess__htab h;                   /* age list: least recent activity first */
    uint32_t next_id;
    bool encap_in_key;              /* sess_config.flow_key_encap */
    /* Set by sess__flow_find when it finds nothing: the least recent flow
     * of those with k's hash, if there are SESS__FLOW_MAX_SAME_HASH of
     * them (to end before inserting), else NULL. */
    sess__flow *crowded;
} sess__flow_table;

/* The flow a table node belongs to (NULL for NULL). */
static inline sess__flow *sess__flow_of(sess__hnode *n)
{
    return (sess__flow *)n;
}

static inline sess__flow *sess__flow_oldest(const sess__flow_table *t)
{
    return sess__flow_of(t->h.oldest);
}

static inline sess__flow *sess__flow_newer(const sess__flow *f)
{
    return sess__flow_of(f->node.newer);
}

static inline uint32_t sess__flow_count(const sess__flow_table *t)
{
    return t->h.count;
}

typedef struct sess__flow_key {
    uint8_t family, proto;
    bool has_ports;
    sess_addr src, dst;
    uint16_t sport, dport;
    sess__encap_key encap;          /* always filled: the flow's info shows
                                       it even when it is not in the key */
} sess__flow_key;

void sess__flow_key_from_pkt(sess__flow_key *k, const sess__pkt *p, bool ports);

/* `encap_in_key`: whether the VLAN IDs and the tunnel tell flows apart. */
int sess__flow_table_init(sess__flow_table *t, const sess__alloc *alloc,
                          bool encap_in_key);
/* Frees every flow; ext must have been released by the caller. */
void sess__flow_table_destroy(sess__flow_table *t);

/* Finds the flow of k in either direction; *dir gets 0 when k's source is
 * the originator.  NULL when absent.  A tunnel identifier that names the
 * receiving end (sess_tunnel_id_per_direction) is not known for a
 * direction until that direction is seen: such a flow matches any
 * identifier there, and the one of k is recorded.  A flow that already has
 * k's identifier is preferred; among those that only could, the oldest,
 * since replies come in the order of what they answer. */
sess__flow *sess__flow_find(sess__flow_table *t, const sess__flow_key *k,
                          uint8_t *dir);

/* Inserts a new flow; `k_is_originator` tells whether k's source is the
 * originator.  Returns NULL when out of memory. */
sess__flow *sess__flow_insert(sess__flow_table *t, const sess__flow_key *k,
                            bool k_is_originator);

/* Unlinks and frees f (its ext must be released already). */
void sess__flow_remove(sess__flow_table *t, sess__flow *f);

/* Moves f to the newest end of the activity list. */
void sess__flow_touch(sess__flow_table *t, sess__flow *f);

#endif
