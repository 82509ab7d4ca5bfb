/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capfile.h - reads a classic pcap or a pcapng file into memory, for the
 * tests and the allocation benchmark (no libpcap needed).
 *
 * capfile_load() reads the whole file and lists its packets as sess_packet
 * entries whose data point into the file's bytes, with the link type of
 * the file (pcap) or of the packet's interface (pcapng) and the capture
 * time in seconds and nanoseconds.  pcapng Simple Packet Blocks and blocks
 * other than SHB, IDB and EPB are skipped; so are packets whose bytes run
 * past the end of the file.  Both byte orders are read.
 */
#ifndef SESS_CAPFILE_H
#define SESS_CAPFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sessions.h"

typedef struct capfile {
    uint8_t *bytes;
    size_t size;
    sess_packet *pkts;
    size_t n, cap;
} capfile;

static uint32_t capfile_u32(const uint8_t *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static uint16_t capfile_u16(const uint8_t *p, int swap)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return swap ? __builtin_bswap16(v) : v;
}

static int capfile_add(capfile *c, const uint8_t *data, uint32_t caplen,
                       uint32_t linktype, int64_t sec, uint32_t nsec)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        sess_packet *p = realloc(c->pkts, cap * sizeof *p);
        if (!p)
            return -1;
        c->pkts = p;
        c->cap = cap;
    }
    sess_packet *p = &c->pkts[c->n];
    memset(p, 0, sizeof *p);
    p->frame = c->n + 1;
    p->ts.sec = sec;
    p->ts.nsec = nsec;
    p->linktype = linktype;
    p->caplen = caplen;
    p->data = data;
    c->n++;
    return 0;
}

static int capfile_pcap(capfile *c)
{
    const uint8_t *b = c->bytes;
    uint32_t magic;
    memcpy(&magic, b, 4);
    int swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
    int nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
    uint32_t link = capfile_u32(b + 20, swap) & 0xffff;
    for (size_t o = 24; o + 16 <= c->size;) {
        uint32_t sec = capfile_u32(b + o, swap);
        uint32_t frac = capfile_u32(b + o + 4, swap);
        uint32_t caplen = capfile_u32(b + o + 8, swap);
        if (caplen > c->size - o - 16)
            break;
        if (capfile_add(c, b + o + 16, caplen, link, sec,
                        nano ? frac : frac * 1000u) != 0)
            return -1;
        o += 16 + (size_t)caplen;
    }
    return 0;
}

static int capfile_pcapng(capfile *c)
{
    const uint8_t *b = c->bytes;
    int swap = 0;
    uint32_t links[64];
    uint64_t units[64]; /* timestamp units per second */
    size_t nif = 0;
    for (size_t o = 0; o + 12 <= c->size;) {
        uint32_t type = capfile_u32(b + o, swap);
        if (type == 0x0A0D0D0Au) {
            uint32_t bom;
            memcpy(&bom, b + o + 8, 4);
            swap = bom == 0x4D3C2B1Au;
            nif = 0;
        }
        uint32_t len = capfile_u32(b + o + 4, swap);
        if (len < 12 || len % 4 || len > c->size - o)
            break;
        const uint8_t *body = b + o + 8;
        size_t body_len = len - 12;
        if (type == 1 && body_len >= 8 && nif < 64) { /* IDB */
            links[nif] = capfile_u16(body, swap);
            units[nif] = 1000000;
            for (size_t p = 8; p + 4 <= body_len;) { /* options */
                uint16_t code = capfile_u16(body + p, swap);
                uint16_t olen = capfile_u16(body + p + 2, swap);
                if (code == 0 || p + 4 + olen > body_len)
                    break;
                if (code == 9 && olen >= 1) { /* if_tsresol */
                    uint8_t r = body[p + 4];
                    uint64_t u = 1;
                    for (unsigned i = 0; i < (r & 0x7f) && u < 1000000000000ull; i++)
                        u *= (r & 0x80) ? 2 : 10;
                    units[nif] = u;
                }
                p += 4 + ((olen + 3u) & ~3u);
            }
            nif++;
        } else if (type == 6 && body_len >= 20) { /* EPB */
            uint32_t ifc = capfile_u32(body, swap);
            uint64_t t = (uint64_t)capfile_u32(body + 4, swap) << 32 |
                         capfile_u32(body + 8, swap);
            uint32_t caplen = capfile_u32(body + 12, swap);
            if (ifc < nif && caplen <= body_len - 20) {
                uint64_t u = units[ifc];
                uint64_t sec = t / u, frac = t % u;
                uint32_t nsec = (uint32_t)(u <= 1000000000ull
                                               ? frac * (1000000000ull / u)
                                               : frac / (u / 1000000000ull));
                if (capfile_add(c, body + 20, caplen, links[ifc],
                                (int64_t)sec, nsec) != 0)
                    return -1;
            }
        }
        o += len;
    }
    return 0;
}

/* Returns 0, or -1 when the file cannot be read or is in neither format. */
static int capfile_load(capfile *c, const char *path)
{
    memset(c, 0, sizeof *c);
    FILE *in = fopen(path, "rb");
    if (!in)
        return -1;
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    c->bytes = size > 0 ? malloc((size_t)size) : NULL;
    int ok = c->bytes && fread(c->bytes, 1, (size_t)size, in) == (size_t)size;
    fclose(in);
    if (!ok || size < 24)
        return -1;
    c->size = (size_t)size;
    uint32_t magic;
    memcpy(&magic, c->bytes, 4);
    if (magic == 0x0A0D0D0Au)
        return capfile_pcapng(c);
    if (magic == 0xa1b2c3d4u || magic == 0xd4c3b2a1u || magic == 0xa1b23c4du ||
        magic == 0x4d3cb2a1u)
        return capfile_pcap(c);
    return -1;
}

static void capfile_free(capfile *c)
{
    free(c->bytes);
    free(c->pkts);
    memset(c, 0, sizeof *c);
}

#endif
