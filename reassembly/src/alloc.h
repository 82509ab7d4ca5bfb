/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc.h - every heap call of the core, through the session's allocator.
 *
 * A session copies cfg.realloc (NULL: the C library) into one sess__alloc
 * that each module it creates points to, so an embedder can account or
 * bound the core's memory, and the tests can make every Nth call fail.
 * Every caller of these checks for NULL and reports the failure (an
 * SESS_AN_NOMEM anomaly naming what was lost, and SESS_ENOMEM) or falls
 * back to something that needs no memory.  Sizes are never 0: a hook may
 * take size 0 as "free".
 */
#ifndef SESS_ALLOC_H
#define SESS_ALLOC_H

#include "sessions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sess__alloc {
    sess_realloc_fn fn; /* NULL: malloc, realloc and free */
    void *user;
} sess__alloc;

/* For modules created without a session (unit tests): the C library. */
static const sess__alloc sess__alloc_libc = {NULL, NULL};

static inline void *sess__realloc(const sess__alloc *a, void *p, size_t n)
{
    if (n == 0)
        n = 1;
    return a->fn ? a->fn(a->user, p, n) : realloc(p, n);
}

static inline void *sess__malloc(const sess__alloc *a, size_t n)
{
    return sess__realloc(a, NULL, n);
}

static inline void *sess__calloc(const sess__alloc *a, size_t n, size_t size)
{
    if (!a->fn)
        return calloc(n ? n : 1, size ? size : 1);
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = sess__realloc(a, NULL, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

static inline void sess__free(const sess__alloc *a, void *p)
{
    if (!p)
        return;
    if (a->fn)
        a->fn(a->user, p, 0);
    else
        free(p);
}

/* The one growth rule for arrays: from `first` elements (or *cap), doubled
 * until `need` fit, so n appends cost O(log n) reallocations.  Returns the
 * grown array and sets *cap, or returns NULL (array and *cap unchanged).
 * Callers check `need <= *cap` first: that is the path taken per packet. */
static inline void *sess__grow(const sess__alloc *a, void *array, size_t *cap,
                               size_t need, size_t size, size_t first)
{
    size_t n = *cap ? *cap : first;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return NULL;
        n *= 2;
    }
    void *p = sess__realloc(a, array, n * size);
    if (p)
        *cap = n;
    return p;
}

#endif
