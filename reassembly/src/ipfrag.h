/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipfrag.h - IPv4 and IPv6 defragmentation.
 *
 * Fragments are grouped by (src, dst, protocol, id) for IPv4 and by
 * (src, dst, id) for IPv6, accepted in any order, and joined when every byte
 * from 0 to the end of the last fragment (MF=0) is present.  Overlaps are
 * resolved byte by byte by a sess_ip_policy comparing the original bounds of
 * the fragment holding a byte with those of the arriving one; differing
 * overlapping bytes are a conflict.  A fragment repeating the range and the
 * bytes of one still held is a duplicate and is discarded (even by the drop
 * policy), unless it is the first to carry MF=0.  A fragment with offset 0
 * and MF=0 (an IPv6 atomic fragment) completes at once on its own, leaving
 * any datagram with the same key untouched (RFC 6946).  After the drop
 * policy drops a datagram its key is remembered until it times out, and
 * fragments for it are discarded with SESS__FRAGA_DROPPED.
 *
 * Bounds: a datagram whose first fragment arrived more than `timeout`
 * (capture time) before the current one is evicted; when the memory held
 * exceeds `memcap`, the oldest datagrams are evicted.  Evictions are
 * reported through the evict callback with the frame of the datagram's
 * last-arrived fragment; the callback must not call back into the object.
 * Work per fragment is O(its length) whatever the overlaps or the arrival
 * order, with no cap on fragments per datagram, and O(1) amortised in the
 * number of datagrams.  Capture time is taken as non-decreasing: a datagram
 * created with an earlier time than its predecessors expires after them.
 */
#ifndef SESS_IPFRAG_H
#define SESS_IPFRAG_H

#include "alloc.h"
#include "decode.h"

typedef struct sess__ipfrag sess__ipfrag;

typedef struct sess__ipfrag_config {
    sess_ip_policy policy;
    double timeout;
    size_t memcap;
    const sess__alloc *alloc; /* must outlive the object */
    bool encap_in_key;        /* fragments found in different VLANs or
                                 tunnels are different datagrams, as in
                                 Linux's and Suricata's defragmenters */
} sess__ipfrag_config;

typedef enum {
    SESS__FRAG_PENDING = 0,  /* held, datagram incomplete */
    SESS__FRAG_COMPLETE,     /* datagram complete: see result */
    SESS__FRAG_DISCARDED,    /* fragment not used (malformed, duplicate,
                               dropped, or its datagram was just evicted for
                               memory) */
} sess__frag_status;

/* Bits of sess__frag_result.anomalies: what this fragment did. */
enum {
    SESS__FRAGA_DUPLICATE = 1u << 0,    /* same range, same bytes */
    SESS__FRAGA_OVERLAP = 1u << 1,
    SESS__FRAGA_CONFLICT = 1u << 2,     /* overlapping bytes differ */
    SESS__FRAGA_TOO_LONG = 1u << 3,     /* offset + length > 65535 */
    SESS__FRAGA_BAD_SIZE = 1u << 4,     /* non-last: empty or not 8-aligned;
                                          or an offset not 8-aligned */
    SESS__FRAGA_PAST_END = 1u << 5,     /* data beyond the known end (dropped),
                                          or an end below data already held */
    SESS__FRAGA_END_CONFLICT = 1u << 6, /* a second, different end: the
                                          fragment is discarded, the first
                                          end kept */
    SESS__FRAGA_DROPPED = 1u << 7,      /* datagram dropped (drop policy) */
    SESS__FRAGA_TRUNCATED = 1u << 8,    /* fragment not fully captured */
};

typedef struct sess__frag_result {
    sess__frag_status status;
    unsigned anomalies;       /* SESS__FRAGA_* for this fragment */
    /* SESS__FRAG_COMPLETE only; valid until the next call on this object */
    const uint8_t *data;      /* the fragmentable part, reassembled */
    size_t len;
    const uint64_t *frames;   /* contributing frames in offset order, unique */
    size_t nframes;
    bool overlap, conflict;   /* anywhere in the datagram */
    uint8_t proto;            /* the fragments' frag_proto */
} sess__frag_result;

typedef enum { SESS__FRAG_EVICT_TIMEOUT, SESS__FRAG_EVICT_MEMCAP,
               SESS__FRAG_EVICT_FLUSH } sess__frag_evict_reason;

typedef struct sess__frag_eviction {
    sess__frag_evict_reason reason;
    uint64_t last_frame;   /* frame of the last-arrived fragment */
    uint8_t family;
    sess_addr src, dst;
    uint32_t id;
    size_t bytes_held;     /* fragment bytes held (overhead not counted) */
    uint32_t nfrags;       /* fragments accepted (not duplicates) */
} sess__frag_eviction;

typedef void (*sess__frag_evict_cb)(void *user, const sess__frag_eviction *e);

/* cb may be NULL.  Returns NULL when cfg is invalid (unknown policy,
 * negative timeout) or memory is short. */
sess__ipfrag *sess__ipfrag_new(const sess__ipfrag_config *cfg,
                             sess__frag_evict_cb cb, void *user);
/* Frees everything held, without reporting it. */
void sess__ipfrag_free(sess__ipfrag *f);

/* Adds the fragment decoded in `p` (p->is_fragment must be true).  Expires
 * timed-out datagrams first (by `ts`).  Returns SESS_OK, SESS_ENOMEM (the
 * fragment is not held; `out` says DISCARDED) or SESS_EINVAL. */
int sess__ipfrag_add(sess__ipfrag *f, const sess__pkt *p, uint64_t frame,
                    double ts, sess__frag_result *out);

/* Evicts datagrams whose first fragment arrived more than timeout before
 * `now`. */
void sess__ipfrag_expire(sess__ipfrag *f, double now);

/* Evicts every incomplete datagram (reason FLUSH): end of capture. */
void sess__ipfrag_flush(sess__ipfrag *f);

/* Memory held by incomplete datagrams and drop tombstones, overhead
 * included: what memcap bounds. */
size_t sess__ipfrag_bytes_held(const sess__ipfrag *f);

#endif
