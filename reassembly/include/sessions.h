/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sessions.h - Scapy-style session reassembly, as a C11 library.
 *
 * A session (sess_t) is fed one captured frame at a time with
 * sess_on_packet(), like Scapy's on_packet_received(), or many in order
 * with sess_on_packets().  Everything it learns comes back as events
 * through one callback (Scapy's `prn`): per-packet flow metadata, IP
 * fragments and reassembled datagrams, TCP segment analysis, application
 * messages cut by framers, flow summaries and anomalies.  Each event names
 * the caller's frame number it belongs to, which is not always the frame
 * being fed: output caused by a timeout, an eviction or the end of the
 * capture goes on the flow's (or datagram's) last frame.
 *
 * The caller owns the session object and the configuration; every limit is a
 * field of sess_config with a safe default.  Memory is bounded by those
 * limits.  Anomalies in the traffic are events, never errors: functions
 * return a negative SESS_E* code only for misuse, allocation failure (also
 * reported as an SESS_AN_NOMEM event naming what was lost) or a frame that
 * could not be decoded (also reported as an event).
 *
 * Threads: the library has no global or static mutable state.  A session
 * is not locked: use each sess_t from one thread at a time (one session per
 * thread, or your own lock); different sessions may run in parallel.  The
 * callback runs on the thread feeding the session and must not call back
 * into that session.
 *
 * Event order, for each frame fed: first the events of expirations its
 * capture time triggers (idle flows end, incomplete IP datagrams time out),
 * on those flows' and datagrams' own last frames; then, for the frame
 * itself, decoding anomalies, SESS_EV_IP_FRAGMENT (with its anomalies and,
 * when it completes a datagram, SESS_EV_IP_DATAGRAM), exactly one
 * SESS_EV_PACKET, and for a TCP segment with payload its
 * SESS_EV_TCP_SEGMENT, then the SESS_EV_TCP_MISSING and SESS_EV_MESSAGE
 * events it releases (a range the direction cap gives up while the segment
 * is stored is reported just before its SESS_EV_TCP_SEGMENT); a flow that
 * the frame replaces or evicts ends (SESS_EV_FLOW_END) before the frame's
 * SESS_EV_PACKET.  Within a direction, messages come in stream order and
 * every missing range is reported before the message that contains it.
 * sess_finish() emits the rest: remaining datagrams time out, then each
 * flow's last messages and its SESS_EV_FLOW_END, least recent flow first.
 *
 * Lifetimes: an event and everything it points to (ev->flow, message and
 * datagram bytes, frame lists, strings) belong to the session and are valid
 * only during the callback; copy what you keep.  Exceptions that live
 * longer: message `proto` (the framer's name, static) and sess_flow_info's
 * `state` (a static string).  Every field of the event's type member is
 * set; members of the union that do not belong to its type are not.
 *
 * The library has no dependency beyond the C11 standard library.
 */
#ifndef SESSIONS_H
#define SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ------------------------------------------------------------ */

#define SESS_VERSION_MAJOR 0
#define SESS_VERSION_MINOR 2
#define SESS_VERSION_PATCH 0
/* 0xMMmmpp: comparable with < and > */
#define SESS_VERSION_HEX                                                       \
    ((SESS_VERSION_MAJOR << 16) | (SESS_VERSION_MINOR << 8) | SESS_VERSION_PATCH)

/* The version of the library linked in (SESS_VERSION_HEX when it was built),
 * and the same as "MAJOR.MINOR.PATCH". */
unsigned sess_version(void);
const char *sess_version_string(void);

/* ---- error codes ------------------------------------------------------- */

#define SESS_ERRNO_MAP(XX)                                                     \
    XX(TRUNCATED, -1, "header truncated")                                      \
    XX(BADLEN, -2, "length field inconsistent with the data")                  \
    XX(UNSUPPORTED, -3, "unsupported link type or protocol")                   \
    XX(NOTIP, -4, "frame carries no IP packet")                                \
    XX(NOMEM, -5, "out of memory")                                             \
    XX(INVAL, -6, "invalid argument")

enum {
    SESS_OK = 0,
#define XX(name, code, msg) SESS_E##name = code,
    SESS_ERRNO_MAP(XX)
#undef XX
};

/* Human-readable text of a SESS_E* code (or "ok"). */
const char *sess_strerror(int code);

/* ---- link types (LINKTYPE_* numbers of pcap/pcapng) -------------------- */

enum {
    SESS_LINK_NULL = 0,         /* BSD loopback, host byte order family */
    SESS_LINK_ETHERNET = 1,     /* with 802.1Q / 802.1ad tags, PPPoE, MPLS */
    SESS_LINK_PPP = 9,          /* PPP, with or without FF 03 */
    SESS_LINK_PPP_HDLC = 50,    /* PPP in HDLC-like framing */
    SESS_LINK_RAW = 101,        /* raw IPv4 or IPv6 */
    SESS_LINK_C_HDLC = 104,     /* Cisco HDLC */
    SESS_LINK_IEEE802_11 = 105, /* 802.11 data frames with LLC/SNAP */
    SESS_LINK_LOOP = 108,       /* OpenBSD loopback, network byte order */
    SESS_LINK_LINUX_SLL = 113,  /* Linux cooked capture v1 */
    SESS_LINK_PFLOG = 117,      /* OpenBSD pflog */
    SESS_LINK_IEEE802_11_RADIOTAP = 127, /* radiotap + 802.11 */
    SESS_LINK_IEEE802_11_AVS = 163,      /* AVS radio header + 802.11 */
    SESS_LINK_PPI = 192,        /* PPI header + the link type it names */
    SESS_LINK_PPP_WITH_DIR = 204,
    SESS_LINK_C_HDLC_WITH_DIR = 205,
    SESS_LINK_IPV4 = 228,
    SESS_LINK_IPV6 = 229,
    SESS_LINK_NFLOG = 239,      /* Linux netfilter log */
    SESS_LINK_LINUX_SLL2 = 276, /* Linux cooked capture v2 */
};

/* ---- configuration ---------------------------------------------------- */

typedef enum {
    SESS_KIND_DEFAULT = 0, /* flows and counts, no reassembly */
    SESS_KIND_IP,          /* + IPv4/IPv6 defragmentation */
    SESS_KIND_TCP,         /* + TCP stream reassembly and framers */
} sess_kind;

/* How overlapping IP fragments are resolved, byte by byte.  "old" is the
 * fragment holding the byte (with its original bounds), "new" the arriving
 * one. */
typedef enum {
    SESS_IP_FIRST = 0, /* old wins */
    SESS_IP_LAST,      /* new wins */
    SESS_IP_BSD,       /* new wins where it starts before old */
    SESS_IP_LINUX,     /* new wins where it starts at or before old */
    SESS_IP_WINDOWS,   /* new starts before old and ends after it */
    SESS_IP_SOLARIS,   /* new starts before old and ends at or after it */
    SESS_IP_DROP,      /* any overlap drops the datagram (RFC 5722) */
} sess_ip_policy;

/* How overlapping TCP data is resolved, byte by byte.  "held" is the segment
 * holding the byte (with its original bounds), "new" the arriving one. */
typedef enum {
    SESS_TCP_FIRST = 0, /* held wins */
    SESS_TCP_LAST,      /* new wins */
    SESS_TCP_BSD,       /* new wins where it starts before held */
    SESS_TCP_WINDOWS,   /* same as bsd */
    SESS_TCP_LINUX,     /* starts before, or same start and ends after */
    SESS_TCP_OLD_LINUX, /* starts before, or same start and ends at/after */
    SESS_TCP_SOLARIS,   /* ends after held, or covers held entirely */
    SESS_TCP_VISTA,     /* same as first */
} sess_tcp_policy;

struct sess_framer_table; /* sessions_framer.h */

/* The session's allocator: like realloc(ptr, size) for size > 0 (ptr NULL
 * allocates); size 0 frees ptr and returns NULL.  Every heap call of the
 * session goes through it, so it may account, bound or -- in tests -- fail
 * on purpose.  A failure is never silent: what it cost is reported as a
 * SESS_AN_NOMEM anomaly and the call feeding the frame returns SESS_ENOMEM. */
typedef void *(*sess_realloc_fn)(void *user, void *ptr, size_t size);

typedef struct sess_config {
    sess_kind kind;          /* default SESS_KIND_TCP */
    uint32_t max_flows;      /* flows tracked at once; LRU eviction (262144) */
    double flow_timeout;     /* idle seconds before a flow ends (600) */

    sess_ip_policy ip_policy; /* SESS_IP_FIRST */
    double ip_timeout;        /* seconds a datagram may wait (30) */
    size_t ip_memcap;         /* bytes held by incomplete datagrams (64 MiB) */

    sess_tcp_policy tcp_policy; /* SESS_TCP_FIRST */
    double tcp_timeout;         /* seconds a hole may wait before it is given up (30) */
    uint32_t tcp_ack_grace_pkts; /* a hole the peer acknowledged waits for the
                                    flow's next N packets (64) ... */
    double tcp_ack_grace_time;  /* ... or this many seconds (1), whichever
                                   comes first, before it is given up */
    size_t tcp_dir_cap;         /* buffered bytes per direction (8 MiB) */
    size_t tcp_memcap;          /* buffered bytes over all streams (512 MiB) */
    uint32_t tcp_window;        /* largest accepted jump ahead (16 MiB) */
    uint64_t tcp_depth;         /* bytes reassembled per direction, 0 = all */
    size_t tcp_history;         /* consumed bytes kept per direction so a
                                   retransmission over them that differs is
                                   still a conflict (4 KiB) */
    size_t max_message;         /* largest message (16 MiB) */
    size_t tcp_hole_fill_max;   /* a given-up hole of at most this many bytes
                                   (and at most max_message) is zero-filled
                                   into the stream; a longer one is skipped:
                                   never materialised, the message before it
                                   ends partial and the framer resynchronises
                                   or goes raw (64 KiB) */

    /* Whether where a packet was found is part of its flow's identity (and
     * of its IP datagram's): the VLAN IDs and the tunnel (kind, identifier,
     * outer endpoints), so the same addresses and ports in two VLANs or
     * tenants are two flows, as with Suricata's vlan.use-for-tracking.
     * false: one flow, as Wireshark's conversations have it.  (true) */
    bool flow_key_encap;

    /* Framer selection (SESS_KIND_TCP).  NULL means the built-in table:
     * http 80,8000,8080; tls 443,8443; dns 53; then heuristics; then raw. */
    const struct sess_framer_table *framers;

    sess_realloc_fn realloc;  /* NULL: the C library's malloc/realloc/free */
    void *realloc_user;       /* passed to realloc */
} sess_config;

void sess_config_init(sess_config *cfg);

/* ---- events ------------------------------------------------------------ */

/* A capture time, exact to the nanosecond: seconds since the epoch and
 * nanoseconds within that second (0..999,999,999). */
typedef struct sess_time {
    int64_t sec;
    uint32_t nsec;
} sess_time;

typedef struct sess_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t bytes[16]; /* IPv4 in the first 4 bytes */
} sess_addr;

