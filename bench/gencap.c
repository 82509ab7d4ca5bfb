/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gencap - writes a large, realistic, deterministic capture for the Sessions
 * benchmark: classic pcap, Ethernet link type.
 *
 *   gencap [--in-order] [--no-udp] [--scale X] OUT.pcap MIN_PACKETS MIN_BYTES
 *          MIN_FLOWS [SEED]
 *
 * --in-order drops the reordering and retransmissions, --no-udp the UDP
 * flows, and --scale multiplies every response body (the flows, requests
 * and handshakes stay the same), for the allocation check.
 * Flows are started until all three minimums are reached; about 256 run at
 * once and their packets are interleaved.  The mix:
 *   - HTTP/1.1 on port 80: keep-alive, 1-6 requests per connection (GET and
 *     some POST with a body), responses with Content-Length or (20%) chunked.
 *   - TLS-like on port 443: ClientHello record, ServerHello + ChangeCipherSpec
 *     + encrypted-handshake records, then application-data records carrying
 *     1-6 request/response exchanges.
 *   - UDP datagrams, many larger than the MTU and sent as IPv4 fragments.
 * 12% of TCP flows run over IPv6.  Every TCP flow has a full handshake, a
 * FIN close, and delayed ACKs from the receiver (one per two segments).  1%
 * of data segments are swapped with the next segment of the same direction
 * (reordered) and 0.5% are sent twice (retransmitted a few packets later).
 * Statistics go to stdout as "key value" lines.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic random numbers (xorshift64*) ------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi) /* inclusive */
{
    return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

static int chance(double p) { return (rnd() >> 11) * (1.0 / 9007199254740992.0) < p; }

/* ---- growable byte and packet vectors ------------------------------------ */

typedef struct {
    uint8_t *d;
    size_t len, cap;
} bytes;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        perror("realloc");
        exit(1);
    }
    return p;
}

static uint8_t *bytes_grow(bytes *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->len + n)
            c *= 2;
        b->d = xrealloc(b->d, c);
        b->cap = c;
    }
    uint8_t *p = b->d + b->len;
    b->len += n;
    return p;
}

static void bytes_put(bytes *b, const void *p, size_t n) { memcpy(bytes_grow(b, n), p, n); }

static void bytes_printf(bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bytes_printf(bytes *b, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    bytes_put(b, tmp, (size_t)n);
}

typedef struct {
    uint32_t off, len; /* frame bytes in the flow's buffer */
    uint8_t dir;       /* 0 client->server, 1 server->client */
    uint8_t data;      /* TCP segment with payload (2: a retransmitted copy) */
    uint8_t fin;       /* TCP FIN */
} pkt;

typedef struct flow {
    bytes buf;       /* all frames, back to back */
    pkt *p;
    size_t n, cap, next;
    /* addressing */
    int v6, udp;
    uint8_t mac[2][6];
    uint8_t a4[2][4];
    uint8_t a6[2][16];
    uint16_t port[2];
    uint32_t seq[2];
    uint16_t ipid[2];
    unsigned unacked[2]; /* data segments sent by dir and not yet acked */
} flow;

/* ---- statistics ----------------------------------------------------------- */

static struct {
    uint64_t packets, bytes, flows, tcp, udp, http, tls, v6;
    uint64_t data_segments, reordered, retransmitted, fragments, datagrams;
    uint64_t payload;
} stat;

/* ---- frame building ------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, (uint16_t)v); }

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    while (n > 1) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        n -= 2;
    }
    if (n)
        s += (uint32_t)(p[0] << 8);
    return s;
}

static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void add_pkt(flow *f, size_t off, int dir, int data, int fin)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->p = xrealloc(f->p, f->cap * sizeof *f->p);
    }
    f->p[f->n++] = (pkt){(uint32_t)off, (uint32_t)(f->buf.len - off), (uint8_t)dir,
                         (uint8_t)data, (uint8_t)fin};
}

/* Ethernet + IP header for an L4 payload of l4len bytes; returns the L4
 * start.  For IPv4 fragments, frag_off (in bytes) and more are honoured. */
static uint8_t *put_l2l3(flow *f, int dir, uint8_t proto, size_t l4len, uint16_t id,
                         uint32_t frag_off, int more)
{
    int s = dir, d = !dir;
    uint8_t *e = bytes_grow(&f->buf, 14);
    memcpy(e, f->mac[d], 6);
    memcpy(e + 6, f->mac[s], 6);
    if (f->v6) {
        put16(e + 12, 0x86DD);
        uint8_t *ip = bytes_grow(&f->buf, 40);
        put32(ip, 0x60000000u | (f->port[0] & 0xfffff));
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, f->a6[s], 16);
        memcpy(ip + 24, f->a6[d], 16);
        return bytes_grow(&f->buf, l4len);
    }
    put16(e + 12, 0x0800);
    uint8_t *ip = bytes_grow(&f->buf, 20);
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(20 + l4len));
    put16(ip + 4, id);
    put16(ip + 6, (uint16_t)((more ? 0x2000 : (frag_off || proto == 17 ? 0 : 0x4000)) |
                             (frag_off / 8)));
    ip[8] = dir ? 56 : 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    memcpy(ip + 12, f->a4[s], 4);
    memcpy(ip + 16, f->a4[d], 4);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    return bytes_grow(&f->buf, l4len);
}

