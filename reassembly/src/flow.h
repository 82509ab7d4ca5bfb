/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - the bidirectional flow table.
 *
 * A flow is keyed by (family, protocol, address pair, port pair) with full
 * IPv6 addresses, and found from either direction.  The originator is fixed
 * by the flow's first packet and never changes.  Flows are kept in a list
 * ordered by last activity, so idle flows are found at its tail in O(1) and
 * the least recent flow is the one evicted when the table is full.  A flow
 * that comes back after it ended is a new entry with a new id.
 */
#ifndef SESS_FLOW_H
#define SESS_FLOW_H

#include "decode.h"

typedef struct sess_flow sess_flow;

struct sess_flow {
    /* What every packet touches comes first, next to the key in info. */
    uint32_t hash;
    sess_flow *hnext;               /* hash chain */
    sess_flow *newer, *older;       /* activity list */
    void *ext;                      /* per-kind state (TCP), owned by session */
    sess_flow_info info;
};

typedef struct sess_flow_table {
    sess_flow **buckets;
    uint32_t nbuckets;              /* power of two */
    uint32_t count;
    uint32_t next_id;
    sess_flow *newest, *oldest;
} sess_flow_table;

typedef struct sess_flow_key {
    uint8_t family, proto;
    bool has_ports;
    sess_addr src, dst;
    uint16_t sport, dport;
} sess_flow_key;

void sess_flow_key_from_pkt(sess_flow_key *k, const sess_pkt *p, bool ports);

int sess_flow_table_init(sess_flow_table *t);
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
