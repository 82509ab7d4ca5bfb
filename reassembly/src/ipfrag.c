/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipfrag.c - IPv4 and IPv6 defragmentation.
 *
 * Every fragment offset is a multiple of 8 (both IP versions count it in
 * 8-byte units) and every fragment but the last is a multiple of 8 long, so
 * ownership is kept per 8-byte block rather than per byte: a datagram holds
 * one contiguous buffer of the bytes received so far and, beside it, one
 * 16-bit owner per block naming the fragment slot that supplied it.  A slot
 * keeps that fragment's original bounds and frame, and counts the blocks it
 * still owns so it can be reused once every one of them has been overridden;
 * live slots therefore never outnumber blocks (8192) by more than the
 * arriving one.  The one end that is not a multiple of 8 is the datagram's
 * end (a second, different end is refused and bytes past it are dropped), so
 * a block is always owned whole.  The buffer spans offset 0 to the highest
 * byte received: a lone fragment near 64 KiB costs 64 KiB, which the memory
 * cap accounts for.
 *
 * An arriving fragment is walked block by block twice: once to see whether
 * it overlaps, conflicts or merely repeats what is held (the drop policy and
 * duplicates must be known before anything is written), once to let the
 * policy decide each held block against the owner's original bounds and to
 * write the winners.  The work is thus proportional to the fragment's length
 * whatever the arrival order or the overlaps, with no cap on fragments per
 * datagram.  The datagram is complete when the last fragment's end is known
 * and every block below it is owned; its buffer is then handed out as the
 * result and the datagram freed.
 *
 * Datagrams sit in a seeded hash table (hashtab.h, shared with the flow
 * table) whose age list is in order of creation.  Expiry and the memory
 * cap both evict from the old end of that list, so each eviction is O(1) and
 * nothing ever scans the table.  A datagram dropped by the drop policy keeps
 * only its key, as a tombstone, until it ages out, so its late fragments are
 * recognised and discarded.  The memory accounted per datagram is what it
 * allocates: the record, the buffer, the owner array and the slot array.
 */
#include "ipfrag.h"

#include "flow.h"
#include "hashtab.h"

#include <stdlib.h>
#include <string.h>

enum {
    BLOCK = 8,                  /* the unit of fragment offsets */
    MAX_DATAGRAM = 65535,       /* largest offset + length accepted */
    MAX_CAP = 65536,            /* MAX_DATAGRAM rounded up to a block */
    FIRST_BUCKETS = 64,
    FIRST_SLOTS = 4,
};

#define NO_OWNER UINT16_MAX

typedef struct frag_key {
    uint8_t family;            /* 4 or 6 */
    uint8_t proto;             /* IPv4 only; IPv6 keys leave it 0 */
    uint32_t id;
    uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes, the rest 0 */
    sess__encap_key encap;     /* zero unless the config keys on it */
} frag_key;

/* One accepted fragment that still owns blocks. */
typedef struct frag_slot {
    uint32_t start, end;       /* original bounds, before any clipping */
    uint64_t frame;
    uint32_t nblocks;          /* blocks owned; 0 once freed */
    uint16_t next_free;        /* free-list link while unused */
    uint8_t proto;             /* its frag_proto */
    bool listed;               /* already in the result's frame list */
} frag_slot;

typedef struct dgram {
    sess__hnode node;             /* first: the table's links and hash */
    frag_key key;
    double first_ts;
    uint64_t last_frame;
    bool dropped;                 /* tombstone left by the drop policy */
    bool end_known, overlap, conflict;
    uint32_t end;                 /* valid when end_known */
    uint32_t nfrags;              /* fragments accepted */
    uint32_t held_blocks;         /* blocks with an owner */
    uint32_t cap;                 /* buffer bytes, a multiple of BLOCK */
    uint8_t *buf;
    uint16_t *owner;              /* cap / BLOCK entries */
    frag_slot *slots;
    uint32_t nslots, slot_cap;
    uint16_t free_slot;
    size_t mem;                   /* bytes accounted in sess__ipfrag.held */
} dgram;

struct sess__ipfrag {
    sess__ipfrag_config cfg;
    sess__frag_evict_cb cb;
    void *user;
    sess__htab table;             /* age list in order of creation */
    size_t held;
    /* the last result, kept until the next call */
    uint8_t *out_data;
    uint64_t *out_frames;
    size_t out_frames_cap;
};