/* The tunnel a flow's packets came out of (the innermost one opened). */
typedef enum {
    SESS_TUNNEL_NONE = 0,
    SESS_TUNNEL_IPIP,    /* IPv4 or IPv6 in IPv4 or IPv6; no identifier */
    SESS_TUNNEL_GRE,     /* identifier: the key, 0 without one; around
                            Ethernet, NVGRE's VSID (the key >> 8: its last
                            byte is per-flow entropy) */
    SESS_TUNNEL_PPTP,    /* enhanced GRE; identifier: the call ID */
    SESS_TUNNEL_VXLAN,   /* identifier: the VNI */
    SESS_TUNNEL_GENEVE,  /* identifier: the VNI */
    SESS_TUNNEL_GTPU,    /* identifier: the TEID */
    SESS_TUNNEL_L2TP,    /* identifier: tunnel ID << 16 | session ID */
    SESS_TUNNEL_ERSPAN,  /* a remote mirror's copies (GRE): shown, never part
                            of the flow key; identifier: the GRE key */
} sess_tunnel;

/* "gre", "vxlan", ...; "" for SESS_TUNNEL_NONE. */
const char *sess_tunnel_name(sess_tunnel t);

/* Whether a tunnel's identifier names the receiving end, so that the two
 * directions of one flow carry different ones (PPTP, GTP-U, L2TP); the
 * others carry the same identifier both ways. */
