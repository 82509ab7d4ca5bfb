/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_http.c - HTTP/1.0 and HTTP/1.1 messages (RFC 9112).
 *
 * A message is its head and its body.  The head is found by scanning for the
 * empty line that ends it (CRLF or a bare LF); the scan resumes where it
 * stopped, and the start line is checked as soon as it is complete, so a
 * head fed a byte at a time costs linear time and a stream that is not HTTP
 * is given up early.  Control bytes, a CR not followed by LF and a head over
 * 64 KiB are errors.  The header fields are parsed once, when the head is
 * complete; only the framing ones matter: Content-Length (repeated or listed
 * values must agree), Transfer-Encoding (chunked last wins over
 * Content-Length; any other last coding makes a response close-delimited
 * and a request an error), Upgrade.
 *
 * Bodies are walked by a byte-level state machine whose position (pos) and
 * counters live in the direction state, so any split of the stream gives the
 * same messages and no byte is looked at twice.  A message longer than
 * max_len is emitted in pieces of max_len as soon as they are held; the
 * walk goes on where it was, the consumed piece being subtracted from pos.
 *
 * Requests and responses are paired through the connection state: each
 * direction has a FIFO of the requests it sent, whose method decides how the
 * answer is framed (HEAD, CONNECT).  The start line, not the direction,
 * says which a message is.  A response waits for its request unless the
 * request can no longer come (the other direction is idle, or the stream
 * ends), in which case it is taken as answering a GET.  Interim responses
 * (1xx but 101) leave the request pending.  After 101 or a 2xx to CONNECT
 * both directions carry another protocol: each direction is handed to the
 * framer the 101's Upgrade field names (websocket: ws, h2c: h2), else what
 * follows is framed raw.  So
 * that a client's first tunnelled bytes are not parsed as HTTP, a direction
 * that sent CONNECT or an Upgrade request starts no new message until that
 * request is answered.  Requests beyond the FIFO's capacity are still
 * counted, and taken as GET when answered.  After a skipped gap the
 * direction resumes at the next well-formed request or status line.
 */
#include "framer_internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HTTP_HEAD_MAX (64u * 1024)  /* head, leading empty lines included */
#define HTTP_LINE_MAX (64u * 1024)  /* a chunk-size line; last chunk + trailers */
#define HTTP_PENDING_MAX 64         /* requests remembered per direction */

enum http_phase {
    PH_HEAD = 0,      /* looking for the end of the head */
    PH_PAIR,          /* response head parsed, waiting for its request */
    PH_LENGTH,        /* Content-Length body */
    PH_CHUNK_SIZE,    /* hex digits of a chunk size */
    PH_CHUNK_SIZE_WS, /* after the digits: whitespace, ';' or the line end */
    PH_CHUNK_EXT,     /* chunk extensions, up to the line end */
    PH_CHUNK_DATA,
    PH_CHUNK_DATA_END, /* the CRLF after chunk data */
    PH_TRAILER_START, /* a trailer line, or the empty line ending the message */
    PH_TRAILER_LINE,
    PH_LF,            /* a CR was read: LF must follow, then after_lf */
    PH_CLOSE,         /* body ends with the direction */
    PH_DONE,          /* message complete at pos */
    PH_RAW,           /* the connection switched protocols */
};

