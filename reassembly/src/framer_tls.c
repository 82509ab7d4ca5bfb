/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_tls.c - TLS records (RFC 8446 5.1, RFC 5246 6.2).
 *
 * One message per record: the 5-byte header (content type, version, length)
 * and the fragment.  The header is checked byte by byte as it arrives, so
 * bytes that are not TLS end the framing at once instead of after a bogus
 * length's worth of data.  Accepted: content types 20 to 24, record version
 * 3.0 to 3.4, a length of at most 2^14 + 2048 (the ciphertext bound), and an
 * empty fragment only for application data (an empty handshake, alert or
 * change_cipher_spec record is forbidden).  SSL 2 is not handled.  After a
 * skipped gap the direction resumes at a header that passes these checks
 * and is followed by another that does.
 */
#include "framer_internal.h"

#define TLS_HEADER_LEN 5
#define TLS_MAX_FRAGMENT (16384 + 2048)

enum {
    TLS_CHANGE_CIPHER_SPEC = 20,
    TLS_ALERT = 21,
    TLS_HANDSHAKE = 22,
    TLS_APPLICATION_DATA = 23,
    TLS_HEARTBEAT = 24,
};

/* 0 if the first n bytes may start a record header, -1 if they cannot. */
static int tls_header_check(const uint8_t *p, size_t n)
{
    if (n >= 1 && (p[0] < TLS_CHANGE_CIPHER_SPEC || p[0] > TLS_HEARTBEAT))
        return -1;
    if (n >= 2 && p[1] != 3)
        return -1;
    if (n >= 3 && p[2] > 4)
        return -1;
    if (n >= TLS_HEADER_LEN) {
        unsigned len = (unsigned)p[3] << 8 | p[4];
        if (len > TLS_MAX_FRAGMENT || (len == 0 && p[0] != TLS_APPLICATION_DATA))
            return -1;
    }
    return 0;
}

static const char *tls_type_name(uint8_t type)
{
    switch (type) {
    case TLS_CHANGE_CIPHER_SPEC: return "Change Cipher Spec";
    case TLS_ALERT: return "Alert";
    case TLS_HANDSHAKE: return "Handshake";
    case TLS_APPLICATION_DATA: return "Application Data";
    default: return "Heartbeat";
    }
}

static int tls_probe(const uint8_t *data, size_t len)
{
    if (len >= 1 && data[0] != TLS_HANDSHAKE)
        return 0;
    if (tls_header_check(data, len) < 0)
        return 0;
    return len >= TLS_HEADER_LEN ? 1 : -1;
}

/* After a gap: the first offset where a record header passes the checks
 * and the next record's header does too (*found), or where that cannot be
 * told before more bytes come (not *found); the view's length when no
 * header can start there. */
static size_t tls_resync(const uint8_t *p, size_t len, bool end, bool *found)
{
    *found = false;
    for (size_t i = 0; i < len; i++) {
        size_t n = len - i;
        if (tls_header_check(p + i, n < TLS_HEADER_LEN ? n : TLS_HEADER_LEN) < 0)
            continue;
        if (n < TLS_HEADER_LEN) {
            if (end)
                continue;
            return i;
        }
        size_t following = TLS_HEADER_LEN + ((size_t)p[i + 3] << 8 | p[i + 4]);
        if (following + TLS_HEADER_LEN <= n) {
            if (tls_header_check(p + i + following, TLS_HEADER_LEN) == 0) {
                *found = true;
                return i;
            }
            continue;
        }
        *found = end;
        return i;
    }
    return len;
}

static int tls_feed(void *dir_state, void *conn_state, const void *params,
                    const sess_framer_input *in, sess_framer_output *out)
{
    sess__sized *m = dir_state;
    (void)conn_state;
    (void)params;

    if (m->remaining == 0 && (in->flags & SESS_FF_GAP)) {
        bool found;
        size_t at = tls_resync(in->data, in->len,
                               (in->flags & SESS_FF_END) != 0, &found);
        if (at > 0)
            return sess__skip_to(at, in, out);
        if (!found)
            return SESS_FRAME_NEED_MORE;
    }
    if (m->remaining == 0) {
        if (tls_header_check(in->data, in->len) < 0)
            return SESS_FRAME_ERROR;
        if (in->len < TLS_HEADER_LEN)
            return (in->flags & SESS_FF_END) && in->len > 0
                       ? SESS_FRAME_ERROR
                       : SESS_FRAME_NEED_MORE;
        m->remaining = TLS_HEADER_LEN + ((unsigned)in->data[3] << 8 | in->data[4]);
        sess__info_set(m->info, tls_type_name(in->data[0]));
    }
    return sess__sized_emit(m, in, out);
}

const sess_framer sess_framer_tls = {
    .name = "tls",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = tls_probe,
    .feed = tls_feed,
    .resyncs = true,
};
