/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sessions_plugin.h - what the plugin's files share.
 */
#ifndef SESSIONS_PLUGIN_H
#define SESSIONS_PLUGIN_H

#include <epan/packet.h>
#include <epan/prefs.h>
#include <ws_version.h>

#include "sessions.h"
#include "sessions_framer.h"

/* Wireshark releases differ where the plugin touches them: from 4.4 on,
 * boolean preferences and UAT update callbacks take C bool (4.0 and 4.2 take
 * gboolean), and plugins describe their type (plugin_describe). */
#define SESSIONS_WS_AT_LEAST(major, minor)                                    \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                      \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))
#if SESSIONS_WS_AT_LEAST(4, 4)
typedef bool ws_api_bool;
#else
typedef gboolean ws_api_bool;
#endif

/* A message as kept for rendering and export (file scope). */
typedef struct sessions_message {
    guint32 flow_id;
    guint8 dir;
    gboolean partial;
    gboolean gap;         /* partial because of a skipped hole */
    const char *proto;
    const guint8 *data;   /* NULL when not kept */
    gboolean over_cap;    /* not kept: the display cap was reached */
    guint32 len;
    guint64 offset;
    guint32 *frames;
    guint32 nframes;
    guint64 missing;
    const char *info;     /* may be NULL */
} sessions_message;

void proto_register_sessions(void);
void proto_reg_handoff_sessions(void);

/* framers.c: the framer preferences (user table, port ranges, heuristics). */
void sessions_framers_register_prefs(module_t *module);
/* Fills `table` from the current preferences; valid until the next call. */
void sessions_framers_table(sess_framer_table *table);

/* display_store.c: bytes kept for display until the file closes.  Returns
 * the copy. */
const guint8 *display_store_keep(const guint8 *data, size_t len);
void display_store_free(void);

/* packet-sessions.c: ends the first pass (flushes every stream, ends every
 * flow) unless it has ended already. */
void sessions_end_first_pass(void);

/* handoff.c: the dissector tables sessions.port and sessions.proto. */
void sessions_handoff_register(int proto, module_t *prefs);
void sessions_handoff_reg_handoff(void);
/* Whether a table has an entry, so that a tree must be built for it. */
gboolean sessions_handoff_wanted(void);
/* Hands a message to the dissector registered for `resp_port` (0: none) or
 * for its framer. */
void sessions_handoff(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                      const sessions_message *m, guint16 resp_port);

/* flows.c: one row per flow, from the core's events. */
typedef struct sessions_flow_row {
    sess_flow_info info; /* as of its last packet; final once ended */
    guint64 msgs[2];     /* messages cut in each direction */
    gboolean ended;
    char service[32];    /* framers of its messages, comma-separated */
} sessions_flow_row;

void sessions_flows_register(int proto);
void sessions_flows_event(const sess_event *ev);
guint32 sessions_flows_count(void);
const sessions_flow_row *sessions_flows_get(guint32 id); /* NULL: unknown */
/* The typed fields of a packet in direction `dir` of flow `id`. */
void sessions_flows_render(proto_tree *tree, tvbuff_t *tvb, guint32 id,
                           guint8 dir);
/* Queues the packet's flow for the flow table's taps. */
void sessions_flows_tap(packet_info *pinfo, guint32 id);

/* flowtable.c: -z sessions,flows and Statistics > Sessions Flows. */
void sessions_flowtable_register(void);

/* A core timestamp as seconds, for columns and durations shown as decimals. */
static inline double sessions_seconds(sess_time t)
{
    return (double)t.sec + t.nsec / 1e9;
}

#endif
