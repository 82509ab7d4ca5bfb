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

/* handoff.c: hands an HTTP or DNS message to Wireshark's own dissector. */
void sessions_handoff(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                      const sessions_message *m, dissector_handle_t http,
                      dissector_handle_t dns, gint ett);

#endif
