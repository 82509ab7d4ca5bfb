/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_treap.c - the runs a stream holds, ordered by offset in a treap.
 *
 * A run is [start, end) of bytes from one segment, with that segment's
 * original bounds, frame and arrival time.  The treap keys runs by start and
 * keeps, in every node, the earliest arrival in its subtree, which is how
 * expiry finds out how long data has been waiting behind a hole.  Split and
 * merge are what the overlap resolution needs: the runs a segment touches
 * are cut out at its start and end, walked in order, and merged back, so
 * any arrival order costs O(log n) per segment.  Node priorities come from
 * the pool (stream_pool.h): nodes are never allocated here.
 */
#include "stream_treap.h"

#include <math.h>

typedef sess__run node;

static void treap_update(node *t)
{
    double m = t->ts;
    if (t->left && t->left->min_ts < m)
        m = t->left->min_ts;
    if (t->right && t->right->min_ts < m)
        m = t->right->min_ts;
    t->min_ts = m;
}

/* Every key of a is below every key of b. */
node *sess__treap_merge(node *a, node *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->prio > b->prio) {
        a->right = sess__treap_merge(a->right, b);
        treap_update(a);
        return a;
    }
    b->left = sess__treap_merge(a, b->left);
    treap_update(b);
    return b;
}

/* *lo gets the runs starting below key, *hi the others. */
void sess__treap_split(node *t, uint64_t key, node **lo, node **hi)
{
    if (!t) {
        *lo = *hi = NULL;
        return;
    }
    if (t->start < key) {
        sess__treap_split(t->right, key, &t->right, hi);
        *lo = t;
    } else {
        sess__treap_split(t->left, key, lo, &t->left);
        *hi = t;
    }
    treap_update(t);
}

/* Inserts a run overlapping none: down to where its priority belongs, then
 * the subtree there is split under it.  Ancestors only gain a ts. */
void sess__treap_insert(node **t, node *n)
{
    while (*t && (*t)->prio > n->prio) {
        if (n->ts < (*t)->min_ts)
            (*t)->min_ts = n->ts;
        t = n->start < (*t)->start ? &(*t)->left : &(*t)->right;
    }
    sess__treap_split(*t, n->start, &n->left, &n->right);
    treap_update(n);
    *t = n;
}

/* Detaches the last run of *t (last) or the first (!last): down the one
 * side to its end, whose other child takes its place. */
static node *pop_end(node **t, bool last)
{
    node *n = *t;
    node **toward = last ? &n->right : &n->left;
    node **away = last ? &n->left : &n->right;
    if (*toward) {
        node *m = pop_end(toward, last);
        treap_update(n);
        return m;
    }
    *t = *away;
    *away = NULL;
    return n;
}

node *sess__treap_pop_max(node **t)
{
    return pop_end(t, true);
}

node *sess__treap_pop_min(node **t)
{
    return pop_end(t, false);
}

node *sess__treap_min(node *t)
{
    while (t && t->left)
        t = t->left;
    return t;
}

node *sess__treap_max(node *t)
{
    while (t && t->right)
        t = t->right;
    return t;
}

/* The run holding the byte at `off`, if any. */
node *sess__treap_holding(node *t, uint64_t off)
{
    node *floor = NULL;
    while (t) {
        if (t->start <= off) {
            floor = t;
            t = t->right;
        } else {
            t = t->left;
        }
    }
    return floor && floor->end > off ? floor : NULL;
}

/* The last run starting before `off`. */
node *sess__treap_last_before(node *t, uint64_t off)
{
    node *best = NULL;
    while (t) {
        if (t->start < off) {
            best = t;
            t = t->right;
        } else {
            t = t->left;
        }
    }
    return best;
}

/* The first run starting at or after `off`. */
node *sess__treap_ceil(node *t, uint64_t off)
{
    node *best = NULL;
    while (t) {
        if (t->start >= off) {
            best = t;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return best;
}

/* Earliest arrival among runs starting at or after `off`. */
double sess__treap_oldest_from(const node *t, uint64_t off)
{
    double m = INFINITY;
    while (t) {
        if (t->start >= off) {
            if (t->ts < m)
                m = t->ts;
            if (t->right && t->right->min_ts < m)
                m = t->right->min_ts;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return m;
}

/* Destroys the tree structure, returning its nodes in order, linked by
 * `right` (rotations make it O(n) without a stack). */
node *sess__treap_flatten(node *t)
{
    node *head = NULL, **tail = &head;
    while (t) {
        if (t->left) {
            node *l = t->left;
            t->left = l->right;
            l->right = t;
            t = l;
        } else {
            *tail = t;
            tail = &t->right;
            t = t->right;
        }
    }
    return head;
}

/* Builds a treap from an ordered list linked by `right`. */
node *sess__treap_from_list(node *list)
{
    node *t = NULL;
    while (list) {
        node *n = list;
        list = n->right;
        n->left = n->right = NULL;
        treap_update(n);
        t = sess__treap_merge(t, n);
    }
    return t;
}