enum http_body { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

/* Request methods as far as framing cares, plus the "may switch" bit. */
enum {
    M_GET = 0, /* and every method whose answer frames like GET's */
    M_HEAD,
    M_CONNECT,
    M_METHOD = 0x7f,
    M_SWITCH = 0x80, /* CONNECT or Upgrade: the protocol may change */
};

typedef struct http_pending {
    uint8_t method[HTTP_PENDING_MAX]; /* ring, oldest at head */
    uint8_t head, count;
    uint8_t switching; /* entries in the ring with M_SWITCH */
    uint32_t forgotten; /* requests after the ring was full, all newer */
} http_pending;

typedef struct http_conn {
    http_pending pending[2]; /* requests sent in direction 0 and 1 */
    bool tunnel;             /* 101 or 2xx to CONNECT: HTTP is over */
    const sess_framer *switched_to; /* after a 101 naming a protocol a
                                       framer knows; NULL: raw */
} http_conn;

typedef struct http_dir {
    uint8_t phase, after_lf;
    /* head scan, offsets into the view */
    size_t scan;        /* next byte to look at */
    size_t line_start;  /* start of the line being scanned */
    size_t fields;      /* first header field line; 0 before the start line */
    /* the start line */
    bool response;
    uint8_t method;     /* M_* of a request */
    uint8_t minor;      /* HTTP/1.minor */
    uint16_t status;
    /* framing decided from the head */
    uint8_t body;       /* enum http_body */
    uint64_t length;    /* Content-Length */
    const sess_framer *upgrade; /* the framer of the Upgrade field's first
                                   protocol, if one knows it */
    /* body walk */
    size_t pos;         /* bytes of the view that belong to this message */
    uint64_t remaining; /* Content-Length or chunk bytes still to come */
    uint32_t line_len;  /* bytes of the current chunk-size line or trailers */
    bool digits;        /* the chunk-size line has a digit */
    char info[SESS_FRAMER_INFO_SIZE];
} http_dir;

/* ---- characters ------------------------------------------------------- */

static bool is_ctl(uint8_t c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* RFC 9110 5.6.2 token characters: alphanumerics and !#$%&'*+-.^_`|~ */
static const bool tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
    ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static bool is_tchar(uint8_t c)
{
    return tchar[c];
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Case-insensitive comparison with a lower-case name. */
static bool name_is(const uint8_t *p, size_t n, const char *lower)
{
    if (strlen(lower) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + ('a' - 'A') : p[i];
        if (c != (uint8_t)lower[i])
            return false;
    }
    return true;
}

static void trim_ows(const uint8_t **p, size_t *n)
{
    while (*n > 0 && is_ows((*p)[0]))
        (*p)++, (*n)--;
    while (*n > 0 && is_ows((*p)[*n - 1]))
        (*n)--;
}

/* ---- probe -------------------------------------------------------------- */

static int http_probe(const uint8_t *data, size_t len)
{
    static const char *const starts[] = {
        "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
        "TRACE ", "CONNECT ", "PATCH ", "HTTP/1.",
    };
    if (len == 0)
        return -1;
    int answer = 0;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t n = strlen(starts[i]);
        if (memcmp(data, starts[i], len < n ? len : n) != 0)
            continue;
        if (len >= n)
            return 1;
        answer = -1; /* a prefix: more bytes will tell */
    }
    return answer;
}

/* ---- the head ------------------------------------------------------------ */

static bool http_version(const uint8_t *p, uint8_t *minor)
{
    if (memcmp(p, "HTTP/1.", 7) != 0 || !is_digit(p[7]))
        return false;
    *minor = (uint8_t)(p[7] - '0');
    return true;
}

/* "HTTP/1.1 200 OK": status 1xx to 5xx, the reason phrase may be absent. */
static int http_status_line(http_dir *d, const uint8_t *p, size_t n)
{
    if (n < 12 || !http_version(p, &d->minor) || p[8] != ' ' ||
        p[9] < '1' || p[9] > '5' || !is_digit(p[10]) || !is_digit(p[11]) ||
        (n > 12 && p[12] != ' '))
        return -1;
    d->response = true;
    d->status = (uint16_t)((p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
    size_t at = 0;
    sess__info_append(d->info, &at, p + 9, n > 12 ? n - 9 : 3);
    return 0;
}

/* "GET /index.html HTTP/1.1": single spaces, a token method. */
static int http_request_line(http_dir *d, const uint8_t *p, size_t n)
{
    size_t m = 0;
    while (m < n && is_tchar(p[m]))
        m++;
    if (m == 0 || m == n || p[m] != ' ')
        return -1;
    size_t t = m + 1;
    while (t < n && p[t] != ' ')
        t++;
    if (t == m + 1 || n - t != 9 || !http_version(p + t + 1, &d->minor))
        return -1;
    d->response = false;
    d->method = M_GET;
    if (m == 4 && memcmp(p, "HEAD", 4) == 0)
        d->method = M_HEAD;
    else if (m == 7 && memcmp(p, "CONNECT", 7) == 0)
        d->method = M_CONNECT;
    size_t at = 0;
    sess__info_append(d->info, &at, p, t);
    return 0;
}

/* A start line longer than this is not taken for one after a gap. */
#define HTTP_RESYNC_LINE_MAX 8192

/* After a gap: the first offset where a complete, well-formed request or
 * status line starts (*found), or where one may start but its line is not
 * all there yet (not *found); the view's length when there is none.  A
 * method token alone is not enough: bodies carry words like "GET ", and
 * pipelined requests follow bodies without a line break. */
static size_t http_resync(const uint8_t *data, size_t len, bool end,
                          bool *found)
{
    *found = false;
    for (size_t i = 0; i < len; i++) {
        int r = http_probe(data + i, len - i);
        if (r == 0 || (r < 0 && end))
            continue;
        if (r < 0)
            return i;
        size_t avail = len - i < HTTP_RESYNC_LINE_MAX ? len - i
                                                      : HTTP_RESYNC_LINE_MAX;
        const uint8_t *lf = memchr(data + i, '\n', avail);
        if (!lf) {
            if (end || avail == HTTP_RESYNC_LINE_MAX)
                continue;
            return i;
        }
        size_t n = (size_t)(lf - (data + i));
        if (n > 0 && data[i + n - 1] == '\r')
            n--;
        http_dir scratch = {0};
        bool status = memcmp(data + i, "HTTP/1.", 7) == 0;
        if ((status ? http_status_line : http_request_line)(&scratch, data + i, n) == 0) {
            *found = true;
            return i;
        }
    }
    return len;
}

/*
 * Scans for the end of the head from d->scan.  Returns 1 when found (the
 * head is view[0, pos)), 0 when more bytes are needed, -1 if not HTTP.
 */
/* Bytes the head scan must stop at: CR, LF and the control characters
 * (every byte below 0x20 but HTAB, and DEL).  Everything else is skipped by
 * one table look-up, which is most of the head. */
static const bool head_stop[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
    [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1,
    [0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
    [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1,
    [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
    [0x1f] = 1, [0x7f] = 1,
};

/* The first stop byte in [i, end), or end. */
static size_t head_skip(const uint8_t *data, size_t i, size_t end)
{
#ifdef __SSE2__
    /* Sixteen bytes at a time: a byte stops the scan when it is below 0x20
     * (unsigned: min(c, 0x1f) == c) and not HTAB, or when it is DEL. */
    const __m128i low = _mm_set1_epi8(0x1f), tab = _mm_set1_epi8('\t'),
                  del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= end; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(data + i));
        __m128i ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab),
                                       _mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
        int mask = _mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, del)));
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    while (i < end && !head_stop[data[i]])
        i++;
    return i;
}

static int http_scan_head(http_dir *d, const uint8_t *data, size_t len)
{
    size_t end = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    for (; d->scan < end; d->scan++) {
        d->scan = head_skip(data, d->scan, end);
        if (d->scan == end)
            break;
        uint8_t c = data[d->scan];
        if (c == '\r') {
            if (d->scan + 1 == len)
                return 0; /* judged when the next byte comes */
            if (data[d->scan + 1] != '\n')
                return -1;
            continue;
        }
        if (c != '\n')
            return -1; /* a control character */
        size_t n = d->scan - d->line_start;
        if (n > 0 && data[d->scan - 1] == '\r')
            n--;
        if (d->fields == 0 && n > 0) {
            const uint8_t *line = data + d->line_start;
            int r = n >= 5 && memcmp(line, "HTTP/", 5) == 0
                        ? http_status_line(d, line, n)
                        : http_request_line(d, line, n);
            if (r < 0)
                return -1;
            d->fields = d->scan + 1;
        } else if (d->fields != 0 && n == 0) {
            d->pos = d->scan + 1;
            return 1;
        }
        /* else an empty line before the start line, tolerated (RFC 9112 2.2) */
        d->line_start = d->scan + 1;
    }
    return len >= HTTP_HEAD_MAX ? -1 : 0;
}

typedef struct http_fields {
    bool has_length;
    uint64_t length;
    bool te;           /* Transfer-Encoding present */
    bool chunked_last; /* ... and its last coding is chunked */
    unsigned chunked;  /* times chunked was applied */
    bool upgrade;
    const sess_framer *upgrade_framer; /* of the first protocol listed */
} http_fields;

/* The next element of a comma-separated field value, trimmed, from *at;
 * false past the end.  Empty elements are returned empty. */
static bool list_next(const uint8_t *p, size_t n, size_t *at,
                      const uint8_t **v, size_t *vn)
{
    if (*at > n)
        return false;
    size_t e = *at;
    while (e < n && p[e] != ',')
        e++;
    *v = p + *at;
    *vn = e - *at;
    trim_ows(v, vn);
    *at = e + 1;
    return true;
}

/* "42" or "42, 42": every value must agree with the others seen. */
static int http_content_length(http_fields *f, const uint8_t *p, size_t n)
{
    size_t at = 0, vn;
    const uint8_t *v;
    while (list_next(p, n, &at, &v, &vn)) {
        if (vn == 0)
            return -1;
        uint64_t value = 0;
        for (size_t i = 0; i < vn; i++) {
            if (!is_digit(v[i]) || value > (UINT64_MAX - 9) / 10)
                return -1;
            value = value * 10 + (v[i] - '0');
        }
        if (f->has_length && value != f->length)
            return -1;
        f->has_length = true;
        f->length = value;
    }
    return 0;
}

/* "gzip, chunked": a list of codings, empty elements allowed. */
static int http_transfer_encoding(http_fields *f, const uint8_t *p, size_t n)
{
    size_t at = 0, vn;
    const uint8_t *v;
    while (list_next(p, n, &at, &v, &vn)) {
        if (vn == 0)
            continue;
        size_t name = 0; /* the coding, before its parameters */
        while (name < vn && is_tchar(v[name]))
            name++;
        if (name == 0 || (name < vn && v[name] != ';' && !is_ows(v[name])))
            return -1;
        f->te = true;
        f->chunked_last = name_is(v, name, "chunked");
        f->chunked += f->chunked_last;
    }
    return 0;
}

/* The framer of the first protocol an Upgrade field lists ("websocket",
 * "h2c", each possibly with "/version"), or NULL. */
static const sess_framer *http_upgrade_framer(const uint8_t *p, size_t n)
{
    size_t at = 0, vn;
    const uint8_t *v;
    if (!list_next(p, n, &at, &v, &vn))
        return NULL;
    size_t name = 0;
    while (name < vn && v[name] != '/')
        name++;
    if (name_is(v, name, "websocket"))
        return &sess_framer_ws;
    if (name_is(v, name, "h2c"))
        return &sess_framer_h2;
    return NULL;
}

/* The field lines, each ending with LF (CR, if any, before it). */
static int http_parse_fields(http_fields *f, const uint8_t *p, size_t n)
{
    bool have_field = false, last_framing = false;
    size_t at = 0;
    while (at < n) {
        const uint8_t *line = p + at;
        size_t len = (size_t)((const uint8_t *)memchr(line, '\n', n - at) - line);
        at += len + 1;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (is_ows(line[0])) {
            /* obs-fold continues a value: harmless unless it hides framing */
            if (!have_field || last_framing)
                return -1;
            continue;
        }
        size_t name = 0;
        while (name < len && is_tchar(line[name]))
            name++;
        if (name == 0 || name == len || line[name] != ':')
            return -1;
        const uint8_t *v = line + name + 1;
        size_t vn = len - name - 1;
        trim_ows(&v, &vn);
        have_field = true;
        last_framing = false;
        if (name_is(line, name, "content-length")) {
            last_framing = true;
            if (http_content_length(f, v, vn) < 0)
                return -1;
        } else if (name_is(line, name, "transfer-encoding")) {
            last_framing = true;
            if (http_transfer_encoding(f, v, vn) < 0)
                return -1;
        } else if (name_is(line, name, "upgrade")) {
            if (!f->upgrade)
                f->upgrade_framer = http_upgrade_framer(v, vn);
            f->upgrade = true;
        }
    }
    return 0;
}

/* Framing per RFC 9112 6.3, before the request method and status are known. */
static int http_framing(http_dir *d, const http_fields *f)
{
    if (f->te) {
        /* An HTTP/1.0 message with Transfer-Encoding is faulty (6.1). */
        if (d->minor == 0 || f->chunked > 1)
            return -1;
        if (f->chunked_last)
            d->body = BODY_CHUNKED;
        else if (d->response)
            d->body = BODY_CLOSE;
        else
            return -1;
    } else if (f->has_length) {
        d->body = BODY_LENGTH;
        d->length = f->length;
    } else {
        d->body = d->response ? BODY_CLOSE : BODY_NONE;
    }
    return 0;
}

/* ---- pairing ------------------------------------------------------------- */

static void pending_push(http_pending *q, uint8_t method)
{
    if (q->count == HTTP_PENDING_MAX || q->forgotten > 0) {
        if (q->forgotten < UINT32_MAX)
            q->forgotten++;
        return;
    }
    q->method[(q->head + q->count) % HTTP_PENDING_MAX] = method;
    q->count++;
    q->switching += (method & M_SWITCH) != 0;
}

static uint8_t pending_front(const http_pending *q)
{
    return q->count > 0 ? q->method[q->head] : M_GET;
}

static void pending_pop(http_pending *q)
{
    if (q->count == 0) {
        q->forgotten--;
        return;
    }
    q->switching -= (q->method[q->head] & M_SWITCH) != 0;
    q->head = (uint8_t)((q->head + 1) % HTTP_PENDING_MAX);
    q->count--;
}

static void http_start_body(http_dir *d, uint8_t body)
{
    switch (body) {
    case BODY_LENGTH:
        d->remaining = d->length;
        d->phase = d->length > 0 ? PH_LENGTH : PH_DONE;
        break;
    case BODY_CHUNKED:
        d->phase = PH_CHUNK_SIZE;
        break;
    case BODY_CLOSE:
        d->phase = PH_CLOSE;
        break;
    default:
        d->phase = PH_DONE;
        break;
    }
}

/* Finds the request a response answers; false while it may still come. */
static bool http_pair(http_dir *d, http_conn *c, const sess_framer_input *in)
{
    http_pending *q = &c->pending[in->dir ^ 1];
    bool known = q->count > 0 || q->forgotten > 0;
    if (!known && !(in->flags & (SESS_FF_PEER_IDLE | SESS_FF_END)))
        return false;
    uint8_t method = known ? pending_front(q) & M_METHOD : M_GET;
    bool interim = d->status < 200 && d->status != 101;
    if (known && !interim)
        pending_pop(q);

    if (d->status == 101 || (method == M_CONNECT && d->status / 100 == 2)) {
        c->tunnel = true;
        c->switched_to = d->status == 101 ? d->upgrade : NULL;
        http_start_body(d, BODY_NONE);
    } else if (d->status < 200 || method == M_HEAD || d->status == 204 ||
               d->status == 304) {
        http_start_body(d, BODY_NONE);
    } else {
        http_start_body(d, d->body);
    }
    return true;
}

/* ---- the body -------------------------------------------------------------- */

static void http_expect_lf(http_dir *d, uint8_t then)
{
    d->phase = PH_LF;
    d->after_lf = then;
}

/* Where a complete chunk-size line leads: its data, or the trailers. */
static uint8_t http_size_line_end(http_dir *d)
{
    return d->remaining > 0 ? PH_CHUNK_DATA : PH_TRAILER_START;
}

/* One byte of chunk framing or trailers; -1 if malformed. */
static int http_chunk_byte(http_dir *d, uint8_t c)
{
    if (++d->line_len > HTTP_LINE_MAX)
        return -1;
    switch (d->phase) {
    case PH_CHUNK_SIZE: {
        int v = sess__hex_digit(c);
        if (v >= 0) {
            if (d->remaining > UINT64_MAX >> 4)
                return -1;
            d->remaining = d->remaining << 4 | (uint64_t)v;
            d->digits = true;
            return 0;
        }
        if (!d->digits)
            return -1;
        d->phase = PH_CHUNK_SIZE_WS;
    }
        /* fall through - c is the first byte after the digits */
    case PH_CHUNK_SIZE_WS:
        if (is_ows(c))
            return 0;
        if (c == ';') {
            d->phase = PH_CHUNK_EXT;
            return 0;
        }
        /* fall through - only the line end is left */
    case PH_CHUNK_EXT:
        if (c == '\r')
            http_expect_lf(d, http_size_line_end(d));
        else if (c == '\n')
            d->phase = http_size_line_end(d);
        else if (d->phase != PH_CHUNK_EXT || is_ctl(c))
            return -1;
        return 0;
    case PH_CHUNK_DATA_END:
        if (c == '\r')
            http_expect_lf(d, PH_CHUNK_SIZE);
        else if (c == '\n')
            d->phase = PH_CHUNK_SIZE;
        else
            return -1;
        return 0;
    case PH_TRAILER_START:
        if (c == '\r')
            http_expect_lf(d, PH_DONE);
        else if (c == '\n')
            d->phase = PH_DONE;
        else if (is_ctl(c))
            return -1;
        else
            d->phase = PH_TRAILER_LINE;
        return 0;
    case PH_TRAILER_LINE:
        if (c == '\r')
            http_expect_lf(d, PH_TRAILER_START);
        else if (c == '\n')
            d->phase = PH_TRAILER_START;
        else if (is_ctl(c))
            return -1;
        return 0;
    default: /* PH_LF */
        if (c != '\n')
            return -1;
        d->phase = d->after_lf;
        return 0;
    }
}

/* Walks the body from pos over the view; -1 if malformed. */
static int http_walk_body(http_dir *d, const uint8_t *data, size_t len)
{
    while (d->pos < len && d->phase != PH_DONE) {
        if (d->phase == PH_LENGTH || d->phase == PH_CHUNK_DATA) {
            uint64_t n = len - d->pos;
            if (n > d->remaining)
                n = d->remaining;
            d->pos += (size_t)n;
            d->remaining -= n;
            if (d->remaining == 0)
                d->phase = d->phase == PH_LENGTH ? PH_DONE : PH_CHUNK_DATA_END;
        } else if (d->phase == PH_CLOSE) {
            d->pos = len;
        } else {
            if (d->phase == PH_CHUNK_DATA_END) {
                /* the next chunk-size line starts after this CRLF */
                d->line_len = 0;
                d->digits = false;
            }
            if (http_chunk_byte(d, data[d->pos]) < 0)
                return -1;
            d->pos++;
        }
    }
    return 0;
}

/* ---- emission -------------------------------------------------------------- */

static int http_emit(http_dir *d, const sess_framer_input *in,
                     sess_framer_output *out)
{
    bool done = d->phase == PH_DONE;
    if (d->pos > in->max_len || (d->pos == in->max_len && !done)) {
        out->len = in->max_len;
        out->partial = true;
        memcpy(out->info, d->info, sizeof out->info);
        d->pos -= in->max_len;
        return SESS_FRAME_MESSAGE;
    }
    /* At the end a close-delimited body is complete, any other truncated. */
    if (!done && !((in->flags & SESS_FF_END) && d->pos > 0)) {
        if (d->phase == PH_LENGTH || d->phase == PH_CHUNK_DATA) {
            /* at least this much; a chunk may be followed by more */
            uint64_t at_least = d->pos + d->remaining;
            out->expect = at_least < in->max_len ? (size_t)at_least : in->max_len;
        }
        return SESS_FRAME_NEED_MORE;
    }
    out->len = d->pos;
    out->partial = false;
    memcpy(out->info, d->info, sizeof out->info);
    *d = (http_dir){0};
    return SESS_FRAME_MESSAGE;
}

static int http_feed(void *dir_state, void *conn_state, const void *params,
                     const sess_framer_input *in, sess_framer_output *out)
{
    http_dir *d = dir_state;
    http_conn *c = conn_state;
    bool end = (in->flags & SESS_FF_END) != 0;
    (void)params;

    if (d->phase == PH_HEAD && c->tunnel) {
        if (c->switched_to) {
            out->next = c->switched_to;
            return SESS_FRAME_NEED_MORE;
        }
        d->phase = PH_RAW;
    }
    if (d->phase == PH_RAW) {
        int r = sess_framer_raw.feed(NULL, NULL, NULL, in, out);
        if (r == SESS_FRAME_MESSAGE)
            sess__info_set(out->info, "raw after upgrade");
        return r;
    }
    if ((in->flags & SESS_FF_GAP) && d->phase == PH_HEAD) {
        bool found;
        size_t at = http_resync(in->data, in->len, end, &found);
        if (at > 0)
            return sess__skip_to(at, in, out);
        if (!found)
            return SESS_FRAME_NEED_MORE;
    }
    if (d->phase == PH_HEAD) {
        if (c->pending[in->dir].switching > 0 && !end)
            return SESS_FRAME_NEED_MORE;
        int r = http_scan_head(d, in->data, in->len);
        if (r < 0)
            return SESS_FRAME_ERROR;
        if (r == 0) /* a head cut by the end of the stream is not HTTP */
            return end && in->len > 0 ? SESS_FRAME_ERROR : SESS_FRAME_NEED_MORE;
        http_fields f = {0};
        if (http_parse_fields(&f, in->data + d->fields,
                              d->line_start - d->fields) < 0 ||
            http_framing(d, &f) < 0)
            return SESS_FRAME_ERROR;
        if (d->response) {
            d->upgrade = f.upgrade_framer;
            d->phase = PH_PAIR;
        } else {
            bool switching = d->method == M_CONNECT || f.upgrade;
            pending_push(&c->pending[in->dir],
                         (uint8_t)(d->method | (switching ? M_SWITCH : 0)));
            http_start_body(d, d->body);
        }
    }
    if (d->phase == PH_PAIR && !http_pair(d, c, in))
        return SESS_FRAME_NEED_MORE;
    if (http_walk_body(d, in->data, in->len) < 0)
        return SESS_FRAME_ERROR;
    return http_emit(d, in, out);
}

const sess_framer sess_framer_http = {
    .name = "http",
    .dir_state_size = sizeof(http_dir),
    .conn_state_size = sizeof(http_conn),
    .probe = http_probe,
    .feed = http_feed,
    .resyncs = true,
};