static uint32_t pseudo_sum(flow *f, int dir, uint8_t proto, size_t l4len)
{
    uint32_t s = 0;
    if (f->v6) {
        s = csum_add(s, f->a6[dir], 16);
        s = csum_add(s, f->a6[!dir], 16);
    } else {
        s = csum_add(s, f->a4[dir], 4);
        s = csum_add(s, f->a4[!dir], 4);
    }
    return s + proto + (uint32_t)l4len;
}

enum { FIN = 1, SYN = 2, PSH = 8, ACK = 16 };

/* One TCP segment from dir (buffers are re-fetched after growth). */
static void tcp_seg(flow *f, int dir, uint8_t flags, const uint8_t *pl, size_t n)
{
    size_t off = f->buf.len;
    int syn = flags & SYN;
    size_t hl = syn ? 24 : 20;
    uint8_t *t = put_l2l3(f, dir, 6, hl + n, f->ipid[dir]++, 0, 0);
    size_t toff = (size_t)(t - f->buf.d);
    put16(t, f->port[dir]);
    put16(t + 2, f->port[!dir]);
    put32(t + 4, f->seq[dir]);
    put32(t + 8, (flags & ACK) ? f->seq[!dir] : 0);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    put16(t + 14, dir ? 65160 : 64240);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (syn) {
        t[20] = 2; /* MSS */
        t[21] = 4;
        put16(t + 22, f->v6 ? 1440 : 1460);
    }
    memcpy(t + hl, pl, n);
    t = f->buf.d + toff;
    put16(t + 16, csum_fold(csum_add(pseudo_sum(f, dir, 6, hl + n), t, hl + n)));
    f->seq[dir] += (uint32_t)n + (syn ? 1 : 0) + ((flags & FIN) ? 1 : 0);
    add_pkt(f, off, dir, n > 0, (flags & FIN) != 0);
    if (n) {
        stat.data_segments++;
        stat.payload += n;
    }
}

/* Sends a whole application message from dir, cut at the MSS; the receiver
 * acks every second segment (delayed ACK). */
static void tcp_send(flow *f, int dir, const uint8_t *m, size_t n)
{
    size_t mss = f->v6 ? 1440 : 1460;
    for (size_t o = 0; o < n; o += mss) {
        size_t k = n - o < mss ? n - o : mss;
        tcp_seg(f, dir, ACK | (o + k == n ? PSH : 0), m + o, k);
        f->unacked[!dir] = 0; /* this segment acks the peer */
        if (++f->unacked[dir] == 2) {
            tcp_seg(f, !dir, ACK, NULL, 0);
            f->unacked[dir] = 0;
        }
    }
}

