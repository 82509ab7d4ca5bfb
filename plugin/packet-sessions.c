/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-sessions.c - Sessions: Scapy-style session reassembly as a
 * Wireshark postdissector.
 *
 * The postdissector sees every frame's bytes.  On the first pass it feeds
 * them, with the frame's link type, to the reassembly core, which decodes the
 * frame itself (no other dissector's fields are asked for, so no protocol
 * tree is forced on tree-less runs).  Everything the core reports is stored
 * per frame in file scope (frame_results), including output that belongs to
 * an earlier frame (a flow's last frame, a datagram's last fragment).  Every
 * pass, the first included, renders the tree, expert items and tap data from
 * those stored results only, so revisits show identical values.
 *
 * The end of the first pass is seen by the post-sequential-pass routine
 * (tshark -2, the GUI after loading), or, where that routine does not run
 * (GUI re-dissection), by the first revisit: either flushes every open
 * stream, and the per-flow totals become known.
 *
 * Results live as long as the file in every mode: Wireshark's public API
 * does not tell a single pass (tshark without -2) from the first pass of
 * two, so any frame may be dissected again.  What that costs is bounded by
 * the display cap on kept message bytes; past it, a message's bytes are
 * still shown on its own frame in the first pass, from a copy dropped at the
 * next frame (see keep_bytes): a single pass holds at most one cap more.
 */
#define WS_LOG_DOMAIN "sessions"
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/export_object.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/uat.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>
#include <wsutil/inet_addr.h>
#include <wsutil/report_message.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sessions.h"
#include "sessions_framer.h"
#include "sessions_plugin.h"

#ifndef VERSION
#define VERSION "0.2.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);
#if SESSIONS_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);
#endif

static int proto_sessions = -1;
static int sessions_eo_tap = -1;
static dissector_handle_t sessions_handle;

static int hf_flow = -1;
static int hf_flow_id = -1;
static int hf_flow_dir = -1;
static int hf_flow_pkts = -1;
static int hf_flow_bytes = -1;
static int hf_flow_total_pkts = -1;
static int hf_flow_total_bytes = -1;
static int hf_flow_duration = -1;
static int hf_flow_state = -1;
static int hf_flow_history = -1;
static int hf_flow_missing = -1;
static int hf_tcp_offset = -1;
static int hf_tcp_len = -1;
static int hf_tcp_retransmission = -1;
static int hf_tcp_out_of_order = -1;
static int hf_tcp_overlap = -1;
static int hf_tcp_overlap_conflict = -1;
static int hf_tcp_late = -1;
static int hf_tcp_missing = -1;
static int hf_msg = -1;
static int hf_msg_proto = -1;
static int hf_msg_dir = -1;
static int hf_msg_length = -1;
static int hf_msg_offset = -1;
static int hf_msg_frames = -1;
static int hf_msg_missing = -1;
static int hf_msg_partial = -1;
static int hf_msg_info = -1;
static int hf_ip_fragment = -1;
static int hf_ip_reassembled_in = -1;
static int hf_ip_reassembled = -1;
static int hf_ip_reassembled_length = -1;
static int hf_ip_fragments = -1;
static int hf_ip_fragment_count = -1;
static int hf_ip_overlap = -1;
static int hf_ip_overlap_conflict = -1;
static int hf_anomaly = -1;
static int hf_anomaly_detail = -1;
static int hf_not_shown = -1;
static int hf_not_kept = -1;

static gint ett_sessions = -1;
static gint ett_flow = -1;
static gint ett_tcp = -1;
static gint ett_msg = -1;
static gint ett_ip = -1;
static gint ett_anomaly = -1;

/* One expert item per core anomaly kind (anomaly_ei maps them), plus the
 * plugin's own.  Each has one fixed summary, so that `-z expert` groups
 * them; the numbers are in fields and in the item's text. */
static expert_field ei_truncated = EI_INIT;
static expert_field ei_bad_length = EI_INIT;
static expert_field ei_unsupported_link = EI_INIT;
static expert_field ei_frag_conflict = EI_INIT;
static expert_field ei_frag_too_long = EI_INIT;
static expert_field ei_frag_bad_size = EI_INIT;
static expert_field ei_frag_past_end = EI_INIT;
static expert_field ei_frag_end_conflict = EI_INIT;
static expert_field ei_frag_dropped = EI_INIT;
static expert_field ei_frag_timeout = EI_INIT;
static expert_field ei_frag_memcap = EI_INIT;
static expert_field ei_tcp_conflict = EI_INIT;
static expert_field ei_tcp_late = EI_INIT;
static expert_field ei_tcp_window = EI_INIT;
static expert_field ei_tcp_dir_cap = EI_INIT;
static expert_field ei_tcp_memcap = EI_INIT;
static expert_field ei_tcp_depth = EI_INIT;
static expert_field ei_framer_error = EI_INIT;
static expert_field ei_msg_partial = EI_INIT;
static expert_field ei_flow_evicted = EI_INIT;
static expert_field ei_nomem = EI_INIT;
static expert_field ei_anomaly_other = EI_INIT;
static expert_field ei_items_not_shown = EI_INIT;
static expert_field ei_items_not_kept = EI_INIT;

static expert_field *const anomaly_ei[] = {
    [SESS_AN_TRUNCATED] = &ei_truncated,
    [SESS_AN_BAD_LENGTH] = &ei_bad_length,
    [SESS_AN_UNSUPPORTED_LINK] = &ei_unsupported_link,
    [SESS_AN_FRAG_CONFLICT] = &ei_frag_conflict,
    [SESS_AN_FRAG_TOO_LONG] = &ei_frag_too_long,
    [SESS_AN_FRAG_BAD_SIZE] = &ei_frag_bad_size,
    [SESS_AN_FRAG_PAST_END] = &ei_frag_past_end,
    [SESS_AN_FRAG_END_CONFLICT] = &ei_frag_end_conflict,
    [SESS_AN_FRAG_DROPPED] = &ei_frag_dropped,
    [SESS_AN_FRAG_TIMEOUT] = &ei_frag_timeout,
    [SESS_AN_FRAG_MEMCAP] = &ei_frag_memcap,
    [SESS_AN_TCP_CONFLICT] = &ei_tcp_conflict,
    [SESS_AN_TCP_LATE] = &ei_tcp_late,
    [SESS_AN_TCP_WINDOW] = &ei_tcp_window,
    [SESS_AN_TCP_DIR_CAP] = &ei_tcp_dir_cap,
    [SESS_AN_TCP_MEMCAP] = &ei_tcp_memcap,
    [SESS_AN_TCP_DEPTH] = &ei_tcp_depth,
    [SESS_AN_FRAMER_ERROR] = &ei_framer_error,
    [SESS_AN_MESSAGE_PARTIAL] = &ei_msg_partial,
    [SESS_AN_FLOW_EVICTED] = &ei_flow_evicted,
    [SESS_AN_NOMEM] = &ei_nomem,
};

/* A kind the core gained after this table was written still gets an item. */
static expert_field *anomaly_expert(sess_anomaly what)
{
    if ((size_t)what < G_N_ELEMENTS(anomaly_ei) && anomaly_ei[what])
        return anomaly_ei[what];
    return &ei_anomaly_other;
}

/* Bounds on one frame's output, whatever the capture.  A frame can carry
 * millions of messages (a long range cut by a tiny sessions.max_message),
 * and Wireshark throws once a tree holds gui.max_tree_items (a million)
 * items, faked items included.  So a frame keeps at most ITEMS_KEPT_MAX
 * items and counts the rest; shows ITEMS_SHOWN_MAX of them in full, with
 * their expert items and tabs; and adds the others as hidden fields, only
 * those a filter or -e names, at most FILTER_ITEMS_MAX tree items.  Export
 * taps stop at EXPORTED_MAX messages (Wireshark queues 5000 taps a frame).
 * Messages made only of given-up zeros stop at ZERO_MESSAGES_KEPT_MAX, so
 * that the captured messages after a long zero-filled range (a hole given
 * up at the end of a capture, say) are still kept for filters. */
#define ITEMS_SHOWN_MAX 64
#define ITEMS_KEPT_MAX 50000
#define ZERO_MESSAGES_KEPT_MAX 40000
#define FILTER_ITEMS_MAX 200000
#define EXPORTED_MAX 4000
static expert_field ei_tcp_retransmission = EI_INIT;
static expert_field ei_tcp_out_of_order = EI_INIT;
static expert_field ei_tcp_overlap = EI_INIT;
static expert_field ei_tcp_missing = EI_INIT;
static expert_field ei_tcp_skipped = EI_INIT;
static expert_field ei_tcp_unseen = EI_INIT;
static expert_field ei_msg_missing = EI_INIT;
static expert_field ei_msg_gap = EI_INIT;
static expert_field ei_msg_not_kept = EI_INIT;
static expert_field ei_ip_overlap = EI_INIT;

