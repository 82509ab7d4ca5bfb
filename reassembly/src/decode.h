/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h - link, IP and transport decoding of one frame, without copying.
 *
 * sess__decode_frame() walks the link layer (Ethernet with any number of
 * 802.1Q/802.1ad/0x9100 tags, Linux cooked v1/v2, raw IP including the DLT
 * values 12 and 14, LINKTYPE_IPV4/IPV6, BSD loopback in either byte order,
 * OpenBSD loopback), then IPv4 (options skipped) or IPv6 (hop-by-hop,
 * routing, destination options, AH and fragment headers walked), then TCP or
 * UDP.  Every pointer in sess__pkt points into the caller's frame.  The IP
 * total length wins over link-layer padding: ip_len never includes trailer
 * bytes.  When an IP length field is unusable (IPv4 total length below the
 * header, e.g. 0 from segmentation offload; IPv6 payload length 0 before a
 * hop-by-hop header, i.e. a jumbogram) SESS__DEC_BAD_IP_LEN is set and the
 * captured bytes stand in for it.
 *
 * Decoding stops at the first header that cannot be read; what was decoded
 * so far stays valid and `anomalies` says why it stopped.  A fragment (any
 * is_fragment packet, the first one included) has no transport decoded:
 * l4_ok stays false, and the transport of the reassembled datagram is read
 * by sess__decode_transport().  Nothing here allocates.
 */
#ifndef SESS_DECODE_H
#define SESS_DECODE_H

#include "sessions.h"

/* Bits of sess__pkt.anomalies */
enum {
    SESS__DEC_TRUNCATED = 1u << 0,  /* captured bytes end inside a header */
    SESS__DEC_BAD_IP_LEN = 1u << 1, /* IP length smaller than its header,
                                      or a jumbogram */
    SESS__DEC_BAD_L4_LEN = 1u << 2, /* TCP data offset < 20 or beyond the
                                      data; UDP length inconsistent */
    SESS__DEC_BAD_EXT = 1u << 3,    /* IPv6 extension header chain broken */
    SESS__DEC_UNSUPPORTED = 1u << 4,/* link type or ethertype not handled */
    SESS__DEC_SNAPPED = 1u << 5,    /* the IP packet is longer than what was
                                      captured (snap length): not an error */
};

typedef struct sess__pkt {
    /* IP layer; ip_version 0 when the frame holds no IP packet */
    uint8_t ip_version;          /* 4 or 6 */
    sess_addr src, dst;
    const uint8_t *ip;           /* first byte of the IP header */
    size_t ip_len;               /* IP total length, clipped to captured */
    size_t ip_hdr_len;           /* v4: header with options; v6: 40 + every
                                    extension header walked (including the
                                    fragment header) */
    uint8_t proto;               /* v4 protocol; v6 final next header */

    /* fragmentation (v4: MF or offset != 0; v6: a fragment header) */
    bool is_fragment;
    uint32_t frag_id;            /* v4: 16-bit id; v6: 32-bit id */
    uint32_t frag_offset;        /* in bytes */
    bool frag_more;
    uint8_t frag_proto;          /* v4 protocol; v6 fragment header's next header */
    const uint8_t *frag_data;    /* this fragment's part of the fragmentable data */
    size_t frag_len;             /* its length per the IP length fields */
    size_t frag_captured;        /* how much of it was captured (<= frag_len) */

    /* transport (l4_ok when the TCP/UDP header was read) */
    bool l4_ok;
    uint16_t sport, dport;
    uint32_t seq, ack;           /* TCP */
    uint8_t tcp_flags;           /* TCP: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
    uint16_t window;
    const uint8_t *payload;      /* transport payload */
    size_t payload_len;          /* per the IP/UDP length fields, clipped to captured */
    size_t payload_wire_len;     /* per the length fields, before clipping */

    unsigned anomalies;          /* SESS__DEC_* */

    /* the payload is a tunnel: its IP protocol (4, 41, 47) or UDP port, and
     * its captured bytes; 0 when not.  Still set after decoding when the
     * tunnel held no IP packet or was nested too deep to open. */
    uint16_t tunnel;
    const uint8_t *tunnel_data;
    size_t tunnel_len, tunnel_wire_len; /* captured, per the length fields */

    /* Where the packet was found, for a flow key that tells apart the same
     * addresses and ports in different VLANs or tenants.  VLAN IDs are the
     * outermost link layer's (tags inside a tunnel are not kept); the
     * tunnel is the innermost one opened around the packet: its kind
     * (SESS_TUNNEL_NONE when none was opened), its identifier (VXLAN/GENEVE
     * VNI, GRE key, NVGRE VSID, PPTP call ID, GTP-U TEID, L2TP tunnel << 16
     * | session; 0 for IP in IP and a GRE without key) and the outer
     * packet's addresses. */
    unsigned vlans;              /* 802.1Q/802.1ad tags walked */
    uint16_t vlan[2];            /* the first two VLAN IDs, outer first */
    sess_tunnel encap;
    uint32_t encap_id;
    sess_addr encap_src, encap_dst;
    unsigned encap_depth;        /* tunnels opened, 0 to 4 */
} sess__pkt;

enum { SESS__TH_FIN = 0x01, SESS__TH_SYN = 0x02, SESS__TH_RST = 0x04,
       SESS__TH_PSH = 0x08, SESS__TH_ACK = 0x10 };

/* Decodes a whole frame.  Returns SESS_OK when an IP header was read (the
 * IPv6 extension headers and the transport may still be missing: see l4_ok
 * and anomalies), SESS_ENOTIP when the frame carries something else (ARP,
 * an unknown loopback family, an IP version the link layer did not announce),
 * SESS_EUNSUPPORTED for an unknown link type (both with
 * SESS__DEC_UNSUPPORTED), SESS_ETRUNCATED when the link header, the fixed IPv6
 * header or the IPv4 header with its options is cut, SESS_EBADLEN when the
 * IPv4 header length is below 20.  On error ip_version stays 0. */
int sess__decode_frame(uint32_t linktype, const uint8_t *frame, size_t caplen,
                      sess__pkt *out);

/* Decodes from an IP header (v4 or v6 told by the version nibble); returns
 * as sess__decode_frame(). */
int sess__decode_ip(const uint8_t *ip, size_t caplen, sess__pkt *out);

/* Decodes the transport of a reassembled datagram: `data` is the
 * fragmentable part and `next` the protocol (v4) or the fragment header's
 * next header (v6).  For IPv6 any extension headers at the start of `data`
 * are walked first.  Clears then updates proto, l4_ok, ports, TCP fields
 * and payload; adds to anomalies.  A tunnel in `data` holding an IP packet
 * replaces the whole description with that packet's, which may be a
 * fragment (is_fragment) whose bytes are in `data`.  Returns SESS_OK when the TCP/UDP header
 * was read or the protocol has none this decoder reads, SESS_EBADLEN when
 * a header does not fit in `len` or its own length field is wrong. */
int sess__decode_transport(sess__pkt *p, uint8_t next, const uint8_t *data,
                          size_t len);

#endif