/* ---- payload material ------------------------------------------------------ */

static uint8_t text_pool[1 << 20], bin_pool[1 << 20];

static void init_pools(void)
{
    static const char *const words[] = {
        "<div class=\"item\">", "</div>\n", "<p>", "</p>\n", "session ", "stream ",
        "packet ", "capture ", "the ", "of ", "and ", "reassembly ", "<a href=\"/x\">",
        "</a>", "function(){return 0;}\n", "{\"id\":12,\"v\":\"ok\"}", "lorem ",
        "ipsum ", "dolor ", "sit ", "amet ", "\n"};
    size_t o = 0, nw = sizeof words / sizeof *words;
    while (o < sizeof text_pool) {
        const char *w = words[rnd() % nw];
        size_t l = strlen(w);
        if (o + l > sizeof text_pool)
            l = sizeof text_pool - o;
        memcpy(text_pool + o, w, l);
        o += l;
    }
    for (size_t i = 0; i < sizeof bin_pool; i += 8) {
        uint64_t r = rnd();
        memcpy(bin_pool + i, &r, 8);
    }
}

static void put_pool(bytes *b, const uint8_t *pool, size_t n)
{
    while (n) {
        size_t o = rnd() % (sizeof text_pool / 2);
        size_t k = n < sizeof text_pool / 2 ? n : sizeof text_pool / 2;
        bytes_put(b, pool + o, k);
        n -= k;
    }
}

static double opt_scale = 1.0; /* multiplies response bodies */
static int opt_in_order = 0;   /* no reordering, no retransmission */
static int opt_no_udp = 0;

static size_t body_size(void)
{
    uint32_t r = rnd_range(0, 99);
    size_t n;
    if (r < 65)
        n = rnd_range(200, 5500);
    else if (r < 95)
        n = rnd_range(5500, 35000);
    else
        n = rnd_range(40000, 170000);
    return (size_t)(n * opt_scale);
}

/* ---- flows ------------------------------------------------------------------- */

static uint32_t flow_counter;

static void flow_addresses(flow *f, uint16_t server_port)
{
    uint32_t k = flow_counter++;
    for (int i = 0; i < 2; i++) {
        f->mac[i][0] = 0x02;
        f->mac[i][1] = (uint8_t)i;
        put32(f->mac[i] + 2, i ? 0x00000001u : 0x10000000u + (k & 0xfff));
    }
    uint8_t c4[4] = {10, (uint8_t)(k >> 16), (uint8_t)(k >> 8), (uint8_t)(k | 1)};
    uint8_t s4[4] = {198, 51, 100, (uint8_t)(1 + k % 200)};
    memcpy(f->a4[0], c4, 4);
    memcpy(f->a4[1], s4, 4);
    static const uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
    static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2};
    memcpy(f->a6[0], c6, 16);
    memcpy(f->a6[1], s6, 16);
    put32(f->a6[0] + 12, k + 1);
    put32(f->a6[1] + 12, 1 + k % 200);
    f->port[0] = (uint16_t)(32768 + k % 28000);
    f->port[1] = server_port;
    f->seq[0] = (uint32_t)rnd();
    f->seq[1] = (uint32_t)rnd();
    f->ipid[0] = (uint16_t)rnd();
    f->ipid[1] = (uint16_t)rnd();
}

static void handshake(flow *f)
{
    tcp_seg(f, 0, SYN, NULL, 0);
    tcp_seg(f, 1, SYN | ACK, NULL, 0);
    tcp_seg(f, 0, ACK, NULL, 0);
}

static void teardown(flow *f)
{
    tcp_seg(f, 0, FIN | ACK, NULL, 0);
    tcp_seg(f, 1, FIN | ACK, NULL, 0);
    tcp_seg(f, 0, ACK, NULL, 0);
}