/* ---- keys and the hash table ------------------------------------------ */

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void key_from_pkt(frag_key *k, const sess__pkt *p, bool encap)
{
    size_t alen = p->ip_version == 4 ? 4 : 16;

    memset(k, 0, sizeof *k);
    k->family = p->ip_version;
    k->proto = p->ip_version == 4 ? p->frag_proto : 0;
    k->id = p->frag_id;
    memcpy(k->src, p->src.bytes, alen);
    memcpy(k->dst, p->dst.bytes, alen);
    sess__encap_key_from_pkt(&k->encap, p, encap);
}

static bool key_eq(const frag_key *a, const frag_key *b)
{
    return a->family == b->family && a->proto == b->proto && a->id == b->id &&
           memcmp(a->src, b->src, sizeof a->src) == 0 &&
           memcmp(a->dst, b->dst, sizeof a->dst) == 0 &&
           sess__encap_key_eq(&a->encap, &b->encap);
}

static uint32_t key_hash(const frag_key *k, uint64_t seed)
{
    uint64_t h = sess__mix64(seed ^ ((uint64_t)k->family << 40 |
                               (uint64_t)k->proto << 32 | k->id));

    h = sess__mix64(h ^ load64(k->src));
    h = sess__mix64(h ^ load64(k->src + 8));
    h = sess__mix64(h ^ load64(k->dst));
    h = sess__mix64(h ^ load64(k->dst + 8));
    return (uint32_t)(h >> 32);
}

static dgram *dgram_of(sess__hnode *n)
{
    return (dgram *)n;
}

static dgram *oldest(const sess__ipfrag *f)
{
    return dgram_of(f->table.oldest);
}

static dgram *table_find(const sess__ipfrag *f, const frag_key *k)
{
    uint32_t h = key_hash(k, f->table.seed);
    for (sess__hnode *n = sess__htab_chain(&f->table, h); n; n = n->chain)
        if (n->hash == h && key_eq(&dgram_of(n)->key, k))
            return dgram_of(n);
    return NULL;
}

/* ---- datagram life cycle ---------------------------------------------- */

static size_t dgram_mem(const dgram *d)
{
    return sizeof *d + d->cap + d->cap / BLOCK * sizeof *d->owner +
           d->slot_cap * sizeof *d->slots;
}

/* Brings f->held up to date after d's allocations changed. */
static void account(sess__ipfrag *f, dgram *d)
{
    size_t now = dgram_mem(d);

    f->held = f->held - d->mem + now;
    d->mem = now;
}

static dgram *dgram_new(sess__ipfrag *f, const frag_key *k, double ts)
{
    dgram *d = sess__calloc(f->cfg.alloc, 1, sizeof *d);

    if (!d)
        return NULL;
    d->key = *k;
    d->first_ts = ts;
    d->free_slot = NO_OWNER;
    sess__htab_insert(&f->table, &d->node, key_hash(k, f->table.seed));
    account(f, d);
    return d;
}

static void dgram_release_storage(sess__ipfrag *f, dgram *d)
{
    sess__free(f->cfg.alloc, d->buf);
    sess__free(f->cfg.alloc, d->owner);
    sess__free(f->cfg.alloc, d->slots);
    d->buf = NULL;
    d->owner = NULL;
    d->slots = NULL;
    d->cap = d->nslots = d->slot_cap = 0;
    d->held_blocks = 0;
    d->free_slot = NO_OWNER;
}

static void dgram_destroy(sess__ipfrag *f, dgram *d)
{
    sess__htab_remove(&f->table, &d->node);
    f->held -= d->mem;
    dgram_release_storage(f, d);
    sess__free(f->cfg.alloc, d);
}

/* Fragment bytes held: whole blocks, less the part of the last block beyond
 * a known end that is not a multiple of 8. */
static size_t dgram_data_bytes(const dgram *d)
{
    size_t n = (size_t)d->held_blocks * BLOCK;
    uint32_t last = d->end / BLOCK;

    if (d->end_known && d->end % BLOCK && last < d->cap / BLOCK &&
        d->owner[last] != NO_OWNER)
        n -= BLOCK - d->end % BLOCK;
    return n;
}

