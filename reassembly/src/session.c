/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session.c - the session: Scapy's DefaultSession, IPSession and TCPSession.
 *
 * sess_on_packet() decodes a frame, expires idle flows, datagrams and
 * acknowledged holes' graces by the frame's capture time, joins IP
 * fragments (kind ip and tcp), finds or creates the packet's flow, and for
 * TCP (kind tcp) drives the two streams of the connection and the framer
 * that cuts them into messages.  Every
 * result is an event handed to the caller's callback at once; nothing is
 * queued.  `emit_frame` is the frame the current output belongs to: the
 * frame being fed, or a flow's last frame when the output is caused by a
 * timeout, an eviction or the end of the capture.
 *
 * Per packet on the in-order path nothing is allocated: flows and TCP
 * connection state are allocated once per flow, stream buffers grow
 * geometrically, and message bytes are handed out as views.
 */
#include "framing.h"
#include "session_internal.h"
#include "tcp_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sess_config_init(sess_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = SESS_KIND_TCP;
    cfg->max_flows = 262144;
    cfg->flow_timeout = 600;
    cfg->ip_policy = SESS_IP_FIRST;
    cfg->ip_timeout = 30;
    cfg->ip_memcap = 64u << 20;
    cfg->tcp_policy = SESS_TCP_FIRST;
    cfg->tcp_timeout = 30;
    cfg->tcp_ack_grace_pkts = 64;
    cfg->tcp_ack_grace_time = 1;
    cfg->tcp_dir_cap = 8u << 20;
    cfg->tcp_memcap = 512u << 20;
    cfg->tcp_window = 16u << 20;
    cfg->tcp_depth = 0;
    cfg->tcp_history = 4096;
    cfg->max_message = 16u << 20;
    cfg->flow_key_encap = true;
    cfg->tcp_hole_fill_max = 64u << 10;
    cfg->framers = NULL;
}

/* ---- events ----------------------------------------------------------------- */

void sess__emit_anomaly(sess_t *s, const sess__flow *f, sess_anomaly what,
                         const char *detail)
{
    sess_event ev = {.type = SESS_EV_ANOMALY, .flow = f ? &f->info : NULL};
    ev.u.anomaly.what = what;
    ev.u.anomaly.detail = detail;
    s->counts.anomalies++;
    sess__emit(s, &ev);
}

void sess__report_nomem(sess_t *s, const sess__flow *f, const char *lost)
{
    char detail[160];
    snprintf(detail, sizeof detail, "out of memory: %s", lost);
    s->nomem = true;
    sess__emit_anomaly(s, f, SESS_AN_NOMEM, detail);
}

static const char *other_state(const sess__flow *f)
{
    if (f->info.pkts[0] && f->info.pkts[1])
        return "SF";
    return f->info.pkts[0] ? "S0" : "SHR";
}

/* ---- flow lifecycle ------------------------------------------------------- */

/* Ends f: gives up holes, flushes the framers, reports the totals.  Output
 * goes on the flow's last frame. */
static void flow_end(sess_t *s, sess__flow *f, sess_anomaly why,
                     const char *detail)
{
    uint64_t saved = s->emit_frame;
    s->emit_frame = f->info.last_frame;
    tcp_conn *c = f->ext;
    if (why)
        sess__emit_anomaly(s, f, why, detail);
    if (c) {
        if (s->cfg.kind == SESS_KIND_TCP) {
            sess__tcp_give_up_all(s, f, c);
            sess__framing_run(s, f, c, SESS_FF_EOC);
        }
        f->info.state = sess__tcp_conn_state(c);
    } else {
        f->info.state = other_state(f);
    }
    sess_event ev = {.type = SESS_EV_FLOW_END, .flow = &f->info};
    sess__emit(s, &ev);
    if (c)
        sess__tcp_conn_free(s, c);
    f->ext = NULL;
    sess__flow_remove(&s->flows, f);
    s->emit_frame = saved;
}

