/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * display_store.c - where the plugin keeps message and datagram bytes for
 * display.
 *
 * Kept bytes live as long as the capture file and are only ever appended,
 * so they are carved in order out of large chunks and freed all at once.
 * Chunks are aligned to, and advised for, transparent huge pages where the
 * kernel offers them: a gigabyte of kept bytes then costs a few hundred page
 * faults instead of a quarter of a million, which is most of what keeping
 * them costs beyond the copy itself.  Resident memory still grows only with
 * the bytes written.
 */
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "sessions_plugin.h"

#define HUGE_PAGE (2u << 20)
#define CHUNK_SIZE (32u << 20)

typedef struct chunk {
    struct chunk *prev;
    size_t used, size; /* bytes after the header */
} chunk;

static chunk *current;

static chunk *chunk_new(size_t need)
{
    size_t size = CHUNK_SIZE;
    if (need + sizeof(chunk) > size)
        size = (need + sizeof(chunk) + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    /* Out of memory aborts, as every glib allocation in Wireshark does;
     * the display cap keeps what is asked for here bounded. */
    void *p = g_aligned_alloc(1, size, HUGE_PAGE);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE); /* a hint; 4 KiB pages work too */
#endif
    chunk *c = p;
    c->prev = current;
    c->used = 0;
    c->size = size - sizeof(chunk);
    return c;
}

const guint8 *display_store_keep(const guint8 *data, size_t len)
{
    if (!current || current->size - current->used < len)
        current = chunk_new(len);
    guint8 *dst = (guint8 *)(current + 1) + current->used;
    memcpy(dst, data, len);
    current->used += len;
    return dst;
}

void display_store_free(void)
{
    while (current) {
        chunk *prev = current->prev;
        g_aligned_free(current);
        current = prev;
    }
}
