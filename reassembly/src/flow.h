/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - the bidirectional flow table.
 *
 * A flow is keyed by (family, protocol, address pair, port pair) with full
 * IPv6 addresses, and found from either direction.  The originator is fixed
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

typedef struct sess_flow sess_flow;

struct sess_flow {
    /* What every packet touches comes first, next to the key in info. */
    sess__hnode node;               /* first: the table's links and hash */
    void *ext;                      /* per-kind state (TCP), owned by session */
    sess_flow_info info;
};

typedef struct sess_flow_table {
    sess__htab h;                   /* age list: least recent activity first */
    uint32_t next_id;
} sess_flow_table;

/* The flow a table node belongs to (NULL for NULL). */
static inline sess_flow *sess_flow_of(sess__hnode *n)
{
    return (sess_flow *)n;
}

static inline sess_flow *sess_flow_oldest(const sess_flow_table *t)
{
    return sess_flow_of(t->h.oldest);
}

static inline sess_flow *sess_flow_newer(const sess_flow *f)
{
    return sess_flow_of(f->node.newer);
}

static inline uint32_t sess_flow_count(const sess_flow_table *t)
{
    return t->h.count;
}

typedef struct sess_flow_key {
    uint8_t family, proto;
    bool has_ports;
    sess_addr src, dst;
    uint16_t sport, dport;
} sess_flow_key;

void sess_flow_key_from_pkt(sess_flow_key *k, const sess_pkt *p, bool ports);

int sess_flow_table_init(sess_flow_table *t, const sess__alloc *alloc);
/* Frees every flow; ext must have been released by the caller. */
void sess_flow_table_destroy(sess_flow_table *t);

/* Finds the flow of k in either direction; *dir gets 0 when k's source is
 * the originator.  NULL when absent. */
sess_flow *sess_flow_find(sess_flow_table *t, const sess_flow_key *k,
                          uint8_t *dir);

/* Inserts a new flow; `k_is_originator` tells whether k's source is the
 * originator.  Returns NULL when out of memory. */
sess_flow *sess_flow_insert(sess_flow_table *t, const sess_flow_key *k,
                            bool k_is_originator);

/* Unlinks and frees f (its ext must be released already). */
void sess_flow_remove(sess_flow_table *t, sess_flow *f);

/* Moves f to the newest end of the activity list. */
void sess_flow_touch(sess_flow_table *t, sess_flow *f);

#endif
