/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sessions_framer.h - cutting a reassembled TCP stream into messages.
 *
 * A framer is Scapy's tcp_reassemble() hook as a small vtable.  For each
 * direction the core keeps the bytes a framer has not consumed yet, and
 * calls feed() with a view of them (from the first unconsumed byte to the
 * first hole) whenever that view grows or the direction's state changes.
 * feed() answers one of:
 *
 *   SESS_FRAME_NEED_MORE   nothing to emit yet; call again with more bytes.
 *                          The view is kept, so the framer may re-read it;
 *                          it may also remember how far it has scanned in
 *                          its direction state to avoid re-scanning.  When
 *                          it knows how long the message is, it says so in
 *                          out->expect.
 *   SESS_FRAME_MESSAGE     the first out->len bytes of the view are one
 *                          message; the core emits them and calls feed()
 *                          again with the rest (several messages per segment).
 *   SESS_FRAME_ERROR       the bytes are not this protocol; the core reports
 *                          an anomaly and frames the rest of the direction raw.
 *
 * A message never exceeds in->max_len bytes: a framer that needs more
 * returns a partial message of max_len bytes (out->partial) and continues the
 * same message in its state.  When in->flags has SESS_FF_FIN, SESS_FF_RST or
 * SESS_FF_EOC (SESS_FF_END) no more bytes will come: the framer should emit
 * what it holds (e.g. a close-delimited body) rather than answer NEED_MORE.
 * A framer never emits an empty message.
 *
 * Gaps: a given-up hole longer than the session's hole fill limit is not
 * zero-filled but skipped.  A message the framer holds when the view ends
 * at such a gap (it answers NEED_MORE) is emitted by the core as a partial
 * message of the framer's protocol, its `missing` counting the gap.  Then
 * the direction starts afresh after the gap: a framer with `resyncs` set
 * gets a fresh direction state and SESS_FF_GAP (with in->gap, the bytes
 * skipped) on every feed() until it returns a message; it looks for the
 * next plausible message start, returns the bytes before it as a partial
 * message (or NEED_MORE while it cannot tell), then frames as usual.  A
 * framer without `resyncs` cannot know where its messages start again: the
 * rest of the direction is framed raw (an anomaly says so).  Built-ins:
 * http resynchronises on a request line (a method token and a space) or a
 * status line ("HTTP/1."), at the view's start or a line start; tls on a
 * plausible record header (type 20-24, version 3.0-3.4, length at most
 * 2^14 + 2048) followed by another one when its bytes are there; raw has
 * nothing to find.  dns, length, delim, krb, pgsql, dcerpc, nbss, ldap, ws,
 * h2 and mqtt do not resynchronise: their lengths and states cannot be
 * recovered from the middle of a stream.
 *
 * State: dir_state (dir_state_size bytes, zeroed) is per direction;
 * conn_state (conn_state_size bytes, zeroed) is shared by both directions of
 * the connection, e.g. to pair HTTP requests with responses.  `params` is the
 * table entry's parameters (generic framers), NULL for built-ins.
 */
#ifndef SESSIONS_FRAMER_H
#define SESSIONS_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SESS_FRAME_ERROR = -1,
    SESS_FRAME_NEED_MORE = 0,
    SESS_FRAME_MESSAGE = 1,
};

/* Bits of sess_framer_input.flags */
enum {
    SESS_FF_PSH = 1u << 0,  /* the last segment of the view had PSH */
    SESS_FF_FIN = 1u << 1,  /* the direction is complete: the view is all */
    SESS_FF_RST = 1u << 2,  /* the connection was reset */
    SESS_FF_EOC = 1u << 3,  /* end of capture (or flow idle/evicted) */
    SESS_FF_PEER_IDLE = 1u << 4, /* the other direction holds no unconsumed
                                    bytes and no hole */
    SESS_FF_GAP = 1u << 5,  /* in->gap bytes were skipped just before the
                               view (or before bytes already emitted since):
                               find the next message start (framers with
                               `resyncs` only) */
};

/* Any of these: no more bytes will come in this direction. */
#define SESS_FF_END (SESS_FF_FIN | SESS_FF_RST | SESS_FF_EOC)

/* Size of sess_framer_output.info, terminating NUL included. */
#define SESS_FRAMER_INFO_SIZE 96