bool sess_tunnel_id_per_direction(sess_tunnel t);

/* Room for a flow's history string, its terminating NUL included: letters
 * past it are not recorded. */
#define SESS_HISTORY_LEN 24

/* What the session knows of one bidirectional flow.  Index 0 of the arrays
 * is the originator->responder direction, 1 the reverse. */
typedef struct sess_flow_info {
    uint32_t id;      /* 0-based, in order of first appearance */
    uint8_t l4proto;  /* 6, 17, or the final IP protocol / next header */
    bool has_ports;
    sess_addr addr[2];  /* [0] originator, [1] responder */
    uint16_t port[2];
    uint64_t pkts[2];
    uint64_t bytes[2];        /* transport payload on the wire */
    uint64_t missing[2];      /* bytes given up as missing (TCP) */
    uint64_t first_frame, last_frame;
    sess_time first_ts, last_ts;
    char history[SESS_HISTORY_LEN]; /* Zeek-style history (TCP) */
    const char *state;        /* Zeek-style conn_state: NULL until the flow
                                 ends, then a static string */
    /* Where the flow was found, from its first packet (with
     * flow_key_encap, also part of its identity): VLAN IDs of the outermost
     * link layer, outer tag first; the tunnel, its identifier per direction
     * (the same both ways unless sess_tunnel_id_per_direction(), then 0
     * until that direction has been seen) and its outer endpoints. */
    uint8_t vlans;            /* VLAN tags: 0, 1 or 2 (the first two kept) */
    uint16_t vlan[2];
    sess_tunnel tunnel;
    uint32_t tunnel_id[2];
    sess_addr tunnel_addr[2]; /* [0] the originator's side */
} sess_flow_info;

