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

typedef struct sess__flow sess__flow;

struct sess__flow {
    /* What every packet touches comes first, next to the key in info. */
    sess__hnode node;               /* first: the table's links and hash */
    void *ext;                      /* per-kind state (TCP), owned by session */
    sess_flow_info info;
};

typedef struct sess__flow_table {
    sess__htab h;                   /* age list: least recent activity first */
    uint32_t next_id;
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
} sess__flow_key;

void sess__flow_key_from_pkt(sess__flow_key *k, const sess__pkt *p, bool ports);

int sess__flow_table_init(sess__flow_table *t, const sess__alloc *alloc);
/* Frees every flow; ext must have been released by the caller. */
void sess__flow_table_destroy(sess__flow_table *t);

/* Finds the flow of k in either direction; *dir gets 0 when k's source is
 * the originator.  NULL when absent. */
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