typedef struct sess_framer_input {
    const uint8_t *data; /* unconsumed bytes, contiguous */
    size_t len;
    size_t max_len;      /* largest message allowed, at least 1 */
    unsigned flags;      /* SESS_FF_* */
    uint8_t dir;         /* 0 originator->responder, 1 reverse */
    uint64_t gap;        /* with SESS_FF_GAP: the bytes skipped */
} sess_framer_input;

/* Zeroed by the core before each feed(). */
typedef struct sess_framer_output {
    size_t len;          /* message length (SESS_FRAME_MESSAGE) */
    size_t expect;       /* with SESS_FRAME_NEED_MORE: the view length at
                            which the framer will answer something else,
                            when it knows it (a length header was read),
                            else 0.  A promise: until the view reaches it,
                            and unless the direction ends (SESS_FF_END), the
                            core does not call feed() again; it also sizes
                            its buffer for it once instead of growing it as
                            the bytes come. */
    bool partial;        /* message cut at max_len */
    char info[SESS_FRAMER_INFO_SIZE]; /* short summary, e.g. "GET /index.html" */
    const struct sess_framer *next; /* with MESSAGE or NEED_MORE, when the
                            protocol changes (an HTTP upgrade, PostgreSQL's
                            SSLRequest): the framer that cuts this direction
                            from the byte after the message (MESSAGE) or from
                            the view's first byte (NEED_MORE), with a fresh
                            direction state; a framer named here must have no
                            connection state (conn_state_size 0) */
} sess_framer_output;

typedef struct sess_framer {
    const char *name;
    size_t dir_state_size;
    size_t conn_state_size;
    /* 1 = these first bytes look like this protocol, 0 = they do not,
     * -1 = too few bytes to tell.  May be NULL (never chosen by heuristic). */
    int (*probe)(const uint8_t *data, size_t len);
    int (*feed)(void *dir_state, void *conn_state, const void *params,
                const sess_framer_input *in, sess_framer_output *out);
    bool resyncs;        /* feed() handles SESS_FF_GAP (see above); false:
                            the direction goes raw after a gap */
} sess_framer;

extern const sess_framer sess_framer_raw;
extern const sess_framer sess_framer_http;
extern const sess_framer sess_framer_tls;
extern const sess_framer sess_framer_dns;
extern const sess_framer sess_framer_length; /* params: sess_length_params */
extern const sess_framer sess_framer_delim;  /* params: sess_delim_params */
extern const sess_framer sess_framer_krb;
extern const sess_framer sess_framer_pgsql;
extern const sess_framer sess_framer_dcerpc;
extern const sess_framer sess_framer_nbss;
extern const sess_framer sess_framer_ldap;
extern const sess_framer sess_framer_ws;
extern const sess_framer sess_framer_h2;
extern const sess_framer sess_framer_mqtt;

/* Length-prefixed: message length = offset + size + value + adjustment,
 * as Wireshark's tcp_dissect_pdus. */
typedef struct sess_length_params {
    uint32_t offset;     /* where the length field starts */
    uint8_t size;        /* 1, 2 or 4 */
    bool little_endian;
    int32_t adjustment;
} sess_length_params;

/* Delimiter-terminated, delimiter included in the message. */
typedef struct sess_delim_params {
    uint8_t delim[16];
    uint8_t delim_len;   /* 1..16 */
} sess_delim_params;

/* ---- framer selection ------------------------------------------------- */

typedef struct sess_framer_entry {
    uint16_t port;               /* responder's TCP port */
    const sess_framer *framer;
    const void *params;          /* must outlive the table's users */
} sess_framer_entry;

/* Chosen once per connection: first entry whose port is the responder's
 * port; else, if use_heuristics, the first framer in `heuristics` whose probe
 * says yes on the first bytes of whichever side sends first; else raw. */
typedef struct sess_framer_table {
    const sess_framer_entry *entries;
    size_t nentries;
    const sess_framer *const *heuristics;
    size_t nheuristics;
} sess_framer_table;

/* The built-in table described above. */
const sess_framer_table *sess_framer_table_default(void);

/* Parses "\r\n"-style escapes (\r \n \t \0 \\ \xHH) into params; returns
 * SESS_OK or SESS_EINVAL. */
int sess_delim_parse(const char *text, sess_delim_params *out);

#ifdef __cplusplus
}
#endif
#endif
