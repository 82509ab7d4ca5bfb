/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_generic.c - framers configured by parameters instead of code.
 *
 * Length-prefixed: a field at a fixed offset gives the length, and the
 * message is offset + size + value + adjustment bytes, the arithmetic of
 * Wireshark's tcp_dissect_pdus(), so a dissector's get_pdu_len translates
 * directly.  A message that would end inside its own length field cannot be
 * right and ends the framing.
 *
 * Delimiter-terminated: a message ends just after the delimiter; when the
 * direction ends, the bytes after the last delimiter are the last message.
 * The scan position is kept in the direction state so bytes arriving one at a
 * time are each looked at about once.  A message that reaches max_len without
 * a delimiter is cut; the last delim_len - 1 bytes of the cut piece are kept
 * ("carry") because a delimiter may straddle the cut, and the search then
 * runs over carry + view.
 */
#include <inttypes.h>
#include <stdio.h>

#include "framer_internal.h"
#include "sessions.h"

/* ---- length-prefixed -------------------------------------------------- */

static int length_feed(void *dir_state, void *conn_state, const void *params,
                       const sess_framer_input *in, sess_framer_output *out)
{
    sess__sized *m = dir_state;
    const sess_length_params *p = params;
    (void)conn_state;

    if (m->remaining == 0) {
        if (in->len == 0) /* an idle direction is no error, even misconfigured */
            return SESS_FRAME_NEED_MORE;
        if (p == NULL || (p->size != 1 && p->size != 2 && p->size != 4))
            return SESS_FRAME_ERROR;
        uint64_t header = (uint64_t)p->offset + p->size;
        if (in->len < header)
            return in->flags & SESS_FF_END ? SESS_FRAME_ERROR
                                           : SESS_FRAME_NEED_MORE;
        const uint8_t *field = in->data + p->offset;
        uint64_t value = 0;
        for (unsigned i = 0; i < p->size; i++)
            value = value << 8 |
                    field[p->little_endian ? p->size - 1 - i : i];
        int64_t total = (int64_t)(header + value) + p->adjustment;
        if (total < (int64_t)header)
            return SESS_FRAME_ERROR;
        m->remaining = (uint64_t)total;
        snprintf(m->info, sizeof m->info, "%" PRIu64 " bytes", m->remaining);
    }
    return sess__sized_emit(m, in, out);
}

const sess_framer sess_framer_length = {
    .name = "length",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL,
    .feed = length_feed,
};

/* ---- delimiter-terminated --------------------------------------------- */

#define DELIM_MAX ((int)sizeof(((sess_delim_params *)0)->delim))

typedef struct delim_dir {
    size_t scan;                 /* first position of carry + view not tried */
    uint8_t carry[DELIM_MAX - 1]; /* tail of the last cut piece */
    uint8_t carry_len;
} delim_dir;

/* Byte i of carry + view. */
static uint8_t delim_byte(const delim_dir *d, const uint8_t *data, size_t i)
{
    return i < d->carry_len ? d->carry[i] : data[i - d->carry_len];
}

static bool delim_at(const delim_dir *d, const sess_delim_params *p,
                     const uint8_t *data, size_t i)
{
    for (size_t k = 0; k < p->delim_len; k++)
        if (delim_byte(d, data, i + k) != p->delim[k])
            return false;
    return true;
}

/* The message's own bytes, delimiter left out, make its summary. */
static void delim_info(sess_framer_output *out, const uint8_t *data, size_t n)
{
    size_t at = 0;
    sess__info_append(out->info, &at, data, n);
}

static int delim_feed(void *dir_state, void *conn_state, const void *params,
                      const sess_framer_input *in, sess_framer_output *out)
{
    delim_dir *d = dir_state;
    const sess_delim_params *p = params;
    (void)conn_state;

    if (in->len == 0) /* an idle direction is no error, even misconfigured */
        return SESS_FRAME_NEED_MORE;
    if (p == NULL || p->delim_len == 0 || p->delim_len > DELIM_MAX)
        return SESS_FRAME_ERROR;
    size_t dlen = p->delim_len;
    size_t view = in->len < in->max_len ? in->len : in->max_len;
    size_t window = d->carry_len + view;

    /* The carry is shorter than a delimiter, so a match ends in the view. */
    for (; d->scan + dlen <= window; d->scan++) {
        if (delim_at(d, p, in->data, d->scan)) {
            size_t n = d->scan + dlen - d->carry_len;
            out->len = n;
            out->partial = false;
            delim_info(out, in->data, n > dlen ? n - dlen : 0);
            *d = (delim_dir){0};
            return SESS_FRAME_MESSAGE;
        }
    }
    if (in->len >= in->max_len) {
        size_t keep = dlen - 1 < window ? dlen - 1 : window;
        uint8_t tail[DELIM_MAX - 1];
        for (size_t k = 0; k < keep; k++)
            tail[k] = delim_byte(d, in->data, window - keep + k);
        memcpy(d->carry, tail, keep);
        d->carry_len = (uint8_t)keep;
        d->scan = 0;
        out->len = in->max_len;
        out->partial = true;
        delim_info(out, in->data, in->max_len);
        return SESS_FRAME_MESSAGE;
    }
    if (in->flags & SESS_FF_END) {
        out->len = in->len;
        out->partial = false;
        delim_info(out, in->data, in->len);
        *d = (delim_dir){0};
        return SESS_FRAME_MESSAGE;
    }
    return SESS_FRAME_NEED_MORE;
}

const sess_framer sess_framer_delim = {
    .name = "delim",
    .dir_state_size = sizeof(delim_dir),
    .conn_state_size = 0,
    .probe = NULL,
    .feed = delim_feed,
};

int sess_delim_parse(const char *text, sess_delim_params *out)
{
    if (text == NULL || out == NULL)
        return SESS_EINVAL;
    sess_delim_params p = {0};
    for (const char *s = text; *s != '\0'; s++) {
        uint8_t byte;
        if (*s != '\\') {
            byte = (uint8_t)*s;
        } else {
            switch (*++s) {
            case 'r': byte = '\r'; break;
            case 'n': byte = '\n'; break;
            case 't': byte = '\t'; break;
            case '0': byte = '\0'; break;
            case '\\': byte = '\\'; break;
            case 'x': {
                int hi = sess__hex_digit(s[1]);
                int lo = hi < 0 ? -1 : sess__hex_digit(s[2]);
                if (lo < 0)
                    return SESS_EINVAL;
                byte = (uint8_t)(hi << 4 | lo);
                s += 2;
                break;
            }
            default: /* unknown escape, or a lone backslash at the end */
                return SESS_EINVAL;
            }
        }
        if (p.delim_len == DELIM_MAX)
            return SESS_EINVAL;
        p.delim[p.delim_len++] = byte;
    }
    if (p.delim_len == 0)
        return SESS_EINVAL;
    *out = p;
    return SESS_OK;
}