static void http_flow(flow *f)
{
    static const char *const types[] = {"text/html; charset=utf-8", "application/json",
                                        "text/css", "application/javascript"};
    bytes m = {0};
    unsigned site = rnd_range(1, 500);
    unsigned nreq = rnd_range(1, 6);
    handshake(f);
    for (unsigned r = 0; r < nreq; r++) {
        m.len = 0;
        int post = chance(0.1);
        size_t pbody = post ? rnd_range(100, 4000) : 0;
        bytes_printf(&m,
                     "%s /static/%u/obj%08x.%s HTTP/1.1\r\n"
                     "Host: www.site%u.example\r\n"
                     "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) "
                     "Gecko/20100101 Firefox/115.0\r\n"
                     "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
                     "*/*;q=0.8\r\n"
                     "Accept-Language: en-US,en;q=0.5\r\n"
                     "Accept-Encoding: gzip, deflate\r\n"
                     "Cookie: sid=%016llx\r\n",
                     post ? "POST" : "GET", r, (unsigned)rnd(), post ? "php" : "html",
                     site, (unsigned long long)rnd());
        if (post)
            bytes_printf(&m,
                         "Content-Type: application/x-www-form-urlencoded\r\n"
                         "Content-Length: %zu\r\n",
                         pbody);
        bytes_printf(&m, "Connection: keep-alive\r\n\r\n");
        put_pool(&m, text_pool, pbody);
        tcp_send(f, 0, m.d, m.len);

        m.len = 0;
        size_t body = body_size();
        int status = chance(0.04) ? 404 : 200;
        int chunked = status == 200 && chance(0.2);
        bytes_printf(&m,
                     "HTTP/1.1 %d %s\r\n"
                     "Date: Mon, 06 Jan 2025 10:%02u:%02u GMT\r\n"
                     "Server: nginx/1.22.1\r\n"
                     "Content-Type: %s\r\n",
                     status, status == 200 ? "OK" : "Not Found", r % 60, (unsigned)(rnd() % 60),
                     types[rnd() % 4]);
        if (chunked) {
            bytes_printf(&m, "Transfer-Encoding: chunked\r\n"
                             "Connection: keep-alive\r\n\r\n");
            size_t left = body;
            while (left) {
                size_t c = rnd_range(1000, 8192);
                if (c > left)
                    c = left;
                bytes_printf(&m, "%zx\r\n", c);
                put_pool(&m, text_pool, c);
                bytes_printf(&m, "\r\n");
                left -= c;
            }
            bytes_printf(&m, "0\r\n\r\n");
        } else {
            if (status != 200)
                body = rnd_range(100, 600);
            bytes_printf(&m,
                         "Content-Length: %zu\r\n"
                         "Cache-Control: max-age=3600\r\n"
                         "Connection: keep-alive\r\n\r\n",
                         body);
            put_pool(&m, text_pool, body);
        }
        tcp_send(f, 1, m.d, m.len);
    }
    teardown(f);
    free(m.d);
    stat.http++;
}

static void tls_record(bytes *m, uint8_t type, size_t len, const uint8_t *content)
{
    uint8_t h[5] = {type, 3, 3};
    put16(h + 3, (uint16_t)len);
    bytes_put(m, h, 5);
    if (content)
        bytes_put(m, content, len);
    else
        put_pool(m, bin_pool, len);
}

