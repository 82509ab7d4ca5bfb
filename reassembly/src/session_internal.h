/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session_internal.h - the session's state, shared by the stages it drives.
 *
 * A session (struct sess) owns the flow table, the defragmenter, the stream
 * pool and the caller's callback.  The stages that run inside
 * sess_on_packet() live in their own files -- tcp_conn.c (connection
 * tracking), framing.c (framer choice and feeding) -- and report through
 * the helpers below, so every event leaves by one door: sess__emit() stamps
 * it with the frame the output belongs to and hands it to the callback.
 * Names starting with sess__ are internal to the core.
 */
#ifndef SESS_SESSION_INTERNAL_H
#define SESS_SESSION_INTERNAL_H

#include "alloc.h"
#include "decode.h"
#include "flow.h"
#include "ipfrag.h"
#include "sessions_framer.h"
#include "stream.h"

struct sess {
    sess_config cfg;
    sess__alloc alloc;         /* cfg.realloc: every module points here */
    bool nomem;                /* an allocation failed during this call */
    sess_event_cb cb;
    void *user;
    sess__flow_table flows;
    sess__ipfrag *frag;
    sess__stream_pool *pool;
    sess__stream_config stream_cfg;
    sess_counts counts;
    uint64_t emit_frame;
    double now;                /* the latest capture time, in seconds */
    sess_time now_ts;          /* the same, exact */
    size_t memcap_next;        /* pool bytes that trigger the next memcap pass */
    /* Directions in an ACK's grace, oldest first (tcp_conn.h). */
    struct sess__tcp_grace *grace_head, *grace_tail;
    bool streams_changed;      /* a hole was given up during this packet */
    uint32_t unsupported[16];  /* link types already reported */
    size_t nunsupported;
    sess__u64vec frames;        /* scratch: frames of the message being cut */
    /* A fragment found in a tunnel inside a reassembled datagram: its bytes,
     * which the defragmenter's next call would free, and how deep such
     * datagrams nest at the moment. */
    uint8_t *nested_frag;
    size_t nested_frag_cap;
    unsigned frag_nesting;
};

static inline void sess__emit(sess_t *s, sess_event *ev)
{
    ev->frame = s->emit_frame;
    if (s->cb)
        s->cb(s->user, ev);
}

/* An anomaly event; `f` may be NULL, `detail` is copied by no one: it must
 * live until the callback returns. */
void sess__emit_anomaly(sess_t *s, const sess__flow *f, sess_anomaly what,
                        const char *detail);


/* A capture time in seconds, for timeouts: precise to about a microsecond
 * at today's dates, which no timeout needs to beat. */
static inline double sess__seconds(sess_time t)
{
    return (double)t.sec + (double)t.nsec * 1e-9;
}

/* An allocation failed: reports what was lost (SESS_AN_NOMEM) and makes
 * the call feeding the frame return SESS_ENOMEM. */
void sess__report_nomem(sess_t *s, const sess__flow *f, const char *lost);

#endif