static void expire_flows(sess_t *s)
{
    sess__flow *f;
    while ((f = sess__flow_oldest(&s->flows)) != NULL &&
           s->now - sess__seconds(f->info.last_ts) > s->cfg.flow_timeout)
        flow_end(s, f, 0, NULL);
}

/* Over the global memcap: idle streams first give their history back, then
 * the least recent connections still holding data are flushed and ended,
 * down to nine tenths of the cap.  The next pass waits until the bytes have
 * grown by a tenth of the cap again, so a cap that cannot be relieved costs
 * one walk per tenth, never one per packet. */
static void enforce_tcp_memcap(sess_t *s, sess__flow *current)
{
    size_t cap = s->cfg.tcp_memcap, low = cap - cap / 10;
    for (sess__flow *f = sess__flow_oldest(&s->flows);
         f && sess__stream_pool_bytes(s->pool) > low; f = sess__flow_newer(f)) {
        tcp_conn *c = f->ext;
        if (c) {
            sess__stream_drop_history(&c->stream[0]);
            sess__stream_drop_history(&c->stream[1]);
        }
    }
    sess__flow *f = sess__flow_oldest(&s->flows);
    while (f && sess__stream_pool_bytes(s->pool) > low) {
        sess__flow *newer = sess__flow_newer(f);
        tcp_conn *c = f->ext;
        if (c && f != current &&
            sess__stream_bytes(&c->stream[0]) +
                sess__stream_bytes(&c->stream[1]))
            flow_end(s, f, SESS_AN_TCP_MEMCAP,
                     "TCP memcap reached: connection flushed and ended");
        f = newer;
    }
    size_t now = sess__stream_pool_bytes(s->pool);
    s->memcap_next = now + cap / 10 > cap ? now + cap / 10 : cap;
}

/* ---- packets ---------------------------------------------------------------- */

static void emit_packet(sess_t *s, sess__flow *f, uint8_t dir, bool created)
{
    /* Per packet: every field of the packet member is set, and only those
     * (zero-filling the whole union measured slower). */
    sess_event ev;
    ev.type = SESS_EV_PACKET;
    ev.flow = f ? &f->info : NULL;
    ev.u.packet.dir = dir;
    ev.u.packet.new_flow = created;
    sess__emit(s, &ev);
}

static uint64_t payload_bytes(const sess__pkt *p)
{
    if (p->l4_ok)
        return p->payload_wire_len;
    return p->ip_len > p->ip_hdr_len ? p->ip_len - p->ip_hdr_len : 0;
}

/* The originator: the sender of a SYN, the receiver of a SYN-ACK, otherwise
 * the sender. */
static bool sender_is_originator(const sess__pkt *p)
{
    if (p->proto == 6 && p->l4_ok)
        return (p->tcp_flags & (SESS__TH_SYN | SESS__TH_ACK)) !=
               (SESS__TH_SYN | SESS__TH_ACK);
    return true;
}