static void evict(sess__ipfrag *f, dgram *d, sess__frag_evict_reason why)
{
    /* a tombstone was already reported as dropped when it was made */
    if (!d->dropped && f->cb) {
        size_t alen = d->key.family == 4 ? 4 : 16;
        sess__frag_eviction e = {
            .reason = why,
            .last_frame = d->last_frame,
            .family = d->key.family,
            .src = {.family = d->key.family},
            .dst = {.family = d->key.family},
            .id = d->key.id,
            .bytes_held = dgram_data_bytes(d),
            .nfrags = d->nfrags,
        };
        memcpy(e.src.bytes, d->key.src, alen);
        memcpy(e.dst.bytes, d->key.dst, alen);
        f->cb(f->user, &e);
    }
    dgram_destroy(f, d);
}

static void expire_before(sess__ipfrag *f, double now)
{
    dgram *d;
    while ((d = oldest(f)) != NULL && now - d->first_ts > f->cfg.timeout)
        evict(f, d, SESS__FRAG_EVICT_TIMEOUT);
}

/* Evicts the oldest datagrams until the cap holds.  Returns whether `cur`
 * was among them. */
static bool enforce_memcap(sess__ipfrag *f, const dgram *cur)
{
    bool cur_evicted = false;

    dgram *d;
    while (f->held > f->cfg.memcap && (d = oldest(f)) != NULL) {
        cur_evicted |= d == cur;
        evict(f, d, SESS__FRAG_EVICT_MEMCAP);
    }
    return cur_evicted;
}

/* The drop policy: keep the key only, so late fragments are discarded. */
static void dgram_drop(sess__ipfrag *f, dgram *d)
{
    dgram_release_storage(f, d);
    d->dropped = true;
    account(f, d);
}

static void release_output(sess__ipfrag *f)
{
    sess__free(f->cfg.alloc, f->out_data);
    f->out_data = NULL;
}

/* ---- storage of one datagram ------------------------------------------ */

static uint32_t round_to_block(uint32_t n)
{
    return (n + BLOCK - 1) / BLOCK * BLOCK;
}

/* Grows the buffer and the owner array to hold bytes up to `need`, at least
 * doubling so that in-order arrival reallocates O(log n) times. */
static int reserve_bytes(const sess__alloc *a, dgram *d, uint32_t need)
{
    if (need <= d->cap)
        return SESS_OK;
    uint32_t cap = round_to_block(need);
    uint32_t doubled = d->cap * 2 < MAX_CAP ? d->cap * 2 : MAX_CAP;
    if (doubled > cap)
        cap = doubled;
    if (d->end_known && cap > round_to_block(d->end))
        cap = round_to_block(d->end);

    uint8_t *buf = sess__realloc(a, d->buf, cap);
    if (!buf)
        return SESS_ENOMEM;
    d->buf = buf;
    uint16_t *owner = sess__realloc(a, d->owner, cap / BLOCK * sizeof *owner);
    if (!owner)
        return SESS_ENOMEM;
    for (uint32_t b = d->cap / BLOCK; b < cap / BLOCK; b++)
        owner[b] = NO_OWNER;
    d->owner = owner;
    d->cap = cap;
    return SESS_OK;
}

static int reserve_slot(const sess__alloc *a, dgram *d)
{
    if (d->free_slot != NO_OWNER || d->nslots < d->slot_cap)
        return SESS_OK;
    size_t cap = d->slot_cap;
    frag_slot *s = sess__grow(a, d->slots, &cap, cap + 1, sizeof *s,
                              FIRST_SLOTS);
    if (!s)
        return SESS_ENOMEM;
    d->slots = s;
    d->slot_cap = (uint32_t)cap;
    return SESS_OK;
}

static uint16_t take_slot(dgram *d)
{
    uint16_t i = d->free_slot;

    if (i == NO_OWNER)
        return (uint16_t)d->nslots++;
    d->free_slot = d->slots[i].next_free;
    return i;
}

static void put_slot(dgram *d, uint16_t i)
{
    d->slots[i].next_free = d->free_slot;
    d->free_slot = i;
}

static void disown_block(dgram *d, uint16_t i)
{
    if (--d->slots[i].nblocks == 0)
        put_slot(d, i);
}

/* Learns the end from the last fragment.  Blocks wholly past it are let go;
 * a block straddling it keeps its bytes below.  Returns whether any held
 * byte lay beyond (held blocks are whole until the end is known). */
static bool set_end(dgram *d, uint32_t end)
{
    bool past = false;

    d->end_known = true;
    d->end = end;
    for (uint32_t b = end / BLOCK; b < d->cap / BLOCK; b++) {
        uint16_t o = d->owner[b];
        if (o == NO_OWNER)
            continue;
        past = true;
        if (b * BLOCK < end)
            continue;
        d->owner[b] = NO_OWNER;
        d->held_blocks--;
        disown_block(d, o);
    }
    return past;
}

