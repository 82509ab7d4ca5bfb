/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handoff.c - reassembled messages for other dissectors: the dissector
 * tables `sessions.port` (the responder's TCP port) and `sessions.proto`
 * (the framer's name).
 *
 * Each message with its bytes kept is handed, as a tvb of its own, to the
 * dissector registered for its flow's responder port, or else to the one
 * registered for its framer, under the message's subtree, every pass.  A C
 * dissector receives the sessions_message as its data.  A dissector that
 * throws only loses its own subtree.
 *
 * Wireshark's HTTP and DNS dissectors are entries of sessions.proto only
 * when the `handoff` preference is on (off by default), because they keep
 * their own conversation state and taps: called again on our messages they
 * number requests anew, lose http.request_in, count objects twice in
 * -z http,tree and --export-objects http, and rewrite the Info column.  Those
 * two entries keep the columns as they were and run only while a tree is
 * built; TLS is never handed over, its handshake state would run twice.
 */
#include <wireshark.h>

#include <string.h>

#include "sessions_plugin.h"

#include <epan/column-utils.h>
#include <epan/exceptions.h>
#include <epan/show_exception.h>

static dissector_table_t port_table;
static dissector_table_t proto_table;
static dissector_handle_t http_entry, dns_entry;
static dissector_handle_t http_handle, dns_handle;
static ws_api_bool pref_handoff = FALSE;
static gboolean have_entries; /* either table has an entry */
static gint ett_handoff = -1;

/* Wireshark's own dissector on a message, its columns left as they were. */
static int call_builtin(dissector_handle_t h, tvbuff_t *tvb, packet_info *pinfo,
                        proto_tree *tree)
{
    if (!tree || !h)
        return 0;
    proto_tree *sub = proto_tree_add_subtree(tree, tvb, 0, -1, ett_handoff,
                                             NULL, "Dissected by Wireshark");
    gboolean writable = col_get_writable(pinfo->cinfo, -1);
    col_set_writable(pinfo->cinfo, -1, FALSE);
    call_dissector_only(h, tvb, pinfo, sub, NULL);
    col_set_writable(pinfo->cinfo, -1, writable);
    return tvb_captured_length(tvb);
}

static int dissect_http_message(tvbuff_t *tvb, packet_info *pinfo,
                                proto_tree *tree, void *data _U_)
{
    return call_builtin(http_handle, tvb, pinfo, tree);
}

/* DNS over TCP: the DNS dissector wants the message without its 2-byte
 * length prefix. */
static int dissect_dns_message(tvbuff_t *tvb, packet_info *pinfo,
                               proto_tree *tree, void *data _U_)
{
    if (tvb_captured_length(tvb) <= 2)
        return 0;
    call_builtin(dns_handle, tvb_new_subset_remaining(tvb, 2), pinfo, tree);
    return tvb_captured_length(tvb);
}

static int call_guarded(dissector_handle_t h, tvbuff_t *tvb, packet_info *pinfo,
                        proto_tree *tree, const sessions_message *m)
{
    int used = 0;
    TRY {
        used = call_dissector_only(h, tvb, pinfo, tree, (void *)m);
    }
    CATCH_NONFATAL_ERRORS {
        /* A malformed message must not hide the rest of our tree. */
        show_exception(tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
        used = 1;
    }
    ENDTRY;
    return used;
}

static void count_entry(const char *table_name _U_, ftenum_t selector_type _U_,
                        void *key _U_, void *value _U_, void *user_data)
{
    (*(guint *)user_data)++;
}

gboolean sessions_handoff_wanted(void)
{
    return have_entries;
}

void sessions_handoff(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                      const sessions_message *m, guint16 resp_port)
{
    dissector_handle_t h = NULL;
    if (resp_port)
        h = dissector_get_uint_handle(port_table, resp_port);
    if (h && call_guarded(h, tvb, pinfo, tree, m))
        return;
    h = dissector_get_string_handle(proto_table, m->proto);
    if (h)
        call_guarded(h, tvb, pinfo, tree, m);
}

/* The built-in entries follow the preference; an entry someone else put
 * under the same name is left alone. */
static void set_builtin(const char *name, dissector_handle_t entry)
{
    dissector_handle_t now = dissector_get_string_handle(proto_table, name);
    if (pref_handoff && !now)
        dissector_add_string("sessions.proto", name, entry);
    else if (!pref_handoff && now == entry)
        dissector_delete_string("sessions.proto", name, entry);
}

static void handoff_init(void)
{
    set_builtin("http", http_entry);
    set_builtin("dns", dns_entry);
    guint n = 0;
    dissector_table_foreach("sessions.port", count_entry, &n);
    dissector_table_foreach("sessions.proto", count_entry, &n);
    have_entries = n > 0;
}

void sessions_handoff_register(int proto, module_t *prefs)
{
    static gint *ett[] = {&ett_handoff};
    proto_register_subtree_array(ett, array_length(ett));
    port_table = register_dissector_table("sessions.port",
        "Sessions message by the responder's TCP port", proto, FT_UINT16,
        BASE_DEC);
    proto_table = register_dissector_table("sessions.proto",
        "Sessions message by framer", proto, FT_STRING, 0 /* case-sensitive */);
    http_entry = register_dissector("sessions.http", dissect_http_message, proto);
    dns_entry = register_dissector("sessions.dns", dissect_dns_message, proto);
    prefs_register_bool_preference(prefs, "handoff", "Hand messages to dissectors",
        "Hand HTTP and DNS messages to Wireshark's own dissectors while a tree "
        "is built (side effects: see the README)", &pref_handoff);
    register_init_routine(handoff_init);
}

void sessions_handoff_reg_handoff(void)
{
    http_handle = find_dissector("http");
    dns_handle = find_dissector("dns");
}
