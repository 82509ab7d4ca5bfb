/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flows.c - one row per flow, as Zeek's conn.log has it, and the typed flow
 * fields.
 *
 * The core reports each flow on every packet (running counts) and once more
 * when it ends (final totals, conn_state, history).  A row copies the core's
 * record at each of those events, so it always holds the latest counts:
 * final once the flow has ended, running while a live capture goes on.  The
 * messages cut in each direction and the framers that cut them (Zeek's
 * `service`) are counted from the message events.  Rows live as long as the
 * capture file; the flow table (flowtable.c) and the typed fields read them.
 *
 * The typed fields give the packet's direction of its flow as Wireshark's
 * own types (an IPv4 or IPv6 address, a port, an IP protocol), so that
 * Apply as Filter, name resolution and field columns treat them as they
 * treat ip.src or tcp.srcport.  As Wireshark does with ip and ipv6, each
 * address has one field per family (sessions.flow.src, sessions.flow.src6);
 * hidden sessions.flow.addr/.addr6/.port match either end, as ip.addr and
 * tcp.port do.
 *
 * Where the flow was found comes next, when there is something to say:
 * its VLAN IDs (outer first) and its tunnel with the identifier and outer
 * endpoints of the packet's direction.  With sessions.flow_key_encap (the
 * default) they are part of the flow's identity, so they are what tells
 * two flows with the same addresses and ports apart.
 */
#include <wireshark.h>

#include <epan/ipproto.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include <string.h>

#include "sessions_plugin.h"

static int hf_flow_src = -1;
static int hf_flow_dst = -1;
static int hf_flow_src6 = -1;
static int hf_flow_dst6 = -1;
static int hf_flow_addr = -1;
static int hf_flow_addr6 = -1;
static int hf_flow_srcport = -1;
static int hf_flow_dstport = -1;
static int hf_flow_port = -1;
static int hf_flow_proto = -1;
static int hf_flow_vlan = -1;
static int hf_flow_tunnel = -1;
static int hf_flow_tunnel_id = -1;
static int hf_flow_tunnel_src = -1;
static int hf_flow_tunnel_dst = -1;
static int hf_flow_tunnel_src6 = -1;
static int hf_flow_tunnel_dst6 = -1;

static int flows_tap = -1;

static GArray *rows; /* sessions_flow_row, by flow id */

static sessions_flow_row *row_for(guint32 id)
{
    if (!rows)
        rows = g_array_new(FALSE, TRUE, sizeof(sessions_flow_row));
    if (id >= rows->len)
        g_array_set_size(rows, id + 1);
    return &g_array_index(rows, sessions_flow_row, id);
}

/* Appends a framer's name to the row's service list the first time one of
 * its messages is seen (http, then ws after an upgrade: "http,ws"). */
static void add_service(sessions_flow_row *r, const char *proto)
{
    size_t plen = strlen(proto);
    const char *s = r->service;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n == plen && memcmp(s, proto, n) == 0)
            return;
        s += n + (end != NULL);
    }
    size_t used = strlen(r->service);
    if (used + (used > 0) + plen + 1 > sizeof r->service)
        return; /* a longer list is cut, never overrun */
    if (used)
        r->service[used++] = ',';
    memcpy(r->service + used, proto, plen + 1);
}

void sessions_flows_event(const sess_event *ev)
{
    if (!ev->flow)
        return;
    sessions_flow_row *r;
    switch (ev->type) {
    case SESS_EV_PACKET:
        r = row_for(ev->flow->id);
        r->info = *ev->flow;
        break;
    case SESS_EV_MESSAGE:
        r = row_for(ev->flow->id);
        r->msgs[ev->u.message.dir & 1]++;
        add_service(r, ev->u.message.proto);
        break;
    case SESS_EV_FLOW_END:
        r = row_for(ev->flow->id);
        r->info = *ev->flow;
        r->ended = TRUE;
        break;
    default:
        break;
    }
}

guint32 sessions_flows_count(void)
{
    return rows ? rows->len : 0;
}

const sessions_flow_row *sessions_flows_get(guint32 id)
{
    return rows && id < rows->len ? &g_array_index(rows, sessions_flow_row, id)
                                  : NULL;
}