/* ---- overlaps ----------------------------------------------------------- */

typedef struct overlap_scan {
    bool overlap;     /* some byte is already held */
    bool conflict;    /* some held byte differs */
    bool all_held;    /* every byte is already held */
    bool same_range;  /* a holder has exactly the fragment's bounds */
} overlap_scan;

/* Whether any block of [start, end) is held: the common answer is no, and
 * this loop, free of branches, is what finds it out. */
static bool any_block_held(const dgram *d, uint32_t start, uint32_t end)
{
    uint32_t b0 = start / BLOCK, b1 = (end + BLOCK - 1) / BLOCK;
    if (b1 > d->cap / BLOCK)
        b1 = d->cap / BLOCK;
    unsigned held = 0;
    for (uint32_t b = b0; b < b1; b++)
        held |= d->owner[b] != NO_OWNER;
    return held;
}

static overlap_scan scan_overlap(const dgram *d, uint32_t start, uint32_t end,
                                 uint32_t orig_end, const uint8_t *data)
{
    overlap_scan sc = {.all_held = true};

    if (!any_block_held(d, start, end))
        return (overlap_scan){0};
    for (uint32_t off = start; off < end; off += BLOCK) {
        uint32_t b = off / BLOCK;
        uint16_t o = b < d->cap / BLOCK ? d->owner[b] : NO_OWNER;
        if (o == NO_OWNER) {
            sc.all_held = false;
            continue;
        }
        size_t n = end - off < BLOCK ? end - off : BLOCK;
        sc.overlap = true;
        sc.conflict |= memcmp(d->buf + off, data + (off - start), n) != 0;
        sc.same_range |= d->slots[o].start == start && d->slots[o].end == orig_end;
    }
    return sc;
}

/* Whether the arriving fragment [ns, ne) takes a byte held by `old`. */
static bool new_wins(sess_ip_policy policy, const frag_slot *old, uint32_t ns,
                     uint32_t ne)
{
    switch (policy) {
    case SESS_IP_LAST:
        return true;
    case SESS_IP_BSD:
        return ns < old->start;
    case SESS_IP_LINUX:
        return ns <= old->start;
    case SESS_IP_WINDOWS:
        return ns < old->start && ne > old->end;
    case SESS_IP_SOLARIS:
        return ns < old->start && ne >= old->end;
    default: /* first; drop never gets here with an overlap */
        return false;
    }
}

/* Writes the fragment's bytes [start, end) where the policy lets it, under
 * slot `me`, whose bounds are the fragment's original ones.  `overlap`
 * says whether scan_overlap() found any of them held. */
static void write_fragment(dgram *d, sess_ip_policy policy, uint16_t me,
                           uint32_t start, uint32_t end, const uint8_t *data,
                           bool overlap)
{
    frag_slot *mine = &d->slots[me];
    uint32_t run = end; /* start of the blocks won but not copied yet */

    if (!overlap) { /* all of it lands in the hole: no decisions to make */
        uint32_t b0 = start / BLOCK, b1 = (end + BLOCK - 1) / BLOCK;
        for (uint32_t b = b0; b < b1; b++)
            d->owner[b] = me;
        d->held_blocks += b1 - b0;
        mine->nblocks += b1 - b0;
        memcpy(d->buf + start, data, end - start);
        if (mine->nblocks == 0)
            put_slot(d, me);
        return;
    }

    /* Blocks are decided one by one; bytes are copied a run at a time. */
    for (uint32_t off = start; off < end; off += BLOCK) {
        uint32_t b = off / BLOCK;
        uint16_t o = d->owner[b];
        if (o == NO_OWNER) {
            d->held_blocks++;
        } else if (new_wins(policy, &d->slots[o], mine->start, mine->end)) {
            disown_block(d, o);
        } else {
            if (run < off)
                memcpy(d->buf + run, data + (run - start), off - run);
            run = end;
            continue;
        }
        if (run == end)
            run = off;
        d->owner[b] = me;
        mine->nblocks++;
    }
    if (run < end)
        memcpy(d->buf + run, data + (run - start), end - run);
    if (mine->nblocks == 0)
        put_slot(d, me);
}

/* ---- results ------------------------------------------------------------ */