static void tls_flow(flow *f)
{
    bytes m = {0}, hs = {0};
    unsigned site = rnd_range(1, 500);
    handshake(f);

    /* ClientHello, padded to 512 bytes of handshake as browsers do. */
    char sni[64];
    int sl = snprintf(sni, sizeof sni, "www.site%u.example", site);
    uint8_t *p = bytes_grow(&hs, 4 + 2 + 32 + 1 + 32);
    p[0] = 1; /* client_hello; length patched below */
    put16(p + 4, 0x0303);
    memcpy(p + 6, bin_pool + rnd() % 4096, 32);
    p[38] = 32;
    memcpy(p + 39, bin_pool + rnd() % 4096, 32);
    static const uint8_t suites[] = {0, 8, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b,
                                     1, 0};
    bytes_put(&hs, suites, sizeof suites);
    size_t ext_len_at = hs.len;
    bytes_grow(&hs, 2);
    /* server_name */
    p = bytes_grow(&hs, 9 + (size_t)sl);
    put16(p, 0);
    put16(p + 2, (uint16_t)(5 + sl));
    put16(p + 4, (uint16_t)(3 + sl));
    p[6] = 0;
    put16(p + 7, (uint16_t)sl);
    memcpy(p + 9, sni, (size_t)sl);
    static const uint8_t sv[] = {0, 43, 0, 3, 2, 3, 4}; /* supported_versions */
    bytes_put(&hs, sv, sizeof sv);
    size_t pad = 512 - 4 - hs.len;
    p = bytes_grow(&hs, 4 + pad - 4);
    put16(p, 21); /* padding */
    put16(p + 2, (uint16_t)(pad - 4));
    memset(p + 4, 0, pad - 4);
    put16(hs.d + ext_len_at, (uint16_t)(hs.len - ext_len_at - 2));
    hs.d[1] = 0;
    put16(hs.d + 2, (uint16_t)(hs.len - 4));
    uint8_t h5[5] = {22, 3, 1};
    put16(h5 + 3, (uint16_t)hs.len);
    bytes_put(&m, h5, 5);
    bytes_put(&m, hs.d, hs.len);
    tcp_send(f, 0, m.d, m.len);

    /* ServerHello, ChangeCipherSpec, encrypted handshake. */
    m.len = 0;
    hs.len = 0;
    p = bytes_grow(&hs, 4 + 2 + 32 + 1 + 32 + 3 + 2 + 6);
    p[0] = 2;
    p[1] = 0;
    put16(p + 2, 4 + 2 + 32 + 1 + 32 + 3 + 2 + 6 - 4);
    put16(p + 4, 0x0303);
    memcpy(p + 6, bin_pool + rnd() % 4096, 32);
    p[38] = 32;
    memcpy(p + 39, bin_pool + rnd() % 4096, 32);
    p[71] = 0x13;
    p[72] = 0x01;
    p[73] = 0;
    put16(p + 74, 6);
    static const uint8_t sv2[] = {0, 43, 0, 2, 3, 4};
    memcpy(p + 76, sv2, 6);
    tls_record(&m, 22, hs.len, hs.d);
    static const uint8_t one = 1;
    tls_record(&m, 20, 1, &one);
    tls_record(&m, 23, rnd_range(2500, 4500), NULL);
    tcp_send(f, 1, m.d, m.len);

    /* Client finished, then the exchanges. */
    m.len = 0;
    tls_record(&m, 20, 1, &one);
    tls_record(&m, 23, 53, NULL);
    unsigned nreq = rnd_range(1, 6);
    for (unsigned r = 0; r < nreq; r++) {
        tls_record(&m, 23, rnd_range(250, 700), NULL);
        tcp_send(f, 0, m.d, m.len);
        m.len = 0;
        size_t body = body_size() + 200;
        while (body) {
            size_t c = body < 16384 ? body : 16384;
            tls_record(&m, 23, c + 17, NULL);
            body -= c;
        }
        tcp_send(f, 1, m.d, m.len);
        m.len = 0;
    }
    /* close_notify alert */
    tls_record(&m, 21, 19, NULL);
    tcp_send(f, 0, m.d, m.len);
    teardown(f);
    free(m.d);
    free(hs.d);
    stat.tls++;
}

/* UDP datagrams from either side; those above the MTU go as IPv4 fragments
 * (in order, or now and then last-first). */