static void on_transport(sess_t *s, const sess__pkt *p)
{
    bool ports = p->l4_ok && (p->proto == 6 || p->proto == 17);
    sess__flow_key k;
    sess__flow_key_from_pkt(&k, p, ports);
    uint8_t dir = 0;
    sess__flow *f = sess__flow_find(&s->flows, &k, &dir);
    if (f && ports && p->proto == 6 && sess__tcp_starts_new_flow(f, dir, p)) {
        flow_end(s, f, 0, NULL);
        f = NULL;
    }
    bool created = false;
    if (!f) {
        if (s->flows.crowded)
            flow_end(s, s->flows.crowded, SESS_AN_FLOW_EVICTED,
                     "too many flows told apart by a tunnel identifier "
                     "only: least recent of them ended");
        if (sess__flow_count(&s->flows) >= s->cfg.max_flows)
            flow_end(s, sess__flow_oldest(&s->flows), SESS_AN_FLOW_EVICTED,
                     "flow table full: least recent flow ended");
        bool orig = sender_is_originator(p);
        f = sess__flow_insert(&s->flows, &k, orig);
        if (!f) {
            sess__report_nomem(s, NULL, "new flow not created: the frame "
                                        "joins no flow");
            emit_packet(s, NULL, 0, false);
            return;
        }
        dir = orig ? 0 : 1;
        f->info.first_frame = s->emit_frame;
        f->info.first_ts = s->now_ts;
        s->counts.flows++;
        created = true;
    }
    f->info.pkts[dir]++;
    f->info.bytes[dir] += payload_bytes(p);
    f->info.last_frame = s->emit_frame;
    f->info.last_ts = s->now_ts;
    sess__flow_touch(&s->flows, f);
    emit_packet(s, f, dir, created);

    if (ports && p->proto == 6) {
        sess__tcp_segment(s, f, dir, p);
        if (sess__stream_pool_bytes(s->pool) > s->memcap_next)
            enforce_tcp_memcap(s, f);
    }
}

static void on_evicted_datagram(void *user, const sess__frag_eviction *e)
{
    sess_t *s = user;
    uint64_t saved = s->emit_frame;
    s->emit_frame = e->last_frame;
    char detail[160];
    snprintf(detail, sizeof detail,
             "incomplete IPv%u datagram id 0x%x (%u fragments, %zu bytes) %s",
             e->family, e->id, e->nfrags, e->bytes_held,
             e->reason == SESS__FRAG_EVICT_MEMCAP  ? "evicted: memcap reached"
             : e->reason == SESS__FRAG_EVICT_FLUSH ? "never completed"
                                                  : "timed out");
    sess__emit_anomaly(s, NULL,
                 e->reason == SESS__FRAG_EVICT_MEMCAP ? SESS_AN_FRAG_MEMCAP
                                                     : SESS_AN_FRAG_TIMEOUT,
                 detail);
    s->emit_frame = saved;
}