typedef enum {
    SESS_EV_PACKET,       /* every fed frame: flow membership (flow may be NULL) */
    SESS_EV_IP_FRAGMENT,  /* the frame is an IP fragment */
    SESS_EV_IP_DATAGRAM,  /* a datagram was reassembled */
    SESS_EV_TCP_SEGMENT,  /* analysis of a TCP segment with payload */
    SESS_EV_TCP_MISSING,  /* bytes given up as missing */
    SESS_EV_MESSAGE,      /* an application message */
    SESS_EV_FLOW_END,     /* a flow ended: final totals, state, history */
    SESS_EV_ANOMALY,      /* something odd; see sess_anomaly */
} sess_event_type;

/* Bits of sess_event.u.segment.flags */
enum {
    SESS_SEG_RETRANSMISSION = 1u << 0,
    SESS_SEG_OUT_OF_ORDER = 1u << 1,
    SESS_SEG_OVERLAP = 1u << 2,
    SESS_SEG_CONFLICT = 1u << 3,
    SESS_SEG_LATE = 1u << 4,
};

typedef enum {
    /* decoding */
    SESS_AN_TRUNCATED = 1,   /* a header is cut short */
    SESS_AN_BAD_LENGTH,      /* a length field disagrees with the data */
    SESS_AN_UNSUPPORTED_LINK,
    /* IP defragmentation */
    SESS_AN_FRAG_CONFLICT,   /* overlapping fragment bytes differ */
    SESS_AN_FRAG_TOO_LONG,   /* offset + length > 65535 */
    SESS_AN_FRAG_BAD_SIZE,   /* non-last fragment empty or not a multiple of 8 */
    SESS_AN_FRAG_PAST_END,   /* data beyond the known end */
    SESS_AN_FRAG_END_CONFLICT, /* two different last fragments */
    SESS_AN_FRAG_DROPPED,    /* datagram dropped by the drop policy */
    SESS_AN_FRAG_TIMEOUT,    /* incomplete datagram timed out */
    SESS_AN_FRAG_MEMCAP,     /* incomplete datagram evicted for memory */
    /* TCP */
    SESS_AN_TCP_CONFLICT,    /* overlapping segment bytes differ */
    SESS_AN_TCP_LATE,        /* data for a given-up range or beyond FIN */
    SESS_AN_TCP_WINDOW,      /* sequence jump beyond the window limit */
    SESS_AN_TCP_DIR_CAP,     /* per-direction buffer cap reached */
    SESS_AN_TCP_MEMCAP,      /* global buffer cap reached */
    SESS_AN_TCP_DEPTH,       /* reassembly depth reached */
    SESS_AN_FRAMER_ERROR,    /* framer gave up: rest of the direction is raw */
    SESS_AN_MESSAGE_PARTIAL, /* message cut at max_message */
    /* flows */
    SESS_AN_FLOW_EVICTED,    /* flow table full: least recent flow ended */
    /* the session itself */
    SESS_AN_NOMEM,           /* an allocation failed: detail says what was lost */
} sess_anomaly;