static void udp_flow(flow *f)
{
    bytes m = {0};
    unsigned n = rnd_range(2, 8);
    for (unsigned i = 0; i < n; i++) {
        int dir = i & 1;
        m.len = 0;
        size_t len = chance(0.7) ? rnd_range(1600, 9000) : rnd_range(60, 1400);
        uint8_t *u = bytes_grow(&m, 8);
        put16(u, f->port[dir]);
        put16(u + 2, f->port[!dir]);
        put16(u + 4, (uint16_t)(8 + len));
        put16(u + 6, 0);
        put_pool(&m, bin_pool, len);
        put16(m.d + 6, csum_fold(csum_add(pseudo_sum(f, dir, 17, m.len), m.d, m.len)));
        uint16_t id = f->ipid[dir]++;
        size_t nfrag = (m.len + 1479) / 1480;
        size_t first = f->n;
        for (size_t k = 0; k < nfrag; k++) {
            size_t o = k * 1480, c = m.len - o < 1480 ? m.len - o : 1480;
            size_t off = f->buf.len;
            uint8_t *l4 = put_l2l3(f, dir, 17, c, id, nfrag > 1 ? (uint32_t)o : 0,
                                   k + 1 < nfrag);
            memcpy(l4, m.d + o, c);
            add_pkt(f, off, dir, 0, 0);
        }
        if (nfrag > 1) {
            stat.fragments += nfrag;
            if (chance(0.1)) { /* last fragment first */
                pkt last = f->p[f->n - 1];
                memmove(f->p + first + 1, f->p + first, (nfrag - 1) * sizeof *f->p);
                f->p[first] = last;
            }
        }
        stat.datagrams++;
        stat.payload += len;
    }
    free(m.d);
}

/* Applies reordering and retransmission to a built TCP flow.  A reordered
 * segment trades places with the next segment of its direction, with no
 * packet of the peer between them (an ACK from the peer would cover the
 * late segment's bytes, which a receiver never does).  A retransmission is
 * a copy a few packets later, never after the first FIN. */
static void perturb(flow *f)
{
    size_t fin = f->n;
    for (size_t i = 0; i < f->n; i++)
        if (f->p[i].fin) {
            fin = i;
            break;
        }
    int want_reorder = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->p[i].data != 1)
            continue;
        if (want_reorder || chance(0.01)) {
            want_reorder = 1;
            size_t j = i + 1;
            if (j < f->n && f->p[j].data == 1 && f->p[j].dir == f->p[i].dir) {
                pkt t = f->p[i];
                f->p[i] = f->p[j];
                f->p[j] = t;
                stat.reordered++;
                want_reorder = 0;
                i = j;
            }
        } else if (chance(0.005 / 0.99)) {
            size_t at = i + rnd_range(1, 4);
            if (at > fin)
                at = fin;
            if (f->n == f->cap) {
                f->cap *= 2;
                f->p = xrealloc(f->p, f->cap * sizeof *f->p);
            }
            pkt dup = f->p[i];
            memmove(f->p + at + 1, f->p + at, (f->n - at) * sizeof *f->p);
            f->p[at] = dup;
            f->p[at].data = 2; /* not perturbed again */
            f->n++;
            fin++;
            stat.retransmitted++;
        }
    }
}

static uint64_t seed_base;

static flow *new_flow(void)
{
    flow *f = calloc(1, sizeof *f);
    if (!f)
        exit(1);
    /* Each flow draws from its own stream, so a flow's kind and shape depend
     * on its index only (not on --scale or on the flows before it). */
    uint64_t saved = rng_state;
    rng_state = (seed_base + flow_counter + 1) * 0xD1B54A32D192ED03ull;
    rnd();
    uint32_t r = rnd_range(0, 99);
    if (r < 5 && !opt_no_udp) {
        f->udp = 1;
        flow_addresses(f, (uint16_t)rnd_range(20000, 20099));
        udp_flow(f);
        stat.udp++;
    } else {
        f->v6 = chance(0.12);
        flow_addresses(f, r < 52 ? 80 : 443);
        if (r < 52)
            http_flow(f);
        else
            tls_flow(f);
        if (!opt_in_order)
            perturb(f);
        stat.tcp++;
        stat.v6 += (uint64_t)f->v6;
    }
    stat.flows++;
    rng_state = saved;
    return f;
}

static void free_flow(flow *f)
{
    free(f->buf.d);
    free(f->p);
    free(f);
}