static void add_generated(proto_item *ti, gboolean hidden)
{
    proto_item_set_generated(ti);
    if (hidden)
        proto_item_set_hidden(ti);
}

/* Adds `a` as hf4 or hf6 by its family, and as hf_either4/6 (hidden, -1:
 * none). */
static void add_address(proto_tree *tree, tvbuff_t *tvb, const sess_addr *a,
                        int hf4, int hf6, int hf_either4, int hf_either6)
{
    if (a->family == 6) {
        ws_in6_addr v6;
        memcpy(v6.bytes, a->bytes, sizeof v6.bytes);
        add_generated(proto_tree_add_ipv6(tree, hf6, tvb, 0, 0, &v6), FALSE);
        if (hf_either6 != -1)
            add_generated(proto_tree_add_ipv6(tree, hf_either6, tvb, 0, 0, &v6),
                          TRUE);
    } else {
        guint32 v4;
        memcpy(&v4, a->bytes, sizeof v4); /* network order, as Wireshark keeps it */
        add_generated(proto_tree_add_ipv4(tree, hf4, tvb, 0, 0, v4), FALSE);
        if (hf_either4 != -1)
            add_generated(proto_tree_add_ipv4(tree, hf_either4, tvb, 0, 0, v4),
                          TRUE);
    }
}

/* VLAN IDs and tunnel, as seen in direction s (d the other). */
static void add_encapsulation(proto_tree *tree, tvbuff_t *tvb,
                              const sess_flow_info *f, int s, int d)
{
    for (int i = 0; i < f->vlans && i < 2; i++)
        add_generated(proto_tree_add_uint(tree, hf_flow_vlan, tvb, 0, 0,
                                          f->vlan[i]), FALSE);
    if (f->tunnel == SESS_TUNNEL_NONE)
        return;
    add_generated(proto_tree_add_string(tree, hf_flow_tunnel, tvb, 0, 0,
                                        sess_tunnel_name(f->tunnel)), FALSE);
    if (f->tunnel != SESS_TUNNEL_IPIP)
        add_generated(proto_tree_add_uint(tree, hf_flow_tunnel_id, tvb, 0, 0,
                                          f->tunnel_id[s]), FALSE);
    add_address(tree, tvb, &f->tunnel_addr[s], hf_flow_tunnel_src,
                hf_flow_tunnel_src6, -1, -1);
    add_address(tree, tvb, &f->tunnel_addr[d], hf_flow_tunnel_dst,
                hf_flow_tunnel_dst6, -1, -1);
}

void sessions_flows_render(proto_tree *tree, tvbuff_t *tvb, guint32 id,
                           guint8 dir)
{
    const sessions_flow_row *r = sessions_flows_get(id);
    if (!r)
        return;
    const sess_flow_info *f = &r->info;
    int s = dir & 1, d = 1 - s;
    add_address(tree, tvb, &f->addr[s], hf_flow_src, hf_flow_src6,
                hf_flow_addr, hf_flow_addr6);
    add_address(tree, tvb, &f->addr[d], hf_flow_dst, hf_flow_dst6,
                hf_flow_addr, hf_flow_addr6);
    if (f->has_ports) {
        add_generated(proto_tree_add_uint(tree, hf_flow_srcport, tvb, 0, 0,
                                          f->port[s]), FALSE);
        add_generated(proto_tree_add_uint(tree, hf_flow_dstport, tvb, 0, 0,
                                          f->port[d]), FALSE);
        add_generated(proto_tree_add_uint(tree, hf_flow_port, tvb, 0, 0,
                                          f->port[s]), TRUE);
        add_generated(proto_tree_add_uint(tree, hf_flow_port, tvb, 0, 0,
                                          f->port[d]), TRUE);
    }
    add_generated(proto_tree_add_uint(tree, hf_flow_proto, tvb, 0, 0,
                                      f->l4proto), FALSE);
    add_encapsulation(tree, tvb, f, s, d);
}

void sessions_flows_tap(packet_info *pinfo, guint32 id)
{
    if (!have_tap_listener(flows_tap))
        return;
    guint32 *data = wmem_new(pinfo->pool, guint32);
    *data = id;
    tap_queue_packet(flows_tap, pinfo, data);
}

