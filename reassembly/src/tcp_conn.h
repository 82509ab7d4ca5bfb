/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp_conn.h - one TCP connection: both streams, the handshake seen, the
 * Zeek-style history and the framers chosen for it.
 */
#ifndef SESS_TCP_CONN_H
#define SESS_TCP_CONN_H

#include "session_internal.h"

typedef struct tcp_dir_ctx {
    struct sess *s;
    sess__flow *flow;
    uint8_t dir;
} tcp_dir_ctx;

/* A direction whose acknowledged hole is in its grace, queued by the time
 * the grace began: capture time never runs backwards, so the session's
 * queue (sess->grace_head) is in deadline order and any packet can end
 * the graces that ran out by checking the head only. */
typedef struct sess__tcp_grace {
    struct sess__tcp_grace *prev, *next;
    struct tcp_conn *conn;
    double since;   /* capture time the grace began */
    bool queued;
} sess__tcp_grace;

/* Both directions of one TCP connection. */
typedef struct tcp_conn {
    sess__stream stream[2];
    tcp_dir_ctx ctx[2];
    uint32_t isn[2];
    bool syn[2], synack[2], psh[2];
    bool fin[2], rst[2];          /* ones that count (tcp_conn.c checks them) */
    bool data[2];                 /* payload seen (keep-alives aside) */
    bool past_syn[2];             /* a segment without SYN sent */
    bool has_ack[2];
    uint32_t first_ack[2], last_ack[2]; /* acknowledgements sent */
    sess__tcp_grace grace[2];
    uint32_t seen_letters[2];     /* history letters already recorded */
    uint8_t history_len;
    const sess_framer *framer[2]; /* NULL until chosen */
    const void *params[2];
    int8_t first_dir;             /* direction that sent data first, or -1 */
    void *dir_state[2];
    void *conn_state;
    bool done[2];                 /* direction complete and fully framed */
    size_t expect[2];             /* view length the framer announced (0: none) */
    uint64_t gap[2];              /* bytes skipped before the view, until the
                                     framer has found its place again */
} tcp_conn;

/* Tracks the connection's lifecycle (every session kind) and, for
 * TCPSession, reassembles and frames its streams.  Creates the connection
 * state (f->ext) on the flow's first segment. */
void sess__tcp_segment(sess_t *s, sess__flow *f, uint8_t d, const sess__pkt *p);

/* Whether this segment (direction d) starts a new connection on f's
 * 4-tuple, so that f must end first. */
bool sess__tcp_starts_new_flow(const sess__flow *f, uint8_t d,
                               const sess__pkt *p);

/* Zeek's connection state (S0, SF, REJ, RSTO, ...). */
const char *sess__tcp_conn_state(const tcp_conn *c);

void sess__tcp_conn_free(sess_t *s, tcp_conn *c);

/* Gives up every hole of both streams (RST, end of the flow); a failure is
 * reported with the bytes it leaves undelivered. */
void sess__tcp_give_up_all(sess_t *s, sess__flow *f, tcp_conn *c);

/* Ends the graces that ran out by capture time (s->now), whichever flow
 * the current packet belongs to: each hole is given up and its flow framed
 * on that flow's last frame.  O(1) when none is due. */
void sess__tcp_grace_expire(sess_t *s);

#endif