static const value_string dir_vals[] = {
    {0, "originator to responder"},
    {1, "responder to originator"},
    {0, NULL},
};

/* ---- preferences ---------------------------------------------------------- */

static gint pref_kind = SESS_KIND_TCP;
#define MAX_FLOWS_DEFAULT 262144
#define MAX_MESSAGE_DEFAULT (16u << 20)
static guint pref_max_flows = MAX_FLOWS_DEFAULT;
static guint pref_flow_timeout = 600;
static gint pref_ip_policy = SESS_IP_FIRST;
static guint pref_ip_timeout = 30;
static guint pref_ip_memcap = 64;
static gint pref_tcp_policy = SESS_TCP_FIRST;
static guint pref_tcp_timeout = 30;
static guint pref_tcp_ack_grace_pkts = 64;
static guint pref_tcp_ack_grace_ms = 1000;
static guint pref_tcp_dir_cap = 8;
static guint pref_tcp_memcap = 512;
static guint pref_tcp_depth = 0;
static guint pref_tcp_history = 4096;
static guint pref_max_message = MAX_MESSAGE_DEFAULT;
static guint pref_tcp_hole_fill_max = 64u << 10;
static guint pref_display_cap = 1024;
static ws_api_bool pref_flow_key_encap = TRUE;

static const enum_val_t kind_enum[] = {
    {"default", "DefaultSession: flows and counts", SESS_KIND_DEFAULT},
    {"ip", "IPSession: + IP defragmentation", SESS_KIND_IP},
    {"tcp", "TCPSession: + TCP reassembly and messages", SESS_KIND_TCP},
    {NULL, NULL, -1},
};

static const enum_val_t ip_policy_enum[] = {
    {"first", "first: old data wins", SESS_IP_FIRST},
    {"last", "last: new data wins", SESS_IP_LAST},
    {"bsd", "bsd: new wins where it starts before old", SESS_IP_BSD},
    {"linux", "linux: new wins where it starts at or before old", SESS_IP_LINUX},
    {"windows", "windows: new starts before and ends after old", SESS_IP_WINDOWS},
    {"solaris", "solaris: new starts before and ends at or after old",
     SESS_IP_SOLARIS},
    {"drop", "drop: any overlap discards the datagram (RFC 5722)", SESS_IP_DROP},
    {NULL, NULL, -1},
};

static const enum_val_t tcp_policy_enum[] = {
    {"first", "first: held data wins", SESS_TCP_FIRST},
    {"last", "last: new data wins (Scapy)", SESS_TCP_LAST},
    {"bsd", "bsd: new wins where it starts before held", SESS_TCP_BSD},
    {"windows", "windows: as bsd", SESS_TCP_WINDOWS},
    {"linux", "linux: starts before, or same start and ends after",
     SESS_TCP_LINUX},
    {"old-linux", "old-linux: starts before, or same start and ends at/after",
     SESS_TCP_OLD_LINUX},
    {"solaris", "solaris: ends after held, or covers it", SESS_TCP_SOLARIS},
    {"vista", "vista: as first", SESS_TCP_VISTA},
    {NULL, NULL, -1},
};

/* ---- per-file state ------------------------------------------------------- */

typedef struct flow_record {
    sess_addr addr[2];
    guint16 port[2];
    guint8 l4proto;
    gboolean has_ports;
    gboolean ended;
    guint32 total_pkts;
    guint64 total_bytes;
    guint64 missing;
    double first_ts, last_ts;
    const char *state;    /* static string from the core */
    char history[SESS_HISTORY_LEN];
    const char *name[2];  /* sessions.flow per direction, formatted once */
} flow_record;

typedef enum { ITEM_MESSAGE, ITEM_DATAGRAM, ITEM_MISSING, ITEM_ANOMALY } item_kind;

typedef struct frame_item {
    struct frame_item *next;
    item_kind kind;
    union {
        sessions_message msg;
        struct {
            const guint8 *data; /* NULL when not kept */
            gboolean over_cap;  /* not kept: the display cap was reached */
            guint32 len;
            guint32 *frames;
            guint32 nframes;
            gboolean overlap, conflict;
        } dg;
        struct {
            guint8 dir;
            sess_missing_fate fate;
            guint64 offset, len;
        } missing;
        struct {
            sess_anomaly what;
            const char *detail;
        } anomaly;
    } u;
} frame_item;

enum {
    FR_FLOW = 1u << 0,
    FR_SEGMENT = 1u << 1,
    FR_FRAGMENT = 1u << 2,
};

typedef struct frame_result {
    guint32 flags;           /* FR_* */
    guint32 flow_id;
    guint32 pkts;
    guint8 dir;
    guint8 seg_dir;
    guint16 seg_flags;       /* SESS_SEG_* */
    guint64 bytes;
    guint64 seg_offset;
    guint32 seg_len;
    guint32 reassembled_in;  /* 0 = not (yet) known */
    frame_item *items, *last_item;
    guint32 nitems;          /* kept, at most ITEMS_KEPT_MAX */
    guint32 not_kept;        /* counted only */
} frame_result;

static struct {
    sess_t *core;
    sess_config cfg;
    sess_framer_table table;
    frame_result **frames;     /* by frame number */
    guint32 nframes;
    flow_record *flows;        /* by flow id */
    guint32 nflows;
    guint64 display_bytes;     /* message and datagram bytes kept */
    gboolean flushed;
    wmem_allocator_t *scope;   /* where results are allocated */
    /* Copies of bytes past the display cap, shown only by the first pass of
     * the frame being fed (current_num), and the message and datagram
     * pointers to them, cleared when the copies are dropped. */
    wmem_allocator_t *transient;
    GPtrArray *transient_refs; /* of const guint8 ** */
    guint64 transient_bytes;
    guint32 current_num;
    gboolean frame_reads_bytes; /* whether the frame being fed shows bytes */
} st;

/* wtap encapsulation -> pcap LINKTYPE.  Wiretap exports only the other
 * direction, so the table is built once by asking it about every LINKTYPE;
 * the core decodes some and reports the others by their number. */
static int linktypes[1024];

static void build_linktypes(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(linktypes); i++)
        linktypes[i] = -1;
    for (int lt = 0; lt < 1024; lt++) {
        int encap = wtap_pcap_encap_to_wtap_encap(lt);
        if (encap > WTAP_ENCAP_UNKNOWN && encap < (int)G_N_ELEMENTS(linktypes) &&
            linktypes[encap] < 0)
            linktypes[encap] = lt;
    }
    /* Wiretap moves the direction byte of these into the pseudo-header: the
     * frame handed over starts at the PPP or HDLC header itself. */
    linktypes[WTAP_ENCAP_PPP_WITH_PHDR] = SESS_LINK_PPP;
    linktypes[WTAP_ENCAP_CHDLC_WITH_PHDR] = SESS_LINK_C_HDLC;
}

static int linktype_of(int encap)
{
    return encap >= 0 && encap < (int)G_N_ELEMENTS(linktypes) ? linktypes[encap]
                                                               : -1;
}

static frame_result *result_for(guint32 num)
{
    if (num >= st.nframes) {
        guint32 n = st.nframes ? st.nframes : 1024;
        while (n <= num && n < G_MAXUINT32 / 2)
            n *= 2;
        if (n <= num)
            n = num + 1;
        st.frames = g_renew(frame_result *, st.frames, n);
        memset(st.frames + st.nframes, 0,
               (n - st.nframes) * sizeof *st.frames);
        st.nframes = n;
    }
    if (!st.frames[num])
        st.frames[num] = wmem_new0(st.scope, frame_result);
    return st.frames[num];
}

/* Drops the copies past the cap: the frame they were shown on is done. */
static void drop_transient(void)
{
    for (guint i = 0; i < st.transient_refs->len; i++)
        *(const guint8 **)g_ptr_array_index(st.transient_refs, i) = NULL;
    g_ptr_array_set_size(st.transient_refs, 0);
    wmem_free_all(st.transient);
    st.transient_bytes = 0;
}

static frame_result *result_lookup(guint32 num)
{
    return num < st.nframes ? st.frames[num] : NULL;
}

static flow_record *flow_for(guint32 id)
{
    if (id >= st.nflows) {
        guint32 n = st.nflows ? st.nflows : 256;
        while (n <= id && n < G_MAXUINT32 / 2)
            n *= 2;
        if (n <= id)
            n = id + 1;
        st.flows = g_renew(flow_record, st.flows, n);
        memset(st.flows + st.nflows, 0, (n - st.nflows) * sizeof *st.flows);
        st.nflows = n;
    }
    return &st.flows[id];
}

