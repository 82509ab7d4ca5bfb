/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_raw.c - the whole stream of a direction as one message.
 *
 * Used when no framer knows the protocol, and for the rest of a direction
 * once a framer has given up.  The message is emitted when the direction
 * ends; a stream longer than max_len is emitted in pieces of max_len as soon
 * as that much is held, so memory stays bounded and the pieces do not depend
 * on how the bytes arrived.  No state: the view is the message so far.
 */
#include "sessions_framer.h"

static int raw_feed(void *dir_state, void *conn_state, const void *params,
                    const sess_framer_input *in, sess_framer_output *out)
{
    (void)dir_state;
    (void)conn_state;
    (void)params;
    if (in->len >= in->max_len) {
        out->len = in->max_len;
        out->partial = true;
    } else if ((in->flags & SESS_FF_END) && in->len > 0) {
        out->len = in->len;
        out->partial = false;
    } else {
        return SESS_FRAME_NEED_MORE;
    }
    out->info[0] = '\0';
    return SESS_FRAME_MESSAGE;
}

const sess_framer sess_framer_raw = {
    .name = "raw",
    .dir_state_size = 0,
    .conn_state_size = 0,
    .probe = NULL,
    .feed = raw_feed,
};
