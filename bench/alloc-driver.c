/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc-driver - feeds a pcap or pcapng file to the Sessions core (kind tcp) and
 * counts the core's heap calls while it runs.
 *
 *   alloc-driver [--memcap MIB] [--flow-timeout S] FILE
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * against the static core library, so every heap call of the core (and of
 * this file) goes through the counters below.  The capture is read into one
 * buffer before counting starts; the counters cover sess_new .. sess_free.
 * Output: "key value" lines (payload_bytes, packets, messages, flows, malloc, calloc,
 * realloc, free, peak_heap_bytes, heap_before_finish, seconds).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capfile.h" /* reassembly/tests: the tests' capture reader */
#include "sessions.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t k);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static int counting;
static uint64_t n_malloc, n_calloc, n_realloc, n_free;
static int64_t heap_now, heap_peak;

static void account(void *p, int sign)
{
    if (!p || !counting)
        return;
    heap_now += sign * (int64_t)malloc_usable_size(p);
    if (heap_now > heap_peak)
        heap_peak = heap_now;
}

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    if (counting)
        n_malloc++;
    account(p, 1);
    return p;
}

void *__wrap_calloc(size_t n, size_t k)
{
    void *p = __real_calloc(n, k);
    if (counting)
        n_calloc++;
    account(p, 1);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    if (counting)
        n_realloc++;
    account(old, -1);
    void *p = __real_realloc(old, n);
    account(p ? p : old, 1);
    return p;
}

void __wrap_free(void *p)
{
    if (counting && p)
        n_free++;
    account(p, -1);
    __real_free(p);
}

static uint64_t messages, flows, payload;

static void on_event(void *user, const sess_event *ev)
{
    (void)user;
    if (ev->type == SESS_EV_MESSAGE)
        messages++;
    else if (ev->type == SESS_EV_FLOW_END) {
        flows++;
        payload += ev->flow->bytes[0] + ev->flow->bytes[1];
    }
}

int main(int argc, char **argv)
{
    sess_config cfg;
    sess_config_init(&cfg);
    cfg.kind = SESS_KIND_TCP;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--memcap") == 0 && i + 1 < argc)
            cfg.tcp_memcap = (size_t)strtoull(argv[++i], NULL, 10) << 20;
        else if (strcmp(argv[i], "--flow-timeout") == 0 && i + 1 < argc)
            cfg.flow_timeout = (uint32_t)strtoul(argv[++i], NULL, 10);
        else
            file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "usage: %s [--memcap MIB] [--flow-timeout S] FILE.pcap\n", argv[0]);
        return 2;
    }
    capfile cap;
    if (capfile_load(&cap, file) != 0) {
        fprintf(stderr, "%s: cannot read\n", file);
        return 1;
    }
    struct timespec t0, t1;
    counting = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sess_t *s = sess_new(&cfg, on_event, NULL);
    uint64_t n = 0;
    for (; n < cap.n; n++)
        sess_on_packet(s, cap.pkts[n].frame, cap.pkts[n].ts, cap.pkts[n].linktype,
                       cap.pkts[n].data, cap.pkts[n].caplen);
    int64_t heap_before_finish = heap_now;
    sess_finish(s);
    sess_free(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    counting = 0;
    printf("payload_bytes %llu\n", (unsigned long long)payload);
    printf("packets %llu\nmessages %llu\nflows %llu\nmalloc %llu\ncalloc %llu\n"
           "realloc %llu\nfree %llu\nallocs %llu\npeak_heap_bytes %lld\n"
           "heap_before_finish %lld\nseconds %.3f\n",
           (unsigned long long)n, (unsigned long long)messages, (unsigned long long)flows,
           (unsigned long long)n_malloc, (unsigned long long)n_calloc,
           (unsigned long long)n_realloc, (unsigned long long)n_free,
           (unsigned long long)(n_malloc + n_calloc + n_realloc), (long long)heap_peak,
           (long long)heap_before_finish,
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    capfile_free(&cap);
    return 0;
}
