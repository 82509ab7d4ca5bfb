/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sessions-replay - feeds a pcap or pcapng file to the core, without
 * Wireshark.
 *
 *   sessions-replay [options] FILE
 *     --kind default|ip|tcp   session kind (tcp)
 *     --ip-policy NAME        IP overlap policy (first)
 *     --tcp-policy NAME       TCP overlap policy (first)
 *     --print WHAT            flows | messages | events (flows)
 *     --bench N               load every packet into memory, then feed the
 *                             whole capture N times and report packets/s and
 *                             payload GB/s beside a memcpy of the same bytes:
 *                             through sess_on_packets() (the frames in memory
 *                             are read ahead), and, in alternate runs, one
 *                             sess_on_packet() call per frame
 *
 * Files are read with libpcap, so every format it reads works, and each
 * packet's link type is the file's (or, for pcapng, its interface's).
 */
#define _DEFAULT_SOURCE /* libpcap uses the BSD u_int types; clock_gettime */
#include <pcap/pcap.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sessions.h"

enum { PRINT_NONE, PRINT_FLOWS, PRINT_MESSAGES, PRINT_EVENTS };

typedef struct replay {
    int print;
    uint64_t payload_bytes;
    uint64_t messages;
} replay;

static void print_hex(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", d[i]);
}

static void print_addr(const sess_addr *a, uint16_t port, bool ports)
{
    char buf[64];
    if (a->family == 4)
        snprintf(buf, sizeof buf, "%u.%u.%u.%u", a->bytes[0], a->bytes[1],
                 a->bytes[2], a->bytes[3]);
    else {
        int n = 0;
        for (int i = 0; i < 16; i += 2)
            n += snprintf(buf + n, sizeof buf - n, "%s%x", i ? ":" : "",
                          (a->bytes[i] << 8) | a->bytes[i + 1]);
    }
    if (ports)
        printf(a->family == 6 ? "[%s]:%u" : "%s:%u", buf, port);
    else
        printf(a->family == 6 ? "[%s]" : "%s", buf);
}

static void on_event(void *user, const sess_event *ev)
{
    replay *r = user;
    const sess_flow_info *f = ev->flow;
    bool all = r->print == PRINT_EVENTS;
    switch (ev->type) {
    case SESS_EV_MESSAGE:
        r->messages++;
        if (all || r->print == PRINT_MESSAGES) {
            const sess_message *m = &ev->u.message;
            printf("msg frame=%" PRIu64 " flow=%u dir=%u proto=%s offset=%" PRIu64
                   " len=%zu missing=%" PRIu64 "%s data=",
                   ev->frame, f->id, m->dir, m->proto, m->offset, m->len,
                   m->missing, m->partial ? " partial" : "");
            print_hex(m->data, m->len);
            putchar('\n');
        }
        break;
    case SESS_EV_FLOW_END:
        r->payload_bytes += f->bytes[0] + f->bytes[1];
        if (all || r->print == PRINT_FLOWS) {
            printf("flow %u %s ", f->id,
                   f->has_ports ? (f->l4proto == 6 ? "TCP" : "UDP") : "IP");
            print_addr(&f->addr[0], f->port[0], f->has_ports);
            printf(" > ");
            print_addr(&f->addr[1], f->port[1], f->has_ports);
            printf(" proto=%u pkts=%" PRIu64 "/%" PRIu64 " bytes=%" PRIu64
                   "/%" PRIu64 " missing=%" PRIu64 "/%" PRIu64
                   " state=%s history=%s\n",
                   f->l4proto, f->pkts[0], f->pkts[1], f->bytes[0], f->bytes[1],
                   f->missing[0], f->missing[1], f->state, f->history);
        }
        break;
    case SESS_EV_IP_DATAGRAM:
        if (all) {
            printf("datagram frame=%" PRIu64 " len=%zu data=", ev->frame,
                   ev->u.datagram.len);
            print_hex(ev->u.datagram.data, ev->u.datagram.len);
            putchar('\n');
        }
        break;
    case SESS_EV_ANOMALY:
        if (all)
            printf("anomaly frame=%" PRIu64 " %s: %s\n", ev->frame,
                   sess_anomaly_name(ev->u.anomaly.what), ev->u.anomaly.detail);
        break;
    case SESS_EV_TCP_SEGMENT:
        if (all)
            printf("segment frame=%" PRIu64 " flow=%u dir=%u offset=%" PRIu64
                   " len=%u flags=0x%x\n", ev->frame, f->id, ev->u.segment.dir,
                   ev->u.segment.offset, ev->u.segment.len, ev->u.segment.flags);
        break;
    case SESS_EV_TCP_MISSING:
        if (all)
            printf("missing frame=%" PRIu64 " flow=%u dir=%u offset=%" PRIu64
                   " len=%" PRIu64 " fate=%s\n", ev->frame, f->id,
                   ev->u.missing.dir, ev->u.missing.offset, ev->u.missing.len,
                   ev->u.missing.fate == SESS_MISSING_SKIPPED  ? "skipped"
                   : ev->u.missing.fate == SESS_MISSING_UNSEEN ? "unseen"
                                                               : "zero-filled");
        break;
    case SESS_EV_PACKET:
    case SESS_EV_IP_FRAGMENT:
        break;
    }
}

static int parse_enum(const char *s, const char *(*name)(int), int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, name(i)) == 0)
            return i;
    fprintf(stderr, "unknown name: %s\n", s);
    exit(2);
}