int main(int argc, char **argv)
{
    while (argc > 1 && argv[1][0] == '-') {
        if (strcmp(argv[1], "--in-order") == 0)
            opt_in_order = 1;
        else if (strcmp(argv[1], "--no-udp") == 0)
            opt_no_udp = 1;
        else if (strcmp(argv[1], "--scale") == 0 && argc > 2) {
            opt_scale = strtod(argv[2], NULL);
            argv++, argc--;
        } else
            break;
        argv++, argc--;
    }
    if (argc < 5) {
        fprintf(stderr,
                "usage: %s [--in-order] [--no-udp] [--scale X] OUT.pcap MIN_PACKETS "
                "MIN_BYTES MIN_FLOWS [SEED]\n",
                argv[0]);
        return 2;
    }
    uint64_t min_pkts = strtoull(argv[2], NULL, 10);
    uint64_t min_bytes = strtoull(argv[3], NULL, 10);
    uint64_t min_flows = strtoull(argv[4], NULL, 10);
    if (argc > 5)
        rng_state ^= strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ull;
    seed_base = rng_state;
    init_pools();
    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    static char obuf[1 << 22];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    uint8_t gh[24];
    uint32_t ghv[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    memcpy(gh, &ghv[0], 4); /* host byte order: readers swap as needed */
    uint16_t vmaj = 2, vmin = 4;
    memcpy(gh + 4, &vmaj, 2);
    memcpy(gh + 6, &vmin, 2);
    memcpy(gh + 8, &ghv[2], 4);
    memcpy(gh + 12, &ghv[3], 4);
    memcpy(gh + 16, &ghv[4], 4);
    memcpy(gh + 20, &ghv[5], 4);
    fwrite(gh, 1, sizeof gh, out);

    enum { K = 256 };
    flow *act[K];
    size_t nact = 0;
    uint64_t planned_pkts = 0, planned_bytes = 0;
    uint64_t ts_us = 1736157600ull * 1000000; /* 2025-01-06 10:00 UTC */
    for (;;) {
        while (nact < K && (stat.flows < min_flows || planned_pkts < min_pkts ||
                            planned_bytes < min_bytes)) {
            flow *f = new_flow();
            planned_pkts += f->n;
            for (size_t i = 0; i < f->n; i++)
                planned_bytes += f->p[i].len;
            act[nact++] = f;
        }
        if (!nact)
            break;
        size_t s = rnd() % nact;
        flow *f = act[s];
        unsigned burst = rnd_range(1, 4);
        while (burst-- && f->next < f->n) {
            const pkt *p = &f->p[f->next++];
            ts_us += rnd_range(2, 30);
            uint32_t rh[4] = {(uint32_t)(ts_us / 1000000), (uint32_t)(ts_us % 1000000),
                              p->len, p->len};
            fwrite(rh, 4, 4, out);
            fwrite(f->buf.d + p->off, 1, p->len, out);
            stat.packets++;
            stat.bytes += 16 + p->len;
        }
        if (f->next == f->n) {
            free_flow(f);
            act[s] = act[--nact];
        }
    }
    if (fclose(out)) {
        perror(argv[1]);
        return 1;
    }
    printf("packets %llu\nfile_bytes %llu\nflows %llu\ntcp_flows %llu\nhttp_flows %llu\n"
           "tls_flows %llu\nudp_flows %llu\nipv6_flows %llu\ndata_segments %llu\n"
           "reordered %llu\nretransmitted %llu\nudp_datagrams %llu\nip_fragments %llu\n"
           "l4_payload_bytes %llu\n",
           (unsigned long long)stat.packets, (unsigned long long)stat.bytes + 24,
           (unsigned long long)stat.flows, (unsigned long long)stat.tcp,
           (unsigned long long)stat.http, (unsigned long long)stat.tls,
           (unsigned long long)stat.udp, (unsigned long long)stat.v6,
           (unsigned long long)stat.data_segments, (unsigned long long)stat.reordered,
           (unsigned long long)stat.retransmitted, (unsigned long long)stat.datagrams,
           (unsigned long long)stat.fragments, (unsigned long long)stat.payload);
    return 0;
}