/* A new item at the end of the frame's list, or NULL when the frame
 * already holds ITEMS_KEPT_MAX (it is then only counted). */
static frame_item *new_item(frame_result *fr, item_kind kind)
{
    if (fr->nitems >= ITEMS_KEPT_MAX) {
        fr->not_kept++;
        return NULL;
    }
    frame_item *it = wmem_new0(st.scope, frame_item);
    it->kind = kind;
    if (fr->last_item)
        fr->last_item->next = it;
    else
        fr->items = it;
    fr->last_item = it;
    fr->nitems++;
    return it;
}

/* Sets *dst to a copy of bytes for display, kept for the file until the
 * display cap is reached (then *over_cap).  Past it, a frame shown while it
 * is fed still shows its own bytes, up to the cap again, from a copy
 * dropped at the next frame: a single pass never comes back, and a later
 * pass shows the bytes as not kept. */
static void keep_bytes(const guint8 **dst, const guint8 *data, size_t len,
                       guint64 frame, gboolean *over_cap)
{
    guint64 cap = (guint64)pref_display_cap << 20;
    *over_cap = st.display_bytes + len > cap;
    if (!*over_cap) {
        *dst = display_store_keep(data, len);
        if (*dst)
            st.display_bytes += len;
    } else if (st.frame_reads_bytes && frame == st.current_num &&
               st.transient_bytes + len <= cap) {
        *dst = wmem_memdup(st.transient, data, len);
        st.transient_bytes += len;
        g_ptr_array_add(st.transient_refs, (gpointer)dst);
    } else {
        *dst = NULL;
    }
}