static int reserve_out_frames(sess__ipfrag *f, size_t n)
{
    if (n <= f->out_frames_cap)
        return SESS_OK;
    uint64_t *fr = sess__grow(f->cfg.alloc, f->out_frames, &f->out_frames_cap,
                              n, sizeof *fr, FIRST_SLOTS);
    if (!fr)
        return SESS_ENOMEM;
    f->out_frames = fr;
    return SESS_OK;
}

/* Hands the complete datagram out and frees it.  The frame list was
 * reserved before the last fragment was written, so this cannot fail. */
static void deliver(sess__ipfrag *f, dgram *d, sess__frag_result *out)
{
    uint32_t nblocks = round_to_block(d->end) / BLOCK;
    size_t n = 0;

    for (uint32_t b = 0; b < nblocks; b++) {
        frag_slot *s = &d->slots[d->owner[b]];
        if (!s->listed) {
            s->listed = true;
            f->out_frames[n++] = s->frame;
        }
    }
    out->status = SESS__FRAG_COMPLETE;
    out->data = d->buf;
    out->len = d->end;
    out->frames = f->out_frames;
    out->nframes = n;
    out->overlap = d->overlap;
    out->conflict = d->conflict;
    /* RFC 8200: only the offset-zero fragment's next header counts */
    out->proto = d->slots[d->owner[0]].proto;
    f->out_data = d->buf;
    d->buf = NULL;
    dgram_destroy(f, d);
}

/* A fragment with offset 0 and no more to come is a whole datagram; RFC 6946
 * wants it processed alone, apart from any datagram sharing its id. */
static int deliver_atomic(sess__ipfrag *f, const sess__pkt *p, uint64_t frame,
                          sess__frag_result *out)
{
    if (reserve_out_frames(f, 1) != SESS_OK)
        return SESS_ENOMEM;
    uint8_t *copy = sess__malloc(f->cfg.alloc, p->frag_len);
    if (!copy)
        return SESS_ENOMEM;
    if (p->frag_len)
        memcpy(copy, p->frag_data, p->frag_len);
    f->out_data = copy;
    f->out_frames[0] = frame;
    out->status = SESS__FRAG_COMPLETE;
    out->data = copy;
    out->len = p->frag_len;
    out->frames = f->out_frames;
    out->nframes = 1;
    out->proto = p->frag_proto;
    return SESS_OK;
}

/* ---- adding a fragment ------------------------------------------------ */

static unsigned malformed(const sess__pkt *p)
{
    unsigned a = 0;

    if (p->frag_captured < p->frag_len)
        a |= SESS__FRAGA_TRUNCATED;
    if (p->frag_offset > MAX_DATAGRAM ||
        p->frag_len > MAX_DATAGRAM - p->frag_offset)
        a |= SESS__FRAGA_TOO_LONG;
    if (p->frag_offset % BLOCK ||
        (p->frag_more && (p->frag_len == 0 || p->frag_len % BLOCK)))
        a |= SESS__FRAGA_BAD_SIZE;
    return a;
}

/* Adds a well-formed fragment to its live datagram.  `out` comes in as
 * DISCARDED with no anomalies. */