const char *sess_anomaly_name(sess_anomaly a);

/* What became of the bytes a SESS_EV_TCP_MISSING event reports. */
typedef enum {
    SESS_MISSING_ZERO_FILLED, /* a hole within the hole fill limit: zeros
                                 in its place in the stream */
    SESS_MISSING_SKIPPED,     /* a longer hole: never delivered; the
                                 stream goes on after it */
    SESS_MISSING_UNSEEN,      /* acknowledged by the peer beyond the last
                                 byte the sender was seen to send, reported
                                 once when the direction ends: counted in
                                 the flow's missing, never delivered */
} sess_missing_fate;

typedef struct sess_message {
    uint8_t dir;            /* 0 originator->responder, 1 reverse */
    const char *proto;      /* framer name: "http", "tls", "dns", "raw", ...
                               (static: lives as long as the framer) */
    const uint8_t *data;    /* valid during the callback only */
    size_t len;
    uint64_t offset;        /* stream offset of the first byte */
    const uint64_t *frames; /* contributing frames, ascending, unique; during
                               the callback only (nframes may be 0 when the
                               list could not be kept: see SESS_AN_NOMEM) */
    size_t nframes;
    uint64_t missing;       /* bytes the message lacks: zero-filled bytes
                               inside it, plus, when a skipped hole cut it
                               short, that hole's length */
    bool partial;           /* cut at max_message, or by a skipped hole */
    bool gap;               /* partial because of a skipped hole: the bytes
                               before it, or those after it up to where the
                               framer found its place again */
    const char *info;       /* short summary from the framer, may be "";
                               during the callback only */
} sess_message;