static void flows_cleanup(void)
{
    if (rows) {
        g_array_free(rows, TRUE);
        rows = NULL;
    }
}

void sessions_flows_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_flow_src, {"Source", "sessions.flow.src", FT_IPv4, BASE_NONE,
                        NULL, 0, "IPv4 sender of this packet, by its flow", HFILL}},
        {&hf_flow_dst, {"Destination", "sessions.flow.dst", FT_IPv4, BASE_NONE,
                        NULL, 0, "IPv4 receiver of this packet, by its flow",
                        HFILL}},
        {&hf_flow_src6, {"Source", "sessions.flow.src6", FT_IPv6, BASE_NONE,
                         NULL, 0, "IPv6 sender of this packet, by its flow", HFILL}},
        {&hf_flow_dst6, {"Destination", "sessions.flow.dst6", FT_IPv6, BASE_NONE,
                         NULL, 0, "IPv6 receiver of this packet, by its flow",
                         HFILL}},
        {&hf_flow_addr, {"Address", "sessions.flow.addr", FT_IPv4, BASE_NONE,
                         NULL, 0, "Either IPv4 end of the flow", HFILL}},
        {&hf_flow_addr6, {"Address", "sessions.flow.addr6", FT_IPv6, BASE_NONE,
                          NULL, 0, "Either IPv6 end of the flow", HFILL}},
        {&hf_flow_srcport, {"Source port", "sessions.flow.srcport", FT_UINT16,
                            BASE_DEC, NULL, 0,
                            "TCP or UDP port of this packet's sender", HFILL}},
        {&hf_flow_dstport, {"Destination port", "sessions.flow.dstport",
                            FT_UINT16, BASE_DEC, NULL, 0,
                            "TCP or UDP port of this packet's receiver", HFILL}},
        {&hf_flow_port, {"Port", "sessions.flow.port", FT_UINT16, BASE_DEC,
                         NULL, 0, "Either port of the flow", HFILL}},
        {&hf_flow_proto, {"Protocol", "sessions.flow.proto", FT_UINT8,
                          BASE_DEC | BASE_EXT_STRING, &ipproto_val_ext, 0,
                          "IP protocol of the flow (its transport)", HFILL}},
        {&hf_flow_vlan, {"VLAN", "sessions.flow.vlan", FT_UINT16, BASE_DEC,
                         NULL, 0, "VLAN ID the flow was found in, outer tag "
                         "first (802.1Q/802.1ad; the first two)", HFILL}},
        {&hf_flow_tunnel, {"Tunnel", "sessions.flow.tunnel", FT_STRING,
                           BASE_NONE, NULL, 0, "Innermost tunnel the flow was "
                           "found in: ipip, gre, pptp, vxlan, geneve, gtpu, l2tp, erspan",
                           HFILL}},
        {&hf_flow_tunnel_id, {"Tunnel id", "sessions.flow.tunnel_id", FT_UINT32,
                              BASE_DEC_HEX, NULL, 0, "Tunnel identifier of this "
                              "packet's direction: VNI, GRE key (NVGRE: VSID), PPTP call ID, "
                              "GTP-U TEID, L2TP tunnel << 16 | session", HFILL}},
        {&hf_flow_tunnel_src, {"Tunnel source", "sessions.flow.tunnel_src",
                               FT_IPv4, BASE_NONE, NULL, 0, "Outer IPv4 source "
                               "of this packet's direction", HFILL}},
        {&hf_flow_tunnel_dst, {"Tunnel destination", "sessions.flow.tunnel_dst",
                               FT_IPv4, BASE_NONE, NULL, 0, "Outer IPv4 "
                               "destination of this packet's direction", HFILL}},
        {&hf_flow_tunnel_src6, {"Tunnel source", "sessions.flow.tunnel_src6",
                                FT_IPv6, BASE_NONE, NULL, 0, "Outer IPv6 source "
                                "of this packet's direction", HFILL}},
        {&hf_flow_tunnel_dst6, {"Tunnel destination", "sessions.flow.tunnel_dst6",
                                FT_IPv6, BASE_NONE, NULL, 0, "Outer IPv6 "
                                "destination of this packet's direction", HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    flows_tap = register_tap("sessions_flows");
    register_cleanup_routine(flows_cleanup);
}
