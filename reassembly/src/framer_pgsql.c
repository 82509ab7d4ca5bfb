/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_pgsql.c - the PostgreSQL frontend/backend protocol, version 3
 * (PostgreSQL documentation, "Frontend/Backend Protocol").
 *
 * The frontend (the originator, direction 0) opens with messages that have
 * no type byte: a 4-byte length (itself included) and a 4-byte code that
 * says StartupMessage (protocol 3.x), SSLRequest, GSSENCRequest or
 * CancelRequest; lengths outside 8..10000 (the server's own limit) or
 * another code end the framing.  Every later message, both ways, is a type
 * byte and a 4-byte length of at least 4; a type byte that the direction
 * does not send ends the framing.
 *
 * SSLRequest and GSSENCRequest are answered by one byte, 'S'/'G' (go ahead)
 * or 'N' (no), which is a message of its own; the connection state says an
 * answer is due, and the frontend starts nothing new until it has come.
 * After 'S' both directions are handed to the tls framer, after 'G' (GSSAPI
 * wrapping, not framed here) to raw; after 'N' the frontend sends its
 * StartupMessage in the clear.  The backend waits for the frontend's first
 * message (which says whether an answer byte is due) unless that cannot
 * come: the frontend is idle or ended, or its bytes are not PostgreSQL.  A
 * capture without the start is still framed by type byte.
 *
 * Summaries are the message names of the documentation; a Query and a
 * CommandComplete also show their text and an Authentication request its
 * kind, so such messages are not started before as much as the summary
 * shows is held.
 */
#include <stdio.h>

#include "framer_internal.h"

#define PG_STARTUP_MIN 8
#define PG_STARTUP_MAX 10000
#define PG_TYPED_HEADER 5

enum {
    PG_SSL_REQUEST = 80877103,
    PG_GSSENC_REQUEST = 80877104,
    PG_CANCEL_REQUEST = 80877102,
    PG_PROTOCOL_3 = 3, /* major version in the code's high 16 bits */
};

enum { REQ_NONE, REQ_SSL, REQ_GSSENC };

typedef struct pg_conn {
    bool frontend_started; /* the frontend's first message was read, or
                              its direction gave up */
    uint8_t request;       /* REQ_*: a request awaiting its 1-byte answer */
    const sess_framer *next; /* both directions hand over to this */
} pg_conn;

typedef struct pg_dir {
    sess__sized m;
    bool typed; /* the frontend's untyped messages are over */
} pg_dir;

static const char *pg_frontend_name(uint8_t t)
{
    switch (t) {
    case 'B': return "Bind";
    case 'C': return "Close";
    case 'D': return "Describe";
    case 'E': return "Execute";
    case 'F': return "FunctionCall";
    case 'H': return "Flush";
    case 'P': return "Parse";
    case 'Q': return "Query";
    case 'S': return "Sync";
    case 'X': return "Terminate";
    case 'c': return "CopyDone";
    case 'd': return "CopyData";
    case 'f': return "CopyFail";
    case 'p': return "PasswordMessage";
    default: return NULL;
    }
}

static const char *pg_backend_name(uint8_t t)
{
    switch (t) {
    case '1': return "ParseComplete";
    case '2': return "BindComplete";
    case '3': return "CloseComplete";
    case 'A': return "NotificationResponse";
    case 'C': return "CommandComplete";
    case 'D': return "DataRow";
    case 'E': return "ErrorResponse";
    case 'G': return "CopyInResponse";
    case 'H': return "CopyOutResponse";
    case 'I': return "EmptyQueryResponse";
    case 'K': return "BackendKeyData";
    case 'N': return "NoticeResponse";
    case 'R': return "Authentication";
    case 'S': return "ParameterStatus";
    case 'T': return "RowDescription";
    case 'V': return "FunctionCallResponse";
    case 'W': return "CopyBothResponse";
    case 'Z': return "ReadyForQuery";
    case 'c': return "CopyDone";
    case 'd': return "CopyData";
    case 'n': return "NoData";
    case 's': return "PortalSuspended";
    case 't': return "ParameterDescription";
    case 'v': return "NegotiateProtocolVersion";
    default: return NULL;
    }
}

static const char *pg_auth_name(uint32_t code)
{
    switch (code) {
    case 0: return "AuthenticationOk";
    case 2: return "AuthenticationKerberosV5";
    case 3: return "AuthenticationCleartextPassword";
    case 5: return "AuthenticationMD5Password";
    case 7: return "AuthenticationGSS";
    case 8: return "AuthenticationGSSContinue";
    case 9: return "AuthenticationSSPI";
    case 10: return "AuthenticationSASL";
    case 11: return "AuthenticationSASLContinue";
    case 12: return "AuthenticationSASLFinal";
    default: return "Authentication";
    }
}

static uint32_t pg_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An untyped frontend message: length, code. */
static int pg_untyped(pg_conn *c, pg_dir *d, const uint8_t *p, size_t n,
                      uint64_t *total, char info[SESS_FRAMER_INFO_SIZE])
{
    if (n < PG_STARTUP_MIN)
        return 0;
    uint32_t len = pg_u32(p), code = pg_u32(p + 4);
    if (len < PG_STARTUP_MIN || len > PG_STARTUP_MAX)
        return -1;
    if (code == PG_SSL_REQUEST || code == PG_GSSENC_REQUEST) {
        if (len != PG_STARTUP_MIN)
            return -1;
        c->request = code == PG_SSL_REQUEST ? REQ_SSL : REQ_GSSENC;
        sess__info_set(info, code == PG_SSL_REQUEST ? "SSLRequest" : "GSSENCRequest");
    } else if (code == PG_CANCEL_REQUEST) {
        sess__info_set(info, "CancelRequest");
    } else if (code >> 16 == PG_PROTOCOL_3) {
        d->typed = true;
        sess__info_set(info, "StartupMessage");
    } else {
        return -1;
    }
    *total = len;
    return 1;
}

/* A typed message: type byte, length; the summary may need the body. */
static int pg_typed(int dir, const uint8_t *p, size_t n, bool end,
                    uint64_t *total, char info[SESS_FRAMER_INFO_SIZE])
{
    const char *name = dir == 0 ? pg_frontend_name(p[0]) : pg_backend_name(p[0]);
    if (name == NULL)
        return -1;
    if (n < PG_TYPED_HEADER)
        return 0;
    uint32_t len = pg_u32(p + 1);
    if (len < 4)
        return -1;
    *total = 1 + (uint64_t)len;
    size_t have = n < *total ? n : (size_t)*total;
    size_t body = have - PG_TYPED_HEADER;
    bool text = (dir == 0 && p[0] == 'Q') || (dir == 1 && p[0] == 'C');
    if (dir == 1 && p[0] == 'R') {
        if (len >= 8 && body < 4 && !end)
            return 0;
        sess__info_set(info, body >= 4 ? pg_auth_name(pg_u32(p + PG_TYPED_HEADER))
                               : name);
        return 1;
    }
    sess__info_set(info, name);
    if (!text)
        return 1;
    size_t at = strlen(info);
    info[at++] = ':';
    info[at++] = ' ';
    size_t shown = SESS_FRAMER_INFO_SIZE - 1 - at;
    if (len - 4 < shown)
        shown = len - 4;
    if (body < shown && !end)
        return 0;
    if (body < shown)
        shown = body;
    const uint8_t *nul = memchr(p + PG_TYPED_HEADER, '\0', shown);
    sess__info_append(info, &at, p + PG_TYPED_HEADER,
                     nul ? (size_t)(nul - p - PG_TYPED_HEADER) : shown);
    return 1;
}

/* The backend's 1-byte answer to SSLRequest or GSSENCRequest ('E' is an
 * error message instead, from a server that predates the request). */
static int pg_answer(pg_conn *c, uint8_t byte, sess_framer_output *out)
{
    bool ssl = c->request == REQ_SSL;
    if (byte == 'E') {
        c->request = REQ_NONE;
        return 0;
    }
    if (byte == 'N') {
        sess__info_set(out->info, ssl ? "SSL refused" : "GSSENC refused");
    } else if (byte == (ssl ? 'S' : 'G')) {
        sess__info_set(out->info, ssl ? "SSL accepted" : "GSSENC accepted");
        c->next = ssl ? &sess_framer_tls : &sess_framer_raw;
        out->next = c->next;
    } else {
        return -1;
    }
    c->request = REQ_NONE;
    out->len = 1;
    out->partial = false;
    return 1;
}

static int pg_feed(void *dir_state, void *conn_state, const void *params,
                   const sess_framer_input *in, sess_framer_output *out)
{
    pg_dir *d = dir_state;
    pg_conn *c = conn_state;
    bool end = (in->flags & SESS_FF_END) != 0;
    (void)params;

    if (d->m.remaining > 0)
        return sess__sized_emit(&d->m, in, out);
    if (in->len == 0)
        return SESS_FRAME_NEED_MORE;
    if (c->next) {
        out->next = c->next;
        return SESS_FRAME_NEED_MORE;
    }
    int r;
    uint64_t total = 0;
    if (in->dir == 0) {
        if (c->request != REQ_NONE) /* its answer decides what follows */
            return end ? SESS_FRAME_ERROR : SESS_FRAME_NEED_MORE;
        if (in->data[0] != 0) /* no untyped length up to 10000 starts so */
            d->typed = true;
        r = d->typed ? pg_typed(0, in->data, in->len, end, &total, d->m.info)
                     : pg_untyped(c, d, in->data, in->len, &total, d->m.info);
        if (r != 0) /* parsed, or raw from here: the backend waits no more */
            c->frontend_started = true;
    } else {
        if (!c->frontend_started && !end &&
            !(in->flags & SESS_FF_PEER_IDLE))
            return SESS_FRAME_NEED_MORE;
        if (c->request != REQ_NONE) {
            r = pg_answer(c, in->data[0], out);
            if (r < 0)
                return SESS_FRAME_ERROR;
            if (r > 0)
                return SESS_FRAME_MESSAGE;
        }
        r = pg_typed(1, in->data, in->len, end, &total, d->m.info);
    }
    if (r < 0)
        return SESS_FRAME_ERROR;
    if (r == 0)
        return end ? SESS_FRAME_ERROR : SESS_FRAME_NEED_MORE;
    d->m.remaining = total;
    return sess__sized_emit(&d->m, in, out);
}

const sess_framer sess_framer_pgsql = {
    .name = "pgsql",
    .dir_state_size = sizeof(pg_dir),
    .conn_state_size = sizeof(pg_conn),
    .probe = NULL,
    .feed = pg_feed,
};