static int add_to_dgram(sess__ipfrag *f, dgram *d, const sess__pkt *p,
                        uint64_t frame, sess__frag_result *out)
{
    uint32_t start = p->frag_offset;
    uint32_t orig_end = start + (uint32_t)p->frag_len;
    uint32_t end = orig_end;
    bool brings_end = false;

    if (!p->frag_more) {
        if (d->end_known && d->end != orig_end) {
            out->anomalies |= SESS__FRAGA_END_CONFLICT;
            return SESS_OK;
        }
        if (!d->end_known) {
            brings_end = true;
            if (set_end(d, orig_end))
                out->anomalies |= SESS__FRAGA_PAST_END;
        }
    }
    if (d->end_known && end > d->end) {
        out->anomalies |= SESS__FRAGA_PAST_END;
        if (d->end <= start)
            return SESS_OK;
        end = d->end;
    }

    overlap_scan sc = scan_overlap(d, start, end, orig_end, p->frag_data);
    /* the same range again adds nothing, unless it is the first to say
     * where the datagram ends */
    if (sc.overlap && sc.all_held && sc.same_range && !sc.conflict &&
        !brings_end) {
        out->anomalies |= SESS__FRAGA_DUPLICATE;
        return SESS_OK;
    }
    if (sc.overlap)
        out->anomalies |= SESS__FRAGA_OVERLAP;
    if (sc.conflict)
        out->anomalies |= SESS__FRAGA_CONFLICT;
    if (sc.overlap && f->cfg.policy == SESS_IP_DROP) {
        out->anomalies |= SESS__FRAGA_DROPPED;
        dgram_drop(f, d);
        return SESS_OK;
    }

    int rc = reserve_bytes(f->cfg.alloc, d, end);
    if (rc == SESS_OK)
        rc = reserve_slot(f->cfg.alloc, d);
    account(f, d);
    if (rc == SESS_OK)
        rc = reserve_out_frames(f, d->nslots + 1);
    if (rc != SESS_OK)
        return rc;

    uint16_t me = take_slot(d);
    d->slots[me] = (frag_slot){.start = start, .end = orig_end,
                               .frame = frame, .proto = p->frag_proto};
    write_fragment(d, f->cfg.policy, me, start, end, p->frag_data, sc.overlap);
    d->nfrags++;
    d->overlap |= sc.overlap;
    d->conflict |= sc.conflict;

    if (d->end_known && d->held_blocks == round_to_block(d->end) / BLOCK) {
        deliver(f, d, out);
        return SESS_OK;
    }
    out->status = enforce_memcap(f, d) ? SESS__FRAG_DISCARDED
                                       : SESS__FRAG_PENDING;
    return SESS_OK;
}

int sess__ipfrag_add(sess__ipfrag *f, const sess__pkt *p, uint64_t frame,
                    double ts, sess__frag_result *out)
{
    if (!f || !p || !out || !p->is_fragment ||
        (p->ip_version != 4 && p->ip_version != 6))
        return SESS_EINVAL;
    memset(out, 0, sizeof *out);
    out->status = SESS__FRAG_DISCARDED;
    release_output(f);
    expire_before(f, ts);

    out->anomalies = malformed(p);
    if (out->anomalies)
        return SESS_OK;
    if (p->frag_offset == 0 && !p->frag_more)
        return deliver_atomic(f, p, frame, out);

    frag_key k;
    key_from_pkt(&k, p, f->cfg.encap_in_key);
    dgram *d = table_find(f, &k);
    bool created = !d;
    if (created && !(d = dgram_new(f, &k, ts)))
        return SESS_ENOMEM;
    if (d->dropped) {
        out->anomalies = SESS__FRAGA_DROPPED;
        return SESS_OK;
    }
    d->last_frame = frame;
    int rc = add_to_dgram(f, d, p, frame, out);
    /* a datagram made for this fragment alone holds nothing yet */
    if (rc != SESS_OK && created)
        dgram_destroy(f, d);
    return rc;
}

/* ---- the object --------------------------------------------------------- */

sess__ipfrag *sess__ipfrag_new(const sess__ipfrag_config *cfg,
                             sess__frag_evict_cb cb, void *user)
{
    if (!cfg || (unsigned)cfg->policy > SESS_IP_DROP ||
        !(cfg->timeout >= 0))
        return NULL;
    const sess__alloc *a = cfg->alloc ? cfg->alloc : &sess__alloc_libc;
    sess__ipfrag *f = sess__calloc(a, 1, sizeof *f);
    if (!f)
        return NULL;
    if (sess__htab_init(&f->table, FIRST_BUCKETS, a) != SESS_OK) {
        sess__free(a, f);
        return NULL;
    }
    f->cfg = *cfg;
    if (!f->cfg.alloc)
        f->cfg.alloc = &sess__alloc_libc;
    f->cb = cb;
    f->user = user;
    return f;
}

void sess__ipfrag_free(sess__ipfrag *f)
{
    if (!f)
        return;
    while (oldest(f))
        dgram_destroy(f, oldest(f));
    release_output(f);
    sess__free(f->cfg.alloc, f->out_frames);
    sess__htab_destroy(&f->table);
    sess__free(f->cfg.alloc, f);
}

void sess__ipfrag_expire(sess__ipfrag *f, double now)
{
    release_output(f);
    expire_before(f, now);
}

void sess__ipfrag_flush(sess__ipfrag *f)
{
    release_output(f);
    while (oldest(f))
        evict(f, oldest(f), SESS__FRAG_EVICT_FLUSH);
}

size_t sess__ipfrag_bytes_held(const sess__ipfrag *f)
{
    return f->held;
}
