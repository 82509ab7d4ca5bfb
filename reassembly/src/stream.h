/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.h - one direction of a TCP connection: a StringBuffer done right.
 *
 * Bytes are addressed by a 64-bit stream offset: offset 0 is ISN+1 when the
 * SYN was seen, else the first byte seen (midstream pickup).  Sequence
 * numbers are unwrapped with modular 32-bit arithmetic against the next
 * expected byte, so a stream crossing 2^32 just works; a jump further than
 * the window limit is an anomaly and the segment is ignored, never an
 * allocation.
 *
 * The buffer holds the bytes a framer has not consumed yet, from the consumed
 * offset onwards.  Each held byte remembers the segment that supplied it
 * (its frame and its original start/end), because the overlap policy decides
 * byte by byte between the held segment and the arriving one, for every byte
 * not yet consumed.  Missing ranges are tracked explicitly; a hole is only
 * given up when the peer ACKed past it (after a grace), on RST, buffered
 * data beyond it over the cap, idle or the end of capture, and every
 * give-up is reported through the missing callback.  A given-up hole of at
 * most `fill_max` bytes is zero-filled (Scapy's StringBuffer); a longer one
 * is skipped: it holds no bytes, the readable view stops before it, and
 * the consumer steps over it (sess__stream_skip_gap).  Consumed bytes are dropped from the
 * front; the last `history` consumed bytes are kept so that a retransmission
 * carrying different bytes is still reported as a conflict.
 *
 * Costs: insertion is O(log n) in the segments held, so reverse-order
 * arrival costs about what in-order arrival costs; the in-order path
 * allocates nothing once the buffer and the node pool have grown.  Memory
 * is proportional to the bytes held, not to sequence distance: the flat
 * buffer spans no hole but zero-filled ones, and data beyond a hole keeps
 * a copy of its own until the stream reaches it.
 * Buffer capacity, far copies and nodes in use are what
 * sess__stream_pool_bytes() counts.
 */
#ifndef SESS_STREAM_H
#define SESS_STREAM_H

#include "alloc.h"

typedef struct sess__stream_config {
    sess_tcp_policy policy;
    size_t dir_cap;     /* bytes held beyond the first hole before giving it up */
    uint32_t window;    /* largest accepted distance from the next expected byte */
    uint64_t depth;     /* bytes accepted per direction, 0 = unlimited */
    size_t history;     /* consumed bytes kept for conflict checks */
    uint32_t ack_grace_pkts; /* an acknowledged hole waits for this many */
    double ack_grace_time;   /* packets of its flow or this long (seconds) */
    size_t fill_max;    /* a given-up hole up to this long is zero-filled,
                           a longer one skipped */
} sess__stream_config;

/* Shared by all streams of a session: node free-list and byte accounting. */
typedef struct sess__stream_pool sess__stream_pool;

/* `alloc` (NULL: the C library) must outlive the pool. */
sess__stream_pool *sess__stream_pool_new(const sess__alloc *alloc);
void sess__stream_pool_free(sess__stream_pool *pool);
/* Bytes held (buffers and history) by every stream using this pool. */
size_t sess__stream_pool_bytes(const sess__stream_pool *pool);

typedef void (*sess__stream_missing_cb)(void *user, uint64_t offset,
                                       uint64_t len, sess_missing_fate fate);

typedef struct sess__stream sess__stream; /* defined below */

/* Result of one data segment. */
typedef struct sess__seg_info {
    uint64_t offset;    /* stream offset of the first payload byte */
    uint32_t len;
    unsigned flags;     /* SESS_SEG_* */
    unsigned anomalies; /* SESS__STREAM_A_* */
} sess__seg_info;

enum {
    SESS__STREAM_A_WINDOW = 1u << 0,  /* jump beyond the window: ignored */
    SESS__STREAM_A_DIR_CAP = 1u << 1, /* cap reached: a hole was given up */
    SESS__STREAM_A_DEPTH = 1u << 2,   /* bytes past the depth were ignored */
};

void sess__stream_init(sess__stream *s, const sess__stream_config *cfg,
                      sess__stream_pool *pool, sess__stream_missing_cb missing,
                      void *user);
/* Frees everything the stream holds; the struct may be re-initialised. */
void sess__stream_release(sess__stream *s);

/* A SYN with this ISN: offset 0 becomes isn+1.  Ignored once data or a
 * SYN has fixed the base. */
void sess__stream_syn(sess__stream *s, uint32_t isn);

/* A data segment (len > 0).  Returns SESS_OK or SESS_ENOMEM; *out is filled
 * either way.  offset is clamped to 0 for data below the base. */
int sess__stream_data(sess__stream *s, uint32_t seq, const uint8_t *data,
                     size_t len, uint64_t frame, double ts,
                     sess__seg_info *out);

/* A FIN whose sequence number is `seq` (after any payload of its segment):
 * the direction ends at that offset.  Data beyond it is late.  The first FIN
 * counts; one below bytes already received ends after them instead. */
void sess__stream_fin(sess__stream *s, uint32_t seq);

/* The peer acknowledged up to `ack`.  An ACK is a hint, not proof: it is
 * only remembered (O(1), whatever its distance), and sess__stream_settle()
 * gives an acknowledged hole up once its grace has run out.  Bytes it
 * acknowledges beyond the highest ever received create nothing; they
 * become a hole only when later data lands beyond them. */
void sess__stream_ack(sess__stream *s, uint32_t ack);

/* The calls below give holes up: each becomes readable zeros (or, longer
 * than fill_max, a skipped gap) and is reported through the missing
 * callback.  They return SESS_OK, or
 * SESS_ENOMEM when a hole could not be filled (the ones before it were). */

/* Called on every packet of the flow (`pkt` counts them, `now` is capture
 * time): a hole below the acknowledged offset starts its grace, and once
 * the flow's next ack_grace_pkts packets or ack_grace_time seconds have
 * passed without the data, it is given up (up to the acknowledged offset
 * or the highest byte received, whichever is lower).  Data that arrives
 * within the grace fills the hole as if no ACK had been seen. */
int sess__stream_settle(sess__stream *s, double now, uint64_t pkt);

/* Gives up the acknowledged holes at once, without their grace (the
 * connection was reset: no more data is coming). */
int sess__stream_give_up_acked(sess__stream *s);

/* Gives up every hole up to the highest byte received (or the FIN); bytes
 * acknowledged beyond it that never came are reported once, through the
 * missing callback, without being delivered. */
int sess__stream_give_up(sess__stream *s);

/* Whether an acknowledged hole is in its grace, and since when (`since`,
 * capture time, may be NULL). */
static inline bool sess__stream_grace_pending(const sess__stream *s,
                                              double *since);

/* Whether a segment of at most one byte at `seq` is a keep-alive: it sits
 * one below the highest byte received (the sender probes with a byte the
 * receiver already has), so it carries no new data. */
bool sess__stream_is_keepalive(const sess__stream *s, uint32_t seq);

/* Gives up holes whose following data has waited since before `deadline`. */
int sess__stream_expire(sess__stream *s, double deadline);

/* Bytes are held beyond a hole (so sess__stream_expire may have work). */
static inline bool sess__stream_holds_beyond_hole(const sess__stream *s);

/* Whether contiguous bytes (or a gap) wait to be consumed. */
static inline bool sess__stream_has_readable(const sess__stream *s);

/* The contiguous readable bytes from the consumed offset (given-up holes
 * read as zeros), up to the first skipped gap.  Returns their count; *data
 * points into the buffer and is valid until the next call that changes the
 * stream. */
size_t sess__stream_readable(const sess__stream *s, const uint8_t **data);

/* The length of the skipped gap that follows the readable bytes, or 0. */
uint64_t sess__stream_gap(const sess__stream *s);

/* With no readable bytes before a skipped gap: steps over it (the history
 * before it is dropped) and returns its length; 0 when there is none.  The
 * bytes after it become readable; *rc is SESS_OK, or SESS_ENOMEM when
 * moving them into the buffer failed (they become readable later). */
uint64_t sess__stream_skip_gap(sess__stream *s, int *rc);

uint64_t sess__stream_consumed(const sess__stream *s); /* consumed offset */

typedef struct sess__u64vec {
    uint64_t *v;
    size_t n, cap;
} sess__u64vec;

/* Drops the first n readable bytes.  Appends the frames that supplied them
 * to `frames` (in offset order, consecutive repeats removed, also against
 * the last frame already there; may be NULL) and returns, in *missing, how
 * many of them were given-up zeros.  Returns SESS_OK, SESS_EINVAL when n is
 * more than readable, or SESS_ENOMEM when `frames` could not grow (then
 * nothing was consumed).  A view from sess__stream_readable() taken before
 * stays valid until sess__stream_trim() or the next call that adds data or
 * gives up holes, so consumed bytes can be handed out without a copy. */
int sess__stream_consume(sess__stream *s, size_t n, sess__u64vec *frames,
                        uint64_t *missing);

/* How many of the readable bytes, from the consumed offset on and at most
 * `limit`, lie in given-up (zero-filled) ranges. */
size_t sess__stream_missing_at_head(const sess__stream *s, size_t limit);

/* Makes room for the first n unconsumed bytes, so that they arrive without
 * the buffer growing (and copying) on the way: for a message whose length
 * is announced.  Returns SESS_OK or SESS_ENOMEM (nothing changed). */
int sess__stream_reserve(sess__stream *s, size_t n);

/* Gives memory back after consuming: drops the consumed front beyond the
 * history once it is more than half the buffer, and shrinks a mostly empty
 * buffer. */
void sess__stream_trim(sess__stream *s);

/* An idle stream gives its buffer and history back: for a direction that
 * is complete and framed, or to relieve the memcap.  Later retransmissions
 * are still recognised, but no longer compared byte by byte. */
void sess__stream_drop_history(sess__stream *s);

/* Bytes this stream holds (buffer, far copies and runs). */
size_t sess__stream_bytes(const sess__stream *s);

/* The FIN offset is known and every byte before it is readable or consumed. */
bool sess__stream_complete(const sess__stream *s);

/* No unconsumed bytes and no holes are held. */
bool sess__stream_idle(const sess__stream *s);

/* The base is fixed (SYN or first data seen). */
bool sess__stream_started(const sess__stream *s);

/* ---- internal layout (embedded by the flow table) -------------------- */
struct sess__stream_node; /* one run of held bytes from one segment */

typedef struct sess__stream_range {
    uint64_t start, end;
} sess__stream_range;

#define SESS__NO_GAP UINT64_MAX

/* Given-up ranges remembered to tell late data from retransmissions. */
#define SESS__STREAM_GONE_MAX 8

struct sess__stream {
    const sess__stream_config *cfg;
    sess__stream_pool *pool;
    sess__stream_missing_cb missing_cb;
    void *user;
    /* filled in by stream.c */
    bool started, fin_known, depth_reported;
    uint32_t base_seq;        /* seq of offset 0 */
    uint64_t next;            /* first offset not yet contiguous */
    uint64_t consumed;        /* first offset not yet consumed */
    uint64_t fin_offset;
    uint64_t highest;         /* one past the last byte received or given up */
    uint8_t *buf;             /* buf[buf_head] is offset consumed - hist_len */
    size_t buf_cap, buf_head, hist_len;
    uint64_t flat_end;        /* the buffer holds the runs below this; runs
                                 at or beyond it keep far copies */
    uint64_t skip_start;      /* the first skipped gap not yet stepped over,
                                 SESS__NO_GAP when none */
    size_t far_bytes;         /* far copies' size */
    struct sess__stream_node *root; /* runs tiling [consumed, next) and the
                                      held bytes beyond, by offset (treap) */
    struct sess__stream_node *tail, *tail_last; /* runs appended in order
                                      after all of root's, linked by `right`:
                                      they join the treap when a lookup
                                      needs them */
    size_t nruns;
    uint64_t ooo_bytes;       /* bytes held beyond next */
    sess__stream_range gone[SESS__STREAM_GONE_MAX]; /* ascending, most recent */
    unsigned ngone;
    uint64_t acked;           /* highest offset the peer acknowledged */
    bool ack_pending, unseen_reported;
    double ack_ts;            /* when the acknowledged hole's grace began */
    uint64_t ack_pkt;         /* and at which packet of the flow */
};

static inline bool sess__stream_holds_beyond_hole(const sess__stream *s)
{
    return s->ooo_bytes > 0;
}

static inline bool sess__stream_grace_pending(const sess__stream *s,
                                              double *since)
{
    if (since)
        *since = s->ack_ts;
    return s->ack_pending;
}

static inline bool sess__stream_has_readable(const sess__stream *s)
{
    return s->next > s->consumed; /* readable bytes or a gap to step over */
}

#endif
