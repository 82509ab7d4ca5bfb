/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The README's example framer: netstrings ("5:hello,"). */
#include <stdio.h>
#include "sessions_framer.h"

static int netstring_probe(const uint8_t *d, size_t n)
{
    if (n == 0) return -1;
    return d[0] >= '0' && d[0] <= '9';
}

static int netstring_feed(void *dir_state, void *conn_state, const void *params,
                          const sess_framer_input *in, sess_framer_output *out)
{
    size_t len = 0, i = 0;
    while (i < in->len && in->data[i] >= '0' && in->data[i] <= '9') {
        len = len * 10 + (size_t)(in->data[i++] - '0');
        if (len > in->max_len) return SESS_FRAME_ERROR;
    }
    if (i == in->len) return i > 9 ? SESS_FRAME_ERROR : SESS_FRAME_NEED_MORE;
    if (i == 0 || in->data[i] != ':') return SESS_FRAME_ERROR;
    size_t total = i + 1 + len + 1;            /* digits ':' body ',' */
    if (total > in->max_len) return SESS_FRAME_ERROR;
    if (in->len < total) {
        out->expect = total;                   /* sizes the buffer once */
        return SESS_FRAME_NEED_MORE;
    }
    if (in->data[total - 1] != ',') return SESS_FRAME_ERROR;
    out->len = total;
    snprintf(out->info, sizeof out->info, "%zu bytes", len);
    return SESS_FRAME_MESSAGE;
}

const sess_framer netstring_framer = {
    .name = "netstring",
    .probe = netstring_probe,
    .feed = netstring_feed,
};
