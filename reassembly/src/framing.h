/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framing.h - the framer driver: cuts a connection's streams into messages.
 */
#ifndef SESS_FRAMING_H
#define SESS_FRAMING_H

#include "tcp_conn.h"

/* Runs both directions' framers until neither makes progress, choosing the
 * framer first if needed.  `extra` carries SESS_FF_EOC when the flow is
 * being flushed: then whatever a framer still holds is cut. */
void sess__framing_run(sess_t *s, sess__flow *f, tcp_conn *c, unsigned extra);

/* Frees a framer's state (either kind). */
void sess__framer_state_free(sess_t *s, void *state);

#endif