static guint32 *keep_frames(const uint64_t *frames, size_t n)
{
    guint32 *v = wmem_alloc_array(st.scope, guint32, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (guint32)frames[i];
    return v;
}

static void record_packet(frame_result *fr, const sess_event *ev)
{
    const sess_flow_info *f = ev->flow;
    if (!f)
        return;
    fr->flags |= FR_FLOW;
    fr->flow_id = f->id;
    fr->dir = ev->u.packet.dir;
    fr->pkts = (guint32)(f->pkts[0] + f->pkts[1]);
    fr->bytes = f->bytes[0] + f->bytes[1];
    if (ev->u.packet.new_flow) {
        flow_record *r = flow_for(f->id);
        memcpy(r->addr, f->addr, sizeof r->addr);
        r->port[0] = f->port[0];
        r->port[1] = f->port[1];
        r->l4proto = f->l4proto;
        r->has_ports = f->has_ports;
    }
}

static void record_flow_end(const sess_flow_info *f)
{
    flow_record *r = flow_for(f->id);
    r->ended = TRUE;
    r->total_pkts = (guint32)(f->pkts[0] + f->pkts[1]);
    r->total_bytes = f->bytes[0] + f->bytes[1];
    r->missing = f->missing[0] + f->missing[1];
    r->first_ts = sessions_seconds(f->first_ts);
    r->last_ts = sessions_seconds(f->last_ts);
    r->state = f->state;
    g_strlcpy(r->history, f->history, sizeof r->history);
}

static void record_message(frame_result *fr, const sess_event *ev)
{
    const sess_message *m = &ev->u.message;
    if (m->missing == m->len && !m->partial &&
        fr->nitems >= ZERO_MESSAGES_KEPT_MAX) {
        fr->not_kept++;
        return;
    }
    frame_item *it = new_item(fr, ITEM_MESSAGE);
    if (!it)
        return;
    sessions_message *sm = &it->u.msg;
    sm->flow_id = ev->flow->id;
    sm->dir = m->dir;
    sm->proto = m->proto; /* framer names are static strings */
    keep_bytes(&sm->data, m->data, m->len, ev->frame, &sm->over_cap);
    sm->len = (guint32)m->len;
    sm->offset = m->offset;
    sm->frames = keep_frames(m->frames, m->nframes);
    sm->nframes = (guint32)m->nframes;
    sm->missing = m->missing;
    sm->partial = m->partial;
    sm->gap = m->gap;
    sm->info = m->info && *m->info ? wmem_strdup(st.scope, m->info)
                                   : NULL;
}

static void record_datagram(frame_result *fr, const sess_event *ev)
{
    for (size_t i = 0; i < ev->u.datagram.nframes; i++)
        result_for((guint32)ev->u.datagram.frames[i])->reassembled_in =
            (guint32)ev->frame;
    frame_item *it = new_item(fr, ITEM_DATAGRAM);
    if (!it)
        return;
    keep_bytes(&it->u.dg.data, ev->u.datagram.data, ev->u.datagram.len,
               ev->frame, &it->u.dg.over_cap);
    it->u.dg.len = (guint32)ev->u.datagram.len;
    it->u.dg.frames = keep_frames(ev->u.datagram.frames, ev->u.datagram.nframes);
    it->u.dg.nframes = (guint32)ev->u.datagram.nframes;
    it->u.dg.overlap = ev->u.datagram.overlap;
    it->u.dg.conflict = ev->u.datagram.conflict;
}

static void on_core_event(void *user, const sess_event *ev)
{
    sessions_flows_event(ev);
    if (ev->type == SESS_EV_PACKET && !ev->flow)
        return; /* nothing to show: not IP, or a fragment still waiting */
    frame_result *fr = result_for((guint32)ev->frame);
    frame_item *it;
    switch (ev->type) {
    case SESS_EV_PACKET:
        record_packet(fr, ev);
        break;
    case SESS_EV_IP_FRAGMENT:
        fr->flags |= FR_FRAGMENT;
        break;
    case SESS_EV_IP_DATAGRAM:
        record_datagram(fr, ev);
        break;
    case SESS_EV_TCP_SEGMENT:
        fr->flags |= FR_SEGMENT;
        fr->seg_dir = ev->u.segment.dir;
        fr->seg_offset = ev->u.segment.offset;
        fr->seg_len = ev->u.segment.len;
        fr->seg_flags = (guint16)ev->u.segment.flags;
        break;
    case SESS_EV_TCP_MISSING:
        if ((it = new_item(fr, ITEM_MISSING))) {
            it->u.missing.dir = ev->u.missing.dir;
            it->u.missing.offset = ev->u.missing.offset;
            it->u.missing.len = ev->u.missing.len;
            it->u.missing.fate = ev->u.missing.fate;
        }
        break;
    case SESS_EV_MESSAGE:
        record_message(fr, ev);
        break;
    case SESS_EV_FLOW_END:
        record_flow_end(ev->flow);
        break;
    case SESS_EV_ANOMALY:
        if ((it = new_item(fr, ITEM_ANOMALY))) {
            it->u.anomaly.what = ev->u.anomaly.what;
            it->u.anomaly.detail = wmem_strdup(
                st.scope, ev->u.anomaly.detail ? ev->u.anomaly.detail : "");
        }
        break;
    }
}

void sessions_end_first_pass(void)
{
    if (st.core && !st.flushed) {
        drop_transient();
        sess_finish(st.core);
        st.flushed = TRUE;
    }
}

static void sessions_init(void)
{
    sess_config_init(&st.cfg);
    st.cfg.kind = (sess_kind)pref_kind;
    st.cfg.max_flows = pref_max_flows;
    st.cfg.flow_timeout = pref_flow_timeout;
    st.cfg.ip_policy = (sess_ip_policy)pref_ip_policy;
    st.cfg.ip_timeout = pref_ip_timeout;
    st.cfg.ip_memcap = (size_t)pref_ip_memcap << 20;
    st.cfg.tcp_policy = (sess_tcp_policy)pref_tcp_policy;
    st.cfg.tcp_timeout = pref_tcp_timeout;
    st.cfg.tcp_ack_grace_pkts = pref_tcp_ack_grace_pkts;
    st.cfg.tcp_ack_grace_time = pref_tcp_ack_grace_ms / 1000.0;
    st.cfg.tcp_dir_cap = (size_t)pref_tcp_dir_cap << 20;
    st.cfg.tcp_memcap = (size_t)pref_tcp_memcap << 20;
    st.cfg.tcp_depth = pref_tcp_depth;
    st.cfg.tcp_history = pref_tcp_history;
    st.cfg.max_message = pref_max_message;
    st.cfg.flow_key_encap = pref_flow_key_encap;
    st.cfg.tcp_hole_fill_max = pref_tcp_hole_fill_max;
    sessions_framers_table(&st.table);
    st.cfg.framers = &st.table;
    st.core = sess_new(&st.cfg, on_core_event, NULL);
    st.flushed = FALSE;
    st.display_bytes = 0;
    st.scope = wmem_file_scope();
    st.transient = wmem_allocator_new(WMEM_ALLOCATOR_BLOCK_FAST);
    st.transient_refs = g_ptr_array_new();
    st.current_num = 0;
}

/* A preference of 0 flows or 0-byte messages is refused, with a message,
 * and the last accepted value stays. */
static void refuse_zero(guint *pref, guint *accepted, const char *name)
{
    if (*pref == 0) {
        report_failure("Sessions: sessions.%s must be at least 1; 0 refused, "
                       "keeping %u", name, *accepted);
        *pref = *accepted;
    }
    *accepted = *pref;
}

static void sessions_prefs_apply(void)
{
    static guint max_flows_accepted = MAX_FLOWS_DEFAULT;
    static guint max_message_accepted = MAX_MESSAGE_DEFAULT;
    refuse_zero(&pref_max_flows, &max_flows_accepted, "max_flows");
    refuse_zero(&pref_max_message, &max_message_accepted, "max_message");
}

static void sessions_cleanup(void)
{
    sess_free(st.core);
    st.core = NULL;
    display_store_free();
    if (st.transient) {
        wmem_destroy_allocator(st.transient);
        st.transient = NULL;
        g_ptr_array_free(st.transient_refs, TRUE);
        st.transient_refs = NULL;
    }
    g_free(st.frames);
    st.frames = NULL;
    st.nframes = 0;
    g_free(st.flows);
    st.flows = NULL;
    st.nflows = 0;
}

/* ---- rendering ------------------------------------------------------------ */

static void format_endpoint(char *buf, size_t size, const sess_addr *a,
                            guint16 port, gboolean with_port)
{
    char addr[WS_INET6_ADDRSTRLEN];
    if (a->family == 6)
        ws_inet_ntop6(a->bytes, addr, sizeof addr);
    else
        ws_inet_ntop4(a->bytes, addr, sizeof addr);
    if (!with_port)
        snprintf(buf, size, a->family == 6 ? "[%s]" : "%s", addr);
    else
        snprintf(buf, size, a->family == 6 ? "[%s]:%u" : "%s:%u", addr, port);
}

/* The flow's name in one direction, formatted on first use and kept: every
 * packet of the flow shows one of its two names. */
static const char *flow_name(flow_record *r, guint8 dir)
{
    if (r->name[dir])
        return r->name[dir];
    char src[64], dst[64];
    int s = dir, d = 1 - dir;
    format_endpoint(src, sizeof src, &r->addr[s], r->port[s], r->has_ports);
    format_endpoint(dst, sizeof dst, &r->addr[d], r->port[d], r->has_ports);
    if (r->has_ports)
        r->name[dir] = wmem_strdup_printf(wmem_file_scope(), "%s %s > %s",
                                          r->l4proto == 6 ? "TCP" : "UDP", src,
                                          dst);
    else
        r->name[dir] = wmem_strdup_printf(wmem_file_scope(),
                                          "IP %s > %s proto %u", src, dst,
                                          r->l4proto);
    return r->name[dir];
}

static void render_flow(proto_tree *tree, tvbuff_t *tvb, const frame_result *fr)
{
    flow_record *r = &st.flows[fr->flow_id];
    /* Field-limited runs skip formatting what nobody reads. */
    const char *flow = proto_field_is_referenced(tree, hf_flow)
                           ? flow_name(r, fr->dir)
                           : "";
    proto_item *ti = proto_tree_add_string(tree, hf_flow, tvb, 0, 0, flow);
    proto_item_set_generated(ti);
    proto_tree *ft = proto_item_add_subtree(ti, ett_flow);
    proto_item_set_generated(
        proto_tree_add_uint(ft, hf_flow_id, tvb, 0, 0, fr->flow_id));
    proto_item_set_generated(
        proto_tree_add_uint(ft, hf_flow_dir, tvb, 0, 0, fr->dir));
    sessions_flows_render(ft, tvb, fr->flow_id, fr->dir);
    proto_item_set_generated(
        proto_tree_add_uint(ft, hf_flow_pkts, tvb, 0, 0, fr->pkts));
    proto_item_set_generated(
        proto_tree_add_uint64(ft, hf_flow_bytes, tvb, 0, 0, fr->bytes));
    if (!r->ended)
        return; /* totals are known once the first pass has ended */
    proto_item_set_generated(
        proto_tree_add_uint(ft, hf_flow_total_pkts, tvb, 0, 0, r->total_pkts));
    proto_item_set_generated(proto_tree_add_uint64(ft, hf_flow_total_bytes, tvb,
                                                   0, 0, r->total_bytes));
    /* The core's times are doubles, exact to well under a microsecond
     * today: the duration is given in whole microseconds. */
    gint64 us = (gint64)((r->last_ts - r->first_ts) * 1e6 + 0.5);
    nstime_t duration = {(time_t)(us / 1000000), (int)(us % 1000000) * 1000};
    proto_item_set_generated(proto_tree_add_time(ft, hf_flow_duration, tvb, 0, 0,
                                                 &duration));
    if (r->state)
        proto_item_set_generated(
            proto_tree_add_string(ft, hf_flow_state, tvb, 0, 0, r->state));
    if (r->l4proto == 6)
        proto_item_set_generated(
            proto_tree_add_string(ft, hf_flow_history, tvb, 0, 0, r->history));
    if (r->missing)
        proto_item_set_generated(
            proto_tree_add_uint64(ft, hf_flow_missing, tvb, 0, 0, r->missing));
}

static void add_true(proto_tree *tree, int hf, tvbuff_t *tvb)
{
    proto_item_set_generated(proto_tree_add_boolean(tree, hf, tvb, 0, 0, TRUE));
}

static void render_segment(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                           const frame_result *fr)
{
    proto_item *ti = proto_tree_add_uint64(tree, hf_tcp_offset, tvb, 0, 0,
                                           fr->seg_offset);
    proto_item_set_generated(ti);
    proto_tree *tt = proto_item_add_subtree(ti, ett_tcp);
    proto_item_set_generated(
        proto_tree_add_uint(tt, hf_tcp_len, tvb, 0, 0, fr->seg_len));
    guint16 f = fr->seg_flags;
    if (f & SESS_SEG_RETRANSMISSION) {
        add_true(tt, hf_tcp_retransmission, tvb);
        expert_add_info(pinfo, ti, &ei_tcp_retransmission);
    }
    if (f & SESS_SEG_OUT_OF_ORDER) {
        add_true(tt, hf_tcp_out_of_order, tvb);
        expert_add_info(pinfo, ti, &ei_tcp_out_of_order);
    }
    if (f & SESS_SEG_OVERLAP) {
        add_true(tt, hf_tcp_overlap, tvb);
        expert_add_info(pinfo, ti, &ei_tcp_overlap);
    }
    if (f & SESS_SEG_CONFLICT)
        add_true(tt, hf_tcp_overlap_conflict, tvb);
    if (f & SESS_SEG_LATE)
        add_true(tt, hf_tcp_late, tvb);
}

/* Bytes tabs serve a tree someone looks at (GUI, -V, -x), not the faked
 * trees of filters and -T fields.  The public API reads a tree's
 * visibility only by setting it, so it is set back at once. */
static gboolean tree_is_visible(proto_tree *tree)
{
    if (!tree)
        return FALSE;
    gboolean visible = proto_tree_set_visible(tree, TRUE);
    proto_tree_set_visible(tree, visible);
    return visible;
}

/* Bytes past the display cap are missing only from the passes after the
 * first: the first shows them on their own frame (keep_bytes). */
static gboolean not_kept(const packet_info *pinfo, gboolean over_cap,
                         const guint8 *data)
{
    return over_cap && !data && PINFO_FD_VISITED(pinfo);
}

static void render_message(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                           const sessions_message *m, guint number)
{
    proto_item *ti;
    proto_tree *mt;
    tvbuff_t *mtvb = NULL;
    if (!tree) { /* only what expert info and taps see */
        if (not_kept(pinfo, m->over_cap, m->data))
            expert_add_info(pinfo, NULL, &ei_msg_not_kept);
        if (m->missing && !m->gap)
            expert_add_info(pinfo, NULL, &ei_msg_missing);
        if (m->partial)
            expert_add_info(pinfo, NULL, m->gap ? &ei_msg_gap : &ei_msg_partial);
        if (have_tap_listener(sessions_eo_tap))
            tap_queue_packet(sessions_eo_tap, pinfo, m);
        return;
    }
    if (m->data) {
        mtvb = tvb_new_child_real_data(tvb, m->data, m->len, m->len);
        /* Given-up zeros alone are no sight worth a tab (nor megabytes of
         * hex dump under -x). */
        if (tree_is_visible(tree) && (m->missing < m->len || m->partial))
            add_new_data_source(pinfo, mtvb, wmem_strdup_printf(pinfo->pool,
                "Reassembled %s message (flow %u, dir %u, offset %" PRIu64 ")",
                m->proto, m->flow_id, m->dir, m->offset));
        ti = proto_tree_add_item(tree, hf_msg, mtvb, 0, m->len, ENC_NA);
    } else {
        ti = proto_tree_add_bytes_format(tree, hf_msg, tvb, 0, 0, NULL,
                                         "Message bytes not kept");
        if (not_kept(pinfo, m->over_cap, m->data))
            expert_add_info(pinfo, ti, &ei_msg_not_kept);
    }
    proto_item_set_generated(ti);
    proto_item_set_text(ti, "Message %u: %s, %u bytes, dir %u%s%s", number,
                        m->proto, m->len, m->dir, m->info ? ": " : "",
                        m->info ? m->info : "");
    mt = proto_item_add_subtree(ti, ett_msg);
    proto_item_set_generated(
        proto_tree_add_string(mt, hf_msg_proto, tvb, 0, 0, m->proto));
    proto_item_set_generated(
        proto_tree_add_uint(mt, hf_msg_dir, tvb, 0, 0, m->dir));
    proto_item_set_generated(
        proto_tree_add_uint(mt, hf_msg_length, tvb, 0, 0, m->len));
    proto_item_set_generated(
        proto_tree_add_uint64(mt, hf_msg_offset, tvb, 0, 0, m->offset));
    for (guint32 i = 0; i < m->nframes; i++)
        proto_item_set_generated(
            proto_tree_add_uint(mt, hf_msg_frames, tvb, 0, 0, m->frames[i]));
    if (m->info)
        proto_item_set_generated(
            proto_tree_add_string(mt, hf_msg_info, tvb, 0, 0, m->info));
    if (m->missing) {
        proto_item *mi = proto_tree_add_uint64(mt, hf_msg_missing, tvb, 0, 0,
                                               m->missing);
        proto_item_set_generated(mi);
        if (!m->gap)
            expert_add_info(pinfo, mi, &ei_msg_missing);
    }
    if (m->partial) {
        add_true(mt, hf_msg_partial, tvb);
        expert_add_info(pinfo, ti, m->gap ? &ei_msg_gap : &ei_msg_partial);
    }
    if (mtvb)
        sessions_handoff(mtvb, pinfo, mt, m, st.flows[m->flow_id].port[1]);
    if (have_tap_listener(sessions_eo_tap))
        tap_queue_packet(sessions_eo_tap, pinfo, m);
}

static void render_datagram(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                            const frame_item *it)
{
    proto_item *ti;
    if (!tree) {
        if (not_kept(pinfo, it->u.dg.over_cap, it->u.dg.data))
            expert_add_info(pinfo, NULL, &ei_msg_not_kept);
        if (it->u.dg.overlap)
            expert_add_info(pinfo, NULL, &ei_ip_overlap);
        return;
    }
    if (it->u.dg.data) {
        tvbuff_t *dtvb = tvb_new_child_real_data(tvb, it->u.dg.data,
                                                 it->u.dg.len, it->u.dg.len);
        if (tree_is_visible(tree))
            add_new_data_source(pinfo, dtvb, "Reassembled IP datagram");
        ti = proto_tree_add_item(tree, hf_ip_reassembled, dtvb, 0,
                                 it->u.dg.len, ENC_NA);
    } else {
        ti = proto_tree_add_bytes_format(tree, hf_ip_reassembled, tvb, 0, 0,
                                         NULL, "Datagram bytes not kept");
        if (not_kept(pinfo, it->u.dg.over_cap, it->u.dg.data))
            expert_add_info(pinfo, ti, &ei_msg_not_kept);
    }
    proto_item_set_generated(ti);
    proto_tree *it_tree = proto_item_add_subtree(ti, ett_ip);
    proto_item_set_generated(proto_tree_add_uint(
        it_tree, hf_ip_reassembled_length, tvb, 0, 0, it->u.dg.len));
    proto_item_set_generated(proto_tree_add_uint(
        it_tree, hf_ip_fragment_count, tvb, 0, 0, it->u.dg.nframes));
    for (guint32 i = 0; i < it->u.dg.nframes; i++)
        proto_item_set_generated(proto_tree_add_uint(
            it_tree, hf_ip_fragments, tvb, 0, 0, it->u.dg.frames[i]));
    if (it->u.dg.overlap) {
        add_true(it_tree, hf_ip_overlap, tvb);
        expert_add_info(pinfo, ti, &ei_ip_overlap);
    }
    if (it->u.dg.conflict)
        add_true(it_tree, hf_ip_overlap_conflict, tvb);
}

/* Whether a display filter, a tap's filter or -e names the field: then
 * it must be in the tree even where the tree shows nothing more. */
static gboolean field_named(int hf)
{
    return proto_registrar_get_nth(hf)->ref_type != HF_REF_TYPE_NONE;
}

static void add_hidden(proto_item *ti)
{
    proto_item_set_hidden(ti);
    proto_item_set_generated(ti);
}

/* The items of a frame past the first ITEMS_SHOWN_MAX: counted, exported,
 * and given to filters as hidden fields, nothing more.  Returns how many
 * there are; `nmsg` counts the messages among them. */
static guint render_rest(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                         const frame_item *it, guint *nmsg)
{
    guint rest = 0, budget = FILTER_ITEMS_MAX;
    gboolean export = have_tap_listener(sessions_eo_tap);
    gboolean want_msg = tree && field_named(hf_msg);
    gboolean want_proto = tree && field_named(hf_msg_proto);
    gboolean want_length = tree && field_named(hf_msg_length);
    gboolean want_offset = tree && field_named(hf_msg_offset);
    gboolean want_anomaly = tree && field_named(hf_anomaly);
    gboolean want_missing = tree && field_named(hf_tcp_missing);
    for (; it; it = it->next, rest++) {
        if (it->kind == ITEM_MESSAGE) {
            const sessions_message *m = &it->u.msg;
            if (export && *nmsg < EXPORTED_MAX)
                tap_queue_packet(sessions_eo_tap, pinfo, m);
            ++*nmsg;
            if (budget < 4)
                continue;
            if (want_msg) {
                static const guint8 none[1];
                add_hidden(proto_tree_add_bytes_with_length(
                    tree, hf_msg, tvb, 0, 0, m->data ? m->data : none,
                    m->data ? m->len : 0));
                budget--;
            }
            if (want_proto) {
                add_hidden(proto_tree_add_string(tree, hf_msg_proto, tvb, 0, 0,
                                                 m->proto));
                budget--;
            }
            if (want_length) {
                add_hidden(proto_tree_add_uint(tree, hf_msg_length, tvb, 0, 0,
                                               m->len));
                budget--;
            }
            if (want_offset) {
                add_hidden(proto_tree_add_uint64(tree, hf_msg_offset, tvb, 0, 0,
                                                 m->offset));
                budget--;
            }
        } else if (it->kind == ITEM_ANOMALY && want_anomaly && budget) {
            add_hidden(proto_tree_add_string(tree, hf_anomaly, tvb, 0, 0,
                sess_anomaly_name(it->u.anomaly.what)));
            budget--;
        } else if (it->kind == ITEM_MISSING && want_missing && budget) {
            add_hidden(proto_tree_add_uint64(tree, hf_tcp_missing, tvb, 0, 0,
                                             it->u.missing.len));
            budget--;
        }
    }
    return rest;
}

/* Segment flags that carry expert info (render_segment). */
#define SEG_EXPERT_FLAGS \
    (SESS_SEG_RETRANSMISSION | SESS_SEG_OUT_OF_ORDER | SESS_SEG_OVERLAP)

/* `shown`: whether the tree references anything of ours.  A faked tree
 * that does not (tshark -q, -T fields of other fields) gets no items;
 * expert info and taps still do, and most frames have neither. */
static expert_field *missing_expert(sess_missing_fate fate)
{
    switch (fate) {
    case SESS_MISSING_SKIPPED:
        return &ei_tcp_skipped;
    case SESS_MISSING_UNSEEN:
        return &ei_tcp_unseen;
    case SESS_MISSING_ZERO_FILLED:
        break;
    }
    return &ei_tcp_missing;
}

static void render(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                   const frame_result *fr, gboolean shown)
{
    proto_item *top = NULL;
    proto_tree *t = NULL;
    if (shown) {
        top = proto_tree_add_item(tree, proto_sessions, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(top);
        t = proto_item_add_subtree(top, ett_sessions);
        if (fr->flags & FR_FLOW)
            render_flow(t, tvb, fr);
        if (fr->flags & FR_FRAGMENT) {
            add_true(t, hf_ip_fragment, tvb);
            if (fr->reassembled_in)
                proto_item_set_generated(proto_tree_add_uint(
                    t, hf_ip_reassembled_in, tvb, 0, 0, fr->reassembled_in));
        }
    } else if (!fr->items && !fr->not_kept &&
               !(fr->seg_flags & SEG_EXPERT_FLAGS)) {
        return;
    }
    if (fr->flags & FR_SEGMENT)
        render_segment(t, tvb, pinfo, fr);
    guint nmsg = 0, nshown = 0;
    const frame_item *it;
    for (it = fr->items; it && nshown < ITEMS_SHOWN_MAX; it = it->next, nshown++) {
        proto_item *ai;
        proto_tree *at;
        switch (it->kind) {
        case ITEM_MESSAGE:
            render_message(t, tvb, pinfo, &it->u.msg, ++nmsg);
            break;
        case ITEM_DATAGRAM:
            render_datagram(t, tvb, pinfo, it);
            break;
        case ITEM_MISSING:
            ai = proto_tree_add_uint64(t, hf_tcp_missing, tvb, 0, 0,
                                       it->u.missing.len);
            proto_item_set_generated(ai);
            proto_item_append_text(ai, " (dir %u, offset %" PRIu64 ")",
                                   it->u.missing.dir, it->u.missing.offset);
            expert_add_info(pinfo, ai, missing_expert(it->u.missing.fate));
            break;
        case ITEM_ANOMALY:
            ai = proto_tree_add_string(t, hf_anomaly, tvb, 0, 0,
                                       sess_anomaly_name(it->u.anomaly.what));
            proto_item_set_generated(ai);
            if (*it->u.anomaly.detail) {
                at = proto_item_add_subtree(ai, ett_anomaly);
                proto_item_set_generated(proto_tree_add_string(
                    at, hf_anomaly_detail, tvb, 0, 0, it->u.anomaly.detail));
            }
            expert_add_info(pinfo, ai, anomaly_expert(it->u.anomaly.what));
            break;
        }
    }
    guint rest = render_rest(t, tvb, pinfo, it, &nmsg) + fr->not_kept;
    if (rest) {
        proto_item *ri = proto_tree_add_uint(t, hf_not_shown, tvb, 0, 0, rest);
        proto_item_set_generated(ri);
        expert_add_info(pinfo, ri, &ei_items_not_shown);
    }
    if (fr->not_kept) {
        proto_item *ki = proto_tree_add_uint(t, hf_not_kept, tvb, 0, 0,
                                             fr->not_kept);
        proto_item_set_generated(ki);
        expert_add_info(pinfo, ki, &ei_items_not_kept);
    }
    if (nmsg)
        proto_item_append_text(top, ", %u message%s", nmsg, nmsg > 1 ? "s" : "");
}

static int dissect_sessions(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            void *data _U_)
{
    /* With an entry in sessions.port or sessions.proto (the handoff pref
     * adds two), a filter on the fields of the dissectors there reads what
     * only our tree produces, though nothing of ours is referenced (from 4.4
     * on, tshark -T fields then reports our protocol as unreferenced): every
     * tree gets our items. */
    gboolean shown = proto_field_is_referenced(tree, proto_sessions) ||
                     (tree && sessions_handoff_wanted());
    if (!PINFO_FD_VISITED(pinfo)) {
        /* Frames still arriving after a flush (a live capture revisited
         * in the GUI) go on into the same session: flows ended by the
         * flush come back under new ids, earlier results stay. */
        if (!st.core)
            return 0;
        drop_transient();
        /* tshark -2 -R numbers only the frames its read filter keeps, so
         * a frame it dropped had the number the next one now gets: what
         * was recorded on the dropped frame leaves with it (as a PDU that
         * Wireshark's own reassembly completes there), rather than showing
         * on a frame it does not belong to. */
        if (pinfo->num == st.current_num && pinfo->num < st.nframes)
            st.frames[pinfo->num] = NULL;
        st.current_num = pinfo->num;
        st.frame_reads_bytes = shown || have_tap_listener(sessions_eo_tap);
        /* A link type the core does not decode is still fed: the core
         * reports it, so no frame is skipped silently. */
        int linktype = -1;
        if (pinfo->rec->rec_type == REC_TYPE_PACKET)
            linktype = linktype_of(pinfo->rec->rec_header.packet_header.pkt_encap);
        guint len = tvb_captured_length(tvb);
        sess_time ts = {pinfo->abs_ts.secs, (uint32_t)pinfo->abs_ts.nsecs};
        sess_on_packet(st.core, pinfo->num, ts, (uint32_t)linktype,
                       tvb_get_ptr(tvb, 0, len), len);
        st.frame_reads_bytes = FALSE;
    } else {
        sessions_end_first_pass();
    }
    const frame_result *fr = result_lookup(pinfo->num);
    if (!fr)
        return 0;
    if (fr->flags & FR_FLOW)
        sessions_flows_tap(pinfo, fr->flow_id);
    render(tree, tvb, pinfo, fr, shown);
    return tvb_captured_length(tvb);
}

/* ---- export objects --------------------------------------------------------- */

static tap_packet_status sessions_eo_packet(void *tapdata, packet_info *pinfo,
                                            epan_dissect_t *edt _U_,
                                            const void *data, tap_flags_t flags _U_)
{
    export_object_list_t *list = (export_object_list_t *)tapdata;
    const sessions_message *m = (const sessions_message *)data;
    if (!m->data)
        return TAP_PACKET_DONT_REDRAW;
    export_object_entry_t *e = g_new0(export_object_entry_t, 1);
    const flow_record *r = &st.flows[m->flow_id];
    char host[64];
    format_endpoint(host, sizeof host, &r->addr[1], r->port[1], r->has_ports);
    e->pkt_num = pinfo->num;
    e->hostname = g_strdup(host);
    e->content_type = g_strdup(m->proto);
    e->filename = g_strdup_printf("flow%u-%u-%" PRIu64 ".%s", m->flow_id, m->dir,
                                  m->offset, m->proto);
    e->payload_len = m->len;
    e->payload_data = (guint8 *)g_memdup2(m->data, m->len);
    list->add_entry(list->gui_data, e);
    return TAP_PACKET_REDRAW;
}

/* ---- registration ------------------------------------------------------------ */

void proto_register_sessions(void)
{
    static hf_register_info hf[] = {
        {&hf_flow, {"Flow", "sessions.flow", FT_STRING, BASE_NONE, NULL, 0,
                    "Direction of this packet: PROTO src > dst", HFILL}},
        {&hf_flow_id, {"Flow id", "sessions.flow.id", FT_UINT32, BASE_DEC, NULL, 0,
                       "Index of the bidirectional flow, in order of appearance",
                       HFILL}},
        {&hf_flow_dir, {"Direction", "sessions.flow.dir", FT_UINT8, BASE_DEC,
                        VALS(dir_vals), 0, NULL, HFILL}},
        {&hf_flow_pkts, {"Packets so far", "sessions.flow.pkts", FT_UINT32,
                         BASE_DEC, NULL, 0, "Packets of the flow so far, this one included",
                         HFILL}},
        {&hf_flow_bytes, {"Bytes so far", "sessions.flow.bytes", FT_UINT64,
                          BASE_DEC, NULL, 0,
                          "Transport payload bytes of the flow so far, as on the wire",
                          HFILL}},
        {&hf_flow_total_pkts, {"Total packets", "sessions.flow.total_pkts",
                               FT_UINT32, BASE_DEC, NULL, 0,
                               "Packets of the whole flow (two-pass mode or GUI)", HFILL}},
        {&hf_flow_total_bytes, {"Total bytes", "sessions.flow.total_bytes",
                                FT_UINT64, BASE_DEC, NULL, 0,
                                "Payload bytes of the whole flow (two-pass mode or GUI)",
                                HFILL}},
        {&hf_flow_duration, {"Duration", "sessions.flow.duration", FT_RELATIVE_TIME,
                             BASE_NONE, NULL, 0,
                             "Time from the flow's first to its last packet", HFILL}},
        {&hf_flow_state, {"State", "sessions.flow.state", FT_STRING, BASE_NONE,
                          NULL, 0, "Zeek conn_state of the flow", HFILL}},
        {&hf_flow_history, {"History", "sessions.flow.history", FT_STRING,
                            BASE_NONE, NULL, 0, "Zeek history of the connection",
                            HFILL}},
        {&hf_flow_missing, {"Missing bytes", "sessions.flow.missing", FT_UINT64,
                            BASE_DEC, NULL, 0,
                            "Bytes of the flow given up as missing", HFILL}},
        {&hf_tcp_offset, {"Stream offset", "sessions.tcp.offset", FT_UINT64,
                          BASE_DEC, NULL, 0,
                          "Stream offset of the segment's first payload byte", HFILL}},
        {&hf_tcp_len, {"Segment length", "sessions.tcp.len", FT_UINT32, BASE_DEC,
                       NULL, 0, NULL, HFILL}},
        {&hf_tcp_retransmission, {"Retransmission", "sessions.tcp.retransmission",
                                  FT_BOOLEAN, BASE_NONE, NULL, 0,
                                  "Every byte was already received", HFILL}},
        {&hf_tcp_out_of_order, {"Out of order", "sessions.tcp.out_of_order",
                                FT_BOOLEAN, BASE_NONE, NULL, 0,
                                "Starts above the next expected byte", HFILL}},
        {&hf_tcp_overlap, {"Overlap", "sessions.tcp.overlap", FT_BOOLEAN,
                           BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_tcp_overlap_conflict, {"Overlap conflict",
                                    "sessions.tcp.overlap.conflict", FT_BOOLEAN,
                                    BASE_NONE, NULL, 0,
                                    "Overlapping bytes differ", HFILL}},
        {&hf_tcp_late, {"Late", "sessions.tcp.late", FT_BOOLEAN, BASE_NONE, NULL,
                        0, "Data for a range already given up, or beyond the FIN",
                        HFILL}},
        {&hf_tcp_missing, {"Missing bytes given up", "sessions.tcp.missing",
                           FT_UINT64, BASE_DEC, NULL, 0,
                           "Bytes given up as missing on this frame", HFILL}},
        {&hf_msg, {"Message", "sessions.msg", FT_BYTES, BASE_NONE, NULL, 0,
                   "Reassembled application message", HFILL}},
        {&hf_msg_proto, {"Protocol", "sessions.msg.proto", FT_STRING, BASE_NONE,
                         NULL, 0, "Framer that cut the message", HFILL}},
        {&hf_msg_dir, {"Direction", "sessions.msg.dir", FT_UINT8, BASE_DEC,
                       VALS(dir_vals), 0, NULL, HFILL}},
        {&hf_msg_length, {"Length", "sessions.msg.length", FT_UINT32, BASE_DEC,
                          NULL, 0, NULL, HFILL}},
        {&hf_msg_offset, {"Stream offset", "sessions.msg.offset", FT_UINT64,
                          BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_msg_frames, {"Frame", "sessions.msg.frames", FT_FRAMENUM, BASE_NONE,
                          NULL, 0, "Frames that contributed bytes", HFILL}},
        {&hf_msg_missing, {"Missing bytes", "sessions.msg.missing", FT_UINT64,
                           BASE_DEC, NULL, 0, "Zero-filled bytes inside the message, plus the skipped hole "
                           "that cut it short",
                           HFILL}},
        {&hf_msg_partial, {"Partial", "sessions.msg.partial", FT_BOOLEAN,
                           BASE_NONE, NULL, 0,
                           "Message cut at sessions.max_message or by a skipped hole",
                           HFILL}},
        {&hf_msg_info, {"Summary", "sessions.msg.info", FT_STRING, BASE_NONE,
                        NULL, 0, NULL, HFILL}},
        {&hf_ip_fragment, {"IP fragment", "sessions.ip.fragment", FT_BOOLEAN,
                           BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_ip_reassembled_in, {"Reassembled in", "sessions.ip.reassembled_in",
                                 FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_ip_reassembled, {"Reassembled IP datagram", "sessions.ip.reassembled",
                              FT_BYTES, BASE_NONE, NULL, 0,
                              "The fragmentable part, reassembled", HFILL}},
        {&hf_ip_reassembled_length, {"Reassembled length",
                                     "sessions.ip.reassembled.length", FT_UINT32,
                                     BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_ip_fragments, {"Fragment", "sessions.ip.fragments", FT_FRAMENUM,
                            BASE_NONE, NULL, 0,
                            "Contributing frames, in offset order", HFILL}},
        {&hf_ip_fragment_count, {"Fragment count", "sessions.ip.fragment.count",
                                 FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_ip_overlap, {"Overlap", "sessions.ip.overlap", FT_BOOLEAN, BASE_NONE,
                          NULL, 0, NULL, HFILL}},
        {&hf_ip_overlap_conflict, {"Overlap conflict", "sessions.ip.overlap.conflict",
                                   FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_anomaly, {"Anomaly", "sessions.anomaly", FT_STRING, BASE_NONE, NULL,
                       0, "Something odd the core reported", HFILL}},
        {&hf_anomaly_detail, {"Detail", "sessions.anomaly.detail", FT_STRING,
                              BASE_NONE, NULL, 0,
                              "What the core said about this anomaly", HFILL}},
        {&hf_not_shown, {"Items not shown", "sessions.not_shown", FT_UINT32,
                         BASE_DEC, NULL, 0,
                         "Messages, datagrams, missing ranges and anomalies of "
                         "this frame beyond the first 64", HFILL}},
        {&hf_not_kept, {"Items not kept", "sessions.not_kept", FT_UINT32,
                        BASE_DEC, NULL, 0,
                        "Items of this frame beyond the per-frame limit, "
                        "counted only", HFILL}},
    };
    static gint *ett[] = {&ett_sessions, &ett_flow, &ett_tcp, &ett_msg, &ett_ip,
                          &ett_anomaly};

    static ei_register_info ei[] = {
        {&ei_truncated, {"sessions.expert.truncated", PI_MALFORMED, PI_ERROR,
                         "Header truncated", EXPFILL}},
        {&ei_bad_length, {"sessions.expert.bad_length", PI_MALFORMED, PI_ERROR,
                          "Length field inconsistent with the data", EXPFILL}},
        {&ei_unsupported_link, {"sessions.expert.unsupported_link", PI_UNDECODED,
                                PI_NOTE, "Link type not decoded", EXPFILL}},
        {&ei_frag_conflict, {"sessions.expert.ip.overlap.conflict", PI_SECURITY,
                             PI_WARN, "Overlapping fragment bytes differ",
                             EXPFILL}},
        {&ei_frag_too_long, {"sessions.expert.ip.too_long", PI_MALFORMED,
                             PI_ERROR,
                             "Fragment offset + length > 65535: fragment ignored",
                             EXPFILL}},
        {&ei_frag_bad_size, {"sessions.expert.ip.bad_size", PI_MALFORMED,
                             PI_ERROR,
                             "Non-last fragment empty or not a multiple of 8: "
                             "fragment ignored", EXPFILL}},
        {&ei_frag_past_end, {"sessions.expert.ip.past_end", PI_MALFORMED, PI_WARN,
                             "Fragment data past the datagram's end", EXPFILL}},
        {&ei_frag_end_conflict, {"sessions.expert.ip.end_conflict", PI_MALFORMED,
                                 PI_WARN, "Conflicting datagram ends", EXPFILL}},
        {&ei_frag_dropped, {"sessions.expert.ip.dropped", PI_SECURITY, PI_WARN,
                            "Overlap under the drop policy: datagram discarded",
                            EXPFILL}},
        {&ei_frag_timeout, {"sessions.expert.ip.timeout", PI_REASSEMBLE, PI_WARN,
                            "Incomplete datagram never completed", EXPFILL}},
        {&ei_frag_memcap, {"sessions.expert.ip.memcap", PI_REASSEMBLE, PI_WARN,
                           "Incomplete datagram evicted: memcap", EXPFILL}},
        {&ei_tcp_conflict, {"sessions.expert.tcp.overlap.conflict", PI_SECURITY,
                            PI_WARN, "Overlapping TCP data differs", EXPFILL}},
        {&ei_tcp_late, {"sessions.expert.tcp.late", PI_SEQUENCE, PI_WARN,
                        "Data for a range already given up or beyond the FIN",
                        EXPFILL}},
        {&ei_tcp_window, {"sessions.expert.tcp.window", PI_SEQUENCE, PI_WARN,
                          "Sequence jump beyond the window", EXPFILL}},
        {&ei_tcp_dir_cap, {"sessions.expert.tcp.dir_cap", PI_REASSEMBLE, PI_WARN,
                           "Direction buffer cap reached", EXPFILL}},
        {&ei_tcp_memcap, {"sessions.expert.tcp.memcap", PI_REASSEMBLE, PI_WARN,
                          "TCP memcap reached", EXPFILL}},
        {&ei_tcp_depth, {"sessions.expert.tcp.depth", PI_REASSEMBLE, PI_NOTE,
                         "Reassembly depth reached", EXPFILL}},
        {&ei_framer_error, {"sessions.expert.framer_error", PI_PROTOCOL, PI_WARN,
                            "Framer gave up: rest of the direction framed raw",
                            EXPFILL}},
        {&ei_msg_partial, {"sessions.expert.msg.partial", PI_REASSEMBLE, PI_WARN,
                           "Message cut at sessions.max_message", EXPFILL}},
        {&ei_flow_evicted, {"sessions.expert.flow.evicted", PI_REASSEMBLE,
                            PI_WARN, "Flow table full: flow evicted", EXPFILL}},
        {&ei_nomem, {"sessions.expert.nomem", PI_REASSEMBLE, PI_ERROR,
                     "Out of memory: data lost", EXPFILL}},
        {&ei_anomaly_other, {"sessions.expert.other", PI_PROTOCOL, PI_WARN,
                             "Anomaly of a kind this plugin does not know",
                             EXPFILL}},
        {&ei_tcp_retransmission, {"sessions.expert.tcp.retransmission", PI_SEQUENCE,
                                  PI_NOTE, "Retransmission", EXPFILL}},
        {&ei_tcp_out_of_order, {"sessions.expert.tcp.out_of_order", PI_SEQUENCE, PI_NOTE,
                                "Out-of-order segment", EXPFILL}},
        {&ei_tcp_overlap, {"sessions.expert.tcp.overlap", PI_SEQUENCE, PI_WARN,
                           "Overlapping segment", EXPFILL}},
        {&ei_tcp_missing, {"sessions.expert.tcp.missing", PI_SEQUENCE, PI_WARN,
                           "Bytes missing: given up, delivered as zeros",
                           EXPFILL}},
        {&ei_tcp_skipped, {"sessions.expert.tcp.skipped", PI_SEQUENCE, PI_WARN,
                           "Bytes missing: given up, too long to zero-fill: skipped",
                           EXPFILL}},
        {&ei_tcp_unseen, {"sessions.expert.tcp.unseen", PI_SEQUENCE, PI_WARN,
                          "Bytes acknowledged but never captured: counted, not delivered",
                          EXPFILL}},
        {&ei_msg_missing, {"sessions.expert.msg.missing", PI_SEQUENCE, PI_WARN,
                           "Message has zero-filled missing bytes", EXPFILL}},
        {&ei_msg_gap, {"sessions.expert.msg.gap", PI_SEQUENCE, PI_WARN,
                       "Message incomplete: next to a hole too long to zero-fill",
                       EXPFILL}},
        {&ei_msg_not_kept, {"sessions.expert.msg.not_kept", PI_REASSEMBLE, PI_NOTE,
                            "Bytes not kept: display cap reached", EXPFILL}},
        {&ei_ip_overlap, {"sessions.expert.ip.overlap", PI_SEQUENCE, PI_NOTE,
                          "Overlapping fragments", EXPFILL}},
        {&ei_items_not_shown, {"sessions.expert.not_shown", PI_REASSEMBLE,
                               PI_NOTE, "More items on this frame than shown",
                               EXPFILL}},
        {&ei_items_not_kept, {"sessions.expert.not_kept", PI_REASSEMBLE, PI_WARN,
                              "Items beyond the per-frame limit counted only",
                              EXPFILL}},
    };

    proto_sessions = proto_register_protocol("Session Reassembly", "Sessions",
                                             "sessions");
    proto_register_field_array(proto_sessions, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_sessions);
    expert_register_field_array(em, ei, array_length(ei));

    /* A change re-dissects the file, and sessions_init reads the prefs. */
    module_t *m = prefs_register_protocol(proto_sessions, sessions_prefs_apply);
    prefs_register_enum_preference(m, "session", "Session",
        "The Scapy session class to emulate", &pref_kind, kind_enum, FALSE);
    prefs_register_uint_preference(m, "max_flows", "Maximum flows",
        "Flows tracked at once; the least recent is ended beyond", 10,
        &pref_max_flows);
    prefs_register_uint_preference(m, "flow_timeout", "Flow timeout (s)",
        "Capture-time seconds a flow may idle before it ends", 10,
        &pref_flow_timeout);
    prefs_register_bool_preference(m, "flow_key_encap", "VLANs and tunnels in the flow key",
        "The same addresses and ports in different VLANs (802.1Q/802.1ad IDs) "
        "or tunnels (VXLAN/GENEVE VNI, GRE key, GTP-U TEID, outer endpoints) "
        "are different flows, as Suricata's vlan.use-for-tracking has it; off: "
        "one flow, as Wireshark's conversations", &pref_flow_key_encap);
    prefs_register_enum_preference(m, "ip_policy", "IP overlap policy",
        "How overlapping IP fragments are resolved", &pref_ip_policy,
        ip_policy_enum, FALSE);
    prefs_register_uint_preference(m, "ip_timeout", "IP reassembly timeout (s)",
        "Capture-time seconds an incomplete datagram may wait", 10,
        &pref_ip_timeout);
    prefs_register_uint_preference(m, "ip_memcap", "IP reassembly memcap (MiB)",
        "Bytes held by incomplete datagrams", 10, &pref_ip_memcap);
    prefs_register_enum_preference(m, "tcp_policy", "TCP overlap policy",
        "How overlapping TCP data is resolved", &pref_tcp_policy,
        tcp_policy_enum, FALSE);
    prefs_register_uint_preference(m, "tcp_timeout", "TCP hole timeout (s)",
        "Capture-time seconds a hole may wait before it is given up", 10,
        &pref_tcp_timeout);
    prefs_register_uint_preference(m, "tcp_ack_grace_pkts", "TCP ACK grace (packets)",
        "A hole the peer acknowledged is given up only after this many more "
        "packets of its connection (or the grace time), since the data may be "
        "captured after the ACK that covers it", 10, &pref_tcp_ack_grace_pkts);
    prefs_register_uint_preference(m, "tcp_ack_grace_ms", "TCP ACK grace (ms)",
        "Capture time an acknowledged hole waits for its data, at most", 10,
        &pref_tcp_ack_grace_ms);
    prefs_register_uint_preference(m, "tcp_dir_cap", "TCP buffer per direction (MiB)",
        "Out-of-order bytes held beyond a hole before the hole is given up", 10,
        &pref_tcp_dir_cap);
    prefs_register_uint_preference(m, "tcp_memcap", "TCP memcap (MiB)",
        "Bytes buffered by all TCP streams; least recent connections are "
        "flushed beyond", 10, &pref_tcp_memcap);
    prefs_register_uint_preference(m, "tcp_depth", "TCP reassembly depth (bytes)",
        "Bytes reassembled per direction, 0 = unlimited", 10, &pref_tcp_depth);
    prefs_register_uint_preference(m, "tcp_history", "TCP history (bytes)",
        "Consumed bytes kept per direction, so that a retransmission over "
        "them with different bytes is still reported as a conflict", 10,
        &pref_tcp_history);
    prefs_register_uint_preference(m, "tcp_hole_fill_max", "TCP hole zero-fill limit (bytes)",
        "A given-up hole up to this long (and up to the maximum message) is "
        "zero-filled; a longer one is skipped: reported missing, never "
        "delivered as zeros", 10, &pref_tcp_hole_fill_max);
    prefs_register_uint_preference(m, "max_message", "Maximum message (bytes)",
        "Largest message; longer ones are cut and marked partial", 10,
        &pref_max_message);
    prefs_register_uint_preference(m, "display_cap", "Message bytes kept (MiB)",
        "Message and datagram bytes kept for display; beyond, messages show "
        "their metadata only", 10, &pref_display_cap);
    sessions_framers_register_prefs(m);
    sessions_handoff_register(proto_sessions, m);
    sessions_flows_register(proto_sessions);
    sessions_flowtable_register();

    build_linktypes();
    register_init_routine(sessions_init);
    register_cleanup_routine(sessions_cleanup);
    register_postseq_cleanup_routine(sessions_end_first_pass);
    sessions_eo_tap = register_export_object(proto_sessions, sessions_eo_packet,
                                             NULL);
}

void proto_reg_handoff_sessions(void)
{
    sessions_handle = create_dissector_handle(dissect_sessions, proto_sessions);
    register_postdissector(sessions_handle);
    sessions_handoff_reg_handoff();
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_sessions;
    plug.register_handoff = proto_reg_handoff_sessions;
    proto_register_plugin(&plug);
}

#if SESSIONS_WS_AT_LEAST(4, 4)
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