static void report_fragment_anomalies(sess_t *s, unsigned a)
{
    static const struct {
        unsigned bit;
        sess_anomaly what;
        const char *detail;
    } table[] = {
        {SESS__FRAGA_CONFLICT, SESS_AN_FRAG_CONFLICT,
         "overlapping fragment bytes differ"},
        {SESS__FRAGA_TOO_LONG, SESS_AN_FRAG_TOO_LONG,
         "fragment offset + length > 65535: fragment ignored"},
        {SESS__FRAGA_BAD_SIZE, SESS_AN_FRAG_BAD_SIZE,
         "non-last fragment empty or not a multiple of 8: fragment ignored"},
        {SESS__FRAGA_PAST_END, SESS_AN_FRAG_PAST_END,
         "fragment data past the datagram's end: extra bytes ignored"},
        {SESS__FRAGA_END_CONFLICT, SESS_AN_FRAG_END_CONFLICT,
         "second last fragment with a different end: first end kept"},
        {SESS__FRAGA_DROPPED, SESS_AN_FRAG_DROPPED,
         "overlap under the drop policy: datagram discarded"},
        {SESS__FRAGA_TRUNCATED, SESS_AN_TRUNCATED,
         "fragment not fully captured: fragment ignored"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (a & table[i].bit)
            sess__emit_anomaly(s, NULL, table[i].what, table[i].detail);
}

static void on_fragment(sess_t *s, sess__pkt *p);

enum { MAX_FRAG_NESTING = 4 };

/* Room for a nested fragment's copy, unless datagrams nest too deep (each
 * failure reported). */
static bool nested_frag_room(sess_t *s, size_t len)
{
    if (s->frag_nesting >= MAX_FRAG_NESTING) {
        sess__emit_anomaly(s, NULL, SESS_AN_FRAG_DROPPED,
                           "fragment inside a tunnel inside a reassembled "
                           "datagram not reassembled: nested too deep");
        return false;
    }
    if (len > s->nested_frag_cap) {
        uint8_t *b = sess__realloc(&s->alloc, s->nested_frag, len);
        if (!b) {
            sess__report_nomem(s, NULL, "fragment inside a tunnel inside a "
                                        "reassembled datagram not reassembled");
            return false;
        }
        s->nested_frag = b;
        s->nested_frag_cap = len;
    }
    return true;
}

/* A reassembled datagram held a tunnel whose packet is itself a fragment:
 * it joins its own datagram like any other, from a copy, since its bytes
 * live in the buffer the defragmenter frees on its next call. */
static void on_nested_fragment(sess_t *s, sess__pkt *p)
{
    size_t len = p->frag_captured;
    if (!nested_frag_room(s, len)) {
        emit_packet(s, NULL, 0, false);
        return;
    }
    if (len)
        memcpy(s->nested_frag, p->frag_data, len);
    p->frag_data = s->nested_frag;
    s->frag_nesting++;
    on_fragment(s, p);
    s->frag_nesting--;
}

static void on_fragment(sess_t *s, sess__pkt *p)
{
    sess__frag_result r;
    s->counts.fragments++;
    if (sess__ipfrag_add(s->frag, p, s->emit_frame, s->now, &r) != SESS_OK) {
        r.status = SESS__FRAG_DISCARDED, r.anomalies = 0;
        sess__report_nomem(s, NULL, "IP fragment not held: its datagram "
                                    "cannot complete");
    }
    sess_event ev = {.type = SESS_EV_IP_FRAGMENT};
    ev.u.fragment.id = p->frag_id;
    ev.u.fragment.completes = r.status == SESS__FRAG_COMPLETE;
    sess__emit(s, &ev);
    report_fragment_anomalies(s, r.anomalies);
    if (r.status != SESS__FRAG_COMPLETE) {
        emit_packet(s, NULL, 0, false);
        return;
    }
    s->counts.datagrams++;
    sess_event dg = {.type = SESS_EV_IP_DATAGRAM};
    dg.u.datagram.data = r.data;
    dg.u.datagram.len = r.len;
    dg.u.datagram.frames = r.frames;
    dg.u.datagram.nframes = r.nframes;
    dg.u.datagram.overlap = r.overlap;
    dg.u.datagram.conflict = r.conflict;
    dg.u.datagram.family = p->ip_version;
    sess__emit(s, &dg);

    /* The datagram now stands for the packet: its transport joins a flow. */
    p->is_fragment = false;
    p->ip_len = p->ip_hdr_len + r.len;
    sess__decode_transport(p, r.proto, r.data, r.len);
    if (p->is_fragment) { /* a tunnel in the datagram held a fragment */
        on_nested_fragment(s, p);
        return;
    }
    if ((p->proto == 6 || p->proto == 17) && !p->l4_ok) {
        sess__emit_anomaly(s, NULL, SESS_AN_TRUNCATED,
                     "reassembled datagram too short for its transport header");
        emit_packet(s, NULL, 0, false);
        return;
    }
    on_transport(s, p);
}

/* An unsupported link type is reported on its first frame only: a whole
 * capture of it would otherwise carry the same note on every frame. */
static bool first_unsupported(sess_t *s, uint32_t linktype)
{
    for (size_t i = 0; i < s->nunsupported; i++)
        if (s->unsupported[i] == linktype)
            return false;
    if (s->nunsupported < sizeof s->unsupported / sizeof s->unsupported[0])
        s->unsupported[s->nunsupported++] = linktype;
    return true;
}

static void report_decode(sess_t *s, uint32_t linktype, int rc,
                          unsigned anomalies)
{
    if (rc == SESS_EUNSUPPORTED) {
        if (first_unsupported(s, linktype)) {
            char detail[96];
            snprintf(detail, sizeof detail,
                     "link type %u is not decoded: its frames join no flow",
                     linktype);
            sess__emit_anomaly(s, NULL, SESS_AN_UNSUPPORTED_LINK, detail);
        }
        return;
    }
    if (rc == SESS_ETRUNCATED || (anomalies & (SESS__DEC_TRUNCATED)))
        sess__emit_anomaly(s, NULL, SESS_AN_TRUNCATED, "header truncated");
    if (anomalies &
        (SESS__DEC_BAD_IP_LEN | SESS__DEC_BAD_L4_LEN | SESS__DEC_BAD_EXT))
        sess__emit_anomaly(s, NULL, SESS_AN_BAD_LENGTH,
                     anomalies & SESS__DEC_BAD_IP_LEN
                         ? "IP length field inconsistent with the data"
                     : anomalies & SESS__DEC_BAD_EXT
                         ? "IPv6 extension header chain broken"
                         : "transport length field inconsistent with the data");
}

static int feed_frame(sess_t *s, uint64_t frame, sess_time ts,
                      uint32_t linktype, const uint8_t *data, size_t caplen)
{
    s->emit_frame = frame;
    double t = sess__seconds(ts);
    if (t > s->now) { /* capture time never runs backwards for expiry */
        s->now = t;
        s->now_ts = ts;
    }
    s->counts.packets++;
    expire_flows(s);
    /* Abandoned datagrams give their memory back while other traffic
     * flows, not only when their own fragments come again. */
    if (sess__ipfrag_bytes_held(s->frag))
        sess__ipfrag_expire(s->frag, s->now);

    sess__pkt p;
    int rc = sess__decode_frame(linktype, data, caplen, &p);
    if (rc != SESS_OK || p.anomalies)
        report_decode(s, linktype, rc, p.anomalies);
    if (rc != SESS_OK) {
        if (rc != SESS_ENOTIP)
            s->counts.decode_errors++;
        emit_packet(s, NULL, 0, false);
        return rc == SESS_ENOTIP ? SESS_OK : rc;
    }
    s->counts.ip_packets++;
    if (p.is_fragment) {
        if (s->cfg.kind != SESS_KIND_DEFAULT) {
            on_fragment(s, &p);
            return SESS_OK;
        }
        /* DefaultSession joins nothing: a fragment is an IP-level packet. */
        p.proto = p.frag_proto;
        p.l4_ok = false;
    } else if ((p.proto == 6 || p.proto == 17) && !p.l4_ok) {
        s->counts.decode_errors++;
        emit_packet(s, NULL, 0, false);
        return SESS_OK;
    }
    on_transport(s, &p);
    return SESS_OK;
}

int sess_on_packet(sess_t *s, uint64_t frame, sess_time ts, uint32_t linktype,
                   const uint8_t *data, size_t caplen)
{
    if (!s || (!data && caplen))
        return SESS_EINVAL;
    s->nomem = false;
    int rc = feed_frame(s, frame, ts, linktype, data, caplen);
    /* Acknowledged holes whose grace ran out by capture time are given up
     * while other flows' packets come, not only on their own flow's (a
     * flow's own packet has settled its holes already, on its frame). */
    sess__tcp_grace_expire(s);
    return s->nomem ? SESS_ENOMEM : rc;
}

/* A frame's bytes are first touched when it is decoded; fetched this many
 * frames ahead they arrive while the frames before are processed (the
 * distance was measured: bench/FINDINGS.md, section 6). */
#define READ_AHEAD_FRAMES 8
#define READ_AHEAD_BYTES 4096 /* jumbo frames: the headers matter most */
#define CACHE_LINE 64

static void fetch_ahead(const sess_packet *p)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t len = p->caplen < READ_AHEAD_BYTES ? p->caplen : READ_AHEAD_BYTES;
    if (!p->data)
        return;
    for (size_t off = 0; off < len; off += CACHE_LINE)
        __builtin_prefetch(p->data + off);
#else
    (void)p;
#endif
}

int sess_on_packets(sess_t *s, const sess_packet *pkts, size_t n)
{
    if (!s || (!pkts && n))
        return SESS_EINVAL;
    for (size_t i = 0; i < n && i < READ_AHEAD_FRAMES; i++)
        fetch_ahead(&pkts[i]);
    int first = SESS_OK;
    for (size_t i = 0; i < n; i++) {
        if (i + READ_AHEAD_FRAMES < n)
            fetch_ahead(&pkts[i + READ_AHEAD_FRAMES]);
        const sess_packet *p = &pkts[i];
        int rc = sess_on_packet(s, p->frame, p->ts, p->linktype, p->data,
                                p->caplen);
        if (rc != SESS_OK && first == SESS_OK)
            first = rc;
    }
    return first;
}

/* ---- lifetime -------------------------------------------------------------- */

sess_t *sess_new(const sess_config *cfg, sess_event_cb cb, void *user)
{
    sess_config defaults;
    if (!cfg) {
        sess_config_init(&defaults);
        cfg = &defaults;
    }
    sess__alloc alloc = {cfg->realloc, cfg->realloc_user};
    sess_t *s = sess__calloc(&alloc, 1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->alloc = alloc;
    if (s->cfg.max_flows == 0)
        s->cfg.max_flows = 1;
    s->cb = cb;
    s->user = user;
    s->memcap_next = s->cfg.tcp_memcap;
    s->stream_cfg = (sess__stream_config){
        .policy = s->cfg.tcp_policy,
        .dir_cap = s->cfg.tcp_dir_cap,
        .window = s->cfg.tcp_window,
        .depth = s->cfg.tcp_depth,
        .history = s->cfg.tcp_history,
        .ack_grace_pkts = s->cfg.tcp_ack_grace_pkts,
        .ack_grace_time = s->cfg.tcp_ack_grace_time,
        /* A hole longer than a message would be cut into messages of
         * nothing but zeros. */
        .fill_max = s->cfg.tcp_hole_fill_max < s->cfg.max_message
                        ? s->cfg.tcp_hole_fill_max
                        : s->cfg.max_message,
    };
    sess__ipfrag_config fc = {s->cfg.ip_policy, s->cfg.ip_timeout,
                             s->cfg.ip_memcap, &s->alloc,
                             s->cfg.flow_key_encap};
    s->frag = sess__ipfrag_new(&fc, on_evicted_datagram, s);
    s->pool = sess__stream_pool_new(&s->alloc);
    if (!s->frag || !s->pool ||
        sess__flow_table_init(&s->flows, &s->alloc, s->cfg.flow_key_encap) !=
            SESS_OK) {
        sess_free(s);
        return NULL;
    }
    return s;
}

int sess_finish(sess_t *s)
{
    if (!s)
        return SESS_EINVAL;
    s->nomem = false;
    uint64_t saved = s->emit_frame;
    sess__ipfrag_flush(s->frag);
    sess__flow *f;
    while ((f = sess__flow_oldest(&s->flows)) != NULL)
        flow_end(s, f, 0, NULL);
    s->emit_frame = saved;
    s->now = 0; /* the next capture's clock may start anywhere */
    s->now_ts = (sess_time){0, 0};
    return s->nomem ? SESS_ENOMEM : SESS_OK;
}

void sess_free(sess_t *s)
{
    if (!s)
        return;
    for (sess__flow *f = sess__flow_oldest(&s->flows); f;
         f = sess__flow_newer(f))
        if (f->ext)
            sess__tcp_conn_free(s, f->ext), f->ext = NULL;
    if (s->flows.h.buckets)
        sess__flow_table_destroy(&s->flows);
    if (s->frag)
        sess__ipfrag_free(s->frag);
    if (s->pool)
        sess__stream_pool_free(s->pool);
    sess__free(&s->alloc, s->frames.v);
    sess__free(&s->alloc, s->nested_frag);
    sess__free(&s->alloc, s);
}

const sess_counts *sess_get_counts(const sess_t *s) { return &s->counts; }

