/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_treap.h - runs of held bytes and the treap that orders them.
 */
#ifndef SESS_STREAM_TREAP_H
#define SESS_STREAM_TREAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a segment that landed far beyond the flat buffer (stream.c):
 * a copy of its own, shared by the runs cut from it. */
typedef struct sess__far_bytes {
    uint64_t base;        /* stream offset of bytes[0] */
    size_t size, refs;    /* refs: runs pointing here */
    uint8_t bytes[];
} sess__far_bytes;

/* One run of held bytes from one segment. */
struct sess__stream_node {
    struct sess__stream_node *left, *right;
    uint64_t start, end;  /* held bytes */
    int64_t ostart, oend; /* the supplying segment as sent */
    uint64_t frame;
    double ts;            /* arrival; +inf for a missing run */
    double min_ts;        /* earliest ts in this subtree */
    uint32_t prio;        /* treap heap key: parents have higher */
    bool missing;         /* a given-up hole: zeros, no segment */
    bool skipped;         /* a missing run too long to zero-fill: no bytes */
    sess__far_bytes *far; /* where a run beyond the flat buffer keeps its
                             bytes (NULL for missing runs) */
};

typedef struct sess__stream_node sess__run;

/* Every key of a is below every key of b. */
sess__run *sess__treap_merge(sess__run *a, sess__run *b);

/* *lo gets the runs starting below key, *hi the others. */
void sess__treap_split(sess__run *t, uint64_t key, sess__run **lo,
                       sess__run **hi);

/* Inserts a run overlapping none: down to where its priority belongs, then
 * the subtree there is split under it.  Ancestors only gain a ts. */
void sess__treap_insert(sess__run **t, sess__run *n);

sess__run *sess__treap_pop_max(sess__run **t);

sess__run *sess__treap_pop_min(sess__run **t);

sess__run *sess__treap_min(sess__run *t);

sess__run *sess__treap_max(sess__run *t);

/* The run holding the byte at `off`, if any. */
sess__run *sess__treap_holding(sess__run *t, uint64_t off);

/* The last run starting before `off`. */
sess__run *sess__treap_last_before(sess__run *t, uint64_t off);

/* The first run starting at or after `off`. */
sess__run *sess__treap_ceil(sess__run *t, uint64_t off);

/* Earliest arrival among runs starting at or after `off`. */
double sess__treap_oldest_from(const sess__run *t, uint64_t off);

/* Destroys the tree structure, returning its nodes in order, linked by
 * `right` (rotations make it O(n) without a stack). */
sess__run *sess__treap_flatten(sess__run *t);

/* Builds a treap from an ordered list linked by `right`. */
sess__run *sess__treap_from_list(sess__run *list);

#endif