typedef struct sess_event {
    sess_event_type type;
    uint64_t frame;              /* caller's frame this output belongs to */
    const sess_flow_info *flow;  /* NULL when the frame joins no flow;
                                    during the callback only */
    union {
        struct {
            uint8_t dir;
            bool new_flow;   /* this packet created the flow */
        } packet;
        struct {
            uint32_t id;
            bool completes;  /* this fragment completed its datagram */
        } fragment;
        struct {
            const uint8_t *data; /* fragmentable part, during callback only */
            size_t len;
            const uint64_t *frames; /* contributing frames, in offset
                                       order, during the callback only */
            size_t nframes;
            bool overlap, conflict;
            uint8_t family;
        } datagram;
        struct {
            uint8_t dir;
            uint64_t offset;
            uint32_t len;
            unsigned flags; /* SESS_SEG_* */
        } segment;
        struct {
            uint8_t dir;
            uint64_t offset;
            uint64_t len;
            sess_missing_fate fate;
        } missing;
        sess_message message;
        struct {
            sess_anomaly what;
            const char *detail; /* human-readable, during callback only */
        } anomaly;
    } u;
} sess_event;

typedef void (*sess_event_cb)(void *user, const sess_event *ev);

/* ---- the session --------------------------------------------------------- */

typedef struct sess sess_t;

typedef struct sess_counts {
    uint64_t packets, ip_packets, flows, fragments, datagrams;
    uint64_t tcp_segments, messages, message_bytes, missing_bytes;
    uint64_t anomalies, decode_errors;
} sess_counts;

/* Creates a session; cfg is copied (the framer table it points to must
 * outlive the session; cfg NULL: the defaults).  Returns NULL when out of
 * memory. */
sess_t *sess_new(const sess_config *cfg, sess_event_cb cb, void *user);
/* Frees the session and all it holds, emitting nothing (sess_finish() first
 * to have the rest reported).  NULL is ignored. */
void sess_free(sess_t *s);

/* Feeds one frame: `frame` is the caller's frame number (strictly
 * increasing), `ts` its capture time.  `data` is read during the call only.
 * Events for this frame, and for expirations it triggers, are delivered
 * before it returns.  Returns SESS_OK; SESS_ENOMEM when an allocation
 * failed (each loss reported as an SESS_AN_NOMEM anomaly); or another
 * negative code when the frame could not be decoded (an SESS_EV_PACKET with
 * flow NULL and an anomaly are still emitted; an unsupported link type is
 * reported on its first frame only); SESS_EINVAL for a NULL session, or
 * NULL data with a non-zero caplen. */
int sess_on_packet(sess_t *s, uint64_t frame, sess_time ts, uint32_t linktype,
                   const uint8_t *data, size_t caplen);

/* One frame of a batch, as sess_on_packet() takes it. */
typedef struct sess_packet {
    uint64_t frame;
    sess_time ts;
    uint32_t linktype;
    uint32_t caplen;
    const uint8_t *data;
} sess_packet;

/* Feeds n frames in order, exactly as n calls of sess_on_packet() would,
 * while reading ahead: the bytes of the frames a few places further on are
 * fetched into the cache before they are decoded.  For callers that hold
 * many frames in memory at once (a replay, a capture ring), where each
 * frame's first touch would otherwise stall.  Returns SESS_OK, or the first
 * negative code sess_on_packet() returned (the other frames are still
 * fed). */
int sess_on_packets(sess_t *s, const sess_packet *pkts, size_t n);

/* End of capture: gives up every hole, flushes every message, ends every
 * flow.  The session can be fed again afterwards, with a clock of its own;
 * flow ids and counts carry on (sess_new starts afresh).  Returns SESS_OK,
 * or SESS_ENOMEM when an allocation failed (each loss reported as an
 * SESS_AN_NOMEM anomaly). */
int sess_finish(sess_t *s);

/* Totals since sess_new; the pointer lives as long as the session and its
 * values change as frames are fed. */
const sess_counts *sess_get_counts(const sess_t *s);

/* Names used by the plugin's preferences and by tools. */
const char *sess_ip_policy_name(sess_ip_policy p);
const char *sess_tcp_policy_name(sess_tcp_policy p);

#ifdef __cplusplus
}
#endif
#endif