static const char *ip_name(int i) { return sess_ip_policy_name((sess_ip_policy)i); }
static const char *tcp_name(int i) { return sess_tcp_policy_name((sess_tcp_policy)i); }
static const char *kind_name(int i)
{
    static const char *const k[] = {"default", "ip", "tcp"};
    return k[i];
}

static const char *print_name(int i)
{
    static const char *const k[] = {"flows", "messages", "events"};
    return k[i];
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static sess_packet *load(const char *file, size_t *count, uint64_t *bytes)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, err);
    if (!pc) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    size_t n = 0, cap = 1024;
    sess_packet *v = malloc(cap * sizeof *v);
    struct pcap_pkthdr *h;
    const u_char *d;
    *bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
        memcpy(copy, d, h->caplen);
        sess_time ts = {h->ts.tv_sec, (uint32_t)h->ts.tv_usec * 1000u};
        v[n] = (sess_packet){n + 1, ts, (uint32_t)pcap_datalink(pc),
                             h->caplen, copy};
        n++;
        *bytes += h->caplen;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "%s: %s\n", file, pcap_geterr(pc));
        exit(1);
    }
    pcap_close(pc);
    *count = n;
    return v;
}

int main(int argc, char **argv)
{
    sess_config cfg;
    sess_config_init(&cfg);
    replay r = {.print = PRINT_FLOWS};
    int bench = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
            cfg.kind = (sess_kind)parse_enum(argv[++i], kind_name, 3);
        else if (strcmp(argv[i], "--ip-policy") == 0 && i + 1 < argc)
            cfg.ip_policy = (sess_ip_policy)parse_enum(argv[++i], ip_name, 7);
        else if (strcmp(argv[i], "--tcp-policy") == 0 && i + 1 < argc)
            cfg.tcp_policy = (sess_tcp_policy)parse_enum(argv[++i], tcp_name, 8);
        else if (strcmp(argv[i], "--print") == 0 && i + 1 < argc)
            r.print = parse_enum(argv[++i], print_name, 3) + PRINT_FLOWS;
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
            bench = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "usage: %s [--kind K] [--ip-policy P] [--tcp-policy P] "
                            "[--print flows|messages|events] [--bench N] FILE\n",
                    argv[0]);
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "no file given\n");
        return 2;
    }
    size_t n;
    uint64_t frame_bytes;
    sess_packet *pk = load(file, &n, &frame_bytes);

    if (bench <= 0) {
        sess_t *s = sess_new(&cfg, on_event, &r);
        sess_on_packets(s, pk, n);
        sess_finish(s);
        sess_free(s);
    } else {
        r.print = PRINT_NONE;
        double *t[2] = {calloc((size_t)bench, sizeof(double)),
                        calloc((size_t)bench, sizeof(double))};
        for (int b = 0; b < bench; b++) {
            for (int k = 0; k < 2; k++) { /* alternating which goes first */
                int batch = (b + k) % 2 == 0;
                r.payload_bytes = r.messages = 0;
                sess_t *s = sess_new(&cfg, on_event, &r);
                double t0 = now_s();
                if (batch)
                    sess_on_packets(s, pk, n);
                else
                    for (size_t i = 0; i < n; i++)
                        sess_on_packet(s, pk[i].frame, pk[i].ts, pk[i].linktype,
                                       pk[i].data, pk[i].caplen);
                sess_finish(s);
                t[batch][b] = now_s() - t0;
                sess_free(s);
            }
        }
        /* The ceiling: copying the same payload volume, packet by packet. */
        uint8_t *dst = malloc(65536 + 16);
        double c0 = now_s();
        uint64_t left = r.payload_bytes, sink = 0;
        for (size_t i = 0; left && i < n * 4; i++) {
            const sess_packet *p = &pk[i % n];
            size_t k = p->caplen < left ? p->caplen : left;
            memcpy(dst, p->data, k);
            sink += dst[k ? k - 1 : 0];
            left -= k;
        }
        double ceiling = now_s() - c0;
        printf("packets %zu frame_bytes %" PRIu64 " payload_bytes %" PRIu64
               " messages %" PRIu64 "\n", n, frame_bytes, r.payload_bytes,
               r.messages);
        for (int batch = 1; batch >= 0; batch--) {
            qsort(t[batch], (size_t)bench, sizeof(double), cmp_double);
            double med = t[batch][bench / 2], best = t[batch][0];
            printf("%smedian %.4f s  %.2f Mpkt/s  %.3f GB/s payload  "
                   "(memcpy of the payload: %.4f s, %.2f GB/s)  "
                   "best %.4f s  %.2f Mpkt/s  %.3f GB/s%s\n",
                   batch ? "" : "per-packet ", med, n / med / 1e6,
                   r.payload_bytes / med / 1e9, ceiling,
                   r.payload_bytes / (ceiling > 0 ? ceiling : 1e-9) / 1e9,
                   best, n / best / 1e6, r.payload_bytes / best / 1e9,
                   sink == 42 ? " " : "");
            free(t[batch]);
        }
        free(dst);
    }
    for (size_t i = 0; i < n; i++)
        free((void *)pk[i].data);
    free(pk);
    return 0;
}
